using McGrad.Estimators;
using McGrad.Randomness;

namespace McGrad.Lab.Xu;

/// <summary>One estimator's per-coordinate statistics at one q: the mean and log-scale gradients, each a list of d.</summary>
/// <param name="Id">A short id ("pathwise", "sf", "sf-mean").</param>
/// <param name="Name">The estimator's report name.</param>
/// <param name="Mean">Statistics of ∂μᵢ (variance with its standard error, mean with its z-score against the exact gradient where known).</param>
/// <param name="LogScale">Statistics of ∂ρᵢ.</param>
/// <param name="Seconds">Wall time of the measurement.</param>
public sealed record MeasuredEstimator(string Id, string Name, IReadOnlyList<ParameterStatistics> Mean, IReadOnlyList<ParameterStatistics> LogScale, double Seconds);

/// <summary>
/// Measures a gradient estimator of ∇_{μ,ρ} E_q[f] at a fixed q with the library's <see cref="EstimatorCheck"/>:
/// N independent one-sample estimates drawn in vectorised chunks, per-coordinate mean, variance and the variance's
/// standard error √((m₄ − s⁴)/N).
/// </summary>
public static class VarianceMeasurement
{
    /// <summary>
    /// The statistics of <paramref name="estimator"/> at <paramref name="q"/> from <paramref name="samples"/> estimates
    /// drawn with <paramref name="key"/>; <paramref name="exact"/> (∇μ and ∇ρ of E_q[f]) gives the z-scores, or null.
    /// </summary>
    public static MeasuredEstimator Measure(string id, IGradientEstimator estimator, ILogJoint model, VariationalPoint q, RngKey key, int samples, (double[] Mean, double[] LogScale)? exact)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(q);
        var d = model.Dimension;
        var problem = new GradientProblem(
            model.Name,
            ["μ", "ρ"],
            [Tensor.FromArray(q.Mean), Tensor.FromArray(q.LogScale)],
            p => MeanField.Create(p[0], p[1]),
            x => model.Evaluate(x),
            exact is { } e ? [Tensor.FromArray(e.Mean), Tensor.FromArray(e.LogScale)] : null);
        var result = EstimatorCheck.Run(estimator, problem, key, samples, model.Chunk);
        var stats = result.Parameters;
        return new MeasuredEstimator(id, estimator.Name, [.. stats.Take(d)], [.. stats.Skip(d).Take(d)], result.MicrosecondsPerEstimate * samples / 1e6);
    }
}
