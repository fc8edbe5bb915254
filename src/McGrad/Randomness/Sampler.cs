using System.Numerics.Tensors;
using McGrad.Kernels;

namespace McGrad.Randomness;

/// <summary>
/// Samplers that fill tensors of any shape from an <see cref="RngKey"/>. Element i of a result depends only on the
/// key and i (word-aligned Philox blocks), never on the thread count. Results are plain tensors (not recorded).
/// </summary>
public static partial class Sampler
{
    private const int Grain = 1 << 14;
    private const double TwoPow52 = 4503599627370496.0;

    /// <summary>
    /// Uniform on the open interval (low, high): u = low + (high − low)·v with v ∈ (0, 1) from 23 bits (float32:
    /// v = (⌊w/2⁹⌋ + ½)·2⁻²³) or 52 bits (float64) of the stream, so log(v) and log(1 − v) are always finite.
    /// </summary>
    /// <exception cref="ArgumentException">dtype is not floating point, or low ≥ high, or a bound is not finite.</exception>
    public static Tensor Uniform(RngKey key, Shape shape, DType dtype = Tensor.DefaultDType, double low = 0, double high = 1)
    {
        if (!(low < high) || !double.IsFinite(low) || !double.IsFinite(high))
        {
            throw new ArgumentException($"Uniform: need finite low < high, got low = {low}, high = {high}.", nameof(high));
        }

        var t = Tensor.Uninitialized(shape, RequireFloat(dtype, "Uniform"));
        if (dtype == DType.Float32)
        {
            var dst = (float[])t.Storage;
            Fill(key, shape.Size, 1, (words, start, count) =>
            {
                var d = dst.AsSpan(start, count);
                for (var i = 0; i < count; i++)
                {
                    d[i] = (float)Unit24(words[i]);
                }

                Affine(d, low, high);
            });
        }
        else
        {
            var dst = (double[])t.Storage;
            Fill(key, shape.Size, 2, (words, start, count) =>
            {
                var d = dst.AsSpan(start, count);
                for (var i = 0; i < count; i++)
                {
                    d[i] = Unit52(words[2 * i], words[(2 * i) + 1]);
                }

                Affine(d, low, high);
            });
        }

        return t;
    }

    /// <summary>
    /// Normal N(mean, std²) by the Box–Muller transform: for a uniform pair (u₁, u₂),
    /// z₀ = √(−2 ln u₁)·cos(2πu₂), z₁ = √(−2 ln u₁)·sin(2πu₂).
    /// </summary>
    /// <exception cref="ArgumentException">dtype is not floating point, std ≤ 0, or a parameter is not finite.</exception>
    public static Tensor Normal(RngKey key, Shape shape, DType dtype = Tensor.DefaultDType, double mean = 0, double std = 1)
    {
        if (!(std > 0) || !double.IsFinite(std) || !double.IsFinite(mean))
        {
            throw new ArgumentException($"Normal: need a finite mean and std > 0, got mean = {mean}, std = {std}.", nameof(std));
        }

        var t = Tensor.Uninitialized(shape, RequireFloat(dtype, "Normal"));
        var n = shape.Size;
        if (dtype == DType.Float32)
        {
            var dst = (float[])t.Storage;
            FillPairs(key, n, 1, (words, start, count) => BoxMuller(words, dst.AsSpan(start, count), mean, std, wordsPerUniform: 1));
        }
        else
        {
            var dst = (double[])t.Storage;
            FillPairs(key, n, 2, (words, start, count) => BoxMuller(words, dst.AsSpan(start, count), mean, std, wordsPerUniform: 2));
        }

        return t;
    }

    private static void BoxMuller<T>(ReadOnlySpan<uint> words, Span<T> dst, double mean, double std, int wordsPerUniform)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        // Pairs (2j, 2j+1) use uniforms u1 = word group 2j, u2 = word group 2j+1. Computed in double for accuracy.
        var pairs = (dst.Length + 1) / 2;
        Span<double> r = pairs <= 512 ? stackalloc double[pairs] : new double[pairs];
        Span<double> theta = pairs <= 512 ? stackalloc double[pairs] : new double[pairs];
        for (var j = 0; j < pairs; j++)
        {
            r[j] = wordsPerUniform == 1 ? Unit24(words[2 * j]) : Unit52(words[4 * j], words[(4 * j) + 1]);
            theta[j] = wordsPerUniform == 1 ? Unit24(words[(2 * j) + 1]) : Unit52(words[(4 * j) + 2], words[(4 * j) + 3]);
        }

