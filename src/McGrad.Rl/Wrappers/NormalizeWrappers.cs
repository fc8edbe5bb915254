using McGrad.Randomness;

namespace McGrad.Rl;

/// <summary>
/// Normalises observations with running statistics (Gymnasium's <c>NormalizeObservation</c>): each observation o
/// (from reset and step) first updates <see cref="Statistics"/> when <see cref="UpdateStatistics"/> is on, then is
/// returned as (o − μ)/√(σ² + ε). The wrapper's observation space is Box(−∞, ∞).
/// </summary>
/// <remarks>Gymnasium keeps the statistics in float32 and returns float32; McGrad keeps and returns float64. Turn
/// <see cref="UpdateStatistics"/> off to evaluate a trained policy with frozen statistics; save them with
/// <see cref="RunningMeanStd.ToTensors"/>.</remarks>
public sealed class NormalizeObservation : EnvironmentWrapper
{
    private readonly double epsilon;

    /// <summary>Wraps <paramref name="inner"/>, with ε = <paramref name="epsilon"/> in the denominator.</summary>
    /// <exception cref="ArgumentOutOfRangeException">epsilon ≤ 0.</exception>
    public NormalizeObservation(IEnvironment inner, double epsilon = 1e-8)
        : base(inner)
    {
        if (!(epsilon > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "NormalizeObservation: epsilon must be positive.");
        }

        this.epsilon = epsilon;
        var n = inner.ObservationSpace.Size;
        ObservationSpace = new BoxSpace(double.NegativeInfinity, double.PositiveInfinity, n);
        Statistics = new RunningMeanStd(n);
    }

    /// <summary>Box(−∞, ∞) of the inner observation's size (flattened).</summary>
    public override Space ObservationSpace { get; }

    /// <summary>The running statistics (explicit state: read, set or save it).</summary>
    public RunningMeanStd Statistics { get; }

    /// <summary>Whether each observation updates <see cref="Statistics"/> (default true).</summary>
    public bool UpdateStatistics { get; set; } = true;

    /// <inheritdoc/>
    public override void ResetInto(RngKey key, Span<double> observation)
    {
        Inner.ResetInto(key, observation);
        Normalize(observation);
    }

    /// <inheritdoc/>
    public override void SetStateInto(ReadOnlySpan<double> state, Span<double> observation)
    {
        Inner.SetStateInto(state, observation);
        Normalize(observation);
    }

    /// <inheritdoc/>
    public override Transition StepInto(ReadOnlySpan<double> action, Span<double> observation)
    {
        var t = Inner.StepInto(action, observation);
        Normalize(observation);
        return t;
    }

    private void Normalize(Span<double> o)
    {
        if (UpdateStatistics)
        {
            Statistics.Update(o);
        }

        var mean = Statistics.Mean;
        var var = Statistics.Var;
        for (var i = 0; i < o.Length; i++)
        {
            o[i] = (o[i] - mean[i]) / Math.Sqrt(var[i] + epsilon);
        }
    }
}

/// <summary>
/// Scales rewards by the running standard deviation of a discounted return (Gymnasium's <c>NormalizeReward</c>):
/// G ← G·γ·(1 − terminated) + r, the statistics of G are updated, and the reward returned is r/√(Var[G] + ε)
/// (not centred: see openai/baselines#538).
/// </summary>
/// <remarks>As in Gymnasium, G is zeroed only by termination, not by truncation or reset (its code keeps this for
/// backward compatibility), so results match CleanRL's. The state is <see cref="Statistics"/> and
/// <see cref="DiscountedReturn"/>.</remarks>
public sealed class NormalizeReward : EnvironmentWrapper
{
    private readonly double epsilon;
    private readonly double[] g = new double[1];

    /// <summary>Wraps <paramref name="inner"/> with discount <paramref name="gamma"/> and ε = <paramref name="epsilon"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">gamma ∉ [0, 1] or epsilon ≤ 0.</exception>
    public NormalizeReward(IEnvironment inner, double gamma = 0.99, double epsilon = 1e-8)
        : base(inner)
    {
        if (!(gamma >= 0 && gamma <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "NormalizeReward: gamma must be in [0, 1].");
        }

        if (!(epsilon > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "NormalizeReward: epsilon must be positive.");
        }

        Gamma = gamma;
        this.epsilon = epsilon;
    }

    /// <summary>The discount γ of the tracked return.</summary>
    public double Gamma { get; }

    /// <summary>The running statistics of the discounted return (one element).</summary>
    public RunningMeanStd Statistics { get; } = new(1);

    /// <summary>The tracked discounted return G (state; settable to restore a checkpoint).</summary>
    public double DiscountedReturn
    {
        get => g[0];
        set => g[0] = double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "NormalizeReward: the discounted return must be finite.");
    }

    /// <summary>Whether each step updates <see cref="Statistics"/> (default true).</summary>
    public bool UpdateStatistics { get; set; } = true;

    /// <inheritdoc/>
    public override Transition StepInto(ReadOnlySpan<double> action, Span<double> observation)
    {
        var t = Inner.StepInto(action, observation);
        g[0] = (g[0] * Gamma * (t.Terminated ? 0 : 1)) + t.Reward;
        if (UpdateStatistics)
        {
            Statistics.Update(g);
        }

        return t with { Reward = t.Reward / Math.Sqrt(Statistics.Var[0] + epsilon) };
    }
}
