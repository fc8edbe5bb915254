using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators;

/// <summary>
/// The objective f of J(θ, φ) = Σ_batch E_{x∼p_θ}[f_φ(x)]: maps samples of shape sampleShape + batch + event to per-sample
/// values of shape sampleShape + batch. It must treat batch elements independently. It may contain parameters φ of its own
/// (a decoder, a prior, a critic) and may even use θ directly (an ELBO's −log q term); estimators evaluate it once,
/// recorded, so those parameters are trained from the same evaluations.
/// </summary>
public delegate Tensor Objective(Tensor samples);

/// <summary>
/// A Monte Carlo gradient estimator: given a distribution p_θ whose parameter tensors come from upstream computation
/// and an objective f_φ, it returns a surrogate scalar s with value Ĵ (the Monte Carlo estimate of J) whose autodiff
/// gradient is an estimate of ∇θ J for the distribution's parameters and the Monte Carlo gradient ∇φ Ĵ for parameters
/// inside f, J(θ, φ) = Σ_batch E_{x∼p_θ}[f_φ(x)].
/// </summary>
/// <remarks>
/// <para><b>Sign convention.</b> Estimators estimate ∇ E[f], the gradient of the expectation itself. To minimise a loss f,
/// descend <see cref="GradientEstimate.Surrogate"/> (call Backward on it and take an optimizer step); to maximise a reward,
/// descend its negation.</para>
/// <para><b>One evaluation of f.</b> f is called exactly <see cref="CostFor"/>(distribution).Evaluations times per batch
/// element, recorded. Upstream of the distribution the surrogate carries the estimator's estimate; inside f it carries
/// ∇φ Ĵ, the gradient of the same Monte Carlo estimate of J that <see cref="GradientEstimate.Value"/> reports (for
/// score-function estimators the mean of ∇φ f over the samples; for antithetic pairs the mean over both members; each
/// estimator's remarks say which). If f uses θ directly, the same recorded evaluation adds E[∇θ f] to the estimate, so
/// the total gradient stays correct.</para>
/// <para><b>Batches.</b> Batch elements are independent problems; an estimator never mixes them. EstimatorCheck relies
/// on this to draw many independent estimates in one backward pass.</para>
/// <para><b>State.</b> Stateful estimators (a moving-average baseline, AIMLE's adaptive λ, a temperature schedule) keep no
/// hidden mutable state: they declare <see cref="InitialState"/>, take the current state in <see cref="Estimate"/> and
/// return the next one in <see cref="GradientEstimate.NextState"/>; a result depends on the key and the state alone.</para>
/// <para><b>Misuse</b> (pathwise on a family without RSample, a discrete-only estimator on a continuous family) is reported
/// by <see cref="Supports"/> and makes <see cref="Estimate"/> throw an <see cref="ArgumentException"/> with the same reason.</para>
/// </remarks>
public interface IGradientEstimator
{
    /// <summary>A short name used in reports ("REINFORCE", "RLOO(4)").</summary>
    string Name { get; }

    /// <summary>What the estimator estimates, what it needs, whether it is stateful, and its cost on a scalar parameter.</summary>
    EstimatorTraits Traits { get; }

    /// <summary>
    /// The state before the first estimate (null for a stateless estimator). Pass it to <see cref="Estimate"/>, then pass
    /// each estimate's <see cref="GradientEstimate.NextState"/> to the next call; pass it again to reset.
    /// </summary>
    EstimatorState? InitialState => null;

    /// <summary>Whether the estimator applies to <paramref name="distribution"/>, and if not, why.</summary>
    SupportCheck Supports(Distribution distribution);

    /// <summary>
    /// Evaluations of f (per batch element) and backward passes through f that one estimate costs on
    /// <paramref name="distribution"/>; differs from <see cref="EstimatorTraits.Cost"/> for estimators whose cost grows
    /// with the number of parameter elements (measure-valued derivatives: 2K per element).
    /// </summary>
    EstimatorCost CostFor(Distribution distribution) => Traits.Cost;

    /// <summary>
    /// Draws the samples the estimator needs from <paramref name="key"/>, evaluates f once (recorded) and builds the
    /// surrogate. <paramref name="state"/> is the estimator's state (null: <see cref="InitialState"/>).
    /// </summary>
    /// <exception cref="ArgumentException"><see cref="Supports"/> rejects the distribution, the objective returns values
    /// of the wrong shape or dtype, or the state belongs to another estimator.</exception>
    GradientEstimate Estimate(Distribution distribution, Objective objective, RngKey key, EstimatorState? state = null);
}
