using System.Globalization;
using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators.Discrete;

/// <summary>Which derivative a straight-through estimator substitutes for the zero derivative of the hard sample z.</summary>
public enum StraightThroughGradient
{
    /// <summary>∂z/∂ℓ := I: the gradient w.r.t. the sample is passed unchanged to the logits (for a one-hot
    /// categorical, to the normalised logits log softmax ℓ).</summary>
    Identity,

    /// <summary>∂z/∂ℓ := ∂E[z]/∂ℓ, the derivative of the activation that maps logits to probabilities: σ′(ℓ) =
    /// σ(ℓ)(1 − σ(ℓ)) for a Bernoulli, the softmax Jacobian diag(p) − p pᵀ for a one-hot categorical. Equivalently
    /// ∂z/∂p := I.</summary>
    ActivationDerivative,
}

/// <summary>
/// The straight-through estimator: z ~ p_θ is a hard discrete sample (Bernoulli 0/1 or one-hot), and f is evaluated at
/// z̃ = z + (s − stopgrad(s)), whose value is exactly z and whose derivative is that of s: s = ℓ
/// (<see cref="StraightThroughGradient.Identity"/>) or s = p = σ(ℓ) / softmax(ℓ)
/// (<see cref="StraightThroughGradient.ActivationDerivative"/>). The surrogate is (1/K) Σₖ Σ_batch f(z̃ₖ), so
/// ĝ = (1/K) Σₖ (∂f/∂z)(zₖ)·∂s/∂θ.
/// </summary>
/// <remarks>
/// <para><b>Requirements.</b> A <see cref="Bernoulli"/> or <see cref="OneHotCategorical"/>, possibly inside
/// <see cref="Independent"/> wrappers; f must be differentiable in its input (it is evaluated only at discrete points,
/// but its derivative there is used). With Identity the logits must be finite.</para>
/// <para><b>Bias.</b> Biased: ∂f/∂z at a vertex is not the finite difference that the true gradient is made of. For
/// f linear in z the ActivationDerivative variant is unbiased (E[∂f/∂z · ∂p/∂ℓ] = ∂E f/∂ℓ); otherwise the bias does
/// not vanish with more samples. Its variance is usually low, which is why it is popular.</para>
/// <para><b>Cost.</b> K evaluations of f and one backward pass through f. The samples are
/// <c>distribution.Sample(key, [K])</c>, the same draws REINFORCE gets with that key.</para>
/// <para>Bengio, Léonard and Courville (2013), "Estimating or propagating gradients through stochastic neurons for
/// conditional computation".</para>
/// </remarks>
public sealed class StraightThrough : IGradientEstimator
{
    /// <summary>Straight-through with the given substitute derivative and <paramref name="samples"/> samples per estimate.</summary>
    /// <exception cref="ArgumentOutOfRangeException">samples &lt; 1, or an undefined <paramref name="gradient"/>.</exception>
    public StraightThrough(StraightThroughGradient gradient = StraightThroughGradient.ActivationDerivative, int samples = 1)
    {
        if (!Enum.IsDefined(gradient))
        {
            throw new ArgumentOutOfRangeException(nameof(gradient), gradient, "StraightThrough: gradient must be Identity or ActivationDerivative.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        Gradient = gradient;
        Samples = samples;
    }

    /// <summary>The substitute derivative.</summary>
    public StraightThroughGradient Gradient { get; }

    /// <summary>K, samples per estimate.</summary>
    public int Samples { get; }

    /// <inheritdoc/>
    public string Name => string.Create(
        CultureInfo.InvariantCulture,
        $"ST({(Gradient == StraightThroughGradient.Identity ? "identity" : "σ′/softmax′")}){(Samples == 1 ? string.Empty : $"×{Samples}")}");

    /// <inheritdoc/>
    public EstimatorTraits Traits => new()
    {
        Target = EstimateTarget.BiasedSurrogate,
        NeedsDifferentiableObjective = true,
        SampleSpace = SampleSpace.Discrete,
        Families = ["Bernoulli", "OneHotCategorical"],
        Cost = new EstimatorCost(Samples, 1),
        Reference = "Bengio, Léonard and Courville 2013",
    };

    /// <inheritdoc/>
    public SupportCheck Supports(Distribution distribution) => DiscreteLatents.BernoulliOrOneHotSupport(distribution, Name,
        "For an index-valued Categorical use OneHotCategorical, whose one-hot samples the objective can differentiate.");

    /// <summary>Draws K hard samples and returns the surrogate (1/K) Σₖ Σ_batch f(z̃ₖ) (see the type summary).</summary>
    /// <exception cref="ArgumentException">The family is not Bernoulli or OneHotCategorical (inside Independent wrappers),
    /// the Identity variant meets infinite logits, or the objective returns a shape other than [K, *batch].</exception>
    public GradientEstimate Estimate(Distribution distribution, Objective objective, RngKey key, EstimatorState? state = null)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(objective);
        Supports(distribution).ThrowIfUnsupported(nameof(distribution));
        var identity = Gradient == StraightThroughGradient.Identity;
        var soft = DiscreteLatents.Unwrap(distribution) switch
        {
            Bernoulli b => identity ? b.Logits : b.Probs,
            var d => identity ? ((OneHotCategorical)d).Logits : ((OneHotCategorical)d).Probs,
        };

        if (identity && Params.FirstFailing(soft, Params.Finite) is var bad && bad >= 0)
        {
            throw new ArgumentException($"{Name}: the identity variant passes gradients through the logits, but logit element {bad} is {soft.GetFlat(bad)} (a probability of 0 or 1); use ActivationDerivative.", nameof(distribution));
        }

        var hard = distribution.Sample(key, [Samples]);
        var z = Relaxation.StraightThrough(hard, soft);
        var values = objective(z);
        DiscreteLatents.CheckValues(values, z.Shape, DiscreteLatents.ValueShape(new Shape(Samples), distribution), Name, nameof(objective));
        return Surrogates.Mean(z, values, Samples);
    }
}
