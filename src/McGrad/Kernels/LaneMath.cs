using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace McGrad.Kernels;

/// <summary>
/// Vectorised exp, log, sin, cos and sigmoid whose result for an element depends on that element alone: not on its
/// neighbours, on the span's length or alignment, on how an op was cut across threads, or on whether the element was
/// computed alone.
/// </summary>
/// <remarks>
/// <para>
/// <c>TensorPrimitives</c> (and the <c>Vector256.Sin</c>-style functions it calls) do not give that guarantee: spans shorter
/// than a vector run the scalar C-runtime function while longer ones run a vector polynomial (they differ by an ulp on
/// many inputs), and several vector kernels branch on the whole vector — double <c>Sin</c>/<c>Cos</c> use a different
/// polynomial when all lanes are below π/4 or all below 2⁻¹³, and a lane above 5·10⁶ (or NaN, ±∞, a large exp argument)
/// sends every lane of its vector to the scalar function. Which lanes share a vector depends on the span's alignment,
/// so the same data gave results differing by an ulp from call to call.
/// </para>
/// <para>
/// Here every element is first assigned a class from its own value, chosen so that within one class the vector kernel
/// takes the same branch for every lane; elements of one class are gathered into an aligned buffer of exactly
/// <see cref="Block"/> elements (padded with an in-class value) and computed by one <c>TensorPrimitives</c> call, and
/// elements outside every vector class (NaN, ±∞, huge arguments) by the scalar function. The classes follow the branch thresholds of the .NET 10 vector kernels; the unit
/// tests (<c>LaneMathTests</c>) check bit-identity on unaligned slices, against elements computed alone and across
/// thread counts, and would catch a runtime whose thresholds changed.
/// </para>
/// </remarks>
internal static class LaneMath
{
    /// <summary>
    /// Elements per call of a vector kernel. Every call gets exactly this many elements in a 64-byte-aligned buffer, so it
    /// always runs the same code path: the kernels' results can depend on the path (scalar for short spans, different
    /// unrolled copies for the preamble, body and tail of a span), not only on the lane's value.
    /// </summary>
    internal const int Block = 64;

    private const int ScalarClass = 3;

    public static void Exp<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Apply<T, ExpFn>(x, y);

    public static void Log<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Apply<T, LogFn>(x, y);

    public static void Sin<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Apply<T, SinFn>(x, y);

    public static void Cos<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Apply<T, CosFn>(x, y);

    public static void Sigmoid<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Apply<T, SigmoidFn>(x, y);

    /// <summary>y = f(x) elementwise; y may be x itself (same start), as with TensorPrimitives.</summary>
    [SkipLocalsInit]
    private static unsafe void Apply<T, TF>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TF : ILaneFunction
    {
        if (y.Length < x.Length)
        {
            throw new ArgumentException($"LaneMath: destination has {y.Length} elements for {x.Length} inputs.", nameof(y));
        }

        var raw = stackalloc byte[(Block * sizeof(T)) + 64];
        var buf = new Span<T>((void*)(((nint)raw + 63) & ~(nint)63), Block);
        Span<byte> cls = stackalloc byte[Block];
        Span<int> idx = stackalloc int[Block];
        for (var s = 0; s < x.Length; s += Block)
        {
            var n = Math.Min(Block, x.Length - s);
            var xs = x.Slice(s, n);
            var ys = y.Slice(s, n);
            if (TF.AllInMainClass(xs))
            {
                xs.CopyTo(buf);
                buf[n..].Fill(TF.Pad<T>(0));
                TF.Vector<T>(buf, buf);
                buf[..n].CopyTo(ys);
                continue;
            }

            var present = 0;
            for (var i = 0; i < n; i++)
            {
                var c = TF.Class(xs[i]);
                cls[i] = (byte)c;
                present |= 1 << c;
            }

            for (var c = 0; c < ScalarClass; c++)
            {
                if ((present & (1 << c)) == 0)
                {
                    continue;
                }

                var m = 0;
                for (var i = 0; i < n; i++)
                {
                    if (cls[i] == c)
                    {
                        buf[m] = xs[i];
                        idx[m++] = i;
                    }
                }

                buf[m..].Fill(TF.Pad<T>(c));
                TF.Vector<T>(buf, buf);
                for (var j = 0; j < m; j++)
                {
                    ys[idx[j]] = buf[j];
                }
            }

            if ((present & (1 << ScalarClass)) != 0)
            {
                for (var i = 0; i < n; i++)
                {
                    if (cls[i] == ScalarClass)
                    {
                        ys[i] = TF.Scalar(xs[i]);
                    }
                }
            }
        }
    }

    /// <summary>One function: its element classes, the vector kernel and the scalar fallback.</summary>
    private interface ILaneFunction
    {
        /// <summary>True when every element is in class 0 (a vectorised check for the common case).</summary>
        static abstract bool AllInMainClass<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>;

