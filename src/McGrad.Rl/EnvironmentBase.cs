using System.Globalization;
using McGrad.Randomness;

namespace McGrad.Rl;

/// <summary>
/// The base of a raw (unwrapped) environment: it checks actions and observation spans, enforces "reset before step"
/// and "no step after termination", and leaves the dynamics to three members: <see cref="ResetState"/>,
/// <see cref="Advance"/> and <see cref="Observe"/>.
/// </summary>
/// <remarks>
/// A raw environment never truncates: time limits are the <see cref="TimeLimit"/> wrapper (as in Gymnasium, where
/// <c>gymnasium.make</c> adds it). <see cref="Environments.Make"/> returns the wrapped stack.
/// </remarks>
public abstract class EnvironmentBase : IEnvironment
{
    private bool hasState;
    private bool needsReset = true;

    /// <summary>Creates the environment's shell.</summary>
    protected EnvironmentBase(string id, Space observationSpace, Space actionSpace, int stateSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(observationSpace);
        ArgumentNullException.ThrowIfNull(actionSpace);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stateSize);
        Id = id;
        ObservationSpace = observationSpace;
        ActionSpace = actionSpace;
        StateSize = stateSize;
    }

    /// <inheritdoc/>
    public string Id { get; }

    /// <inheritdoc/>
    public Space ObservationSpace { get; }

    /// <inheritdoc/>
    public Space ActionSpace { get; }

    /// <inheritdoc/>
    public int StateSize { get; }

    /// <summary>True before the first reset and after a terminated step: <see cref="StepInto"/> would throw.</summary>
    public bool NeedsReset => needsReset;

    /// <inheritdoc/>
    public void ResetInto(RngKey key, Span<double> observation)
    {
        CheckObservation(observation);
        ResetState(key);
        hasState = true;
        needsReset = false;
        Observe(observation);
    }

    /// <inheritdoc/>
    public Transition StepInto(ReadOnlySpan<double> action, Span<double> observation)
    {
        if (needsReset)
        {
            throw new InvalidOperationException(hasState
                ? $"{Id}: Step after the episode terminated; call Reset (or SetState) first."
                : $"{Id}: Step before Reset; call Reset (or SetState) first.");
        }

        ActionSpace.Validate(action, nameof(action));
        CheckObservation(observation);
        var (reward, terminated) = Advance(action);
        Observe(observation);
        needsReset = terminated;
        return new Transition(reward, terminated, false);
    }

    /// <inheritdoc/>
    public double[] GetState()
    {
        if (!hasState)
        {
            throw new InvalidOperationException($"{Id}: GetState before Reset or SetState; there is no state yet.");
        }

        var s = new double[StateSize];
        ReadState(s);
        return s;
    }

    /// <inheritdoc/>
    public void SetStateInto(ReadOnlySpan<double> state, Span<double> observation)
    {
        if (state.Length != StateSize)
        {
            throw new ArgumentException($"{Id}: state {Space.Format(state)} has {state.Length} values; expected {StateSize} ({StateDescription}).", nameof(state));
        }

        for (var i = 0; i < state.Length; i++)
        {
            if (!double.IsFinite(state[i]))
            {
                throw new ArgumentException($"{Id}: state {Space.Format(state)} has a non-finite value at {i} ({StateDescription}).", nameof(state));
            }
        }

        CheckObservation(observation);
        WriteState(state);
        hasState = true;
        needsReset = false;
        Observe(observation);
    }

    /// <summary>The names of the state's values, for messages (e.g. <c>"x, x_dot, theta, theta_dot"</c>).</summary>
    public abstract string StateDescription { get; }

    /// <summary>Draws the initial state from <paramref name="key"/> (the dynamics' own reset distribution).</summary>
    protected abstract void ResetState(RngKey key);

    /// <summary>Applies a validated action; returns the reward and whether the new state is terminal.</summary>
    protected abstract (double Reward, bool Terminated) Advance(ReadOnlySpan<double> action);

    /// <summary>Writes the observation of the current state (length checked).</summary>
    protected abstract void Observe(Span<double> observation);

    /// <summary>Copies the current state to <paramref name="state"/> (length <see cref="StateSize"/>).</summary>
    protected abstract void ReadState(Span<double> state);

    /// <summary>Sets the current state from <paramref name="state"/> (length checked, values finite).</summary>
    protected abstract void WriteState(ReadOnlySpan<double> state);

    /// <summary>Uniform draws on (low, high) from <paramref name="key"/>, float64.</summary>
    protected static double[] Uniform(RngKey key, int count, double low, double high)
        => Sampler.Uniform(key, new Shape(count), DType.Float64, low, high).AsReadOnlySpan<double>().ToArray();

    private void CheckObservation(Span<double> observation)
    {
        if (observation.Length != ObservationSpace.Size)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{Id}: the observation span has {observation.Length} elements; {ObservationSpace} needs {ObservationSpace.Size}."),
                nameof(observation));
        }
    }
}
