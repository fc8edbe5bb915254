using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace McGrad.Kernels;

#pragma warning disable CA1812 // instantiated only as generic arguments

internal struct NegOp : IUnaryOp
{
    public readonly void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Negate(x, y);
}

internal struct ExpOp : IUnaryOp
{
    public readonly void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => LaneMath.Exp(x, y);
}

/// <summary>
/// tanh x = sign(x)·(−e)/(2 + e) with e = expm1(−2|x|) ∈ (−1, 0]: accurate to a few ulps everywhere (including
/// |x| ≪ 1, where <c>TensorPrimitives.Tanh</c> loses about half the digits) and free of overflow.
/// </summary>
internal struct TanhOp : IUnaryOp
{
    public readonly void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> u = stackalloc T[StableMath.Block];
        Span<T> a = stackalloc T[StableMath.Block];
        var minusTwo = T.CreateTruncating(-2);
        for (var s = 0; s < x.Length; s += StableMath.Block)
        {
            var n = Math.Min(StableMath.Block, x.Length - s);
            var xs = x.Slice(s, n);
            var ys = y.Slice(s, n);
            var ts = a[..n];
            TensorPrimitives.Abs(xs, ts);
            TensorPrimitives.Multiply(ts, minusTwo, ts);
            StableMath.Expm1<T>(ts, ys, u[..n]);
            ref var rx = ref MemoryMarshal.GetReference(xs);
            ref var ry = ref MemoryMarshal.GetReference(ys);
            var i = 0;
            if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
            {
                var two = new Vector<T>(T.CreateTruncating(2));
                for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
                {
                    var v = Vector.LoadUnsafe(ref rx, (nuint)i);
                    var e = Vector.LoadUnsafe(ref ry, (nuint)i);
                    var r = -e / (two + e);
                    r = Vector.ConditionalSelect(Vector.LessThan(v, Vector<T>.Zero), -r, r);
                    Vector.ConditionalSelect(Vector.Equals(v, Vector<T>.Zero), v, r).StoreUnsafe(ref ry, (nuint)i);
                }
            }

            for (; i < n; i++)
            {
                var e = ys[i];
                var r = -e / (T.CreateTruncating(2) + e);
                ys[i] = xs[i] < T.Zero ? -r : xs[i] == T.Zero ? xs[i] : r;
            }
        }
    }
}

internal struct LogOp : IUnaryOp
{
    public readonly void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => LaneMath.Log(x, y);
}

internal struct SqrtOp : IUnaryOp
{
    public readonly void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sqrt(x, y);
}

internal struct AbsOp : IUnaryOp
{
    public readonly void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Abs(x, y);
}

internal struct SinOp : IUnaryOp
{
    public readonly void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => LaneMath.Sin(x, y);
}

internal struct CosOp : IUnaryOp
{
    public readonly void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => LaneMath.Cos(x, y);
}

internal struct SquareOp : IUnaryOp
{
    public readonly void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(x, x, y);
}

internal struct ReciprocalOp : IUnaryOp
{
    public readonly void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(T.One, x, y);
}

internal struct FloorOp : IUnaryOp
{
    public readonly void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Floor(x, y);
}

/// <summary>Round half to even (banker's rounding), as IEEE 754 roundToIntegralTiesToEven.</summary>
internal struct RoundOp : IUnaryOp
{
    public readonly void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Round(x, y);
}

internal struct ReluOp : IUnaryOp
{
    public readonly void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(x, T.Zero, y);
}

/// <summary>x^p for a fixed scalar exponent; exact forms for p ∈ {0, 1, 2, −1}.</summary>
internal readonly struct PowScalarOp(double p) : IUnaryOp
{
    public void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (p)
        {
            case 0:
                y.Fill(T.One); // IEEE pow(x, 0) = 1 for every x, NaN included
                break;
            case 1:
                x.CopyTo(y);
                break;
            case 2:
                TensorPrimitives.Multiply(x, x, y);
                break;
            case -1:
                TensorPrimitives.Divide(T.One, x, y);
                break;
            default:
                TensorPrimitives.Pow(x, T.CreateTruncating(p), y);
                break;
        }
    }
}

