using McGrad.Randomness;

namespace McGrad.Rl.ClassicControl;

/// <summary>
/// MountainCarContinuous-v0, Gymnasium's <c>Continuous_MountainCarEnv</c>: the mountain car with a continuous force
/// a ∈ [−1, 1], the flag at x = 0.45, reward 100 on reaching it minus 0.1·a² per step.
/// </summary>
/// <remarks>
/// <para>v ← v + a·0.0015 − 0.0025·cos(3x), set to ±0.07 beyond it; x ← x + v, set to −1.2 or 0.6 beyond them; if
/// x = −1.2 and v &lt; 0 then v ← 0. Terminated when x ≥ 0.45 and v ≥ 0 (tested before rounding); reward
/// (100 if terminated) − 0.1·a². Then the state is stored as float32 — Gymnasium's <c>np.array([position, velocity],
/// dtype=np.float32)</c> — so after the first step the state is float32 values, and the arithmetic is float64 (numpy 1.x
/// promotes a float32 scalar with a Python float to float64; numpy 2's NEP 50 would keep float32, see docs/rl.md).
/// Observation: the state as float32. Reset: x uniform on (−0.6, −0.4), v = 0 (float64 until the first step). Time
/// limit 999. Gymnasium clips a out-of-range action silently; McGrad's action space rejects it (use
/// <see cref="ClipAction"/>).</para>
/// </remarks>
public sealed class MountainCarContinuous : EnvironmentBase
{
    /// <summary>The smallest force.</summary>
    public const double MinAction = -1.0;

    /// <summary>The largest force.</summary>
    public const double MaxAction = 1.0;

    /// <summary>The left bound of x.</summary>
    public const double MinPosition = -1.2;

    /// <summary>The right bound of x.</summary>
    public const double MaxPosition = 0.6;

    /// <summary>|v| bound.</summary>
    public const double MaxSpeed = 0.07;

    /// <summary>The flag's position.</summary>
    public const double GoalPosition = 0.45;

    /// <summary>The velocity needed at the flag.</summary>
    public const double GoalVelocity = 0;

    /// <summary>The engine's power.</summary>
    public const double Power = 0.0015;

    private double position;
    private double velocity;

    /// <summary>Creates the environment (id <c>MountainCarContinuous-v0</c>): observation Box(float32(−1.2, −0.07), float32(0.6, 0.07), (2,));
    /// action Box(−1, 1, (1,)).</summary>
    public MountainCarContinuous()
        : base("MountainCarContinuous-v0",
            new BoxSpace([(float)MinPosition, (float)-MaxSpeed], [(float)MaxPosition, (float)MaxSpeed], 2),
            new BoxSpace(MinAction, MaxAction, 1),
            2)
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
        var a = action[0];
        var force = Math.Min(Math.Max(a, MinAction), MaxAction);
        velocity += (force * Power) - (0.0025 * Math.Cos(3 * position));
        if (velocity > MaxSpeed)
        {
            velocity = MaxSpeed;
        }

        if (velocity < -MaxSpeed)
        {
            velocity = -MaxSpeed;
        }

        position += velocity;
        if (position > MaxPosition)
        {
            position = MaxPosition;
        }

        if (position < MinPosition)
        {
            position = MinPosition;
        }

        if (position == MinPosition && velocity < 0)
        {
            velocity = 0;
        }

        var terminated = position >= GoalPosition && velocity >= GoalVelocity;
        var reward = terminated ? 100.0 : 0.0;
        reward -= Math.Pow(a, 2) * 0.1;
        position = (float)position;
        velocity = (float)velocity;
        return (reward, terminated);
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
