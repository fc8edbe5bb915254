using McGrad.Randomness;

namespace McGrad.Rl.Differentiable;

/// <summary>
/// The PIPPS / DeepPILCO cart-pole in tensor ops, batched over particles: state s = [x, θ, ẋ, θ̇] ([P, 4]; θ = 0 upright,
/// θ = π hanging down), action a ([P, 1]) with force F = clip(10 a, −10, 10). One step is dt = 0.1 s in 10 Euler
/// substeps of 0.01 s:
/// ẍ = (−2 m_p l θ̇² sin θ + 3 m_p g sin θ cos θ + 4F − 4bẋ) / (4(m_c + m_p) − 3 m_p cos²θ),
/// θ̈ = (−3 m_p l θ̇² sin θ cos θ + 6(m_c + m_p) g sin θ + 6(F − bẋ) cos θ) / (4l(m_c + m_p) − 3 m_p l cos²θ),
/// then x += ẋ dt, θ += θ̇ dt, ẋ += ẍ dt, θ̇ += θ̈ dt (all from the old values). Cost 1 − exp(−½ (x² + θ²)).
/// </summary>
/// <remarks>
/// Constants of proppo/pipps_demo's pipps/envs/cartpole.py (from DeepPILCO's cartpole_swingup.py): g = 9.82,
/// m_c = m_p = 0.5 kg, l = 0.5 m, friction b = 0.1, force bound 10 N. The cost is the demo's saturating cost on the raw
/// (x, θ), not wrapped. Process noise: the next state is N(step(s, a), diag(σ²)) with
/// σ = k·[0.01 m, 1°, 0.1 m/s, 10°/s] (the demo's noise vector; k = <see cref="NoiseScale"/>). The initial state is
/// N([0, π, 0, 0], 0.02²I) for swing-up and N(0, 0.02²I) for balance. The force clip has zero gradient outside ±10 N.
/// As an <see cref="IDifferentiableEnvironment"/> (ids <c>cartpole-swingup</c>, <c>cartpole-balance</c>): the observation
/// is the state, the noise is reparameterised (s' = step(s, a) + σ⊙ε, so gradients pass through it), the reward is
/// −cost(s'), and episodes last <see cref="EpisodeLength"/> = 30 steps, the PIPPS horizon.
/// </remarks>
public sealed class PippsCartPole : IDifferentiableEnvironment
{
    /// <summary>g, m/s² (the demo's 9.82).</summary>
    public const double Gravity = 9.82;

    /// <summary>m_c, kg.</summary>
    public const double CartMass = 0.5;

    /// <summary>m_p, kg.</summary>
    public const double PoleMass = 0.5;

    /// <summary>l, m.</summary>
    public const double PoleLength = 0.5;

    /// <summary>b, the friction coefficient on the cart.</summary>
    public const double Friction = 0.1;

    /// <summary>The force bound, N: F = clip(10 a, −10, 10).</summary>
    public const double ForceMagnitude = 10.0;

    /// <summary>dt, seconds per step.</summary>
    public const double Dt = 0.1;

    /// <summary>Euler substeps per step.</summary>
    public const int Substeps = 10;

    /// <summary>The standard deviation of each initial state element.</summary>
    public const double InitialStd = 0.02;

    /// <summary>A cart-pole task.</summary>
    /// <param name="balance">Start upright (balance) instead of hanging down (swing-up).</param>
    /// <param name="noiseScale">k ≥ 0, the multiplier of the process-noise vector [0.01, π/180, 0.1, π/18].</param>
    /// <exception cref="ArgumentOutOfRangeException">k is negative or not finite.</exception>
    public PippsCartPole(bool balance = false, double noiseScale = 1.0)
    {
        if (!(noiseScale >= 0) || !double.IsFinite(noiseScale))
        {
            throw new ArgumentOutOfRangeException(nameof(noiseScale), $"PippsCartPole: noiseScale must be a finite number ≥ 0; got {noiseScale}.");
        }

        Balance = balance;
        NoiseScale = noiseScale;
    }

    /// <inheritdoc/>
    public string Id => Balance ? "cartpole-balance" : "cartpole-swingup";

    /// <inheritdoc/>
    public int StateSize => 4;

    /// <inheritdoc/>
    public int ObservationSize => 4;

    /// <inheritdoc/>
    public int ActionSize => 1;

    /// <summary>30 steps (3 s), the PIPPS policy-search horizon.</summary>
    public int EpisodeLength => 30;

    /// <summary>Whether the task starts upright.</summary>
    public bool Balance { get; }

    /// <summary>k, the process-noise multiplier.</summary>
    public double NoiseScale { get; }

    /// <summary>The process-noise standard deviations σ = k·[0.01, π/180, 0.1, π/18].</summary>
    public IReadOnlyList<double> NoiseStd => [0.01 * NoiseScale, Math.PI / 180 * NoiseScale, 0.1 * NoiseScale, Math.PI / 18 * NoiseScale];