        /// <summary>0, 1 or 2: a class the vector kernel treats uniformly; <see cref="ScalarClass"/>: use the scalar function.</summary>
        static abstract int Class<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>;

        /// <summary>A value of class <paramref name="c"/> used to pad short vectors.</summary>
        static abstract T Pad<T>(int c) where T : unmanaged, IFloatingPointIeee754<T>;

        static abstract void Vector<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>;

        static abstract T Scalar<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>;
    }

    /// <summary>|x| ≤ bound (false for NaN), vectorised.</summary>
    private static bool MagnitudeAtMost<T>(ReadOnlySpan<T> x, double bound) where T : unmanaged, IFloatingPointIeee754<T>
        => T.Abs(TensorPrimitives.MaxMagnitude(x)) <= T.CreateTruncating(bound); // MaxMagnitude keeps the sign; NaN propagates

    /// <summary>exp: one vector class, |x| ≤ 700 (float32: 80) where no lane overflows or underflows.</summary>
    private readonly struct ExpFn : ILaneFunction
    {
        private static double Bound<T>() => typeof(T) == typeof(float) ? 80 : 700;

        public static bool AllInMainClass<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => MagnitudeAtMost(x, Bound<T>());

        public static int Class<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Abs(x) <= T.CreateTruncating(Bound<T>()) ? 0 : ScalarClass;

        public static T Pad<T>(int c) where T : unmanaged, IFloatingPointIeee754<T> => T.Zero;

        public static void Vector<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Exp(x, y);

        public static T Scalar<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Exp(x);
    }

    /// <summary>σ(x) = 1/(1 + e⁻ˣ): the classes of exp.</summary>
    private readonly struct SigmoidFn : ILaneFunction
    {
        public static bool AllInMainClass<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => ExpFn.AllInMainClass(x);

        public static int Class<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => ExpFn.Class(x);

        public static T Pad<T>(int c) where T : unmanaged, IFloatingPointIeee754<T> => T.Zero;

        public static void Vector<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sigmoid(x, y);

        public static T Scalar<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.One / (T.One + T.Exp(-x));
    }

    /// <summary>log: one vector class, positive normal values (1e-300 … 1e300; float32 1e-37 … 1e37).</summary>
    private readonly struct LogFn : ILaneFunction
    {
        private static (T Lo, T Hi) Range<T>() where T : unmanaged, IFloatingPointIeee754<T>
            => typeof(T) == typeof(float) ? (T.CreateTruncating(1e-37), T.CreateTruncating(1e37)) : (T.CreateTruncating(1e-300), T.CreateTruncating(1e300));

        public static bool AllInMainClass<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (lo, hi) = Range<T>();
            return TensorPrimitives.Min(x) >= lo && TensorPrimitives.Max(x) <= hi; // Min/Max propagate NaN: false
        }

        public static int Class<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (lo, hi) = Range<T>();
            return x >= lo && x <= hi ? 0 : ScalarClass;
        }

        public static T Pad<T>(int c) where T : unmanaged, IFloatingPointIeee754<T> => T.One;

        public static void Vector<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Log(x, y);

        public static T Scalar<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Log(x);
    }

    /// <summary>
    /// The classes of the .NET vector sin/cos (float32 and float64 alike): |x| &lt; 2⁻¹³, 2⁻¹³ ≤ |x| ≤ π/4, π/4 &lt; |x| &lt; 5·10⁶;
    /// anything else (larger, ±∞, NaN) runs the scalar function.
    /// </summary>
    private static int TrigClass<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double))
        {
            var u = BitConverter.DoubleToInt64Bits(double.Abs(Unsafe.As<T, double>(ref x)));
            return u < 0x3F20000000000000L ? 0 : u <= 0x3FE921FB54442D18L ? 1 : u < 0x415312D000000000L ? 2 : ScalarClass;
        }

        var v = BitConverter.SingleToInt32Bits(float.Abs(Unsafe.As<T, float>(ref x)));
        return v < 0x3C000000 ? 0 : v <= 0x3F490FDB ? 1 : v < 0x4A989680 ? 2 : ScalarClass;
    }

    private static T TrigPad<T>(int c) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(c switch { 0 => 0.0, 1 => 0.5, _ => 1.0 });

    private readonly struct SinFn : ILaneFunction
    {
        public static bool AllInMainClass<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => false; // classify every block

        public static int Class<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => TrigClass(x);

        public static T Pad<T>(int c) where T : unmanaged, IFloatingPointIeee754<T> => TrigPad<T>(c);

        public static void Vector<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sin(x, y);

        public static T Scalar<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Sin(x);
    }

    private readonly struct CosFn : ILaneFunction
    {
        public static bool AllInMainClass<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => false;

        public static int Class<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => TrigClass(x);

        public static T Pad<T>(int c) where T : unmanaged, IFloatingPointIeee754<T> => TrigPad<T>(c);

        public static void Vector<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Cos(x, y);

        public static T Scalar<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Cos(x);
    }
}
