using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators;

/// <summary>
/// The objective f of J(θ) = Σ_batch E_{x∼p_θ}[f(x)]: maps samples of shape sampleShape + batch + event to per-sample
/// values of shape sampleShape + batch. It must treat batch elements independently and depend on θ only through x.
/// </summary>
public delegate Tensor Objective(Tensor samples);

/// <summary>What an estimator costs per estimate: evaluations of f and extra backward passes (beyond the surrogate's own).</summary>
/// <param name="Evaluations">Calls of f per estimate (for each batch element), e.g. K for K samples, 2 for an antithetic pair.</param>
/// <param name="BackwardPasses">Backward passes through f per estimate (pathwise needs 1; score-function estimators 0).</param>
public sealed record EstimatorCost(int Evaluations, int BackwardPasses);

/// <summary>The declared properties of an estimator.</summary>
/// <param name="Unbiased">E[estimate] = ∇θ J exactly (not just asymptotically).</param>
/// <param name="NeedsDifferentiableObjective">f must be differentiable in x (pathwise, REBAR, RELAX, straight-through).</param>
/// <param name="NeedsRSample">The distribution must have a reparameterised sampler.</param>
/// <param name="SupportsDiscrete">Works for discrete x.</param>
/// <param name="Cost">Evaluations of f and backward passes per estimate.</param>
/// <param name="Reference">Where the estimator comes from (author, year).</param>
public sealed record EstimatorTraits(bool Unbiased, bool NeedsDifferentiableObjective, bool NeedsRSample, bool SupportsDiscrete, EstimatorCost Cost, string Reference);

/// <summary>One estimate: a surrogate scalar whose gradient is the estimate, and the Monte Carlo value of J.</summary>
/// <param name="Surrogate">A scalar s with ∇s = the estimate of ∇θ Σ_batch E[f(x)] (flows into every upstream parameter that produced θ).
/// Its value is not meaningful; report <paramref name="Value"/>.</param>
/// <param name="Value">The Monte Carlo estimate of Σ_batch E[f(x)] from the same samples (not recorded).</param>
public sealed record GradientEstimate(Tensor Surrogate, Tensor Value);

/// <summary>
/// A Monte Carlo gradient estimator: given a distribution p_θ whose parameter tensors come from upstream computation
/// and an objective f, it returns a surrogate scalar whose autodiff gradient is an estimate of
/// ∇θ J(θ), J(θ) = Σ_batch E_{x∼p_θ}[f(x)].
/// </summary>
/// <remarks>
/// <para><b>Sign convention.</b> Estimators estimate ∇θ E[f] — the gradient of the expectation itself. To minimise a loss f,
/// descend <see cref="GradientEstimate.Surrogate"/> (call Backward on it and take an optimizer step); to maximise a reward,
/// descend its negation.</para>
/// <para><b>Batches.</b> Batch elements are independent problems; an estimator never mixes them. EstimatorCheck relies
/// on this to draw many independent estimates in one backward pass.</para>
/// <para><b>Misuse</b> (pathwise on a family without RSample, a discrete-only estimator on a continuous family) throws
/// an <see cref="ArgumentException"/> naming the estimator and the family.</para>
/// </remarks>
public interface IGradientEstimator
{
    /// <summary>A short name used in reports ("REINFORCE", "RLOO(4)").</summary>
    string Name { get; }

    /// <summary>Bias, requirements and cost.</summary>
    EstimatorTraits Traits { get; }

    /// <summary>Draws the samples the estimator needs from <paramref name="key"/> and builds the surrogate.</summary>
    GradientEstimate Estimate(Distribution distribution, Objective objective, RngKey key);
}
