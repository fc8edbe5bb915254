namespace McGrad.Estimators;

/// <summary>What an estimator's expectation equals.</summary>
public enum EstimateTarget
{
    /// <summary>E[ĝ] = ∇ E_{p_θ}[f] exactly (unbiased).</summary>
    GradientOfExpectation,

    /// <summary>E[ĝ] = ∇ E[log (1/K) Σ_k exp f(x_k)], the multi-sample bound of VIMCO (unbiased for that objective, not for ∇E[f]).</summary>
    GradientOfLogMeanExp,

    /// <summary>A biased surrogate of ∇ E[f] (straight-through, relaxations, I-MLE, shaped evolution strategies).</summary>
    BiasedSurrogate,
}

/// <summary>The kind of sample space an estimator handles.</summary>
public enum SampleSpace
{
    /// <summary>Discrete and continuous families.</summary>
    Any,

    /// <summary>Discrete families only (Bernoulli, categorical, perturb-and-MAP structures).</summary>
    Discrete,

    /// <summary>Continuous families only.</summary>
    Continuous,
}

/// <summary>What an estimator costs per estimate: evaluations of f and extra backward passes (beyond the surrogate's own).</summary>
/// <param name="Evaluations">Calls of f per estimate (for each batch element), e.g. K for K samples, 2 for an antithetic pair.</param>
/// <param name="BackwardPasses">Backward passes through f per estimate (pathwise needs 1; score-function estimators 0).</param>
public sealed record EstimatorCost(int Evaluations, int BackwardPasses)
{
    /// <summary>Evaluations + backward passes (at least 1): the unit the Lab's "variance × cost" column uses.</summary>
    public int Total => Math.Max(1, Evaluations + BackwardPasses);
}

/// <summary>The declared, self-describing properties of an estimator.</summary>
public sealed record EstimatorTraits
{
    /// <summary>What E[ĝ] equals.</summary>
    public required EstimateTarget Target { get; init; }

    /// <summary>True unless <see cref="Target"/> is <see cref="EstimateTarget.BiasedSurrogate"/>: E[ĝ] equals the gradient of the stated objective exactly.</summary>
    public bool Unbiased => Target != EstimateTarget.BiasedSurrogate;

    /// <summary>f must be differentiable in x and recorded with tensor ops (pathwise, REBAR, RELAX, straight-through, I-MLE).</summary>
    public bool NeedsDifferentiableObjective { get; init; }

    /// <summary>The distribution must have a reparameterised sampler (<c>HasRSample</c>).</summary>
    public bool NeedsRSample { get; init; }

    /// <summary>The sample spaces the estimator handles.</summary>
    public SampleSpace SampleSpace { get; init; } = SampleSpace.Any;

    /// <summary>The distribution families it accepts (names such as "Bernoulli"); empty means any family with the needed methods.</summary>
    public IReadOnlyList<string> Families { get; init; } = [];

    /// <summary>It carries state from one estimate to the next (<see cref="IGradientEstimator.InitialState"/> is not null).</summary>
    public bool Stateful { get; init; }

    /// <summary>Cost per estimate on a distribution with one scalar parameter; <see cref="IGradientEstimator.CostFor"/> gives the cost for a given one.</summary>
    public required EstimatorCost Cost { get; init; }

    /// <summary>Where the estimator comes from (author, year).</summary>
    public required string Reference { get; init; }
}

/// <summary>Whether an estimator applies to a distribution: <see cref="IsSupported"/>, or the <see cref="Reason"/> it does not.</summary>
/// <param name="IsSupported">True when the estimator can estimate gradients for the distribution.</param>
/// <param name="Reason">Why not (null when supported): names the estimator, the family and what would work.</param>
public readonly record struct SupportCheck(bool IsSupported, string? Reason)
{
    /// <summary>The distribution is supported.</summary>
    public static SupportCheck Yes => new(true, null);

    /// <summary>The distribution is not supported, because of <paramref name="reason"/>.</summary>
    public static SupportCheck No(string reason) => new(false, reason);

    /// <summary>Throws an <see cref="ArgumentException"/> carrying <see cref="Reason"/> (for parameter <paramref name="argument"/>) when not supported.</summary>
    /// <exception cref="ArgumentException">Not supported.</exception>
    public void ThrowIfUnsupported(string argument = "distribution")
    {
        if (!IsSupported)
        {
            throw new ArgumentException(Reason, argument);
        }
    }
}
