using System.Globalization;

namespace McGrad.Optim;

/// <summary>
/// A value that depends on the step t = 0, 1, 2, … (a learning-rate schedule). A <see cref="double"/> converts
/// implicitly to a constant schedule, so <c>Transforms.Adam(1e-3)</c> and
/// <c>Transforms.Adam(Schedule.Cosine(1e-3, 1000))</c> both work.
/// </summary>
/// <remarks>
/// Schedules are pure functions of t; the step counter lives in the state of <see cref="ScaleByLearningRate"/>.
/// Composite schedules (<see cref="Join"/>, <see cref="WarmupThen"/>) restart the inner schedule's t at its
/// boundary, as optax's join_schedules does.
/// </remarks>
public abstract class Schedule
{
    /// <summary>The value at step <paramref name="step"/>.</summary>
    /// <param name="step">t ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">t is negative.</exception>
    public double ValueAt(int step)
    {
        if (step < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, $"Schedule {this}: step must be >= 0; got {step}.");
        }

        return Evaluate(step);
    }

    /// <summary>The value at a step already checked to be ≥ 0.</summary>
    /// <param name="step">t ≥ 0.</param>
    protected abstract double Evaluate(int step);

    /// <summary>A constant schedule (same as <see cref="Constant"/>).</summary>
    /// <param name="value">The value at every step.</param>
    public static implicit operator Schedule(double value) => Constant(value);

    /// <summary>A constant schedule (named alternative to the implicit conversion).</summary>
    /// <param name="value">The value at every step.</param>
    public static Schedule FromDouble(double value) => Constant(value);

    /// <summary>v(t) = c.</summary>
    /// <param name="value">c, finite.</param>
    /// <exception cref="ArgumentOutOfRangeException">c is NaN or infinite.</exception>
    public static Schedule Constant(double value)
    {
        OptimArgs.Finite(value, "Schedule.Constant", nameof(value));
        return new ConstantSchedule(value);
    }

    /// <summary>A schedule computed by <paramref name="function"/>(t).</summary>
    /// <param name="function">The function of the step.</param>
    /// <param name="name">Shown in messages (default "Func").</param>
    public static Schedule FromFunc(Func<int, double> function, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new FuncSchedule(function, name ?? "Func");
    }

    /// <summary>v(t) = a + (b − a)·min(t, n)/n: linear from a at t = 0 to b at t = n, then b.</summary>
    /// <param name="from">a, finite.</param>
    /// <param name="to">b, finite.</param>
    /// <param name="steps">n ≥ 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">n &lt; 1 or a value is not finite.</exception>
    public static Schedule Linear(double from, double to, int steps)
    {
        OptimArgs.Finite(from, "Schedule.Linear", nameof(from));
        OptimArgs.Finite(to, "Schedule.Linear", nameof(to));
        OptimArgs.AtLeast(steps, 1, "Schedule.Linear", nameof(steps));
        return new LinearSchedule(from, to, steps);
    }

    /// <summary>
    /// Cosine decay: v(t) = f + (v0 − f)·(1 + cos(π·min(t, n)/n))/2, so v(0) = v0, v(n/2) = (v0 + f)/2 and
    /// v(t) = f for t ≥ n (Loshchilov and Hutter 2017, without restarts).
    /// </summary>
    /// <param name="initial">v0, finite.</param>
    /// <param name="steps">n ≥ 1, the decay length.</param>
    /// <param name="final">f, the value from step n on (default 0), finite.</param>
    /// <exception cref="ArgumentOutOfRangeException">n &lt; 1 or a value is not finite.</exception>
    public static Schedule Cosine(double initial, int steps, double final = 0)
    {
        OptimArgs.Finite(initial, "Schedule.Cosine", nameof(initial));
        OptimArgs.Finite(final, "Schedule.Cosine", nameof(final));
        OptimArgs.AtLeast(steps, 1, "Schedule.Cosine", nameof(steps));
        return new CosineSchedule(initial, steps, final);
    }

    /// <summary>
    /// Exponential decay: v(t) = v0·r^(t/k), or v0·r^⌊t/k⌋ with <paramref name="staircase"/>
    /// (k = 1 is torch's ExponentialLR with γ = r).
    /// </summary>
    /// <param name="initial">v0, finite.</param>
    /// <param name="rate">r, finite and &gt; 0.</param>
    /// <param name="decaySteps">k ≥ 1, the steps over which the value is multiplied by r.</param>
    /// <param name="staircase">Decay in whole multiples of k steps.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public static Schedule Exponential(double initial, double rate, int decaySteps = 1, bool staircase = false)
    {
        OptimArgs.Finite(initial, "Schedule.Exponential", nameof(initial));
        OptimArgs.Positive(rate, "Schedule.Exponential", nameof(rate));
        OptimArgs.AtLeast(decaySteps, 1, "Schedule.Exponential", nameof(decaySteps));
        return new ExponentialSchedule(initial, rate, decaySteps, staircase);
    }

    /// <summary>
    /// Joins schedules at boundaries b_1 &lt; b_2 &lt; …: for b_k ≤ t &lt; b_{k+1}, v(t) = s_k(t − b_k) (with b_0 = 0),
    /// so each schedule starts again from its own step 0.
    /// </summary>
    /// <param name="schedules">s_0 … s_K (K + 1 schedules).</param>
    /// <param name="boundaries">b_1 … b_K, strictly increasing and ≥ 1.</param>
    /// <exception cref="ArgumentException">The counts do not match, or the boundaries are not increasing and positive.</exception>
    public static Schedule Join(IReadOnlyList<Schedule> schedules, IReadOnlyList<int> boundaries)
    {
        ArgumentNullException.ThrowIfNull(schedules);
        ArgumentNullException.ThrowIfNull(boundaries);
        if (schedules.Count != boundaries.Count + 1)
        {
            throw new ArgumentException($"Schedule.Join: got {schedules.Count} schedules and {boundaries.Count} boundaries; expected one more schedule than boundaries.", nameof(boundaries));
        }

        for (var i = 0; i < schedules.Count; i++)
        {
            if (schedules[i] is null)
            {
                throw new ArgumentException($"Schedule.Join: schedules[{i}] is null.", nameof(schedules));
            }
        }

        for (var i = 0; i < boundaries.Count; i++)
        {
            if (boundaries[i] < 1 || (i > 0 && boundaries[i] <= boundaries[i - 1]))
            {
                throw new ArgumentException($"Schedule.Join: boundaries must be >= 1 and strictly increasing; got [{string.Join(", ", boundaries)}].", nameof(boundaries));
            }
        }

        return new JoinSchedule([.. schedules], [.. boundaries]);
    }

    /// <summary>
    /// Linear warm-up, then <paramref name="then"/>: v(t) = a + (s(0) − a)·t/w for t &lt; w, and v(t) = s(t − w) for
    /// t ≥ w, where s = <paramref name="then"/>; so v(w) = s(0), the peak.
    /// </summary>
    /// <param name="warmupSteps">w ≥ 1.</param>
    /// <param name="then">s, the schedule after warm-up (it starts at its own step 0).</param>
    /// <param name="start">a, the value at t = 0 (default 0), finite.</param>
    /// <exception cref="ArgumentOutOfRangeException">w &lt; 1 or a is not finite.</exception>
    public static Schedule WarmupThen(int warmupSteps, Schedule then, double start = 0)
    {
        ArgumentNullException.ThrowIfNull(then);
        OptimArgs.AtLeast(warmupSteps, 1, "Schedule.WarmupThen", nameof(warmupSteps));
        OptimArgs.Finite(start, "Schedule.WarmupThen", nameof(start));
        return Join([Linear(start, then.ValueAt(0), warmupSteps), then], [warmupSteps]);
    }

    /// <summary>
    /// Linear warm-up from <paramref name="start"/> to <paramref name="peak"/> over w steps, then cosine decay to
    /// <paramref name="final"/> at step <paramref name="totalSteps"/> (a common transformer schedule).
    /// </summary>
    /// <param name="peak">The value at step w.</param>
    /// <param name="warmupSteps">w ≥ 1.</param>
    /// <param name="totalSteps">The step at which <paramref name="final"/> is reached, &gt; w.</param>
    /// <param name="final">The value from <paramref name="totalSteps"/> on (default 0).</param>
    /// <param name="start">The value at step 0 (default 0).</param>
    /// <exception cref="ArgumentOutOfRangeException">totalSteps ≤ w, or another argument is outside its range.</exception>
    public static Schedule WarmupCosine(double peak, int warmupSteps, int totalSteps, double final = 0, double start = 0)
    {
        OptimArgs.AtLeast(warmupSteps, 1, "Schedule.WarmupCosine", nameof(warmupSteps));
        OptimArgs.AtLeast(totalSteps, warmupSteps + 1, "Schedule.WarmupCosine", nameof(totalSteps));
        return WarmupThen(warmupSteps, Cosine(peak, totalSteps - warmupSteps, final), start);
    }

    private protected static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}

