using System.Globalization;
using McGrad.Randomness;

namespace McGrad.Rl;

/// <summary>
/// A set of values an observation or action may take (Gymnasium's <c>Space</c>), with values flattened to float64
/// spans of <see cref="Size"/> elements in row-major order of <see cref="Shape"/>.
/// </summary>
/// <remarks>
/// <see cref="Validate"/> is the check every environment runs on an action before stepping: its errors name the
/// space, the value and what was expected. A space is immutable.
/// </remarks>
public abstract class Space
{
    /// <summary>Creates a space of the given shape.</summary>
    /// <exception cref="ArgumentException">A dimension is not positive.</exception>
    protected Space(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        foreach (var d in shape)
        {
            if (d <= 0)
            {
                throw new ArgumentException($"A space's dimensions must be positive, got shape [{string.Join(", ", shape)}].", nameof(shape));
            }
        }

        Shape = (int[])shape.Clone();
        var size = 1;
        foreach (var d in shape)
        {
            size = checked(size * d);
        }

        Size = size;
    }

    /// <summary>The shape of one value (Gymnasium's <c>space.shape</c>); <c>[]</c> for a scalar such as a discrete action.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>The number of float64 elements in one flattened value: ∏ <see cref="Shape"/> (1 for a scalar).</summary>
    public int Size { get; }

    /// <summary>True when <paramref name="value"/> (flattened, <see cref="Size"/> elements) is a member of the space.</summary>
    public abstract bool Contains(ReadOnlySpan<double> value);

    /// <summary>
    /// Throws unless <paramref name="value"/> is a member of the space; the message names the space (its <c>ToString()</c>),
    /// the value and what was wrong (length, NaN, non-integer, out of bounds).
    /// </summary>
    /// <param name="value">The flattened value.</param>
    /// <param name="paramName">The argument name to report (e.g. <c>"action"</c>).</param>
    /// <exception cref="ArgumentException">The value is not in the space.</exception>
    public abstract void Validate(ReadOnlySpan<double> value, string paramName);

    /// <summary>A value drawn from the space, determined by <paramref name="key"/> alone (see the subclass for the distribution).</summary>
    public abstract double[] Sample(RngKey key);

    /// <summary>A short rendering of a value for error messages: up to 8 elements, with round-trip precision.</summary>
    internal static string Format(ReadOnlySpan<double> value)
    {
        var parts = new List<string>();
        for (var i = 0; i < value.Length && i < 8; i++)
        {
            parts.Add(value[i].ToString("R", CultureInfo.InvariantCulture));
        }

        if (value.Length > 8)
        {
            parts.Add($"… ({value.Length} elements)");
        }

        return "[" + string.Join(", ", parts) + "]";
    }
}
