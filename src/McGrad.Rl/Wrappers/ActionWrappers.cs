using System.Globalization;

namespace McGrad.Rl;

/// <summary>
/// Clips a Box action to the inner action space's bounds (Gymnasium's <c>ClipAction</c>): the wrapper's action space is
/// Box(−∞, ∞) of the same shape, and a' = min(max(a, low), high) element-wise. NaN is still rejected.
/// </summary>
public sealed class ClipAction : EnvironmentWrapper
{
    private readonly BoxSpace innerSpace;
    private readonly double[] buffer;

    /// <summary>Wraps <paramref name="inner"/>, whose action space must be a <see cref="BoxSpace"/>.</summary>
    /// <exception cref="ArgumentException">The inner action space is not a Box.</exception>
    public ClipAction(IEnvironment inner)
        : base(inner)
    {
        innerSpace = inner.ActionSpace as BoxSpace
            ?? throw new ArgumentException($"ClipAction needs a Box action space; {inner.Id} has {inner.ActionSpace}.", nameof(inner));
        var n = innerSpace.Size;
        ActionSpace = new BoxSpace(Enumerable.Repeat(double.NegativeInfinity, n).ToArray(), Enumerable.Repeat(double.PositiveInfinity, n).ToArray(), [.. innerSpace.Shape]);
        buffer = new double[n];
    }

    /// <summary>Box(−∞, ∞) of the inner action's shape.</summary>
    public override Space ActionSpace { get; }

    /// <inheritdoc/>
    public override Transition StepInto(ReadOnlySpan<double> action, Span<double> observation)
    {
        ActionSpace.Validate(action, nameof(action));
        var low = innerSpace.Low;
        var high = innerSpace.High;
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = Math.Min(Math.Max(action[i], low[i]), high[i]);
        }

        return Inner.StepInto(buffer, observation);
    }
}

/// <summary>
/// Rescales a Box action affinely from [min, max] to the inner bounds [low, high] (Gymnasium's <c>RescaleAction</c>):
/// a' = g·a + c with g = (high − low)/(max − min) and c = high − g·max, then clamped to [low, high] so rounding never
/// leaves the inner space. The wrapper's action space is Box(min, max).
/// </summary>
public sealed class RescaleAction : EnvironmentWrapper
{
    private readonly BoxSpace innerSpace;
    private readonly double[] gradient;
    private readonly double[] intercept;
    private readonly double[] buffer;

    /// <summary>Wraps <paramref name="inner"/> so actions in [<paramref name="minAction"/>, <paramref name="maxAction"/>] (every element) map onto its Box.</summary>
    /// <exception cref="ArgumentException">The inner space is not a bounded Box, or min ≥ max.</exception>
    public RescaleAction(IEnvironment inner, double minAction = -1.0, double maxAction = 1.0)
        : this(inner, Enumerable.Repeat(minAction, inner?.ActionSpace.Size ?? 0).ToArray(), Enumerable.Repeat(maxAction, inner?.ActionSpace.Size ?? 0).ToArray())
    {
    }

    /// <summary>Wraps <paramref name="inner"/> with element-wise bounds of the new action space.</summary>
    /// <exception cref="ArgumentException">The inner space is not a bounded Box, a bound array has the wrong length, or min[i] ≥ max[i].</exception>
    public RescaleAction(IEnvironment inner, double[] minAction, double[] maxAction)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(minAction);
        ArgumentNullException.ThrowIfNull(maxAction);
        innerSpace = inner.ActionSpace as BoxSpace
            ?? throw new ArgumentException($"RescaleAction needs a Box action space; {inner.Id} has {inner.ActionSpace}.", nameof(inner));
        if (!innerSpace.IsBounded)
        {
            throw new ArgumentException($"RescaleAction needs finite bounds; {inner.Id} has {innerSpace}.", nameof(inner));
        }

        var n = innerSpace.Size;
        if (minAction.Length != n || maxAction.Length != n)
        {
            throw new ArgumentException($"RescaleAction: {innerSpace} needs {n} bounds each, got min of {minAction.Length} and max of {maxAction.Length}.", nameof(minAction));
        }

        gradient = new double[n];
        intercept = new double[n];
        for (var i = 0; i < n; i++)
        {
            if (!(minAction[i] < maxAction[i]) || !double.IsFinite(minAction[i]) || !double.IsFinite(maxAction[i]))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"RescaleAction: element {i} needs finite min < max, got min = {minAction[i]}, max = {maxAction[i]} (the rescaling must be invertible)."), nameof(minAction));
            }

            gradient[i] = (innerSpace.High[i] - innerSpace.Low[i]) / (maxAction[i] - minAction[i]);
            intercept[i] = innerSpace.High[i] - (gradient[i] * maxAction[i]);
        }

        ActionSpace = new BoxSpace(minAction, maxAction, [.. innerSpace.Shape]);
        buffer = new double[n];
    }

    /// <summary>Box(min, max) of the inner action's shape.</summary>
    public override Space ActionSpace { get; }

    /// <inheritdoc/>
    public override Transition StepInto(ReadOnlySpan<double> action, Span<double> observation)
    {
        ActionSpace.Validate(action, nameof(action));
        var low = innerSpace.Low;
        var high = innerSpace.High;
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = Math.Min(Math.Max((gradient[i] * action[i]) + intercept[i], low[i]), high[i]);
        }

        return Inner.StepInto(buffer, observation);
    }
}
