using McGrad.Randomness;

namespace McGrad.Rl;

/// <summary>
/// A reinforcement-learning environment with Gymnasium's step contract: <see cref="ResetInto"/> → observation;
/// <see cref="StepInto"/> → observation, reward, terminated, truncated (+ episode statistics).
/// </summary>
/// <remarks>
/// <para>Observations and actions are flattened float64 spans of <see cref="Space.Size"/> elements; a discrete action is
/// one element holding the integer (or use <see cref="EnvironmentExtensions.Step(IEnvironment, int)"/>). The extension methods <c>Reset(key)</c>, <c>Reset(seed)</c>, <c>Step(action)</c> and <c>SetState(state)</c> return fresh arrays.</para>
/// <para>Contract: an action is validated against <see cref="ActionSpace"/> before anything changes (wrong length, NaN,
/// non-integer or out-of-space values throw <see cref="ArgumentException"/> naming the space and value); stepping before
/// the first reset, or after a step that returned terminated or truncated, throws <see cref="InvalidOperationException"/>.
/// Randomness is explicit: <see cref="ResetInto"/> draws the initial state from the key alone, and the classic-control
/// dynamics are deterministic.</para>
/// <para><see cref="GetState"/> / <see cref="SetStateInto"/> read and write the physical state, so a trajectory can be replayed
/// from any state: <see cref="SetStateInto"/> starts a new episode at that state (time limits and episode statistics restart).</para>
/// </remarks>
public interface IEnvironment
{
    /// <summary>The registry id (e.g. <c>CartPole-v1</c>).</summary>
    string Id { get; }

    /// <summary>The space observations belong to.</summary>
    Space ObservationSpace { get; }

    /// <summary>The space actions must belong to (checked on every step).</summary>
    Space ActionSpace { get; }

    /// <summary>The number of float64 values in the physical state (<see cref="GetState"/>).</summary>
    int StateSize { get; }

    /// <summary>Starts an episode from an initial state drawn with <paramref name="key"/>; writes the first observation.</summary>
    /// <exception cref="ArgumentException"><paramref name="observation"/> does not have <c>ObservationSpace.Size</c> elements.</exception>
    void ResetInto(RngKey key, Span<double> observation);

    /// <summary>
    /// Advances one step with <paramref name="action"/>, writes the next observation to <paramref name="observation"/> and
    /// returns reward and flags; the allocation-free form of <c>Step(action)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The action is not in <see cref="ActionSpace"/>, or the observation span has the wrong length.</exception>
    /// <exception cref="InvalidOperationException">No reset since the last terminated or truncated step (or ever).</exception>
    Transition StepInto(ReadOnlySpan<double> action, Span<double> observation);

    /// <summary>A copy of the physical state (e.g. CartPole's x, ẋ, θ, θ̇), at full float64 precision.</summary>
    /// <exception cref="InvalidOperationException">The environment has never been reset or given a state.</exception>
    double[] GetState();

    /// <summary>
    /// Sets the physical state and starts a new episode there (as a reset that lands on this state would), writing its
    /// observation to <paramref name="observation"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The state has the wrong length or a non-finite value, or the observation span the wrong length.</exception>
    void SetStateInto(ReadOnlySpan<double> state, Span<double> observation);
}

/// <summary>Conveniences over <see cref="IEnvironment"/>.</summary>
public static class EnvironmentExtensions
{
    /// <summary>Starts an episode from an initial state drawn with <paramref name="key"/>; returns the first observation (a fresh array).</summary>
    public static double[] Reset(this IEnvironment env, RngKey key)
    {
        ArgumentNullException.ThrowIfNull(env);
        var o = new double[env.ObservationSpace.Size];
        env.ResetInto(key, o);
        return o;
    }

    /// <summary><see cref="Reset(IEnvironment, RngKey)"/> with <c>new RngKey(seed)</c>.</summary>
    public static double[] Reset(this IEnvironment env, ulong seed) => env.Reset(new RngKey(seed));

    /// <summary>One step (see <see cref="IEnvironment.StepInto"/>), returning a fresh observation array with the reward and flags.</summary>
    /// <exception cref="ArgumentException">The action is not in the action space.</exception>
    /// <exception cref="InvalidOperationException">No reset since the episode ended.</exception>
    public static StepResult Step(this IEnvironment env, ReadOnlySpan<double> action)
    {
        ArgumentNullException.ThrowIfNull(env);
        var o = new double[env.ObservationSpace.Size];
        var t = env.StepInto(action, o);
        return new StepResult(o, t.Reward, t.Terminated, t.Truncated, t.Episode);
    }

    /// <summary>Sets the physical state (see <see cref="IEnvironment.SetStateInto"/>) and returns its observation.</summary>
    public static double[] SetState(this IEnvironment env, ReadOnlySpan<double> state)
    {
        ArgumentNullException.ThrowIfNull(env);
        var o = new double[env.ObservationSpace.Size];
        env.SetStateInto(state, o);
        return o;
    }

    /// <summary>One step with the discrete action <paramref name="action"/> (the span <c>[action]</c>).</summary>
    /// <exception cref="ArgumentException">The action space is not discrete, or the action is outside it.</exception>
    public static StepResult Step(this IEnvironment env, int action)
    {
        ArgumentNullException.ThrowIfNull(env);
        if (env.ActionSpace is not DiscreteSpace)
        {
            throw new ArgumentException($"{env.Id}: action = {action} is an integer, but the action space is {env.ActionSpace}; pass a span of {env.ActionSpace.Size} values.", nameof(action));
        }

        ReadOnlySpan<double> a = [action];
        return env.Step(a);
    }

    /// <summary>One step with a continuous or flattened action array.</summary>
    public static StepResult Step(this IEnvironment env, double[] action)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(action);
        return env.Step(action.AsSpan());
    }
}
