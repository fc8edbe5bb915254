using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators;

/// <summary>
/// The pathwise (reparameterisation) estimator: ĝ = (1/K) Σ_k ∇θ f(g_θ(ε_k)), x_k = g_θ(ε_k) = RSample, built as the
/// surrogate (1/K) Σ_k Σ_batch f(x_k), whose gradient flows through x into θ and on into whatever produced θ.
/// </summary>
/// <remarks>
/// <para><b>Requirements.</b> A family with a reparameterised sampler (<see cref="Distribution.HasRSample"/>: Normal,
/// Exponential, Gamma, Uniform, Gumbel, the relaxed Bernoulli / one-hot categorical (Gumbel-Sigmoid / Gumbel-Softmax),
/// …) and an objective f differentiable in x, recorded with tensor ops. Discrete families (Bernoulli, Poisson,
/// Categorical) have none: use a score-function estimator, a measure-valued derivative, or a relaxation.</para>
/// <para><b>Bias.</b> Unbiased for ∇θ E[f] whenever f is differentiable (almost everywhere, with f∘g_θ absolutely
/// continuous). Through a relaxation (RelaxedBernoulli, RelaxedOneHotCategorical) it is unbiased for the relaxed
/// objective but biased for the discrete one.</para>
/// <para><b>Variance.</b> Governed by the smoothness of f, not by its size: for x ∼ N(μ, σ²), Var ∂μ = Var f'(x);
/// for a quadratic f = −(h/2)(x − m)² it is h²σ² (Xu et al. 2019). It is not uniformly best: for a rapidly
/// oscillating f such as cos(5x) it is 25× worse than the score function (Mohamed et al. 2020, §3).</para>
/// <para><b>Cost.</b> K evaluations of f and one backward pass through f per estimate. Parameters inside f get
/// (1/K) Σ_k ∇φ f(x_k).</para>
/// <para>Kingma and Welling (2014); Rezende, Mohamed and Wierstra (2014); Mohamed, Rosca, Figurnov and Mnih (2020, §5).</para>
/// </remarks>
public sealed class Pathwise : IGradientEstimator
{
    /// <summary>The pathwise estimator with <paramref name="samples"/> reparameterised samples per estimate.</summary>
    /// <exception cref="ArgumentOutOfRangeException">samples &lt; 1.</exception>
    public Pathwise(int samples = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        Samples = samples;
    }

    /// <summary>Samples K per estimate.</summary>
    public int Samples { get; }

    /// <inheritdoc/>
    public string Name => Samples == 1 ? "Pathwise" : $"Pathwise({Samples})";

    /// <inheritdoc/>
    public EstimatorTraits Traits => new()
    {
        Target = EstimateTarget.GradientOfExpectation,
        NeedsDifferentiableObjective = true,
        NeedsRSample = true,
        SampleSpace = SampleSpace.Continuous,
        Cost = new EstimatorCost(Samples, 1),
        Reference = "Kingma & Welling 2014; Rezende et al. 2014",
    };

    /// <inheritdoc/>
    public SupportCheck Supports(Distribution distribution)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        if (distribution.HasRSample)
        {
            return SupportCheck.Yes;
        }

        var family = FamilyName(distribution);
        return SupportCheck.No(
            $"{Name}: {family} has no reparameterised sampler (RSample), so there is no path from its parameters to its samples. " +
            $"Use a score-function estimator (REINFORCE, with a baseline or leave-one-out) or a measure-valued derivative for {family}, " +
            "or a continuous relaxation (RelaxedBernoulli / RelaxedOneHotCategorical, i.e. Gumbel-Sigmoid / Gumbel-Softmax) with Pathwise.");
    }

    /// <summary>
    /// Draws x = RSample(key, [K]) (shape [K, *batch, *event]) and returns the surrogate (1/K) Σ_k Σ_batch f(x_k);
    /// its value is the Monte Carlo estimate of Σ_batch E[f].
    /// </summary>
    /// <exception cref="ArgumentException">The family has no reparameterised sampler.</exception>
    public GradientEstimate Estimate(Distribution distribution, Objective objective, RngKey key, EstimatorState? state = null)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(objective);
        Supports(distribution).ThrowIfUnsupported(nameof(distribution));
        var x = distribution.RSample(key, [Samples]);
        var values = objective(x) ?? throw new InvalidOperationException($"{Name}: the objective returned null.");
        return Surrogates.Mean(x, values, Samples);
    }

    /// <summary>"Independent(Normal)"-style family name for messages.</summary>
    internal static string FamilyName(Distribution distribution)
        => distribution is Independent ind ? $"Independent({FamilyName(ind.Base)})" : distribution.GetType().Name;
}
