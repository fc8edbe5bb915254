using McGrad.Randomness;
using McGrad.Rl.ClassicControl;

namespace McGrad.Rl.Differentiable;

/// <summary>
/// Pendulum-v1's dynamics (<see cref="Pendulum"/>) in tensor ops over a batch of copies, with a continuous normalised
/// action: u = 2·clip(a, −1, 1); r = −(norm(θ)² + 0.1·θ̇² + 0.001·u²);
/// θ̇' = clip(θ̇ + (3g/(2l)·sin θ + 3/(m·l²)·u)·dt, −8, 8); θ' = θ + θ̇'·dt; observation (cos θ, sin θ, θ̇).
/// </summary>
/// <remarks>
/// State rows are (θ, θ̇); reset draws θ ~ U(−π, π), θ̇ ~ U(−1, 1); episodes last 200 steps. norm(θ) = θ − 2π·⌊(θ + π)/2π⌋
/// has derivative 1 (the floor is piecewise constant), and the speed clip passes no gradient where it bites, as
/// torch.clamp. In float64 one step equals <see cref="Pendulum"/>'s on the same state and torque.
/// </remarks>
public sealed class DifferentiablePendulum : IDifferentiableEnvironment
{
    /// <summary>A pendulum with gravity <paramref name="gravity"/> (Gymnasium's default 10).</summary>
    /// <exception cref="ArgumentOutOfRangeException">gravity is not finite.</exception>
    public DifferentiablePendulum(double gravity = 10.0)
    {
        if (!double.IsFinite(gravity))
        {
            throw new ArgumentOutOfRangeException(nameof(gravity), gravity, "DifferentiablePendulum: gravity must be finite.");
        }

        Gravity = gravity;
    }

    /// <summary>Gravity g, m/s².</summary>
    public double Gravity { get; }

    /// <inheritdoc/>
    public string Id => "pendulum";

    /// <inheritdoc/>
    public int StateSize => 2;

    /// <inheritdoc/>
    public int ObservationSize => 3;

    /// <inheritdoc/>
    public int ActionSize => 1;

    /// <inheritdoc/>
    public int EpisodeLength => 200;

    /// <inheritdoc/>
    public Tensor Reset(int copies, RngKey key, DType dtype = DType.Float32)
    {
        DifferentiableChecks.ResetArguments(this, copies, dtype);
        var k = key.Split(2);
        var theta = Sampler.Uniform(k[0], [copies, 1], dtype, -Math.PI, Math.PI);
        var speed = Sampler.Uniform(k[1], [copies, 1], dtype, -1, 1);
        return Tensor.Concat([theta, speed], 1);
    }

    /// <inheritdoc/>
    public Tensor Observe(Tensor state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var theta = state.Narrow(1, 0, 1);
        return Tensor.Concat([theta.Cos(), theta.Sin(), state.Narrow(1, 1, 1)], 1);
    }

    /// <inheritdoc/>
    public DifferentiableStep Step(Tensor state, Tensor action, RngKey key)
    {
        DifferentiableChecks.StepArguments(this, state, action);
        var theta = state.Narrow(1, 0, 1);
        var speed = state.Narrow(1, 1, 1);
        var u = action.Clamp(-1, 1) * Pendulum.MaxTorque;
        var cost = AngleNormalize(theta).Square() + (speed.Square() * 0.1) + (u.Square() * 0.001);
        var acceleration = (theta.Sin() * (3 * Gravity / (2 * Pendulum.Length))) + (u * (3.0 / (Pendulum.Mass * Pendulum.Length * Pendulum.Length)));
        var newSpeed = (speed + (acceleration * Pendulum.Dt)).Clamp(-Pendulum.MaxSpeed, Pendulum.MaxSpeed);
        var newTheta = theta + (newSpeed * Pendulum.Dt);
        return new DifferentiableStep(Tensor.Concat([newTheta, newSpeed], 1), -cost.Reshape(cost.Shape[0]));
    }

    /// <summary>θ − 2π·⌊(θ + π)/2π⌋: the angle in [−π, π), derivative 1.</summary>
    private static Tensor AngleNormalize(Tensor theta)
    {
        const double twoPi = 2 * Math.PI;
        var turns = ((theta + Math.PI) / twoPi).Floor();
        return theta - (turns * twoPi);
    }
}
