using System.Globalization;
using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators.Discrete;

/// <summary>
/// DisARM for factorised Bernoulli latents b ~ Bernoulli(σ(ℓ)): with the antithetic pair b¹ = 1[u &gt; σ(−ℓ)],
/// b² = 1[u &lt; σ(ℓ)] from one uniform vector u, for each latent i
/// ĝᵢ = ½(f(b¹) − f(b²))·(−1)^{b²ᵢ}·1[b¹ᵢ ≠ b²ᵢ]·σ(|ℓᵢ|), averaged over K independent pairs. The surrogate is
/// Σᵢ stopgrad(ĝᵢ)·ℓᵢ, so ∂/∂ℓᵢ = ĝᵢ and the estimate flows through the logits into whatever produced them.
/// </summary>
/// <remarks>
/// <para><b>Requirements.</b> As <see cref="Arm"/>: a <see cref="Bernoulli"/> or <see cref="Independent"/>(Bernoulli)
/// of any batch shape (f(b¹) − f(b²) is the whole event's difference, shared by the event's latents), logits or probs
/// in (0, 1); f is a black box.</para>
/// <para><b>Bias and variance.</b> Unbiased. DisARM integrates ARM's continuous augmentation out analytically: it is
/// E[ARM | b¹, b²], so Var DisARM = Var ARM − E[Var(ARM | b¹, b²)] ≤ Var ARM, with the same pair (same key) and the
/// same cost. A latent whose two samples agree gets exactly 0; at σ(ℓ) = ½ in one dimension the estimate is the
/// exact gradient (variance 0, R2).</para>
/// <para><b>Parameters inside f</b> get ∇φ Ĵ = (1/2K) Σ over both members of every pair of ∇φ f(b) (each member is a
/// Bernoulli(σ(ℓ)) draw, so this is unbiased), from the same evaluations.</para>
/// <para><b>Cost.</b> 2K evaluations of f (one objective call on samples [2, K, *batch, *event]; index 0 holds b¹,
/// index 1 holds b²), no backward pass through f. Uniforms: <c>Sampler.Uniform(key, [K, *latent], Float64)</c>, the
/// same as <see cref="Arm"/>'s.</para>
/// <para>Dong, Mnih and Tucker (2020), "DisARM: An antithetic gradient estimator for binary latent variables".</para>
/// </remarks>
public sealed class DisArm : IGradientEstimator
{
    /// <summary>DisARM averaging <paramref name="pairs"/> independent antithetic pairs per estimate.</summary>
    /// <exception cref="ArgumentOutOfRangeException">pairs &lt; 1.</exception>
    public DisArm(int pairs = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pairs, 1);
        Pairs = pairs;
    }

    /// <summary>K, the number of antithetic pairs averaged per estimate.</summary>
    public int Pairs { get; }

    /// <inheritdoc/>
    public string Name => Pairs == 1 ? "DisARM" : string.Create(CultureInfo.InvariantCulture, $"DisARM({Pairs} pairs)");

    /// <inheritdoc/>
    public EstimatorTraits Traits => AntitheticBernoulli.Traits(Pairs, "Dong, Mnih and Tucker 2020");

    /// <inheritdoc/>
    public SupportCheck Supports(Distribution distribution) => DiscreteLatents.BernoulliSupport(distribution, Name);

    /// <summary>Draws K antithetic pairs and returns the surrogate Σᵢ stopgrad(ĝᵢ)·ℓᵢ (see the type summary).</summary>
    /// <exception cref="ArgumentException">The distribution is not a Bernoulli or Independent(Bernoulli), a probs
    /// parameter is 0 or 1, or the objective returns a shape other than [2, K, *batch].</exception>
    public GradientEstimate Estimate(Distribution distribution, Objective objective, RngKey key, EstimatorState? state = null)
        => AntitheticBernoulli.Estimate(Name, disarm: true, Pairs, distribution, objective, key);
}
