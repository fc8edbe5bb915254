using System.Globalization;
using McGrad.Combinatorial;
using McGrad.Estimators.Imle;
using McGrad.Randomness;
using Xunit.Abstractions;

namespace McGrad.Tests.Estimators;

/// <summary>
/// The hyperparameter grid behind docs/estimators-imle.md (tuning keys 1000…1029, disjoint from the test's 5000…5049).
/// Takes about a minute, so it is skipped by default: remove Skip and run
/// <c>dotnet test tests/McGrad.Tests --filter FullyQualifiedName~ImleSyntheticGridTests --logger "console;verbosity=detailed"</c>.
/// </summary>
public class ImleSyntheticGridTests(ITestOutputHelper output)
{
    private const int Runs = 30;

    private static (double Mean, double StdError) Final(Func<Func<PerturbAndMap, RngKey, Tensor>> make, double lr, double[] b)
    {
        var theta0 = ImleSynthetic.Theta0();
        var finals = new double[Runs];
        for (var r = 0; r < Runs; r++)
        {
            finals[r] = ImleSynthetic.Run(make(), lr, theta0, b, new RngKey(1000 + (ulong)r))[^1];
        }

        var m = finals.Average();
        return (m, Math.Sqrt(finals.Sum(x => (x - m) * (x - m)) / (Runs - 1) / Runs));
    }

    private void Report(string what, (double Mean, double StdError) r)
        => output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: {r.Mean:F4} ± {r.StdError:F4}"));

    [Theory(Skip = "hyperparameter grid for docs/estimators-imle.md; about a minute")]
    [InlineData(false)]
    [InlineData(true)]
    public void Grid(bool subsetTarget)
    {
        var b = subsetTarget ? ImleSynthetic.SubsetTarget() : ImleSynthetic.PaperTarget();
        output.WriteLine($"b = [{string.Join(", ", b.Select(x => x.ToString("F3", CultureInfo.InvariantCulture)))}]");
        foreach (var lr in new[] { 0.001, 0.003, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5, 1.0 })
        {
            Report($"ST-PaM lr {lr}", Final(() => (pm, k) => new MapStraightThrough().Sample(pm, k), lr, b));
        }

        foreach (var lambda in new[] { 0.5, 0.75, 1.0, 1.5, 2.0, 3.0 })
        {
            foreach (var lr in new[] { 0.03, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0 })
            {
                Report($"I-MLE λ {lambda} lr {lr}", Final(() => (pm, k) => new Imle(lambda, scaleByInverseLambda: true).Sample(pm, k), lr, b));
            }
        }

        foreach (var central in new[] { false, true })
        {
            foreach (var beta in new[] { 0.1, 0.2, 0.3, 0.5, 1.0 })
            {
                foreach (var lr in new[] { 0.01, 0.02, 0.03, 0.05, 0.1, 0.3, 1.0 })
                {
                    Report($"AIMLE{(central ? " central" : "")} β₀ {beta} lr {lr}", Final(() => (pm, k) => new Imle(new AdaptiveLambda(initialBeta: beta), centralDifference: central).Sample(pm, k), lr, b));
                }
            }
        }
    }
}
