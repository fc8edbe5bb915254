using McGrad.Data;
using McGrad.Lab.Xu;
using McGrad.Randomness;

namespace McGrad.Lab.Tests.Xu;

/// <summary>
/// The whole experiment on an exactly quadratic log joint: at every checkpoint of the path, the Monte Carlo variances of
/// the three estimators (means and log-scales) match the closed forms with |z| &lt; 4, and their means match the exact
/// gradient with |z| &lt; 4 (a baseline taken from the wrong mean, a checkpoint q that is not the one measured, or a
/// Hessian from the wrong point fails).
/// </summary>
public class XuExperimentTests
{
    private static readonly XuConfig Config = new(100_000, new ElboPathConfig(Steps: 60, Checkpoints: 2, SamplesPerStep: 8, LearningRate: 0.05, ElboSamples: 256));

    private static void AssertMatchesClosedForms(DatasetResult result)
    {
        Assert.True(result.Exact);
        Assert.Equal([0, 60], result.Checkpoints.Select(c => c.Point.Step));
        Assert.True(result.Checkpoints[1].Point.Elbo > result.Checkpoints[0].Point.Elbo, "the path increases the ELBO");
        foreach (var c in result.Checkpoints)
        {
            foreach (var id in XuExperiment.EstimatorIds)
            {
                var m = c[id];
                foreach (var (stats, closed) in new[] { (m.Mean, c.Predicted[id].Mean), (m.LogScale, c.Predicted[id].LogScale) })
                {
                    for (var i = 0; i < stats.Count; i++)
                    {
                        var z = XuReport.VarianceZ(stats[i], closed[i]);
                        Assert.True(Math.Abs(z) < 4, $"step {c.Point.Step}, {id}, {stats[i].Parameter}: variance {stats[i].Variance} ± {stats[i].VarianceStdError}, closed form {closed[i]}, z = {z:F2}");
                        Assert.True(Math.Abs(stats[i].Z) < 4, $"step {c.Point.Step}, {id}, {stats[i].Parameter}: mean {stats[i].Mean}, exact {stats[i].Exact}, z = {stats[i].Z:F2}");
                    }
                }
            }

            Assert.All(XuReport.MeasuredRatio(c, "sf", false), r => Assert.True(r > 1));
            Assert.All(XuReport.MeasuredRatio(c, "sf-mean", false), r => Assert.True(r > 1));
        }
    }

    [Fact]
    public void Synthetic_linear_regression_matches_the_closed_forms_along_the_path()
    {
        var rng = new Random(3);
        const int N = 25, D = 3;
        var x = new double[N * D];
        var y = new double[N];
        for (var i = 0; i < N; i++)
        {
            for (var j = 0; j < D - 1; j++)
            {
                x[(i * D) + j] = (rng.NextDouble() * 2) - 1;
            }

            x[(i * D) + D - 1] = 1;
            y[i] = x[i * D] - (0.5 * x[(i * D) + 1]) + (0.3 * ((rng.NextDouble() * 2) - 1));
        }

        var model = new LinearRegression(Tensor.FromArray(x, N, D), Tensor.FromArray(y), 0.3, 1, ["a", "b", "bias"], "synthetic");
        AssertMatchesClosedForms(XuExperiment.Run("synthetic", model, exact: true, Config, new RngKey(7)));
    }

    /// <summary>The diabetes data (first 60 patients), when python3-sklearn is installed.</summary>
    [SkippableFact]
    public void Diabetes_subset_matches_the_closed_forms_along_the_path()
    {
        Requires.Component(SklearnDatasets.IsAvailable("diabetes"), $"the diabetes files are not under {SklearnDatasets.DefaultDirectory}; install them with `apt-get install python3-sklearn` (./test.sh does)");
        var model = XuModels.Create("diabetes", SklearnDatasets.DefaultDirectory, maxRows: 60);
        Assert.Equal(11, model.Dimension);
        AssertMatchesClosedForms(XuExperiment.Run("diabetes", model, exact: true, Config, new RngKey(8)));
    }
}
