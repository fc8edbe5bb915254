using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators.MeasureValued;

/// <summary>
/// Draws from the positive and negative parts of one weak derivative: Plus[s, e] ∼ p⁺_e and Minus[s, e] ∼ p⁻_e for
/// every element e of the parameter, both of shape <paramref name="sampleShape"/> + the parameter's shape, in the
/// family's value dtype. Not recorded.
/// </summary>
/// <param name="key">The randomness for this draw.</param>
/// <param name="sampleShape">Leading sample dimensions (the estimator passes [K]).</param>
/// <param name="coupled">True: Plus and Minus share randomness (same Rayleigh variate, same Poisson draw, …);
/// false: they are independent.</param>
public delegate (Tensor Plus, Tensor Minus) WeakDerivativeSampler(RngKey key, Shape sampleShape, bool coupled);

/// <summary>
/// The weak derivative of p_θ with respect to one parameter tensor θ: ∂p/∂θ_e = c_e·(p⁺_e − p⁻_e) for every element
/// e of θ, with p⁺_e and p⁻_e probability distributions of the same (scalar) value as p. Then
/// ∂θ_e E_p[f] = c_e·(E_{p⁺_e}[f] − E_{p⁻_e}[f]) (Pflug 1989; Mohamed et al. 2020, §6).
/// </summary>
/// <param name="Name">The parameter's name in reports ("loc", "scale", "probs").</param>
/// <param name="Parameter">θ, recorded from the distribution's parameter tensors (so the gradient reaches whatever produced
/// them), with shape batch + extra: the family's batch shape, then optional extra axes (the category axis [K] for
/// Categorical; none for scalar parameters).</param>
/// <param name="Constant">c, detached, broadcastable to <paramref name="Parameter"/>'s shape.</param>
/// <param name="Sample">Draws the pair (p⁺, p⁻), coupled or not.</param>
/// <param name="PlusWeight">With <paramref name="MinusWeight"/> (both detached, broadcastable to the parameter's shape), weights
/// w⁺, w⁻ such that p = mean over the extra axes of (w⁺·p⁺ + w⁻·p⁻), used to report E[f] from the same evaluations
/// (e.g. p⁻ = p gives (0, 1)); null when no such identity holds.</param>
/// <param name="MinusWeight">See <paramref name="PlusWeight"/>.</param>
public sealed record WeakDerivativeTerm(
    string Name,
    Tensor Parameter,
    Tensor Constant,
    WeakDerivativeSampler Sample,
    Tensor? PlusWeight = null,
    Tensor? MinusWeight = null);

/// <summary>
/// A family's weak-derivative decompositions, one <see cref="WeakDerivativeTerm"/> per parameter tensor. Register an
/// implementation for a distribution type with <see cref="WeakDerivatives.Register{TDistribution}"/>; the
/// <see cref="MeasureValuedDerivative"/> estimator looks it up by the distribution's runtime type.
/// </summary>
/// <remarks>
/// The family must have a scalar event (<see cref="Distribution.EventShape"/> empty) and independent batch elements;
/// multivariate events are handled by <see cref="Independent"/>, which the estimator unwraps (each event coordinate is
/// perturbed in turn, the others drawn from p).
/// </remarks>
public interface IWeakDerivative
{
    /// <summary>The decompositions for each parameter of <paramref name="distribution"/> (a distribution of the registered type).</summary>
    /// <remarks>Called outside <c>Autograd.NoGrad</c>, so that <see cref="WeakDerivativeTerm.Parameter"/> is recorded.</remarks>
    IReadOnlyList<WeakDerivativeTerm> Terms(Distribution distribution);
}
