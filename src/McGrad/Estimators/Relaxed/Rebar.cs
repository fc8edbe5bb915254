using System.Globalization;
using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators.Relaxed;

/// <summary>
/// REBAR: ĝ = [f(b) − η f(σ_λ(z̃))]·∇θ log p(b) + η ∇θ f(σ_λ(z)) − η ∇θ f(σ_λ(z̃)), with z reparameterised,
/// b = H(z) and z̃ ~ p(z | b) reparameterised (<see cref="ConditionalRelaxation"/>), averaged over K independent
/// triples, as the surrogate (1/K) Σₖ Σ_batch [(f(b) − c(z̃))·(log p(b) − stopgrad log p(b)) + c(z) − c(z̃)] with
/// c(z) = η·f(σ_λ(z)) (<see cref="ScaledRelaxedObjective"/>).
/// </summary>
/// <remarks>
/// <para><b>Requirements.</b> Bernoulli or OneHotCategorical latents (possibly inside Independent), finite logits; f
/// differentiable and defined on relaxed inputs: points of (0, 1) for Bernoulli latents, of the simplex for one-hot
/// categorical ones (σ_λ = σ(z/λ) or softmax(z/λ)).</para>
/// <para><b>Bias.</b> Unbiased for every η and λ: the score-function term with control variate c(z̃) has mean
/// ∇E f − ∇θ E[c(z̃)] (the conditional sample is reparameterised, so E_b E_{z̃|b}[c(z̃)] = E_z[c(z)] and its
/// θ-derivative splits into the score part and the pathwise part), and + ∇θ c(z) − ∇θ c(z̃) adds it back.</para>
/// <para><b>Variance.</b> Depends on η and λ; with η = 0 it is REINFORCE. At η = 1 it can be worse than REINFORCE
/// (REFERENCE.md R2: θ = 0, p₀ = 0.499, λ = e^{0.5}: 1.704e-2 against REINFORCE's 1.5625e-2), which is why η and λ
/// are tuned online by descending the estimator's variance with <see cref="VarianceTuner"/> (the gradient of Σ ĝ²
/// w.r.t. η and log λ, a gradient of a gradient).</para>
/// <para><b>Cost.</b> 3K evaluations of f (f(b) once without recording, then f(σ_λ(z)) and f(σ_λ(z̃)) in one call on
/// samples stacked as [2, K, *batch, *event]), one backward pass through f; tuning adds a double backward.
/// The surrogate also reaches the parameters of f itself (through c), where its gradient is zero-mean noise, not
/// ∇E f: train f's own parameters on f(b) separately. Tucker, Mnih, Maddison, Lawson, Sohl-Dickstein (2017).</para>
/// </remarks>
public sealed class Rebar : IControlVariateEstimator
{
    /// <summary>REBAR with initial η and λ, K samples per estimate.</summary>
    /// <param name="eta">Initial η, finite.</param>
    /// <param name="temperature">Initial λ, finite and &gt; 0.</param>
    /// <param name="samples">K ≥ 1 independent triples (z, b, z̃) averaged per estimate.</param>
    /// <param name="tuneEta">Whether <see cref="VarianceTuner"/> tunes η.</param>
    /// <param name="tuneTemperature">Whether <see cref="VarianceTuner"/> tunes log λ.</param>
    /// <exception cref="ArgumentOutOfRangeException">samples &lt; 1, η not finite or λ not finite and &gt; 0.</exception>
    public Rebar(double eta = 1, double temperature = 0.5, int samples = 1, bool tuneEta = true, bool tuneTemperature = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        Samples = samples;
        ControlVariate = new ScaledRelaxedObjective(eta, temperature, tuneEta, tuneTemperature);
    }

    /// <summary>K, the triples per estimate.</summary>
    public int Samples { get; }

    /// <summary>c(z) = η·f(σ_λ(z)), holding η and log λ.</summary>
    public ScaledRelaxedObjective ControlVariate { get; }

    IRelaxedControlVariate IControlVariateEstimator.ControlVariate => ControlVariate;

    /// <summary>The current η.</summary>
    public double Eta => ControlVariate.Eta.Item();

    /// <summary>The current λ.</summary>
    public double Temperature => ControlVariate.Temperature;

    /// <inheritdoc/>
    public string Name => Samples == 1 ? "REBAR" : string.Create(CultureInfo.InvariantCulture, $"REBAR({Samples})");

    /// <inheritdoc/>
    public EstimatorTraits Traits => RelaxedControlVariateEstimator.Traits(ControlVariate, Samples, "Tucker et al. 2017");

    /// <inheritdoc/>
    public SupportCheck Supports(Distribution distribution) => RelaxedLatents.Supports(distribution, Name);

    /// <summary>Draws K triples and returns the surrogate (see the type summary).</summary>
    /// <exception cref="ArgumentException">The latents are not Bernoulli/OneHotCategorical (a Categorical of indices is
    /// rejected with a hint), a logit is not finite, or f returns a shape other than sampleShape + batch or another dtype.</exception>
    public GradientEstimate Estimate(Distribution distribution, Objective objective, RngKey key, EstimatorState? state = null)
        => RelaxedControlVariateEstimator.Estimate(Name, ControlVariate, Samples, distribution, objective, key);
}
