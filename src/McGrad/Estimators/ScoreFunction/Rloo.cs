using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators.ScoreFunction;

/// <summary>
/// REINFORCE leave-one-out (RLOO): ĝ = (1/K) Σₖ (f(x_k) − bₖ)·∇θ log p_θ(x_k) with bₖ = (1/(K − 1)) Σ_{j≠k} f(x_j),
/// i.e. f(x_k) − bₖ = K/(K − 1)·(f(x_k) − f̄), as the surrogate (1/K) Σₖ Σ_batch stopgrad(f(x_k) − bₖ)·log p_θ(x_k).
/// </summary>
/// <remarks>
/// Unbiased (bₖ is independent of x_k), needs only f values and a LogProb, discrete or continuous; K ≥ 2 samples of
/// each batch element, which never share a baseline with other batch elements. Variance, exactly:
/// K·Var ĝ = V_mean + (Var f·E[s²] + (∇J)²)/(K − 1), V_mean = Var[(f − E f)·s] the one-sample variance with the exact
/// mean baseline (on the Bernoulli toy of Tucker et al. 2017, K = 2 is 400–600× below REINFORCE(1)).
/// Cost: K evaluations of f, no backward pass through f. Kool, van Hoof &amp; Welling (2019);
/// Ahmadian et al. (2024) for language-model fine-tuning; the same control variate as VIMCO (Mnih &amp; Rezende 2016).
/// </remarks>
public sealed class Rloo : IGradientEstimator
{
    /// <summary>RLOO with K = <paramref name="samples"/> samples per estimate.</summary>
    /// <exception cref="ArgumentOutOfRangeException">samples &lt; 2.</exception>
    public Rloo(int samples)
    {
        if (samples < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(samples), samples, $"Rloo: needs K >= 2 samples per estimate (the baseline of sample k is the mean of the others), got {samples}.");
        }

        Samples = samples;
    }

    /// <summary>Samples K per estimate.</summary>
    public int Samples { get; }

    /// <inheritdoc/>
    public string Name => $"RLOO({Samples})";

    /// <inheritdoc/>
    public EstimatorTraits Traits => new(true, false, false, true, new EstimatorCost(Samples, 0), "Kool, van Hoof & Welling 2019");

    /// <inheritdoc/>
    public GradientEstimate Estimate(Distribution distribution, Objective objective, RngKey key)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(objective);
        var x = distribution.Sample(key, [Samples]);
        var values = ObjectiveValues.Evaluate(objective, x, distribution, Samples, "Rloo");
        Tensor advantages;
        using (Autograd.NoGrad())
        {
            advantages = ((values - values.Mean(0, keepDim: true)) * (Samples / (Samples - 1.0))).Detach();
        }

        var surrogate = (advantages * distribution.LogProb(x)).Sum() / Samples;
        return new GradientEstimate(surrogate, values.Sum().Detach() / Samples);
    }
}
