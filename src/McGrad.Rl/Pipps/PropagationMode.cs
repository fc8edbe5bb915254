namespace McGrad.Rl.Pipps;

/// <summary>Which gradient message a <see cref="StochasticChain"/> passes back through each sampling node.</summary>
public enum PropagationMode
{
    /// <summary>Pathwise (reparameterisation, RP): ∂L/∂μ = g and ∂L/∂σ = g ⊙ ε, where g = ∂L/∂x is the incoming message.</summary>
    Reparameterization,

    /// <summary>
    /// Likelihood ratio (LR, score function) with a leave-one-out baseline: ∂L/∂μ = Âᵢ ε/σ and ∂L/∂σ = Âᵢ (ε² − 1)/σ per
    /// particle, where Âᵢ = (Rᵢ − mean_{j≠i} Rⱼ)/P and Rᵢ is particle i's cost downstream of the node.
    /// </summary>
    LikelihoodRatio,

    /// <summary>
    /// Total propagation (Parmas et al. 2018): k·LR + (1 − k)·RP per node, with k = var_RP / (var_LR + var_RP) clipped
    /// to [0, 1] and the variances taken across particles (<see cref="InverseVarianceWeighting"/>).
    /// </summary>
    Total,
}
