using System.Globalization;

namespace McGrad.Rl.Differentiable;

/// <summary>Argument checks shared by the differentiable environments.</summary>
internal static class DifferentiableChecks
{
    /// <summary>Throws unless state is [n, stateSize] and action is [n, actionSize] of the same float dtype.</summary>
    public static void StepArguments(IDifferentiableEnvironment env, Tensor state, Tensor action)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(action);
        if (state.Rank != 2 || state.Shape[1] != env.StateSize)
        {
            throw new ArgumentException($"{env.Id}.Step: state is {state.Shape}; expected [copies, {env.StateSize.ToString(CultureInfo.InvariantCulture)}].", nameof(state));
        }

        if (action.Rank != 2 || action.Shape[0] != state.Shape[0] || action.Shape[1] != env.ActionSize)
        {
            throw new ArgumentException($"{env.Id}.Step: action is {action.Shape}; expected [{state.Shape[0].ToString(CultureInfo.InvariantCulture)}, {env.ActionSize.ToString(CultureInfo.InvariantCulture)}] (one row per copy of state {state.Shape}).", nameof(action));
        }

        if (action.DType != state.DType || !state.DType.IsFloatingPoint())
        {
            throw new ArgumentException($"{env.Id}.Step: state is {state.DType} and action {action.DType}; expected the same floating-point dtype.", nameof(action));
        }
    }

    /// <summary>Throws unless copies ≥ 1 and dtype is floating point.</summary>
    public static void ResetArguments(IDifferentiableEnvironment env, int copies, DType dtype)
    {
        if (copies < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(copies), copies, $"{env.Id}.Reset: copies must be ≥ 1.");
        }

        if (!dtype.IsFloatingPoint())
        {
            throw new ArgumentException($"{env.Id}.Reset: dtype must be Float32 or Float64, got {dtype}.", nameof(dtype));
        }
    }
}
