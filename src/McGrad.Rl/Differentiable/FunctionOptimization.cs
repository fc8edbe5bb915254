using System.Globalization;
using McGrad.Randomness;

namespace McGrad.Rl.Differentiable;

/// <summary>The test function of a <see cref="FunctionOptimization"/> task.</summary>
public enum TestFunction
{
    /// <summary>De Jong's sphere f(x) = Σᵢ xᵢ², bound 5.12; minimum 0 at x = 0.</summary>
    DeJong,

    /// <summary>
    /// Ackley's f(x) = −a·exp(−b·√(Σᵢxᵢ²/d)) − exp(Σᵢcos(c·xᵢ)/d) + a + e with a = 20, b = 0.2, c = 2π, bound 32.768;
    /// minimum 0 at x = 0, surrounded by many local minima.
    /// </summary>
    Ackley,
}

/// <summary>
/// GI-PPO's function-optimisation tasks (Son et al. 2023, code envs/func_optim): one-step episodes with a constant
/// observation (a single 0), action a ∈ [−1, 1]^d clipped and scaled to x = bound·clip(a, −1, 1), reward r = −f(x).
/// The maximum reward is 0. The reward is a tensor expression in the action, so ∂r/∂a is the analytic gradient.
/// </summary>
/// <remarks>Ids: <c>dejong-1</c>, <c>dejong-64</c>, <c>ackley-1</c>, <c>ackley-64</c> (any dimension ≥ 1 is accepted).</remarks>
public sealed class FunctionOptimization : IDifferentiableEnvironment
{
    private const double AckleyA = 20, AckleyB = 0.2, AckleyC = 2 * Math.PI;

    /// <summary>A task on <paramref name="function"/> in <paramref name="dimension"/> dimensions.</summary>
    /// <exception cref="ArgumentOutOfRangeException">dimension &lt; 1 or an unknown function.</exception>
    public FunctionOptimization(TestFunction function, int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        Bound = function switch
        {
            TestFunction.DeJong => 5.12,
            TestFunction.Ackley => 32.768,
            _ => throw new ArgumentOutOfRangeException(nameof(function), function, "FunctionOptimization: expected DeJong or Ackley."),
        };
        Function = function;
        ActionSize = dimension;
    }

    /// <summary>The test function.</summary>
    public TestFunction Function { get; }

    /// <summary>x = Bound·clip(a, −1, 1).</summary>
    public double Bound { get; }

    /// <inheritdoc/>
    public string Id => string.Create(CultureInfo.InvariantCulture, $"{(Function == TestFunction.DeJong ? "dejong" : "ackley")}-{ActionSize}");

    /// <inheritdoc/>
    public int StateSize => 1;

    /// <inheritdoc/>
    public int ObservationSize => 1;

    /// <inheritdoc/>
    public int ActionSize { get; }

    /// <inheritdoc/>
    public int EpisodeLength => 1;

    /// <summary>Parses an id such as <c>ackley-64</c> (function name, a dash, the dimension).</summary>
    /// <exception cref="ArgumentException">The id is malformed; the message gives the expected form.</exception>
    public static FunctionOptimization Parse(string id) =>
        TryParse(id) ?? throw new ArgumentException($"Unknown function-optimisation task '{id}'; expected dejong-<d> or ackley-<d> with a dimension d ≥ 1 (e.g. dejong-1, ackley-64).", nameof(id));

    /// <summary>The task for an id such as <c>ackley-64</c>, or null when the id is malformed.</summary>
    public static FunctionOptimization? TryParse(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var dash = id.LastIndexOf('-');
        TestFunction? function = dash < 0 ? null : id[..dash].ToLowerInvariant() switch
        {
            "dejong" => TestFunction.DeJong,
            "ackley" => TestFunction.Ackley,
            _ => null,
        };
        return function is null || !int.TryParse(id[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var d) || d < 1
            ? null
            : new FunctionOptimization(function.Value, d);
    }

    /// <summary>f(x) for points x [n, d] (recorded): the value to minimise, before the sign flip of the reward.</summary>
    public Tensor Evaluate(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (Function == TestFunction.DeJong)
        {
            return x.Square().Sum(1);
        }

        var meanSquare = x.Square().Mean(1);
        var meanCos = (x * AckleyC).Cos().Mean(1);
        return (meanSquare.Sqrt() * -AckleyB).Exp() * -AckleyA - meanCos.Exp() + (AckleyA + Math.E);
    }

    /// <inheritdoc/>
    public Tensor Reset(int copies, RngKey key, DType dtype = DType.Float32)
    {
        DifferentiableChecks.ResetArguments(this, copies, dtype);
        return Tensor.Zeros([copies, 1], dtype);
    }

    /// <inheritdoc/>
    public Tensor Observe(Tensor state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state;
    }

    /// <summary>r = −f(Bound·clip(a, −1, 1)); the state stays the constant 0.</summary>
    public DifferentiableStep Step(Tensor state, Tensor action, RngKey key)
    {
        DifferentiableChecks.StepArguments(this, state, action);
        var x = action.Clamp(-1, 1) * Bound;
        return new DifferentiableStep(state, -Evaluate(x));
    }
}
