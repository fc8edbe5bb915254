namespace McGrad.Estimators.Policy;

/// <summary>
/// Single-sample estimators of KL(π ‖ π_ref) from d = log π(x) − log π_ref(x) at x ∼ π (Schulman 2020, "Approximating
/// KL divergence").
/// </summary>
public enum KlEstimator
{
    /// <summary>k1 = d = log π − log π_ref: unbiased for KL(π ‖ π_ref) but high variance and often negative.</summary>
    K1,

    /// <summary>k2 = ½·d²: biased (its expectation is a second-order approximation of the KL), non-negative, low variance.</summary>
    K2,

    /// <summary>
    /// k3 = exp(−d) + d − 1 = π_ref/π − log(π_ref/π) − 1: unbiased for KL(π ‖ π_ref), non-negative, low variance
    /// (the estimator of GRPO, Shao et al. 2024).
    /// </summary>
    K3,
}

/// <summary>Per-token KL penalties toward a reference policy, written in tensor ops (differentiable in log π).</summary>
public static class KlPenalty
{
    /// <summary>
    /// The chosen estimator per element, with d = log π − stopgrad(log π_ref):
    /// k1 = d (∂/∂log π = 1), k2 = ½d² (∂/∂log π = d), k3 = exp(−d) + d − 1 (∂/∂log π = 1 − exp(−d)).
    /// </summary>
    /// <remarks>
    /// The reference log-probabilities are treated as constants. Each estimator's expectation is taken over x ∼ π;
    /// when the tokens come from π_old (off-policy minibatches) the estimate is, as in the reference implementations,
    /// not importance-corrected. All three are 0 where π = π_ref; k2 and k3 are ≥ 0 everywhere.
    /// </remarks>
    /// <exception cref="ArgumentException">The tensors are not float, differ in dtype or shape, or the estimator is unknown.</exception>
    public static Tensor Estimate(Tensor logProbs, Tensor referenceLogProbs, KlEstimator estimator = KlEstimator.K3)
    {
        const string op = "KlPenalty.Estimate";
        PolicyChecks.RequireFloat(logProbs, op, nameof(logProbs));
        PolicyChecks.RequireLike(referenceLogProbs, logProbs, op, nameof(referenceLogProbs), nameof(logProbs));
        PolicyChecks.Defined(estimator, op, nameof(estimator));
        return FromLogRatio(logProbs - referenceLogProbs.Detach(), estimator);
    }

    /// <summary>The estimator applied to d = log π − log π_ref (already formed, constant reference).</summary>
    internal static Tensor FromLogRatio(Tensor d, KlEstimator estimator) => estimator switch
    {
        KlEstimator.K1 => d,
        KlEstimator.K2 => d.Square() * 0.5,
        _ => d.Neg().Exp() + d - 1.0,
    };

    /// <summary>The estimator on one double (for constant, reward-side KL).</summary>
    internal static double FromLogRatio(double d, KlEstimator estimator) => estimator switch
    {
        KlEstimator.K1 => d,
        KlEstimator.K2 => 0.5 * d * d,
        _ => Math.Exp(-d) + d - 1,
    };
}