/// <summary>min(max(x, lo), hi) with either side optional; NaN propagates.</summary>
internal readonly struct ClampOp(double? lo, double? hi) : IUnaryOp
{
    public void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ReadOnlySpan<T> src = x;
        if (lo is double l)
        {
            TensorPrimitives.Max(src, T.CreateTruncating(l), y);
            src = y;
        }

        if (hi is double h)
        {
            TensorPrimitives.Min(src, T.CreateTruncating(h), y);
        }
    }
}

/// <summary>1 where lo ≤ x ≤ hi (a missing bound is unbounded), else 0 (NaN gives 0): the gradient mask of Clamp.</summary>
internal readonly struct ClampMaskOp(double? lo, double? hi) : IUnaryOp
{
    public void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var l = lo is double a ? T.CreateTruncating(a) : T.NegativeInfinity;
        var h = hi is double b ? T.CreateTruncating(b) : T.PositiveInfinity;
        ref var rx = ref MemoryMarshal.GetReference(x);
        ref var ry = ref MemoryMarshal.GetReference(y);
        var i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var vl = new Vector<T>(l);
            var vh = new Vector<T>(h);
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var v = Vector.LoadUnsafe(ref rx, (nuint)i);
                var inside = Vector.GreaterThanOrEqual(v, vl) & Vector.LessThanOrEqual(v, vh);
                (inside & Vector<T>.One).StoreUnsafe(ref ry, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            y[i] = x[i] >= l && x[i] <= h ? T.One : T.Zero;
        }
    }
}

/// <summary>sign(x): 1, −1, or x itself for ±0 and NaN.</summary>
internal struct SignOp : IUnaryOp
{
    public readonly void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref var rx = ref MemoryMarshal.GetReference(x);
        ref var ry = ref MemoryMarshal.GetReference(y);
        var i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var one = Vector<T>.One;
            var zero = Vector<T>.Zero;
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var v = Vector.LoadUnsafe(ref rx, (nuint)i);
                var r = Vector.ConditionalSelect(Vector.GreaterThan(v, zero), one, Vector.ConditionalSelect(Vector.LessThan(v, zero), -one, v));
                r.StoreUnsafe(ref ry, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            var v = x[i];
            y[i] = v > T.Zero ? T.One : v < T.Zero ? T.NegativeOne : v;
        }
    }
}

/// <summary>x for x &gt; 0, slope·x otherwise.</summary>
internal readonly struct LeakyReluOp(double slope) : IUnaryOp
{
    public void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = T.CreateTruncating(slope);
        ref var rx = ref MemoryMarshal.GetReference(x);
        ref var ry = ref MemoryMarshal.GetReference(y);
        var i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var vs = new Vector<T>(s);
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var v = Vector.LoadUnsafe(ref rx, (nuint)i);
                Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<T>.Zero), v, v * vs).StoreUnsafe(ref ry, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            y[i] = x[i] > T.Zero ? x[i] : x[i] * s;
        }
    }
}

/// <summary>The LeakyRelu derivative: 1 for x &gt; 0, slope otherwise.</summary>
internal readonly struct LeakyReluGradOp(double slope) : IUnaryOp
{
    public void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = T.CreateTruncating(slope);
        ref var rx = ref MemoryMarshal.GetReference(x);
        ref var ry = ref MemoryMarshal.GetReference(y);
        var i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var vs = new Vector<T>(s);
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var v = Vector.LoadUnsafe(ref rx, (nuint)i);
                Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<T>.Zero), Vector<T>.One, vs).StoreUnsafe(ref ry, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            y[i] = x[i] > T.Zero ? T.One : s;
        }
    }
}

/// <summary>log(1 + x), accurate for small |x| (see <see cref="StableMath.Log1p{T}"/>).</summary>
internal struct Log1pOp : IUnaryOp
{
    public readonly void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> t = stackalloc T[StableMath.Block];
        for (var s = 0; s < x.Length; s += StableMath.Block)
        {
            var n = Math.Min(StableMath.Block, x.Length - s);
            StableMath.Log1p(x.Slice(s, n), y.Slice(s, n), t[..n]);
        }
    }
}

