using System.Globalization;
using McGrad.Distributions;
using McGrad.Nn;
using McGrad.Randomness;

namespace McGrad.Estimators.Relaxed;

/// <summary>
/// RELAX: ĝ = [f(b) − c_φ(z̃)]·∇θ log p(b) + ∇θ c_φ(z) − ∇θ c_φ(z̃) with a learned differentiable surrogate c_φ,
/// z reparameterised, b = H(z), z̃ ~ p(z | b) reparameterised (<see cref="ConditionalRelaxation"/>), averaged over K
/// independent triples, as the surrogate (1/K) Σₖ Σ_batch [(f(b) − c_φ(z̃))·(log p(b) − stopgrad log p(b)) + c_φ(z) − c_φ(z̃)].
/// </summary>
/// <remarks>
/// <para><b>Requirements.</b> Bernoulli or OneHotCategorical latents (possibly inside Independent), finite logits.
/// With a <see cref="NetworkControlVariate"/> without the objective term, f is evaluated only on b and may be a black
/// box; control variates that evaluate f need it differentiable on relaxed inputs.</para>
/// <para><b>Bias.</b> Unbiased for every c_φ (untrained or trained), as REBAR: the correction ∇θ c(z) − ∇θ c(z̃) adds
/// back exactly what the control variate removes in expectation.</para>
/// <para><b>Variance.</b> As low as c_φ makes it: train φ online with <see cref="VarianceTuner"/>, which descends
/// ∂/∂φ Σ ĝ² (= ∂ Var ĝ/∂φ, since E ĝ does not depend on φ). On the toy b ~ Bernoulli(σ(θ)), f = (b − 0.499)², it
/// reaches a lower variance than REBAR and REINFORCE and moves σ(θ) toward 0 fastest (docs/estimators-rebar-relax.md).</para>
/// <para><b>Cost.</b> K evaluations of f on b plus c_φ on [z, z̃] stacked as [2, K, *batch, *event] (3K evaluations
/// of f and one backward pass through f when c evaluates f); tuning adds a double backward through c and log p.
/// Grathwohl, Choi, Wu, Roeder, Duvenaud (2018).</para>
/// </remarks>
public sealed class Relax : IControlVariateEstimator
{
    /// <summary>RELAX with control variate <paramref name="controlVariate"/> and K samples per estimate.</summary>
    /// <exception cref="ArgumentOutOfRangeException">samples &lt; 1.</exception>
    public Relax(IRelaxedControlVariate controlVariate, int samples = 1)
    {
        ArgumentNullException.ThrowIfNull(controlVariate);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        ControlVariate = controlVariate;
        Samples = samples;
    }

    /// <summary>
    /// RELAX with c_φ(z) = r_φ(σ_λ(z)) [+ η·f(σ_λ(z))] (<see cref="NetworkControlVariate"/>).
    /// </summary>
    /// <param name="network">r_φ, mapping [..., E] (E event entries) to [..., 1], in the distribution's dtype.</param>
    /// <param name="temperature">Initial λ.</param>
    /// <param name="includeObjective">Add REBAR's η·f(σ_λ(z)) (η tuned, starting at 1).</param>
    /// <param name="samples">K.</param>
    public static Relax WithNetwork(Module network, double temperature = 0.5, bool includeObjective = false, int samples = 1)
        => new(new NetworkControlVariate(network, temperature, includeObjective), samples);

    /// <summary>K, the triples per estimate.</summary>
    public int Samples { get; }

    /// <inheritdoc/>
    public IRelaxedControlVariate ControlVariate { get; }

    /// <inheritdoc/>
    public string Name => Samples == 1 ? "RELAX" : string.Create(CultureInfo.InvariantCulture, $"RELAX({Samples})");

    /// <inheritdoc/>
    public EstimatorTraits Traits => RelaxedControlVariateEstimator.Traits(ControlVariate, Samples, "Grathwohl et al. 2018");

    /// <inheritdoc/>
    public SupportCheck Supports(Distribution distribution) => RelaxedLatents.Supports(distribution, Name);

    /// <summary>Draws K triples and returns the surrogate (see the type summary).</summary>
    /// <exception cref="ArgumentException">The latents are not Bernoulli/OneHotCategorical, a logit is not finite, f or c
    /// returns a shape other than sampleShape + batch, or a dtype other than the distribution's.</exception>
    public GradientEstimate Estimate(Distribution distribution, Objective objective, RngKey key, EstimatorState? state = null)
        => RelaxedControlVariateEstimator.Estimate(Name, ControlVariate, Samples, distribution, objective, key);
}
