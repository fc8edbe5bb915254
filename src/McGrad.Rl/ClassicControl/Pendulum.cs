using McGrad.Randomness;

namespace McGrad.Rl.ClassicControl;

/// <summary>
/// Pendulum-v1, Gymnasium's <c>PendulumEnv</c>: swing a pendulum up and hold it with torque u ∈ [−2, 2]; never
/// terminates, truncated at 200 steps.
/// </summary>
/// <remarks>
/// <para>State (θ, θ̇), float64, θ = 0 upright. With g = 10, m = 1, l = 1, dt = 0.05: cost = norm(θ)² + 0.1·θ̇² + 0.001·u²
/// (norm(θ) = ((θ + π) mod 2π) − π, numpy's floored modulo), reward = −cost;
/// θ̇' = clip(θ̇ + (3g/(2l)·sin θ + 3/(m·l²)·u)·dt, −8, 8), θ' = θ + θ̇'·dt (θ is not wrapped). Observation
/// (cos θ, sin θ, θ̇) rounded to float32. Reset: θ uniform on (−π, π), θ̇ uniform on (−1, 1). Gymnasium clips an
/// out-of-range torque silently; McGrad's action space rejects it (use <see cref="ClipAction"/>).</para>
/// </remarks>
public sealed class Pendulum : EnvironmentBase
{
    /// <summary>|θ̇| bound.</summary>
    public const double MaxSpeed = 8;

    /// <summary>|u| bound.</summary>
    public const double MaxTorque = 2.0;

    /// <summary>The time step, s.</summary>
    public const double Dt = 0.05;

    /// <summary>Mass, kg.</summary>
    public const double Mass = 1.0;

    /// <summary>Length, m.</summary>
    public const double Length = 1.0;

    private double th;
    private double thdot;

    /// <summary>Creates Pendulum-v1 with gravity <paramref name="gravity"/> (Gymnasium's <c>g</c>, default 10): observation
    /// Box(−high, high, (3,)) with high = (1, 1, 8); action Box(−2, 2, (1,)).</summary>
    /// <exception cref="ArgumentOutOfRangeException">gravity is not finite.</exception>
    public Pendulum(double gravity = 10.0)
        : base("Pendulum-v1", new BoxSpace([-1.0, -1.0, -MaxSpeed], [1.0, 1.0, MaxSpeed], 3), new BoxSpace(-MaxTorque, MaxTorque, 1), 2)
    {
        if (!double.IsFinite(gravity))
        {
            throw new ArgumentOutOfRangeException(nameof(gravity), gravity, "Pendulum: gravity must be finite.");
        }

        G = gravity;
    }

    /// <summary>Gravity, m/s².</summary>
    public double G { get; }

    /// <inheritdoc/>
    public override string StateDescription => "theta, theta_dot";

    /// <inheritdoc/>
    protected override void ResetState(RngKey key)
    {
        var k = key.Split(2);
        th = Uniform(k[0], 1, -Math.PI, Math.PI)[0];
        thdot = Uniform(k[1], 1, -1.0, 1.0)[0];
    }

    /// <inheritdoc/>
    protected override (double Reward, bool Terminated) Advance(ReadOnlySpan<double> action)
    {
        var u = Math.Min(Math.Max(action[0], -MaxTorque), MaxTorque);
        var costs = Math.Pow(AngleNormalize(th), 2) + (0.1 * Math.Pow(thdot, 2)) + (0.001 * Math.Pow(u, 2));
        var newthdot = thdot + ((((3 * G) / (2 * Length) * Math.Sin(th)) + (3.0 / (Mass * Math.Pow(Length, 2)) * u)) * Dt);
        newthdot = Math.Min(Math.Max(newthdot, -MaxSpeed), MaxSpeed);
        var newth = th + (newthdot * Dt);
        (th, thdot) = (newth, newthdot);
        return (-costs, false);
    }

    /// <inheritdoc/>
    protected override void Observe(Span<double> observation)
    {
        observation[0] = (float)Math.Cos(th);
        observation[1] = (float)Math.Sin(th);
        observation[2] = (float)thdot;
    }

    /// <inheritdoc/>
    protected override void ReadState(Span<double> state)
    {
        state[0] = th;
        state[1] = thdot;
    }

    /// <inheritdoc/>
    protected override void WriteState(ReadOnlySpan<double> state) => (th, thdot) = (state[0], state[1]);

    /// <summary>((x + π) mod 2π) − π with numpy's floored modulo (the result's sign follows 2π).</summary>
    internal static double AngleNormalize(double x)
    {
        const double b = 2 * Math.PI;
        var m = (x + Math.PI) % b;
        if (m != 0)
        {
            if (m < 0)
            {
                m += b;
            }
        }
        else
        {
            m = 0.0;
        }

        return m - Math.PI;
    }
}
