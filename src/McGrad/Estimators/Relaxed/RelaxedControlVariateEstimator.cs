using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Estimators.Discrete;
using McGrad.Randomness;

namespace McGrad.Estimators.Relaxed;

/// <summary>An estimator whose control variate has parameters tuned on the estimator's variance (REBAR, RELAX).</summary>
public interface IControlVariateEstimator : IGradientEstimator
{
    /// <summary>The control variate c.</summary>
    IRelaxedControlVariate ControlVariate { get; }
}

/// <summary>The surrogate shared by <see cref="Rebar"/> and <see cref="Relax"/>.</summary>
internal static class RelaxedControlVariateEstimator
{
    /// <summary>
    /// Draws (z, b, z̃) K times and returns the surrogate
    /// s = (1/K) Σₖ Σ_batch [(f(bₖ) − c(z̃ₖ))·(log p(bₖ) − stopgrad(log p(bₖ))) + c(zₖ) − c(z̃ₖ)].
    /// </summary>
    /// <remarks>
    /// log p − stopgrad(log p) is exactly 0 with gradient ∇θ log p (DiCE's MagicBox, first order), so
    /// ∂s/∂θ = (1/K) Σₖ [(f(bₖ) − c(z̃ₖ))·∇θ log p(bₖ) + ∇θ c(zₖ) − ∇θ c(z̃ₖ)]: the weight (f(b) − c(z̃)) multiplies the
    /// score without its own θ-derivative (the stop-gradient of the formula), yet it stays a recorded function of the
    /// control variate's parameters, so ∂ĝ/∂φ computed through createGraph includes ∂c(z̃)/∂φ·∇θ log p(b). A plain
    /// stopgrad(f(b) − c(z̃)) would drop that term from the variance gradient. f(b) itself is evaluated without recording.
    /// </remarks>
    public static GradientEstimate Estimate(string name, IRelaxedControlVariate controlVariate, int samples, Distribution distribution, Objective objective, RngKey key)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(objective);
        var (latents, logits) = RelaxedLatents.Resolve(distribution, name);
        var draw = latents.Draw(logits, key, new Shape(samples));
        var valueShape = DiscreteLatents.ValueShape(new Shape(samples), distribution);

        var recorded = objective(draw.Hard) ?? throw new InvalidOperationException($"{name}: the objective returned null.");
        var fb = recorded.Detach();

        DiscreteLatents.CheckValues(fb, draw.Hard.Shape, valueShape, name, nameof(objective));
        if (fb.DType != distribution.DType)
        {
            throw new ArgumentException($"{name}: the objective returned {fb.DType} values but the distribution is {distribution.DType}; McGrad does not convert silently.", nameof(objective));
        }

        var pairShape = Shapes.Concat(new Shape(2), valueShape);
        var evaluations = new List<ObjectiveEvaluation> { new(draw.Hard, recorded) };
        Objective recording = x =>
        {
            var v = objective(x);
            evaluations.Add(new ObjectiveEvaluation(x, v));
            return v;
        };
        var c = controlVariate.Evaluate(Tensor.Stack([draw.Z, draw.ZTilde]), latents, recording)
            ?? throw new InvalidOperationException($"{name}: the control variate returned null.");
        if (c.Shape != pairShape || c.DType != distribution.DType)
        {
            throw new ArgumentException(
                $"{name}: the control variate {controlVariate.Name} returned {c.DType} values of shape {c.Shape} for samples [z, z̃] of shape {Shapes.Concat(new Shape(2), draw.Z.Shape)}; " +
                $"expected {distribution.DType} values of shape {pairShape} (one per sample and batch element; an objective inside it must return sampleShape + batch).",
                nameof(objective));
        }

        var cz = c.Narrow(0, 0, 1).Squeeze(0);
        var czt = c.Narrow(0, 1, 1).Squeeze(0);
        var logp = distribution.LogProb(draw.Hard);
        var score = logp - logp.Detach();
        var term = (((fb - czt) * score) + cz - czt).Sum() / samples;
        return Surrogates.Estimate(recorded.Sum() / samples, term, evaluations);
    }

    /// <summary>The traits REBAR and RELAX share: unbiased for ∇E[f] over Bernoulli/OneHotCategorical latents.</summary>
    public static EstimatorTraits Traits(IRelaxedControlVariate controlVariate, int samples, string reference) => new()
    {
        Target = EstimateTarget.GradientOfExpectation,
        NeedsDifferentiableObjective = controlVariate.EvaluatesObjective,
        SampleSpace = SampleSpace.Discrete,
        Families = ["Bernoulli", "OneHotCategorical"],
        Cost = Cost(controlVariate, samples),
        Reference = reference,
    };

    public static EstimatorCost Cost(IRelaxedControlVariate controlVariate, int samples)
        => controlVariate.EvaluatesObjective ? new EstimatorCost(3 * samples, 1) : new EstimatorCost(samples, 0);
}
