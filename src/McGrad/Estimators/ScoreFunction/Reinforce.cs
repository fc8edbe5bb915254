using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators.ScoreFunction;

/// <summary>
/// REINFORCE (the score-function or likelihood-ratio estimator): ĝ = (1/K) Σ_k (f(x_k) − b_k)·∇θ log p_θ(x_k),
/// x_k ∼ p_θ, as the surrogate Ĵ + (1/K) Σ_k Σ_batch stopgrad(f(x_k) − b_k)·(log p_θ(x_k) − stopgrad(log p_θ(x_k))),
/// Ĵ = (1/K) Σ_k Σ_batch f(x_k) recorded.
/// </summary>
/// <remarks>
/// <para>Unbiased for any baseline b that does not depend on the sample it multiplies, for any f (no derivative of f is
/// needed) and any family with a LogProb, discrete or continuous. Its variance is often large: E[(f − b)² s²] − (∇J)²
/// with s the score; a baseline near E[f s²]/E[s²] reduces it. Baselines: <see cref="Baselines.Constant"/>,
/// <see cref="Baselines.LeaveOneOut"/> (RLOO: <see cref="LeaveOneOut"/>), <see cref="Baselines.MovingAverage"/>
/// (stateful), <see cref="Baselines.Learned"/>; the per-parameter optimal b* is <see cref="OptimalBaselineReinforce"/>.</para>
/// <para><b>Parameters inside f</b> get ∇φ Ĵ = (1/K) Σ_k ∇φ f(x_k) from the same K evaluations.</para>
/// <para>f must return one value per sample and batch element ([K, *batch], the distribution's dtype); otherwise an
/// <see cref="ArgumentException"/> names the shapes. Williams (1992); RLOO: Kool, van Hoof &amp; Welling (2019).</para>
/// </remarks>
public sealed class Reinforce : IGradientEstimator
{
    /// <summary>REINFORCE with <paramref name="samples"/> samples per estimate and an optional baseline.</summary>
    /// <exception cref="ArgumentOutOfRangeException">samples &lt; 1, or samples &lt; 2 with the leave-one-out baseline.</exception>
    public Reinforce(int samples = 1, IBaseline? baseline = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        if (baseline == Baselines.LeaveOneOut && samples < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(samples), samples, $"RLOO: needs K >= 2 samples per estimate (the baseline of sample k is the mean of the others), got {samples}.");
        }

        Samples = samples;
        Baseline = baseline ?? Baselines.None;
    }

    /// <summary>
    /// RLOO, REINFORCE with the leave-one-out baseline bₖ = (1/(K − 1)) Σ_{j≠k} f(x_j):
    /// ĝ = 1/(K − 1) Σₖ (f(x_k) − f̄)·∇θ log p_θ(x_k).
    /// </summary>
    /// <remarks>
    /// Unbiased; K·Var ĝ = V_mean + (Var f·E[s²] + (∇J)²)/(K − 1), V_mean = Var[(f − E f)·s] (on the Bernoulli toy of
    /// Tucker et al. 2017, K = 2 is 400–600× below REINFORCE(1)). Kool, van Hoof &amp; Welling (2019); the same control
    /// variate as VIMCO.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">samples &lt; 2.</exception>
    public static Reinforce LeaveOneOut(int samples) => new(samples, Baselines.LeaveOneOut);

    /// <summary>Samples K per estimate.</summary>
    public int Samples { get; }

    /// <summary>The control variate subtracted from f.</summary>
    public IBaseline Baseline { get; }

    /// <inheritdoc/>
    public string Name => Baseline == Baselines.None ? (Samples == 1 ? "REINFORCE" : $"REINFORCE({Samples})")
        : Baseline == Baselines.LeaveOneOut ? $"RLOO({Samples})"
        : $"REINFORCE({Samples}) − {Baseline.Name}";

    /// <inheritdoc/>
    public EstimatorTraits Traits => new()
    {
        Target = EstimateTarget.GradientOfExpectation,
        Stateful = Baseline.InitialState is not null,
        Cost = new EstimatorCost(Samples, 0),
        Reference = Baseline == Baselines.LeaveOneOut ? "Kool, van Hoof & Welling 2019" : "Williams 1992",
    };

    /// <summary>The baseline's initial state (null unless the baseline is stateful, e.g. a moving average).</summary>
    public EstimatorState? InitialState => Baseline.InitialState;

    /// <inheritdoc/>
    public SupportCheck Supports(Distribution distribution) => ObjectiveValues.Supports(distribution, Name);

    /// <inheritdoc/>
    public GradientEstimate Estimate(Distribution distribution, Objective objective, RngKey key, EstimatorState? state = null)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(objective);
        Supports(distribution).ThrowIfUnsupported(nameof(distribution));
        var x = distribution.Sample(key, [Samples]);
        var values = ObjectiveValues.Evaluate(objective, x, distribution, Samples, Name);
        var f = values.Detach();
        var baseline = Baseline.Compute(f, state ?? Baseline.InitialState);
        var score = ((f - baseline.Baseline) * distribution.LogProb(x)).Sum() / Samples;
        var next = baseline.NextState;
        return Surrogates.Estimate(values.Sum() / Samples, score, [new(x, values)], next is null ? null : () => next, baseline.Loss);
    }
}
