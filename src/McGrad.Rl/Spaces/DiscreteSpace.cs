using System.Globalization;
using McGrad.Randomness;

namespace McGrad.Rl;

/// <summary>
/// The integers {start, start + 1, …, start + n − 1} (Gymnasium's <c>Discrete(n, start)</c>). A value is a span of one
/// float64 element holding an integer.
/// </summary>
public sealed class DiscreteSpace : Space
{
    /// <summary>Creates the space of <paramref name="n"/> integers from <paramref name="start"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">n is not positive.</exception>
    public DiscreteSpace(int n, int start = 0)
        : base([])
    {
        if (n <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "A discrete space needs n ≥ 1 values.");
        }

        N = n;
        Start = start;
    }

    /// <summary>The number of values.</summary>
    public int N { get; }

    /// <summary>The smallest value.</summary>
    public int Start { get; }

    /// <summary>True when <paramref name="value"/> is the integer <paramref name="value"/> ∈ [Start, Start + N).</summary>
    public bool Contains(int value) => value >= Start && value - Start < N;

    /// <inheritdoc/>
    public override bool Contains(ReadOnlySpan<double> value)
        => value.Length == 1 && value[0] == Math.Floor(value[0]) && value[0] >= Start && value[0] < (double)Start + N;

    /// <inheritdoc/>
    public override void Validate(ReadOnlySpan<double> value, string paramName)
    {
        if (value.Length != 1)
        {
            throw new ArgumentException($"{paramName} {Format(value)} has {value.Length} elements; {this} takes one integer.", paramName);
        }

        Validate(value[0], paramName);
    }

    /// <summary>Throws unless <paramref name="value"/> is an integer of the space; the message names the space and the value.</summary>
    /// <exception cref="ArgumentException">NaN, not an integer, or out of range.</exception>
    public void Validate(double value, string paramName)
    {
        if (double.IsNaN(value))
        {
            throw new ArgumentException($"{paramName} is NaN; {this} takes an integer in [{Start}, {Start + N - 1}].", paramName);
        }

        if (value != Math.Floor(value))
        {
            throw new ArgumentException($"{paramName} = {value.ToString("R", CultureInfo.InvariantCulture)} is not an integer; {this} takes an integer in [{Start}, {Start + N - 1}].", paramName);
        }

        if (!(value >= Start && value < (double)Start + N))
        {
            throw new ArgumentException($"{paramName} = {value.ToString("R", CultureInfo.InvariantCulture)} is outside {this}: expected an integer in [{Start}, {Start + N - 1}].", paramName);
        }
    }

    /// <summary>Throws unless <paramref name="value"/> ∈ [Start, Start + N).</summary>
    /// <exception cref="ArgumentException">Out of range.</exception>
    public void Validate(int value, string paramName)
    {
        if (!Contains(value))
        {
            throw new ArgumentException($"{paramName} = {value} is outside {this}: expected an integer in [{Start}, {Start + N - 1}].", paramName);
        }
    }

    /// <summary>A uniform draw from the N values: Start + ⌊N·u⌋ for u uniform on (0, 1) from <paramref name="key"/>.</summary>
    public int SampleInt(RngKey key)
    {
        var u = Sampler.Uniform(key, new Shape(1), DType.Float64).AsReadOnlySpan<double>()[0];
        return Start + Math.Min(N - 1, (int)(u * N));
    }

    /// <inheritdoc/>
    public override double[] Sample(RngKey key) => [SampleInt(key)];

    /// <summary><c>Discrete(n)</c> or <c>Discrete(n, start=s)</c>, as Gymnasium prints it.</summary>
    public override string ToString() => Start == 0 ? $"Discrete({N})" : $"Discrete({N}, start={Start})";
}
