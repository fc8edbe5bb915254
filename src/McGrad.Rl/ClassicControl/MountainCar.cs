using McGrad.Randomness;

namespace McGrad.Rl.ClassicControl;

/// <summary>
/// MountainCar-v0 (Moore 1990), Gymnasium's <c>MountainCarEnv</c>: a car in a valley, accelerate left (0), not at all
/// (1) or right (2); it must build momentum to reach the flag at x = 0.5.
/// </summary>
/// <remarks>
/// <para>State (x, v), float64: v ← clip(v + (a − 1)·0.001 + cos(3x)·(−0.0025), −0.07, 0.07); x ← clip(x + v, −1.2, 0.6);
/// if x = −1.2 and v &lt; 0 then v ← 0 (an inelastic left wall). Terminated when x ≥ 0.5 and v ≥ 0; reward −1 per step.
/// Observation: the state rounded to float32. Reset: x uniform on (−0.6, −0.4), v = 0. Time limit 200.</para>
/// </remarks>
public sealed class MountainCar : EnvironmentBase
{
    /// <summary>The left bound of x.</summary>
    public const double MinPosition = -1.2;

    /// <summary>The right bound of x.</summary>
    public const double MaxPosition = 0.6;

    /// <summary>|v| bound.</summary>
    public const double MaxSpeed = 0.07;

    /// <summary>The flag's position.</summary>
    public const double GoalPosition = 0.5;

    /// <summary>The velocity needed at the flag.</summary>
    public const double GoalVelocity = 0;

    /// <summary>The engine's acceleration per unit action.</summary>
    public const double Force = 0.001;

    /// <summary>The slope's gravity coefficient.</summary>
    public const double Gravity = 0.0025;

    private double position;
    private double velocity;

    /// <summary>Creates the environment (id <c>MountainCar-v0</c>): observation Box(float32(−1.2, −0.07), float32(0.6, 0.07), (2,)); action Discrete(3).</summary>
    public MountainCar()
        : base("MountainCar-v0", new BoxSpace([(float)MinPosition, (float)-MaxSpeed], [(float)MaxPosition, (float)MaxSpeed], 2), new DiscreteSpace(3), 2)
    {
    }

    /// <inheritdoc/>
    public override string StateDescription => "position, velocity";

    /// <inheritdoc/>
    protected override void ResetState(RngKey key)
    {
        position = Uniform(key, 1, -0.6, -0.4)[0];
        velocity = 0;
    }

    /// <inheritdoc/>
    protected override (double Reward, bool Terminated) Advance(ReadOnlySpan<double> action)
    {
        velocity += ((action[0] - 1) * Force) + (Math.Cos(3 * position) * -Gravity);
        velocity = Math.Min(Math.Max(velocity, -MaxSpeed), MaxSpeed);
        position += velocity;
        position = Math.Min(Math.Max(position, MinPosition), MaxPosition);
        if (position == MinPosition && velocity < 0)
        {
            velocity = 0;
        }

        var terminated = position >= GoalPosition && velocity >= GoalVelocity;
        return (-1.0, terminated);
    }

    /// <inheritdoc/>
    protected override void Observe(Span<double> observation)
    {
        observation[0] = (float)position;
        observation[1] = (float)velocity;
    }

    /// <inheritdoc/>
    protected override void ReadState(Span<double> state)
    {
        state[0] = position;
        state[1] = velocity;
    }

    /// <inheritdoc/>
    protected override void WriteState(ReadOnlySpan<double> state) => (position, velocity) = (state[0], state[1]);
}
