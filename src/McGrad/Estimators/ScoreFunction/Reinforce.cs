using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators.ScoreFunction;

/// <summary>
/// REINFORCE (the score-function or likelihood-ratio estimator): ĝ = (1/K) Σ_k (f(x_k) − b_k)·∇θ log p_θ(x_k),
/// x_k ∼ p_θ, as the surrogate (1/K) Σ_k Σ_batch stopgrad(f(x_k) − b_k)·log p_θ(x_k).
/// </summary>
/// <remarks>
/// Unbiased for any baseline b that does not depend on the sample it multiplies, for any f (no derivative of f is
/// needed) and any family with a LogProb, discrete or continuous. Its variance is often large: E[(f − b)² s²] − (∇J)²
/// with s the score; a baseline near E[f s²]/E[s²] reduces it. Baselines: <see cref="Baselines.Constant"/>,
/// <see cref="Baselines.LeaveOneOut"/> (= <see cref="Rloo"/>), <see cref="Baselines.MovingAverage"/>,
/// <see cref="Baselines.Learned"/>; the per-parameter optimal b* is <see cref="OptimalBaselineReinforce"/>.
/// f must return one value per sample and batch element ([K, *batch], the distribution's dtype); otherwise an
/// <see cref="ArgumentException"/> names the shapes. Williams (1992).
/// </remarks>
public sealed class Reinforce : IGradientEstimator
{
    /// <summary>REINFORCE with <paramref name="samples"/> samples per estimate and an optional baseline.</summary>
    /// <exception cref="ArgumentOutOfRangeException">samples &lt; 1.</exception>
    public Reinforce(int samples = 1, IBaseline? baseline = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        Samples = samples;
        Baseline = baseline ?? Baselines.None;
    }

    /// <summary>Samples K per estimate.</summary>
    public int Samples { get; }

    /// <summary>The control variate subtracted from f.</summary>
    public IBaseline Baseline { get; }

    /// <inheritdoc/>
    public string Name => Baseline == Baselines.None ? (Samples == 1 ? "REINFORCE" : $"REINFORCE({Samples})") : $"REINFORCE({Samples}) − {Baseline.Name}";

    /// <inheritdoc/>
    public EstimatorTraits Traits => new(true, false, false, true, new EstimatorCost(Samples, 0), "Williams 1992");

    /// <inheritdoc/>
    public GradientEstimate Estimate(Distribution distribution, Objective objective, RngKey key)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(objective);
        var x = distribution.Sample(key, [Samples]);
        var values = ObjectiveValues.Evaluate(objective, x, distribution, Samples, "REINFORCE");

        var weights = values - Baseline.Compute(values);
        Baseline.Observe(values);
        var surrogate = (weights * distribution.LogProb(x)).Sum() / Samples;
        return new GradientEstimate(surrogate, values.Sum().Detach() / Samples);
    }
}
