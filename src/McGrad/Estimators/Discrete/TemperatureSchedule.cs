using System.Globalization;

namespace McGrad.Estimators.Discrete;

/// <summary>
/// A relaxation temperature τ(t) &gt; 0 as a function of the training step t = 0, 1, 2, … (for
/// <see cref="GumbelSoftmax"/>). A <see cref="double"/> converts implicitly to a constant schedule.
/// </summary>
/// <remarks>
/// Schedules are pure functions of t; the step lives in the estimator's explicit state (<see cref="TemperatureState"/>).
/// Jang, Gu and Poole (2017) anneal with τ(t) = max(0.5, e^{−rt}), r ∈ {10⁻⁵, 10⁻⁴}, updated every 500 steps:
/// <c>TemperatureSchedule.Exponential(rate: 1e-4, minimum: 0.5, every: 500)</c>.
/// </remarks>
public sealed class TemperatureSchedule
{
    private readonly Func<int, double> _function;
    private readonly string _name;

    private TemperatureSchedule(Func<int, double> function, string name, bool isConstant = false)
    {
        _function = function;
        _name = name;
        IsConstant = isConstant;
    }

    /// <summary>True for <see cref="Constant"/>: τ does not depend on the step, so an estimator using it is stateless.</summary>
    public bool IsConstant { get; }

    /// <summary>τ(t), checked to be finite and &gt; 0.</summary>
    /// <param name="step">t ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">t is negative.</exception>
    /// <exception cref="InvalidOperationException">The schedule (a <see cref="FromFunc"/> one) gave a temperature that is not finite and &gt; 0.</exception>
    public double ValueAt(int step)
    {
        if (step < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, $"TemperatureSchedule {_name}: step must be >= 0; got {step}.");
        }

        var v = _function(step);
        if (!(v > 0 && double.IsFinite(v)))
        {
            throw new InvalidOperationException($"TemperatureSchedule {_name}: the temperature at step {step} is {v}; a temperature must be finite and > 0.");
        }

        return v;
    }

    /// <summary>τ(t) = τ₀ at every step.</summary>
    /// <param name="temperature">τ₀, finite and &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">τ₀ is not finite and &gt; 0.</exception>
    public static TemperatureSchedule Constant(double temperature)
    {
        RequirePositive(temperature, "Constant", nameof(temperature));
        return new TemperatureSchedule(_ => temperature, string.Create(CultureInfo.InvariantCulture, $"τ={temperature:G4}"), isConstant: true);
    }

    /// <summary>A constant schedule (same as <see cref="Constant"/>).</summary>
    public static implicit operator TemperatureSchedule(double temperature) => Constant(temperature);

    /// <summary>A constant schedule (named alternative to the implicit conversion).</summary>
    public static TemperatureSchedule FromDouble(double temperature) => Constant(temperature);

    /// <summary>
    /// Exponential annealing with a floor: τ(t) = max(τ_min, τ₀·e^{−r·s}) with s = N·⌊t/N⌋ (the temperature changes
    /// every N steps). With the defaults, τ(t) = max(0.5, e^{−rt}) (Jang, Gu and Poole 2017).
    /// </summary>
    /// <param name="rate">r ≥ 0, finite.</param>
    /// <param name="minimum">τ_min, finite and &gt; 0.</param>
    /// <param name="initial">τ₀, finite and &gt; 0.</param>
    /// <param name="every">N ≥ 1, the update interval in steps.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public static TemperatureSchedule Exponential(double rate, double minimum = 0.5, double initial = 1.0, int every = 1)
    {
        if (!(rate >= 0 && double.IsFinite(rate)))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, $"TemperatureSchedule.Exponential: rate must be finite and >= 0; got {rate}.");
        }

        RequirePositive(minimum, "Exponential", nameof(minimum));
        RequirePositive(initial, "Exponential", nameof(initial));
        ArgumentOutOfRangeException.ThrowIfLessThan(every, 1);
        return new TemperatureSchedule(
            t => Math.Max(minimum, initial * Math.Exp(-rate * (every * (double)(t / every)))),
            string.Create(CultureInfo.InvariantCulture, $"max({minimum:G4}, {initial:G4}·e^(−{rate:G4}·t), every {every})"));
    }

    /// <summary>A schedule computed by <paramref name="function"/>(t); each value is checked when used.</summary>
    /// <param name="function">τ as a function of t.</param>
    /// <param name="name">Shown in names and messages (default "Func").</param>
    public static TemperatureSchedule FromFunc(Func<int, double> function, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new TemperatureSchedule(function, name ?? "Func");
    }

    /// <summary>The schedule's description, e.g. "τ=0.5".</summary>
    public override string ToString() => _name;

    private static void RequirePositive(double v, string method, string name)
    {
        if (!(v > 0 && double.IsFinite(v)))
        {
            throw new ArgumentOutOfRangeException(name, v, $"TemperatureSchedule.{method}: {name} must be finite and > 0; got {v}.");
        }
    }
}
