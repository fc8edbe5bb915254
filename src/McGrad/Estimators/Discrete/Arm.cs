using System.Globalization;
using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators.Discrete;

/// <summary>
/// ARM (Augment-REINFORCE-Merge) for factorised Bernoulli latents b ~ Bernoulli(σ(ℓ)): for each latent i,
/// ĝᵢ = (f(b¹) − f(b²))·(uᵢ − ½) with b¹ = 1[u &gt; σ(−ℓ)], b² = 1[u &lt; σ(ℓ)] built from ONE uniform vector
/// u ~ U(0, 1)ᴰ per pair, averaged over K independent pairs. The surrogate is Σᵢ stopgrad(ĝᵢ)·ℓᵢ, so ∂/∂ℓᵢ = ĝᵢ and the
/// estimate flows through the logits into whatever produced them (an encoder).
/// </summary>
/// <remarks>
/// <para><b>Requirements.</b> A <see cref="Bernoulli"/> or an <see cref="Independent"/>(Bernoulli) of any batch
/// shape; with Independent, f(b¹) − f(b²) is the difference of the whole event's values and every latent of the event
/// gets its own weight from the same pair. Logit-parameterised Bernoullis are the natural input; probs-parameterised
/// ones work (the gradient is taken through ℓ = ln p − ln(1 − p)) when every p lies in (0, 1). f is a black box: no
/// derivative of f is needed and f may be discontinuous.</para>
/// <para><b>Bias and variance.</b> Unbiased: b¹ and b² are each Bernoulli(σ(ℓ)) and E[(f(b¹) − f(b²))(uᵢ − ½)] =
/// ∂E f/∂ℓᵢ. The pair is antithetic (negatively correlated), which with the built-in (u − ½) weight gives far lower
/// variance than REINFORCE; at σ(ℓ) = ½ in one dimension Var = D²/48 with D = f(1) − f(0) (R2). <see cref="DisArm"/>
/// is its conditional expectation given the pair and never has larger variance.</para>
/// <para><b>Parameters inside f</b> get ∇φ Ĵ = (1/2K) Σ over both members of every pair of ∇φ f(b) (each member is a
/// Bernoulli(σ(ℓ)) draw, so this is unbiased), from the same evaluations.</para>
/// <para><b>Cost.</b> 2K evaluations of f (one call of the objective on samples [2, K, *batch, *event]: index 0 holds
/// b¹, index 1 holds b²), no backward pass through f. The uniforms are <c>Sampler.Uniform(key, [K, *latent], Float64)</c>
/// (latent = the Bernoulli's batch shape), so <see cref="Arm"/> and <see cref="DisArm"/> with one key share their pairs.</para>
/// <para>Yin and Zhou (2019), "ARM: Augment-REINFORCE-Merge gradient for stochastic binary networks".</para>
/// </remarks>
public sealed class Arm : IGradientEstimator
{
    /// <summary>ARM averaging <paramref name="pairs"/> independent antithetic pairs per estimate.</summary>
    /// <exception cref="ArgumentOutOfRangeException">pairs &lt; 1.</exception>
    public Arm(int pairs = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pairs, 1);
        Pairs = pairs;
    }

    /// <summary>K, the number of antithetic pairs averaged per estimate.</summary>
    public int Pairs { get; }

    /// <inheritdoc/>
    public string Name => Pairs == 1 ? "ARM" : string.Create(CultureInfo.InvariantCulture, $"ARM({Pairs} pairs)");

    /// <inheritdoc/>
    public EstimatorTraits Traits => AntitheticBernoulli.Traits(Pairs, "Yin and Zhou 2019");

    /// <inheritdoc/>
    public SupportCheck Supports(Distribution distribution) => DiscreteLatents.BernoulliSupport(distribution, Name);

    /// <summary>Draws K antithetic pairs and returns the surrogate Σᵢ stopgrad(ĝᵢ)·ℓᵢ (see the type summary).</summary>
    /// <exception cref="ArgumentException">The distribution is not a Bernoulli or Independent(Bernoulli), a probs
    /// parameter is 0 or 1, or the objective returns a shape other than [2, K, *batch].</exception>
    public GradientEstimate Estimate(Distribution distribution, Objective objective, RngKey key, EstimatorState? state = null)
        => AntitheticBernoulli.Estimate(Name, disarm: false, Pairs, distribution, objective, key);
}
