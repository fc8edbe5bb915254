using System.Globalization;
using McGrad.Randomness;

namespace McGrad.Rl;

/// <summary>
/// The box {x : low[i] ≤ x[i] ≤ high[i]} of float64 values of a given shape (Gymnasium's <c>Box</c>). Bounds may be
/// infinite (an observation's velocity); NaN is never a member.
/// </summary>
/// <remarks>
/// Gymnasium's classic-control boxes are float32; McGrad keeps their bounds as the float32 values widened to float64
/// (e.g. CartPole's 4.8 is 4.80000019073486328125), so an observation Gymnasium accepts is accepted here.
/// </remarks>
public sealed class BoxSpace : Space
{
    private readonly double[] low;
    private readonly double[] high;

    /// <summary>Creates the box with element-wise bounds (each of ∏ shape elements, row-major).</summary>
    /// <exception cref="ArgumentException">A bound array's length is not ∏ shape, a bound is NaN, or low[i] &gt; high[i].</exception>
    public BoxSpace(double[] low, double[] high, params int[] shape)
        : base(shape)
    {
        ArgumentNullException.ThrowIfNull(low);
        ArgumentNullException.ThrowIfNull(high);
        if (low.Length != Size || high.Length != Size)
        {
            throw new ArgumentException($"Box of shape [{string.Join(", ", shape)}] needs {Size} bounds each, got low of {low.Length} and high of {high.Length}.", nameof(low));
        }

        for (var i = 0; i < Size; i++)
        {
            if (double.IsNaN(low[i]) || double.IsNaN(high[i]) || low[i] > high[i])
            {
                throw new ArgumentException($"Box bound {i}: need low ≤ high (not NaN), got low = {low[i]}, high = {high[i]}.", nameof(low));
            }
        }

        this.low = (double[])low.Clone();
        this.high = (double[])high.Clone();
    }

    /// <summary>A box of one dimension of length <paramref name="n"/> with the same bounds for every element.</summary>
    /// <exception cref="ArgumentException">As the main constructor.</exception>
    public BoxSpace(double low, double high, int n)
        : this(Enumerable.Repeat(low, n).ToArray(), Enumerable.Repeat(high, n).ToArray(), n)
    {
    }

    /// <summary>The lower bounds, flattened.</summary>
    public ReadOnlySpan<double> Low => low;

    /// <summary>The upper bounds, flattened.</summary>
    public ReadOnlySpan<double> High => high;

    /// <summary>True when every bound is finite.</summary>
    public bool IsBounded => low.All(double.IsFinite) && high.All(double.IsFinite);

    /// <inheritdoc/>
    public override bool Contains(ReadOnlySpan<double> value)
    {
        if (value.Length != Size)
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            if (!(value[i] >= low[i] && value[i] <= high[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override void Validate(ReadOnlySpan<double> value, string paramName)
    {
        if (value.Length != Size)
        {
            throw new ArgumentException($"{paramName} {Format(value)} has {value.Length} elements; {this} takes {Size}.", paramName);
        }

        for (var i = 0; i < value.Length; i++)
        {
            if (double.IsNaN(value[i]))
            {
                throw new ArgumentException($"{paramName} {Format(value)} has NaN at element {i}; {this} takes finite values.", paramName);
            }

            if (!(value[i] >= low[i] && value[i] <= high[i]))
            {
                throw new ArgumentException(
                    $"{paramName} {Format(value)} is outside {this}: element {i} = {value[i].ToString("R", CultureInfo.InvariantCulture)} is not in [{low[i].ToString("R", CultureInfo.InvariantCulture)}, {high[i].ToString("R", CultureInfo.InvariantCulture)}] (wrap the environment in ClipAction to clip instead).",
                    paramName);
            }
        }
    }

    /// <summary>
    /// A draw determined by <paramref name="key"/>, per element as Gymnasium's <c>Box.sample</c>: uniform on (low, high)
    /// when both bounds are finite, N(0, 1) when both are infinite, low + Exp(1) or high − Exp(1) when one is.
    /// </summary>
    public override double[] Sample(RngKey key)
    {
        var keys = key.Split(2);
        var u = Sampler.Uniform(keys[0], new Shape(Size), DType.Float64).AsReadOnlySpan<double>();
        var z = Sampler.Normal(keys[1], new Shape(Size), DType.Float64).AsReadOnlySpan<double>();
        var x = new double[Size];
        for (var i = 0; i < Size; i++)
        {
            var (lo, hi) = (low[i], high[i]);
            x[i] = (double.IsFinite(lo), double.IsFinite(hi)) switch
            {
                (true, true) => Math.Clamp(lo + ((hi - lo) * u[i]), lo, hi),
                (false, false) => z[i],
                (true, false) => lo - Math.Log(u[i]),
                (false, true) => hi + Math.Log(u[i]),
            };
        }

        return x;
    }

    /// <summary><c>Box(low, high, (shape))</c>: scalar bounds when all elements share them, else the arrays.</summary>
    public override string ToString()
    {
        static string B(double[] b) => b.All(v => v == b[0]) ? F(b[0]) : "[" + string.Join(", ", b.Select(F)) + "]";
        static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        return $"Box({B(low)}, {B(high)}, ({string.Join(", ", Shape)}{(Shape.Count == 1 ? "," : "")}))";
    }
}
