using System.Globalization;
using McGrad.Autodiff;
using McGrad.Estimators;
using McGrad.Estimators.ScoreFunction;
using McGrad.Randomness;

namespace McGrad.Lab.Xu;

/// <summary>Settings of one Xu et al. experiment.</summary>
/// <param name="Samples">Independent one-sample estimates per estimator and checkpoint.</param>
/// <param name="Path">The optimisation path that gives the checkpoints.</param>
/// <param name="BaselineSamples">Draws of f for the mean baseline b when E_q[f] has no closed form (non-quadratic models).</param>
public sealed record XuConfig(int Samples, ElboPathConfig Path, int BaselineSamples = 10_000);

/// <summary>Predicted (closed-form) per-coordinate variances of one estimator.</summary>
/// <param name="Mean">Var ∂μᵢ.</param>
/// <param name="LogScale">Var ∂ρᵢ.</param>
public sealed record PredictedVariances(double[] Mean, double[] LogScale);

/// <summary>Everything measured and predicted at one q of the path.</summary>
/// <param name="Point">q.</param>
/// <param name="Taylor">f(μ), ∇f(μ) and ∇²f(μ) (exact for a quadratic).</param>
/// <param name="Baseline">b of the "SF + mean baseline" estimator.</param>
/// <param name="BaselineSource">How b was obtained.</param>
/// <param name="Predicted">Closed-form variances by estimator id (pathwise, sf, sf-mean).</param>
/// <param name="Measured">Monte Carlo statistics, in the order pathwise, sf, sf-mean.</param>
public sealed record CheckpointResult(VariationalPoint Point, TaylorExpansion Taylor, double Baseline, string BaselineSource, IReadOnlyDictionary<string, PredictedVariances> Predicted, IReadOnlyList<MeasuredEstimator> Measured)
{
    /// <summary>The measured estimator with id <paramref name="id"/>.</summary>
    public MeasuredEstimator this[string id] => Measured.Single(m => m.Id == id);
}

/// <summary>One dataset's experiment: the model, whether the closed forms are exact, and the checkpoints.</summary>
public sealed record DatasetResult(string Dataset, string Model, bool Exact, IReadOnlyList<string> CoordinateNames, IReadOnlyList<CheckpointResult> Checkpoints);

/// <summary>
/// The Xu, Quiroz, Kohn and Sisson (2019) comparison on one model: along an ELBO optimisation path, at each checkpoint q,
/// the per-coordinate variances of the one-sample pathwise, score-function (b = 0) and score-function with mean baseline
/// (b = E_q[f]) estimators of ∇_{μ,ρ} E_q[f], measured by Monte Carlo and predicted by <see cref="QuadraticVariances"/>
/// from the second-order Taylor expansion at μ (exact for linear regression).
/// </summary>
public static class XuExperiment
{
    /// <summary>The estimator ids, in report order.</summary>
    public static IReadOnlyList<string> EstimatorIds { get; } = ["pathwise", "sf", "sf-mean"];

    /// <summary>Progress units <see cref="Run"/> reports: the path, then three estimators per checkpoint.</summary>
    public static int Units(XuConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return 1 + (3 * config.Path.CheckpointSteps().Count);
    }

    /// <summary>
    /// Runs the experiment on <paramref name="model"/>: the path from key.FoldIn(0), then at checkpoint c the three
    /// estimators with common random numbers key.FoldIn(1).FoldIn(c) and the baseline draws from key.FoldIn(2).FoldIn(c).
    /// </summary>
    public static DatasetResult Run(string dataset, ILogJoint model, bool exact, XuConfig config, RngKey key, Action<string>? onUnit = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        onUnit?.Invoke($"{dataset}: optimisation path (0/{config.Path.Steps} steps)");
        var points = ElboPath.Run(model, config.Path, key.FoldIn(0), cancel: cancel);
        var checkpoints = new List<CheckpointResult>();
        for (var c = 0; c < points.Count && !cancel.IsCancellationRequested; c++)
        {
            checkpoints.Add(AtCheckpoint(dataset, model, exact, points[c], config, key.FoldIn(1).FoldIn((uint)c), key.FoldIn(2).FoldIn((uint)c), onUnit, cancel));
        }

        return new DatasetResult(dataset, model.Name, exact, model.CoordinateNames, checkpoints);
    }

    private static CheckpointResult AtCheckpoint(string dataset, ILogJoint model, bool exact, VariationalPoint q, XuConfig config, RngKey key, RngKey baselineKey, Action<string>? onUnit, CancellationToken cancel)
    {
        var taylor = TaylorExpansion.At(model, q.Mean);
        var closed = new QuadraticVariances(taylor.Gradient, taylor.Hessian, q.Scales);
        var quadraticMean = taylor.Value + (0.5 * closed.TraceM);
        var (baseline, source) = exact
            ? (quadraticMean, "exact E_q[f] = f(μ) + ½ Σᵢ Hᵢᵢ sᵢ²")
            : (EstimateMean(model, q, baselineKey, config.BaselineSamples), $"Monte Carlo E_q[f] from {config.BaselineSamples.ToString(CultureInfo.InvariantCulture)} independent draws");

        // Baseline offsets β = E[f] − b of the quadratic: b = 0 for plain SF; the mean baseline has β = 0 (exactly for a
        // quadratic, by convention for the Taylor prediction: the quadratic with its own mean as baseline).
        var predicted = new Dictionary<string, PredictedVariances>(StringComparer.Ordinal)
        {
            ["pathwise"] = new(closed.PathwiseMean(), closed.PathwiseLogScale()),
            ["sf"] = new(closed.ScoreMean(quadraticMean), closed.ScoreLogScale(quadraticMean)),
            ["sf-mean"] = new(closed.ScoreMean(0), closed.ScoreLogScale(0)),
        };
        (double[] Mean, double[] LogScale)? gradient = exact ? closed.ExactGradient() : null;
        IGradientEstimator[] estimators = [new Pathwise(1), new Reinforce(1), new Reinforce(1, Baselines.Constant(baseline))];
        var measured = new List<MeasuredEstimator>();
        for (var e = 0; e < estimators.Length && !cancel.IsCancellationRequested; e++)
        {
            onUnit?.Invoke($"{dataset}: step {q.Step}, {EstimatorIds[e]} ({config.Samples.ToString("N0", CultureInfo.InvariantCulture)} estimates)");
            measured.Add(VarianceMeasurement.Measure(EstimatorIds[e], estimators[e], model, q, key, config.Samples, gradient));
        }

        return new CheckpointResult(q, taylor, baseline, source, predicted, measured);
    }

    /// <summary>The mean of f over <paramref name="samples"/> draws from q (independent of the estimates' draws).</summary>
    private static double EstimateMean(ILogJoint model, VariationalPoint q, RngKey key, int samples)
    {
        using (Autograd.NoGrad())
        {
            var dist = MeanField.Create(Tensor.FromArray(q.Mean), Tensor.FromArray(q.LogScale));
            double sum = 0;
            for (var done = 0; done < samples;)
            {
                var n = Math.Min(model.Chunk, samples - done);
                sum += model.Evaluate(dist.Sample(key.FoldIn((uint)done), [n])).Sum().Item();
                done += n;
            }

            return sum / samples;
        }
    }
}