/// <summary>eˣ − 1, accurate for small |x| (see <see cref="StableMath.Expm1{T}"/>).</summary>
internal struct Expm1Op : IUnaryOp
{
    public readonly void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> t = stackalloc T[StableMath.Block];
        for (var s = 0; s < x.Length; s += StableMath.Block)
        {
            var n = Math.Min(StableMath.Block, x.Length - s);
            StableMath.Expm1(x.Slice(s, n), y.Slice(s, n), t[..n]);
        }
    }
}

/// <summary>x for x &gt; 0, α·(eˣ − 1) otherwise (with an accurate expm1).</summary>
internal readonly struct EluOp(double alpha) : IUnaryOp
{
    public void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = T.CreateTruncating(alpha);
        Span<T> t = stackalloc T[StableMath.Block];
        for (var s = 0; s < x.Length; s += StableMath.Block)
        {
            var n = Math.Min(StableMath.Block, x.Length - s);
            var xs = x.Slice(s, n);
            var ys = y.Slice(s, n);
            StableMath.Expm1(xs, ys, t[..n]);
            ref var rx = ref MemoryMarshal.GetReference(xs);
            ref var ry = ref MemoryMarshal.GetReference(ys);
            var i = 0;
            if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
            {
                var va = new Vector<T>(a);
                for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
                {
                    var v = Vector.LoadUnsafe(ref rx, (nuint)i);
                    var e = Vector.LoadUnsafe(ref ry, (nuint)i);
                    Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<T>.Zero), v, va * e).StoreUnsafe(ref ry, (nuint)i);
                }
            }

            for (; i < n; i++)
            {
                ys[i] = xs[i] > T.Zero ? xs[i] : a * ys[i];
            }
        }
    }
}

/// <summary>
/// σ(x) = 1/(1 + e⁻ˣ). <c>TensorPrimitives.Sigmoid</c> is accurate to an ulp or two and never NaN, but returns 0
/// once e⁻ˣ overflows (x &lt; −88.7 in float32, &lt; −709.8 in float64) where σ(x) ≈ eˣ is still representable; elements
/// below a cutoff are recomputed as eˣ/(1 + eˣ), which cannot overflow there. Each element depends on itself only.
/// </summary>
internal struct SigmoidOp : IUnaryOp
{
    public readonly void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.IsEmpty)
        {
            return; // TensorPrimitives.Sigmoid rejects empty spans
        }

        LaneMath.Sigmoid(x, y);
        var cutoff = T.CreateTruncating(typeof(T) == typeof(float) ? -80.0 : -700.0);
        ref var rx = ref MemoryMarshal.GetReference(x);
        var i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var vc = new Vector<T>(cutoff);
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                if (Vector.LessThanAny(Vector.LoadUnsafe(ref rx, (nuint)i), vc))
                {
                    for (var k = i; k < i + Vector<T>.Count; k++)
                    {
                        y[k] = Tail(x[k], y[k], cutoff);
                    }
                }
            }
        }

        for (; i < x.Length; i++)
        {
            y[i] = Tail(x[i], y[i], cutoff);
        }
    }

    private static T Tail<T>(T x, T y, T cutoff) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(x < cutoff))
        {
            return y;
        }

        var e = T.Exp(x);
        return e / (T.One + e);
    }
}

/// <summary>softplus(x) = max(x, 0) + log1p(e^{−|x|}).</summary>
internal struct SoftplusOp : IUnaryOp
{
    public readonly void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => StableMath.SoftplusLike<T, SoftplusCombine>(x, default, y);
}

/// <summary>log σ(x) = −softplus(−x) = min(x, 0) − log1p(e^{−|x|}).</summary>
internal struct LogSigmoidOp : IUnaryOp
{
    public readonly void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => StableMath.SoftplusLike<T, LogSigmoidCombine>(x, default, y);
}

/// <summary>How a softplus-like op combines x, an optional second operand t and l = log1p(e^{−|x|}).</summary>
internal interface ISoftplusCombine
{
    static abstract T Apply<T>(T x, T t, T l)
        where T : unmanaged, IFloatingPointIeee754<T>;

    static abstract Vector<T> Apply<T>(Vector<T> x, Vector<T> t, Vector<T> l)
        where T : unmanaged, IFloatingPointIeee754<T>;
}