        LaneMath.Log(r, r);
        TensorPrimitives.Multiply(r, -2.0, r);
        TensorPrimitives.Sqrt(r, r);
        TensorPrimitives.Multiply(theta, 2.0, theta);
        Span<double> sin = pairs <= 512 ? stackalloc double[pairs] : new double[pairs];
        Span<double> cos = pairs <= 512 ? stackalloc double[pairs] : new double[pairs];
        TensorPrimitives.SinCosPi(theta, sin, cos);
        for (var j = 0; j < pairs; j++)
        {
            dst[2 * j] = T.CreateChecked(mean + (std * r[j] * cos[j]));
            if ((2 * j) + 1 < dst.Length)
            {
                dst[(2 * j) + 1] = T.CreateChecked(mean + (std * r[j] * sin[j]));
            }
        }
    }

    /// <summary>(⌊w/2⁹⌋ + ½)·2⁻²³ ∈ [2⁻²⁴, 1 − 2⁻²⁴], exactly representable in float32.</summary>
    internal static double Unit24(uint w) => ((w >> 9) + 0.5) * (1.0 / (1 << 23));

    /// <summary>
    /// (⌊w/2¹²⌋ + ½)·2⁻⁵² ∈ [2⁻⁵³, 1 − 2⁻⁵³] for the 64-bit word w = hi·2³² + lo. (53 bits would round the largest
    /// value up to exactly 1.)
    /// </summary>
    internal static double Unit52(uint lo, uint hi) => (((((ulong)hi << 32) | lo) >> 12) + 0.5) * (1.0 / TwoPow52);

    private static void Affine<T>(Span<T> d, double low, double high)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        if (low != 0 || high != 1)
        {
            TensorPrimitives.Multiply(d, T.CreateChecked(high - low), d);
            TensorPrimitives.Add(d, T.CreateChecked(low), d);
        }
    }

    internal static DType RequireFloat(DType dtype, string op) => dtype.IsFloatingPoint()
        ? dtype
        : throw new ArgumentException($"{op}: samples need a floating-point dtype, got {dtype}.", nameof(dtype));

    /// <summary>The body gets the stream words for elements [start, start + count) (wordsPerElement each).</summary>
    internal delegate void WordsBody(ReadOnlySpan<uint> words, int start, int count);

    /// <summary>
    /// Runs <paramref name="body"/> over element chunks; element i uses stream words [i·w, (i+1)·w). Chunks are
    /// multiples of 4 elements so each starts on a Philox block boundary.
    /// </summary>
    internal static void Fill(RngKey key, int n, int wordsPerElement, WordsBody body)
    {
        var chunks = (n + Grain - 1) / Grain;
        Parallelism.For(chunks, 1, (c0, cc) =>
        {
            var words = new uint[Math.Min(Grain, n) * wordsPerElement];
            for (var c = c0; c < c0 + cc; c++)
            {
                var start = c * Grain;
                var count = Math.Min(Grain, n - start);
                var w = words.AsSpan(0, count * wordsPerElement);
                key.FillBits(w, (long)start * wordsPerElement);
                body(w, start, count);
            }
        });
    }

    /// <summary>Like <see cref="Fill"/> but elements come in pairs that share two uniforms (Box–Muller).</summary>
    private static void FillPairs(RngKey key, int n, int wordsPerUniform, WordsBody body) => Fill(key, n, wordsPerUniform, (words, start, count) =>
    {
        // An odd-sized chunk can only be the last, so rounding up its word count stays inside this element range's own stream.
        if ((count & 1) == 1)
        {
            var padded = new uint[(count + 1) * wordsPerUniform];
            key.FillBits(padded, (long)start * wordsPerUniform);
            body(padded, start, count);
            return;
        }

        body(words, start, count);
    });
}
