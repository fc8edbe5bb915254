using System.Globalization;
using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators.Discrete;

/// <summary>
/// The Gumbel-Softmax (Concrete) pathwise estimator for discrete latents: f is evaluated at relaxed samples
/// y = softmax((ℓ + g)/τ) (one-hot categorical, g ~ Gumbel) or y = σ((ℓ + L)/τ) (Bernoulli, L ~ Logistic: the
/// Gumbel-Sigmoid), and the surrogate is (1/K) Σₖ Σ_batch f(yₖ), so ĝ = (1/K) Σₖ ∂f(yₖ)/∂θ. With
/// <see cref="Hard"/>, f sees the exact discrete sample (one-hot argmax y, or 1[y &gt; ½]) and the gradient is that of
/// y (straight-through Gumbel-Softmax).
/// </summary>
/// <remarks>
/// <para><b>Requirements.</b> A <see cref="Bernoulli"/> or <see cref="OneHotCategorical"/>, possibly inside
/// <see cref="Independent"/> wrappers; f must be defined and differentiable on the relaxed values (the simplex
/// interior or (0, 1)), not only on the discrete ones. The temperature comes from <see cref="Schedule"/> at the
/// step t held in the state (<see cref="TemperatureState"/>); each estimate returns t + 1 as its next state.</para>
/// <para><b>Bias and variance.</b> Biased for every τ &gt; 0: the soft estimator is the exact gradient of the relaxed
/// objective E[f(y)], not of E[f(z)]; the bias shrinks as τ → 0 while the variance grows (∂y/∂ℓ scales as 1/τ).
/// The hard (straight-through) version evaluates f at exact samples, so its <see cref="GradientEstimate.Value"/> is an
/// unbiased estimate of J, but its gradient is still biased.</para>
/// <para><b>Cost.</b> K evaluations of f and one backward pass through f. The noise is that of
/// <see cref="RelaxedBernoulli.RSample"/> / <see cref="RelaxedOneHotCategorical.RSample"/> with the given key and
/// sample shape [K].</para>
/// <para>Jang, Gu and Poole (2017), "Categorical reparameterization with Gumbel-Softmax"; Maddison, Mnih and Teh (2017),
/// "The Concrete distribution".</para>
/// </remarks>
public sealed class GumbelSoftmax : IGradientEstimator
{
    /// <summary>Gumbel-Softmax with a temperature schedule (a double converts to a constant one).</summary>
    /// <param name="temperature">τ(t).</param>
    /// <param name="hard">Straight-through: f sees exact discrete samples, gradients come from the relaxed ones.</param>
    /// <param name="samples">K ≥ 1 samples per estimate.</param>
    /// <exception cref="ArgumentOutOfRangeException">samples &lt; 1.</exception>
    public GumbelSoftmax(TemperatureSchedule temperature, bool hard = false, int samples = 1)
    {
        ArgumentNullException.ThrowIfNull(temperature);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        Schedule = temperature;
        Hard = hard;
        Samples = samples;
    }

    /// <summary>The temperature schedule τ(t).</summary>
    public TemperatureSchedule Schedule { get; }

    /// <summary>Whether the outputs are straight-through hard samples.</summary>
    public bool Hard { get; }

    /// <summary>K, samples per estimate.</summary>
    public int Samples { get; }

    /// <summary>Stateful when the schedule is not constant: the state is the step t (<see cref="TemperatureState"/>), starting at 0.</summary>
    public EstimatorState? InitialState => Schedule.IsConstant ? null : new TemperatureState(0);

    /// <summary>τ(t) at the step held by <paramref name="state"/> (t = 0 when null).</summary>
    /// <exception cref="ArgumentException">The state is not a <see cref="TemperatureState"/>.</exception>
    public double TemperatureAt(EstimatorState? state) => Schedule.ValueAt(EstimatorState.Expect(state, new TemperatureState(0), "GumbelSoftmax").Step);

    /// <inheritdoc/>
    public string Name => string.Create(
        CultureInfo.InvariantCulture,
        $"{(Hard ? "ST Gumbel-Softmax" : "Gumbel-Softmax")}({Schedule}{(Samples == 1 ? string.Empty : $", K={Samples}")})");

    /// <inheritdoc/>
    public EstimatorTraits Traits => new()
    {
        Target = EstimateTarget.BiasedSurrogate,
        NeedsDifferentiableObjective = true,
        SampleSpace = SampleSpace.Discrete,
        Families = ["Bernoulli", "OneHotCategorical"],
        Stateful = !Schedule.IsConstant,
        Cost = new EstimatorCost(Samples, 1),
        Reference = "Jang, Gu and Poole 2017; Maddison, Mnih and Teh 2017",
    };

    /// <inheritdoc/>
    public SupportCheck Supports(Distribution distribution) => DiscreteLatents.BernoulliOrOneHotSupport(distribution, Name,
        "For an index-valued Categorical use OneHotCategorical; a continuous family with RSample needs no relaxation (use the pathwise estimator).");

    /// <summary>Draws K relaxed (or straight-through hard) samples at τ(Step) and returns (1/K) Σₖ Σ_batch f(yₖ).</summary>
    /// <exception cref="ArgumentException">The family is not Bernoulli or OneHotCategorical (inside Independent wrappers),
    /// or the objective returns a shape other than [K, *batch].</exception>
    public GradientEstimate Estimate(Distribution distribution, Objective objective, RngKey key, EstimatorState? state = null)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(objective);
        Supports(distribution).ThrowIfUnsupported(nameof(distribution));
        var step = EstimatorState.Expect(state, new TemperatureState(0), Name);
        var tau = Schedule.ValueAt(step.Step);
        var y = DiscreteLatents.Unwrap(distribution) switch
        {
            Bernoulli b => Relaxation.GumbelSigmoid(b.Logits, tau, key, Hard, new Shape(Samples)),
            var c => Relaxation.GumbelSoftmax(((OneHotCategorical)c).Logits, tau, key, Hard, new Shape(Samples)),
        };

        var values = objective(y);
        DiscreteLatents.CheckValues(values, y.Shape, DiscreteLatents.ValueShape(new Shape(Samples), distribution), Name, nameof(objective));
        var next = step with { Step = checked(step.Step + 1) };
        return Surrogates.Mean(y, values, Samples, Schedule.IsConstant ? null : () => next);
    }
}

/// <summary>The state of a scheduled estimator: the step t at which the schedule τ(t) is read.</summary>
/// <param name="Step">t ≥ 0.</param>
public sealed record TemperatureState(int Step) : EstimatorState;