internal struct SoftplusCombine : ISoftplusCombine
{
    public static T Apply<T>(T x, T t, T l) where T : unmanaged, IFloatingPointIeee754<T> => T.Max(x, T.Zero) + l;

    public static Vector<T> Apply<T>(Vector<T> x, Vector<T> t, Vector<T> l) where T : unmanaged, IFloatingPointIeee754<T> => Vector.Max(x, Vector<T>.Zero) + l;
}

internal struct LogSigmoidCombine : ISoftplusCombine
{
    public static T Apply<T>(T x, T t, T l) where T : unmanaged, IFloatingPointIeee754<T> => T.Min(x, T.Zero) - l;

    public static Vector<T> Apply<T>(Vector<T> x, Vector<T> t, Vector<T> l) where T : unmanaged, IFloatingPointIeee754<T> => Vector.Min(x, Vector<T>.Zero) - l;
}

/// <summary>Binary cross-entropy with logits: (max(x, 0) − x·t) + log1p(e^{−|x|}); the first bracket is exact for t ∈ {0, 1}.</summary>
internal struct BceWithLogitsCombine : ISoftplusCombine
{
    public static T Apply<T>(T x, T t, T l) where T : unmanaged, IFloatingPointIeee754<T> => (T.Max(x, T.Zero) - (x * t)) + l;

    public static Vector<T> Apply<T>(Vector<T> x, Vector<T> t, Vector<T> l) where T : unmanaged, IFloatingPointIeee754<T> => (Vector.Max(x, Vector<T>.Zero) - (x * t)) + l;
}

/// <summary>
/// Span kernels for functions whose naive forms lose accuracy or overflow. <c>TensorPrimitives.LogP1/ExpM1</c>
/// evaluate log(1 + x) and eˣ − 1 literally, which cancels for small |x|; these kernels apply the classic
/// corrections (Goldberg 1991 for log1p; Kahan's trick for expm1) on top of the vectorised Log/Exp.
/// </summary>
internal static class StableMath
{
    /// <summary>Elements processed per block (each block uses stack scratch of this size).</summary>
    public const int Block = 512;

