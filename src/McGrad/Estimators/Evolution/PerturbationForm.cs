namespace McGrad.Estimators.Evolution;

/// <summary>
/// The two ways of writing the Gaussian-smoothing gradient. They are the same estimator (a change of variables
/// δ = σε): with the same noise they give the same number, up to rounding.
/// </summary>
public enum PerturbationForm
{
    /// <summary>
    /// Standardised noise (Salimans et al. 2017): ĝ = (1/(nσ)) Σ_i F(θ + σε_i)·ε_i with ε_i ∼ N(0, I).
    /// </summary>
    Epsilon,

    /// <summary>
    /// Scaled perturbations (Huszár 2017; Barber 2017): ĝ = (1/(nσ²)) Σ_i F(θ + δ_i)·δ_i with δ_i = σε_i ∼ N(0, σ²I).
    /// </summary>
    Delta,
}
