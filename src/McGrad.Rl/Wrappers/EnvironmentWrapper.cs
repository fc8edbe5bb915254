using McGrad.Randomness;

namespace McGrad.Rl;

/// <summary>
/// The base of a wrapper (Gymnasium's <c>Wrapper</c>): every member forwards to <see cref="Inner"/> unless overridden.
/// </summary>
public abstract class EnvironmentWrapper : IEnvironment
{
    /// <summary>Wraps <paramref name="inner"/>.</summary>
    protected EnvironmentWrapper(IEnvironment inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
    }

    /// <summary>The wrapped environment.</summary>
    public IEnvironment Inner { get; }

    /// <summary>The innermost (raw) environment of the stack.</summary>
    public IEnvironment Unwrapped => Inner is EnvironmentWrapper w ? w.Unwrapped : Inner;

    /// <inheritdoc/>
    public virtual string Id => Inner.Id;

    /// <inheritdoc/>
    public virtual Space ObservationSpace => Inner.ObservationSpace;

    /// <inheritdoc/>
    public virtual Space ActionSpace => Inner.ActionSpace;

    /// <inheritdoc/>
    public virtual int StateSize => Inner.StateSize;

    /// <inheritdoc/>
    public virtual void ResetInto(RngKey key, Span<double> observation) => Inner.ResetInto(key, observation);

    /// <inheritdoc/>
    public virtual Transition StepInto(ReadOnlySpan<double> action, Span<double> observation) => Inner.StepInto(action, observation);

    /// <inheritdoc/>
    public virtual double[] GetState() => Inner.GetState();

    /// <inheritdoc/>
    public virtual void SetStateInto(ReadOnlySpan<double> state, Span<double> observation) => Inner.SetStateInto(state, observation);

    /// <summary>The wrapper's name and what it wraps, e.g. <c>TimeLimit&lt;CartPole-v1&gt;</c>.</summary>
    public override string ToString() => $"{GetType().Name}<{Inner}>";
}