    /// <summary>The mean initial state, [0, π, 0, 0] for swing-up, 0 for balance.</summary>
    public IReadOnlyList<double> InitialMean => [0, Balance ? 0 : Math.PI, 0, 0];

    /// <summary>P initial states N(<see cref="InitialMean"/>, 0.02²I), [P, 4].</summary>
    public Tensor InitialState(RngKey key, int particles, DType dtype = DType.Float64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(particles, 1);
        var mean = Tensor.FromArray([.. InitialMean], 1, 4).To(dtype);
        return mean + Sampler.Normal(key, [particles, 4], dtype, std: InitialStd);
    }

    /// <summary>σ broadcast to [P, 4] in <paramref name="dtype"/> (for <c>StochasticChain.Sample</c>).</summary>
    public Tensor NoiseStdFor(int particles, DType dtype = DType.Float64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(particles, 1);
        return Tensor.FromArray([.. NoiseStd], 1, 4).To(dtype).BroadcastTo([particles, 4]).Clone();
    }

    /// <summary>The deterministic next state step(s, a) (see the type summary), differentiable in s and a.</summary>
    /// <param name="state">[P, 4].</param>
    /// <param name="action">[P, 1], a = F/10 before the clip.</param>
    /// <exception cref="ArgumentException">The shapes are not [P, 4] and [P, 1], or the dtypes differ.</exception>
    public static Tensor Step(Tensor state, Tensor action)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(action);
        if (state.Rank != 2 || state.Shape[1] != 4 || action.Rank != 2 || action.Shape[1] != 1 || action.Shape[0] != state.Shape[0] || action.DType != state.DType)
        {
            throw new ArgumentException($"PippsCartPole.Step: expected state [P, 4] and action [P, 1] of one dtype; got {state.Shape} {state.DType} and {action.Shape} {action.DType}.", nameof(action));
        }

        const double total = CartMass + PoleMass;
        const double dt = Dt / Substeps;
        var force = (action * ForceMagnitude).Clamp(-ForceMagnitude, ForceMagnitude);
        var x = state.Narrow(1, 0, 1);
        var theta = state.Narrow(1, 1, 1);
        var xDot = state.Narrow(1, 2, 1);
        var thetaDot = state.Narrow(1, 3, 1);
        for (var i = 0; i < Substeps; i++)
        {
            var s = theta.Sin();
            var c = theta.Cos();
            var w2 = thetaDot.Square();
            var drive = force - (xDot * Friction);
            var c2 = c.Square();
            var xAcc = ((w2 * s * (-2 * PoleMass * PoleLength)) + (s * c * (3 * PoleMass * Gravity)) + (drive * 4.0))
                / ((c2 * (-3 * PoleMass)) + (4 * total));
            var thetaAcc = ((w2 * s * c * (-3 * PoleMass * PoleLength)) + (s * (6 * total * Gravity)) + (drive * c * 6.0))
                / ((c2 * (-3 * PoleMass * PoleLength)) + (4 * PoleLength * total));
            x += xDot * dt;
            theta += thetaDot * dt;
            xDot += xAcc * dt;
            thetaDot += thetaAcc * dt;
        }

        return Tensor.Concat([x, theta, xDot, thetaDot], axis: 1);
    }

    /// <summary>The saturating cost 1 − exp(−½ (x² + θ²)) per particle, [P], from states [P, 4].</summary>
    /// <exception cref="ArgumentException">The state is not [P, 4].</exception>
    public static Tensor Cost(Tensor state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Rank != 2 || state.Shape[1] != 4)
        {
            throw new ArgumentException($"PippsCartPole.Cost: expected state [P, 4]; got {state.Shape}.", nameof(state));
        }

        var d2 = state.Narrow(1, 0, 2).Square().Sum(1);
        return 1.0 - (d2 * -0.5).Exp();
    }

    /// <inheritdoc/>
    public Tensor Reset(int copies, RngKey key, DType dtype = DType.Float32)
    {
        DifferentiableChecks.ResetArguments(this, copies, dtype);
        return InitialState(key, copies, dtype);
    }

    /// <summary>The state itself, [n, 4].</summary>
    public Tensor Observe(Tensor state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state;
    }

    /// <summary>s' = step(s, a) + σ⊙ε with ε ~ N(0, I) from <paramref name="key"/>; reward −cost(s').</summary>
    public DifferentiableStep Step(Tensor state, Tensor action, RngKey key)
    {
        DifferentiableChecks.StepArguments(this, state, action);
        var next = Step(state, action) + (NoiseStdFor(state.Shape[0], state.DType) * Sampler.Normal(key, [state.Shape[0], 4], state.DType));
        return new DifferentiableStep(next, -Cost(next));
    }
}
