using McGrad.Data;
using McGrad.Lab.Blr;

namespace McGrad.Lab.Tests.Blr;

/// <summary>
/// The workload on the real breast_cancer data (skipped, with the reason, when python3-sklearn's CSV is missing): the
/// anchor's optimum and the variance orderings at the optimal q, measured with fewer samples than the Lab run (K = 10)
/// so that the test stays fast.
/// </summary>
public class BlrBreastCancerTests
{
    private static BlrData Data()
    {
        Requires.Component(SklearnDatasets.IsAvailable("breast_cancer"), $"breast_cancer.csv is not under {SklearnDatasets.DefaultDirectory}; install it with `apt-get install python3-sklearn` (./test.sh does)");
        return BlrData.Load();
    }

    [SkippableFact]
    public void The_anchor_is_a_stationary_point_of_the_31_dimensional_elbo()
    {
        var data = Data();
        Assert.Equal([569, 31], data.Design.Shape.ToArray());
        var elbo = new DeterministicElbo(data);
        var best = elbo.Maximise();
        // ‖∇L‖ below 10⁻⁴ (from about 10³ at q = N(0, I)): MathNet's line search stops near 10⁻⁵; the ELBO is then
        // within about ‖∇L‖²/2 of its maximum along the gradient, far inside the 0.5 % the runs are held to.
        Assert.True(best.GradientNorm < 1e-4, $"‖∇L‖ = {best.GradientNorm} after {best.Iterations} iterations ({best.Status})");
        Assert.True(best.Elbo > elbo.Evaluate(new double[31], new double[31]).Value);
        var rng = new Random(2);
        for (var trial = 0; trial < 20; trial++)
        {
            var mu = best.Mean.Select(m => m + (1e-3 * ((2 * rng.NextDouble()) - 1))).ToArray();
            var rho = best.LogScale.Select(r => r + (1e-3 * ((2 * rng.NextDouble()) - 1))).ToArray();
            Assert.True(elbo.Evaluate(mu, rho).Value < best.Elbo);
        }
    }

    [SkippableTheory]
    [InlineData("sf,sf-ma,sf-delta,pathwise", 10, 200)]
    [InlineData("mvd,mvd-uncoupled", 1, 300)]
    public void At_the_optimum_the_expected_variance_orderings_hold(string ids, int samples, int estimates)
    {
        // q = the anchor's optimum; b = the moving average's noise-free limit E_q[f] (the deterministic ELBO plus the
        // KL). Orderings of tr Cov (μ and ρ) with z > 4: pathwise < SF, SF + MA < SF, delta CV < SF + MA,
        // MVD coupled < uncoupled. A delta CV with the wrong coefficient sign, a moving average that is not subtracted,
        // or an MVD that does not couple its two sides fails. K is smaller than the Lab's 50 to keep the test fast (the
        // variance of a K-sample estimate is 1/K of one sample's for all but the delta CV, whose coefficient is shared).
        var data = Data();
        var elbo = new DeterministicElbo(data);
        var best = elbo.Maximise();
        var kl = 0.5 * best.Mean.Zip(best.LogScale, (m, r) => Math.Exp(2 * r) + (m * m) - 1 - (2 * r)).Sum();
        var config = new BlrConfig(Samples: samples);
        var key = new McGrad.Randomness.RngKey(12);
        var entries = ids.Split(',').Select(id => VarianceBasket.Measure(id, data, config, best.Mean, best.LogScale, best.Elbo + kl, key, estimates)).ToList();
        var orderings = BlrReport.Orderings([new BasketCheckpoint(new BlrCheckpoint(0, best.Mean, best.LogScale, best.Elbo + kl), best.Elbo, entries)]);
        Assert.Equal(ids.StartsWith("mvd", StringComparison.Ordinal) ? 2 : 6, orderings.Count);
        Assert.All(orderings, o => Assert.True(o.Holds, $"{o.Lower} < {o.Higher} ({o.Parameter}): ratio {o.Ratio:G3}, z = {o.Z:F2}"));
    }
}