    /// <summary>
    /// log1p(x) = log(u)·x/(u − 1) with u = 1 + x rounded (x itself when u = 1); u − 1 is exact, so the rounding
    /// error of u cancels. <paramref name="y"/> must not overlap <paramref name="x"/>; <paramref name="u"/> is scratch.
    /// </summary>
    public static void Log1p<T>(ReadOnlySpan<T> x, Span<T> y, Span<T> u)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Add(x, T.One, u);
        LaneMath.Log(u, y);
        ref var rx = ref MemoryMarshal.GetReference(x);
        ref var ry = ref MemoryMarshal.GetReference(y);
        ref var ru = ref MemoryMarshal.GetReference(u);
        var i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var inf = new Vector<T>(T.PositiveInfinity);
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var vx = Vector.LoadUnsafe(ref rx, (nuint)i);
                var vu = Vector.LoadUnsafe(ref ru, (nuint)i);
                var vl = Vector.LoadUnsafe(ref ry, (nuint)i);
                var corrected = vl * (vx / (vu - Vector<T>.One));
                var r = Vector.ConditionalSelect(Vector.Equals(vu, Vector<T>.One), vx, Vector.ConditionalSelect(Vector.Equals(vu, inf), vl, corrected));
                r.StoreUnsafe(ref ry, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            y[i] = Log1pFix(x[i], u[i], y[i]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Log1pFix<T>(T x, T u, T logU)
        where T : unmanaged, IFloatingPointIeee754<T>
        => u == T.One ? x : T.IsPositiveInfinity(u) ? logU : logU * (x / (u - T.One));

    /// <summary>
    /// expm1(x) = (u − 1)·x/log(u) with u = eˣ rounded (x when u = 1, −1 when u − 1 = −1, +∞ when u = +∞).
    /// <paramref name="y"/> must not overlap <paramref name="x"/>; <paramref name="u"/> is scratch.
    /// </summary>
    public static void Expm1<T>(ReadOnlySpan<T> x, Span<T> y, Span<T> u)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        LaneMath.Exp(x, u);
        LaneMath.Log(u, y);
        ref var rx = ref MemoryMarshal.GetReference(x);
        ref var ry = ref MemoryMarshal.GetReference(y);
        ref var ru = ref MemoryMarshal.GetReference(u);
        var i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var inf = new Vector<T>(T.PositiveInfinity);
            var minusOne = -Vector<T>.One;
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var vx = Vector.LoadUnsafe(ref rx, (nuint)i);
                var vu = Vector.LoadUnsafe(ref ru, (nuint)i);
                var vl = Vector.LoadUnsafe(ref ry, (nuint)i);
                var um1 = vu - Vector<T>.One;
                var r = Vector.ConditionalSelect(Vector.Equals(um1, minusOne), minusOne, um1 * (vx / vl));
                r = Vector.ConditionalSelect(Vector.Equals(vu, inf), vu, r);
                r = Vector.ConditionalSelect(Vector.Equals(vu, Vector<T>.One), vx, r);
                r.StoreUnsafe(ref ry, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            var ui = u[i];
            var um1 = ui - T.One;
            y[i] = ui == T.One ? x[i] : T.IsPositiveInfinity(ui) ? ui : um1 == T.NegativeOne ? T.NegativeOne : um1 * (x[i] / y[i]);
        }
    }

    /// <summary>
    /// y = combine(x, t, log1p(e^{−|x|})) in blocks; <paramref name="t"/> is an optional second operand of x's
    /// length (empty when the combine ignores it). <paramref name="y"/> must not overlap the inputs.
    /// </summary>
    public static void SoftplusLike<T, TCombine>(ReadOnlySpan<T> x, ReadOnlySpan<T> t, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TCombine : struct, ISoftplusCombine
    {
        Span<T> e = stackalloc T[Block];
        Span<T> u = stackalloc T[Block];
        var hasT = !t.IsEmpty;
        for (var s = 0; s < x.Length; s += Block)
        {
            var n = Math.Min(Block, x.Length - s);
            var xs = x.Slice(s, n);
            var ys = y.Slice(s, n);
            var es = e[..n];
            var us = u[..n];
            TensorPrimitives.Abs(xs, es);
            TensorPrimitives.Negate(es, es);
            LaneMath.Exp(es, es); // e = exp(−|x|) ∈ [0, 1], so u = 1 + e ∈ [1, 2] is finite
            TensorPrimitives.Add(es, T.One, us);
            LaneMath.Log(us, ys);
            ref var rx = ref MemoryMarshal.GetReference(xs);
            ref var ry = ref MemoryMarshal.GetReference(ys);
            ref var re = ref MemoryMarshal.GetReference(es);
            ref var ru = ref MemoryMarshal.GetReference(us);
            ref var rt = ref MemoryMarshal.GetReference(hasT ? t.Slice(s, n) : xs);
            var i = 0;
            if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
            {
                for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
                {
                    var vx = Vector.LoadUnsafe(ref rx, (nuint)i);
                    var ve = Vector.LoadUnsafe(ref re, (nuint)i);
                    var vu = Vector.LoadUnsafe(ref ru, (nuint)i);
                    var vl = Vector.LoadUnsafe(ref ry, (nuint)i);
                    var vt = Vector.LoadUnsafe(ref rt, (nuint)i);
                    var l = Vector.ConditionalSelect(Vector.Equals(vu, Vector<T>.One), ve, vl * (ve / (vu - Vector<T>.One)));
                    TCombine.Apply(vx, vt, l).StoreUnsafe(ref ry, (nuint)i);
                }
            }

            for (; i < n; i++)
            {
                var l = us[i] == T.One ? es[i] : ys[i] * (es[i] / (us[i] - T.One));
                ys[i] = TCombine.Apply(xs[i], Unsafe.Add(ref rt, i), l);
            }
        }
    }
}

/// <summary>Argument checks shared by the parameterised elementwise ops.</summary>
internal static class UnaryArgs
{
    /// <summary>Throws unless <paramref name="value"/> is finite, naming the op and the parameter.</summary>
    public static void RequireFinite(double value, string name, string op)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException($"{op}: {name} = {value}; expected a finite number.", name);
        }
    }
}
