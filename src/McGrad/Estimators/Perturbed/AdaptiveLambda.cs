namespace McGrad.Estimators.Perturbed;

/// <summary>
/// The adaptive perturbation strength of Adaptive I-MLE (AIMLE; Minervini, Franceschi, Niepert 2022/2023):
/// λ = β·‖θ‖/‖g‖ per instance and sample, with β adapted after every backward pass so that the gradient keeps a target
/// number of non-zero entries: r ← ρ·r + (1 − ρ)·nnz, u ← μ·u + (r &lt; c ? +η : −η), β ← max(β + u, 0).
/// </summary>
/// <remarks>
/// <para>nnz is the mean, over the samples and batch elements of one backward pass, of the number of non-zero entries
/// of a single I-MLE difference MAP(θ + ε) − MAP(θ′ + ε) (before averaging over samples). Too few non-zero entries
/// mean a gradient that is mostly zero (λ too small, the target MAP rarely moves): β grows; too many mean a large,
/// biased step: β shrinks. c is <see cref="TargetNonZeros"/>, η <see cref="Step"/>, μ <see cref="Momentum"/>,
/// ρ <see cref="Decay"/>; the defaults (β₀ = 1, c = 1, η = 10⁻⁴, μ = 0, ρ = 0.9, r₀ = 1) are those of the authors' code.</para>
/// <para>‖θ‖ and ‖g‖ are Euclidean norms over one instance (one batch element), so batch elements stay independent within a
/// pass; when ‖g‖ = 0 the target equals θ, λ = 0 and the gradient is 0. The rule itself is immutable: its state (β, the
/// running count, the last update) is an <see cref="AdaptiveLambdaState"/> that the estimator takes and returns
/// (<see cref="IGradientEstimator.InitialState"/>, <see cref="GradientEstimate.NextState"/>), so one rule can serve many
/// threads and estimates.</para>
/// </remarks>
public sealed class AdaptiveLambda
{
    /// <summary>An adaptive λ rule.</summary>
    /// <param name="initialBeta">β₀ ≥ 0.</param>
    /// <param name="targetNonZeros">c &gt; 0, the target number of non-zero gradient entries per sample and instance.</param>
    /// <param name="step">η ≥ 0, the change of β per backward pass.</param>
    /// <param name="momentum">μ ∈ [0, 1), momentum of the β updates.</param>
    /// <param name="decay">ρ ∈ [0, 1), decay of the running non-zero count.</param>
    /// <param name="initialNonZeros">r₀ ≥ 0, the initial running non-zero count.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value outside its range or not finite.</exception>
    public AdaptiveLambda(double initialBeta = 1.0, double targetNonZeros = 1.0, double step = 1e-4, double momentum = 0.0, double decay = 0.9, double initialNonZeros = 1.0)
    {
        Require(initialBeta >= 0, nameof(initialBeta), initialBeta, ">= 0");
        Require(targetNonZeros > 0, nameof(targetNonZeros), targetNonZeros, "> 0");
        Require(step >= 0, nameof(step), step, ">= 0");
        Require(momentum is >= 0 and < 1, nameof(momentum), momentum, "in [0, 1)");
        Require(decay is >= 0 and < 1, nameof(decay), decay, "in [0, 1)");
        Require(initialNonZeros >= 0, nameof(initialNonZeros), initialNonZeros, ">= 0");
        InitialBeta = initialBeta;
        TargetNonZeros = targetNonZeros;
        Step = step;
        Momentum = momentum;
        Decay = decay;
        InitialNonZeros = initialNonZeros;
    }

    /// <summary>β₀.</summary>
    public double InitialBeta { get; }

    /// <summary>c, the target number of non-zero gradient entries per sample and instance.</summary>
    public double TargetNonZeros { get; }

    /// <summary>η, the change of β per backward pass.</summary>
    public double Step { get; }

    /// <summary>μ, the momentum of the β updates.</summary>
    public double Momentum { get; }

    /// <summary>ρ, the decay of the running non-zero count.</summary>
    public double Decay { get; }

    /// <summary>r₀, the initial running non-zero count.</summary>
    public double InitialNonZeros { get; }

    /// <summary>β = β₀, r = r₀, u = 0, no updates.</summary>
    public AdaptiveLambdaState InitialState => new(InitialBeta, InitialNonZeros, 0, 0);

    /// <summary>λ = β·‖θ‖/‖g‖ (0 when ‖g‖ = 0) for the state's β.</summary>
    public static double Lambda(AdaptiveLambdaState state, double thetaNorm, double gradientNorm)
    {
        ArgumentNullException.ThrowIfNull(state);
        return gradientNorm > 0 ? state.Beta * thetaNorm / gradientNorm : 0.0;
    }

    /// <summary>The state after one backward pass with mean non-zero count nnz: r ← ρr + (1 − ρ)nnz, u ← μu ± η (+ when r &lt; c), β ← max(β + u, 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException">nnz is negative or not finite.</exception>
    public AdaptiveLambdaState Next(AdaptiveLambdaState state, double meanNonZeros)
    {
        ArgumentNullException.ThrowIfNull(state);
        Require(meanNonZeros >= 0, nameof(meanNonZeros), meanNonZeros, ">= 0");
        var running = (Decay * state.RunningNonZeros) + ((1 - Decay) * meanNonZeros);
        var u = (Momentum * state.LastUpdate) + (running < TargetNonZeros ? Step : -Step);
        return new AdaptiveLambdaState(Math.Max(state.Beta + u, 0.0), running, u, state.Updates + 1);
    }

    private static void Require(bool ok, string name, double value, string expected)
    {
        if (!ok || !double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"AdaptiveLambda: {name} must be finite and {expected}, got {value}.");
        }
    }
}

/// <summary>The state of an <see cref="AdaptiveLambda"/> rule.</summary>
/// <param name="Beta">β, the current strength.</param>
/// <param name="RunningNonZeros">r, the running mean of the non-zero count.</param>
/// <param name="LastUpdate">u, the last change of β (for momentum).</param>
/// <param name="Updates">How many backward passes updated the state.</param>
public sealed record AdaptiveLambdaState(double Beta, double RunningNonZeros, double LastUpdate, int Updates) : EstimatorState;