internal sealed class ConstantSchedule(double value) : Schedule
{
    public double Value { get; } = value;

    protected override double Evaluate(int step) => Value;

    public override string ToString() => $"Constant({F(Value)})";
}

internal sealed class FuncSchedule(Func<int, double> function, string name) : Schedule
{
    protected override double Evaluate(int step) => function(step);

    public override string ToString() => name;
}

internal sealed class LinearSchedule(double from, double to, int steps) : Schedule
{
    protected override double Evaluate(int step) => step >= steps ? to : from + ((to - from) * step / steps);

    public override string ToString() => $"Linear({F(from)} -> {F(to)} over {steps})";
}

internal sealed class CosineSchedule(double initial, int steps, double final) : Schedule
{
    protected override double Evaluate(int step)
        => step >= steps ? final : final + ((initial - final) * 0.5 * (1 + Math.Cos(Math.PI * step / steps)));

    public override string ToString() => $"Cosine({F(initial)} -> {F(final)} over {steps})";
}

internal sealed class ExponentialSchedule(double initial, double rate, int decaySteps, bool staircase) : Schedule
{
    protected override double Evaluate(int step)
    {
        var e = staircase ? step / decaySteps : (double)step / decaySteps;
        return initial * Math.Pow(rate, e);
    }

    public override string ToString() => $"Exponential({F(initial)} * {F(rate)}^(t/{decaySteps}){(staircase ? " staircase" : "")})";
}

internal sealed class JoinSchedule(Schedule[] schedules, int[] boundaries) : Schedule
{
    protected override double Evaluate(int step)
    {
        var k = 0;
        while (k < boundaries.Length && step >= boundaries[k])
        {
            k++;
        }

        return schedules[k].ValueAt(k == 0 ? step : step - boundaries[k - 1]);
    }

    public override string ToString() => $"Join([{string.Join(", ", schedules.Select(s => s.ToString()))}] at [{string.Join(", ", boundaries)}])";
}
