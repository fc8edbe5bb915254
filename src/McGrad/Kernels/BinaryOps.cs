using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace McGrad.Kernels;

#pragma warning disable CA1812 // instantiated only as generic arguments

internal struct AddOp : IBinaryOp
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a + b;

    public static void Apply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(a, b, d);

    public static void Apply<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(a, b, d);

    public static void Apply<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(b, a, d);
}

internal struct SubOp : IBinaryOp
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a - b;

    public static void Apply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Subtract(a, b, d);

    public static void Apply<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Subtract(a, b, d);

    public static void Apply<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Subtract(a, b, d);
}

internal struct MulOp : IBinaryOp
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a * b;

    public static void Apply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(a, b, d);

    public static void Apply<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(a, b, d);

    public static void Apply<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(b, a, d);
}

internal struct DivOp : IBinaryOp
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a / b;

    public static void Apply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(a, b, d);

    public static void Apply<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(a, b, d);

    public static void Apply<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(a, b, d);
}

/// <summary>aᵇ (IEEE pow: NaN for a negative base with a non-integer exponent).</summary>
internal struct PowOp : IBinaryOp
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.Pow(a, b);

    public static void Apply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Pow(a, b, d);

    public static void Apply<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Pow(a, b, d);

    public static void Apply<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Pow(a, b, d);
}

/// <summary>max(a, b); NaN if either is NaN.</summary>
internal struct MaxOp : IBinaryOp
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.Max(a, b);

    public static void Apply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(a, b, d);

    public static void Apply<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(a, b, d);

    public static void Apply<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(b, a, d);
}

/// <summary>min(a, b); NaN if either is NaN.</summary>
internal struct MinOp : IBinaryOp
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.Min(a, b);

    public static void Apply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Min(a, b, d);

    public static void Apply<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Min(a, b, d);

    public static void Apply<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Min(b, a, d);
}

/// <summary>The share of max(a, b)'s gradient that goes to a: 1 if a &gt; b, ½ on a tie, 0 otherwise (and for NaN).</summary>
internal struct MaxShareOp : IBinaryOp, ILaneOp
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T>
        => a > b ? T.One : a == b ? T.CreateTruncating(0.5) : T.Zero;

    public static void Apply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
        => Lanes.Run<T, MaxShareOp>(a, false, b, false, d);

    public static void Apply<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
        => Lanes.Run<T, MaxShareOp>(a, false, new ReadOnlySpan<T>(in b), true, d);

    public static void Apply<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
        => Lanes.Run<T, MaxShareOp>(new ReadOnlySpan<T>(in a), true, b, false, d);

    public static Vector<T> Apply<T>(Vector<T> a, Vector<T> b) where T : unmanaged, IFloatingPointIeee754<T>
        => Vector.ConditionalSelect(Vector.GreaterThan(a, b), Vector<T>.One, Vector.Equals(a, b) & new Vector<T>(T.CreateTruncating(0.5)));
}

/// <summary>A lane-wise binary function with a scalar and a <see cref="Vector{T}"/> form.</summary>
internal interface ILaneOp
{
    static abstract T Apply<T>(T a, T b)
        where T : unmanaged, IFloatingPointIeee754<T>;

    static abstract Vector<T> Apply<T>(Vector<T> a, Vector<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>Runs an <see cref="ILaneOp"/> over spans; a span flagged as scalar holds one value used for every lane.</summary>
internal static class Lanes
{
    public static void Run<T, TOp>(ReadOnlySpan<T> a, bool aScalar, ReadOnlySpan<T> b, bool bScalar, Span<T> d)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, ILaneOp
    {
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        ref var rd = ref MemoryMarshal.GetReference(d);
        var n = d.Length;
        var i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var w = Vector<T>.Count;
            if (aScalar)
            {
                var va = new Vector<T>(a[0]);
                for (; i <= n - w; i += w)
                {
                    TOp.Apply(va, Vector.LoadUnsafe(ref rb, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
                }
            }
            else if (bScalar)
            {
                var vb = new Vector<T>(b[0]);
                for (; i <= n - w; i += w)
                {
                    TOp.Apply(Vector.LoadUnsafe(ref ra, (nuint)i), vb).StoreUnsafe(ref rd, (nuint)i);
                }
            }
            else
            {
                for (; i <= n - w; i += w)
                {
                    TOp.Apply(Vector.LoadUnsafe(ref ra, (nuint)i), Vector.LoadUnsafe(ref rb, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
                }
            }
        }

        for (; i < n; i++)
        {
            d[i] = TOp.Apply(aScalar ? a[0] : a[i], bScalar ? b[0] : b[i]);
        }
    }
}

/// <summary>A comparison with a scalar and a <see cref="Vector{T}"/> (all-ones mask) form.</summary>
internal interface ICompareOp
{
    static abstract bool Apply<T>(T a, T b)
        where T : INumber<T>;

    static abstract Vector<T> Apply<T>(Vector<T> a, Vector<T> b)
        where T : unmanaged, INumber<T>;
}

internal struct EqCmp : ICompareOp
{
    public static bool Apply<T>(T a, T b) where T : INumber<T> => a == b;

    public static Vector<T> Apply<T>(Vector<T> a, Vector<T> b) where T : unmanaged, INumber<T> => Vector.Equals(a, b);
}

internal struct NeCmp : ICompareOp
{
    public static bool Apply<T>(T a, T b) where T : INumber<T> => a != b;

    public static Vector<T> Apply<T>(Vector<T> a, Vector<T> b) where T : unmanaged, INumber<T> => Vector.OnesComplement(Vector.Equals(a, b));
}

internal struct LtCmp : ICompareOp
{
    public static bool Apply<T>(T a, T b) where T : INumber<T> => a < b;

    public static Vector<T> Apply<T>(Vector<T> a, Vector<T> b) where T : unmanaged, INumber<T> => Vector.LessThan(a, b);
}

internal struct LeCmp : ICompareOp
{
    public static bool Apply<T>(T a, T b) where T : INumber<T> => a <= b;

    public static Vector<T> Apply<T>(Vector<T> a, Vector<T> b) where T : unmanaged, INumber<T> => Vector.LessThanOrEqual(a, b);
}

internal struct GtCmp : ICompareOp
{
    public static bool Apply<T>(T a, T b) where T : INumber<T> => a > b;

    public static Vector<T> Apply<T>(Vector<T> a, Vector<T> b) where T : unmanaged, INumber<T> => Vector.GreaterThan(a, b);
}

internal struct GeCmp : ICompareOp
{
    public static bool Apply<T>(T a, T b) where T : INumber<T> => a >= b;

    public static Vector<T> Apply<T>(Vector<T> a, Vector<T> b) where T : unmanaged, INumber<T> => Vector.GreaterThanOrEqual(a, b);
}

/// <summary>Comparison kernels: 1 where the relation holds, 0 elsewhere, in the operands' dtype (Int64 included).</summary>
internal static class Compare
{
    /// <summary>a ⋈ b with broadcasting; both operands must share one dtype.</summary>
    public static Tensor Run<TCmp>(Tensor a, Tensor b, string name)
        where TCmp : struct, ICompareOp
    {
        if (a.DType != b.DType)
        {
            throw new ArgumentException($"{name}: dtype mismatch, {a.DType} {a.Shape} and {b.DType} {b.Shape}. McGrad does not promote silently; convert one operand with .To(DType.{a.DType}) or .To(DType.{b.DType}).");
        }

        var shape = a.Shape == b.Shape ? a.Shape : Shape.Broadcast(a.Shape, b.Shape, name);
        var d = Tensor.Uninitialized(shape, a.DType);
        switch (a.DType)
        {
            case DType.Float32:
                Zip<float, TCmp>(a, b, d);
                break;
            case DType.Float64:
                Zip<double, TCmp>(a, b, d);
                break;
            default:
                Zip<long, TCmp>(a, b, d);
                break;
        }

        return d;
    }

    /// <summary>
    /// x ⋈ value. Float tensors compare in their own dtype (value rounded to float32 for Float32 tensors);
    /// Int64 tensors compare exactly against the double value.
    /// </summary>
    public static Tensor Run<TCmp>(Tensor x, double value, string name)
        where TCmp : struct, ICompareOp
    {
        var d = Tensor.Uninitialized(x.Shape, x.DType);
        var n = x.Size;
        switch (x.DType)
        {
            case DType.Float32:
            {
                float[] xs = (float[])x.Storage, ds = (float[])d.Storage, v = [(float)value];
                Parallelism.For(n, Parallelism.ElementwiseGrain, (s, c) => Row<float, TCmp>(xs.AsSpan(s, c), false, v, true, ds.AsSpan(s, c)));
                break;
            }

            case DType.Float64:
            {
                double[] xs = (double[])x.Storage, ds = (double[])d.Storage, v = [value];
                Parallelism.For(n, Parallelism.ElementwiseGrain, (s, c) => Row<double, TCmp>(xs.AsSpan(s, c), false, v, true, ds.AsSpan(s, c)));
                break;
            }

            default:
            {
                long[] xs = (long[])x.Storage, ds = (long[])d.Storage;
                if (value == Math.Floor(value) && value >= -9.2233720368547758E18 && value < 9.2233720368547758E18)
                {
                    long[] v = [(long)value];
                    Parallelism.For(n, Parallelism.ElementwiseGrain, (s, c) => Row<long, TCmp>(xs.AsSpan(s, c), false, v, true, ds.AsSpan(s, c)));
                }
                else
                {
                    // Non-integral, huge or NaN: compare as doubles (exact for |x| ≤ 2⁵³, plenty for indices).
                    for (var i = 0; i < n; i++)
                    {
                        ds[i] = TCmp.Apply((double)xs[i], value) ? 1 : 0;
                    }
                }

                break;
            }
        }

        return d;
    }

    private static void Zip<T, TCmp>(Tensor a, Tensor b, Tensor d)
        where T : unmanaged, INumber<T>
        where TCmp : struct, ICompareOp
        => Elementwise.Drive<T, CompareRow<T, TCmp>>(a, b, d);

    private readonly struct CompareRow<T, TCmp> : IZipRow<T>
        where T : unmanaged, INumber<T>
        where TCmp : struct, ICompareOp
    {
        public static void Row(ReadOnlySpan<T> a, bool aScalar, ReadOnlySpan<T> b, bool bScalar, Span<T> d) => Row<T, TCmp>(a, aScalar, b, bScalar, d);
    }

    /// <summary>d = (a ⋈ b) as 1/0; a span flagged as scalar holds one value used for every lane.</summary>
    private static void Row<T, TCmp>(ReadOnlySpan<T> a, bool aScalar, ReadOnlySpan<T> b, bool bScalar, Span<T> d)
        where T : unmanaged, INumber<T>
        where TCmp : struct, ICompareOp
    {
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        ref var rd = ref MemoryMarshal.GetReference(d);
        var n = d.Length;
        var i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported && n >= Vector<T>.Count)
        {
            var w = Vector<T>.Count;
            var one = Vector<T>.One;
            if (aScalar)
            {
                var va = new Vector<T>(a[0]);
                for (; i <= n - w; i += w)
                {
                    (TCmp.Apply(va, Vector.LoadUnsafe(ref rb, (nuint)i)) & one).StoreUnsafe(ref rd, (nuint)i);
                }
            }
            else if (bScalar)
            {
                var vb = new Vector<T>(b[0]);
                for (; i <= n - w; i += w)
                {
                    (TCmp.Apply(Vector.LoadUnsafe(ref ra, (nuint)i), vb) & one).StoreUnsafe(ref rd, (nuint)i);
                }
            }
            else
            {
                for (; i <= n - w; i += w)
                {
                    (TCmp.Apply(Vector.LoadUnsafe(ref ra, (nuint)i), Vector.LoadUnsafe(ref rb, (nuint)i)) & one).StoreUnsafe(ref rd, (nuint)i);
                }
            }
        }

        for (; i < n; i++)
        {
            d[i] = TCmp.Apply(aScalar ? a[0] : a[i], bScalar ? b[0] : b[i]) ? T.One : T.Zero;
        }
    }
}

/// <summary>Where(condition, a, b): a where the condition is nonzero (NaN counts as nonzero), else b; 3-way broadcasting.</summary>
internal static class WhereKernel
{
    public static Tensor Run(Tensor cond, Tensor a, Tensor b, string name)
    {
        if (a.DType != b.DType)
        {
            throw new ArgumentException($"{name}: dtype mismatch between the branches, a is {a.DType} {a.Shape} and b is {b.DType} {b.Shape}. McGrad does not promote silently; convert one with .To(DType.{a.DType}) or .To(DType.{b.DType}).");
        }

        var shape = Shape.Broadcast(Shape.Broadcast(cond.Shape, a.Shape, name), b.Shape, name);
        var d = Tensor.Uninitialized(shape, a.DType);
        if (d.Size == 0)
        {
            return d;
        }

        switch (a.DType)
        {
            case DType.Float32:
                ByCondition<float>(cond, a, b, d);
                break;
            case DType.Float64:
                ByCondition<double>(cond, a, b, d);
                break;
            default:
                ByCondition<long>(cond, a, b, d);
                break;
        }

        return d;
    }

    private static void ByCondition<T>(Tensor cond, Tensor a, Tensor b, Tensor d)
        where T : unmanaged, INumberBase<T>
    {
        switch (cond.DType)
        {
            case DType.Float32:
                Select<T, float>(cond, a, b, d);
                break;
            case DType.Float64:
                Select<T, double>(cond, a, b, d);
                break;
            default:
                Select<T, long>(cond, a, b, d);
                break;
        }
    }

    private static void Select<T, TC>(Tensor cond, Tensor a, Tensor b, Tensor d)
        where T : unmanaged, INumberBase<T>
        where TC : unmanaged, INumberBase<TC>
    {
        var cc = (TC[])cond.Storage;
        var aa = (T[])a.Storage;
        var bb = (T[])b.Storage;
        var dd = (T[])d.Storage;
        var n = d.Size;
        if (cond.Size == n && a.Size == n && b.Size == n)
        {
            Parallelism.For(n, Parallelism.ElementwiseGrain, (s, c) => Contiguous<T, TC>(cc.AsSpan(s, c), aa.AsSpan(s, c), bb.AsSpan(s, c), dd.AsSpan(s, c)));
            return;
        }

        var shape = d.Shape;
        var rank = shape.Rank;
        var inner = rank == 0 ? 1 : shape.Dims[rank - 1];
        var sc = BroadcastPlan.BroadcastStrides(shape, cond.Shape);
        var sa = BroadcastPlan.BroadcastStrides(shape, a.Shape);
        var sb = BroadcastPlan.BroadcastStrides(shape, b.Shape);
        var ic = rank == 0 ? 0 : sc[rank - 1];
        var ia = rank == 0 ? 0 : sa[rank - 1];
        var ib = rank == 0 ? 0 : sb[rank - 1];
        var rows = n / inner;
        var dims = shape.Dims;
        var grainRows = Math.Max(1, Parallelism.ElementwiseGrain / inner);
        Parallelism.For(rows, grainRows, (s, count) =>
        {
            for (var r = s; r < s + count; r++)
            {
                int oc = 0, oa = 0, ob = 0, rem = r;
                for (var k = rank - 2; k >= 0; k--)
                {
                    var idx = rem % dims[k];
                    rem /= dims[k];
                    oc += idx * sc[k];
                    oa += idx * sa[k];
                    ob += idx * sb[k];
                }

                var o = r * inner;
                for (var j = 0; j < inner; j++)
                {
                    dd[o + j] = cc[oc + (j * ic)] != TC.Zero ? aa[oa + (j * ia)] : bb[ob + (j * ib)];
                }
            }
        });
    }

    private static void Contiguous<T, TC>(ReadOnlySpan<TC> c, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d)
        where T : unmanaged, INumberBase<T>
        where TC : unmanaged, INumberBase<TC>
    {
        var i = 0;
        if (typeof(T) == typeof(TC) && Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            ref var rc = ref Unsafe.As<TC, T>(ref MemoryMarshal.GetReference(c));
            ref var ra = ref MemoryMarshal.GetReference(a);
            ref var rb = ref MemoryMarshal.GetReference(b);
            ref var rd = ref MemoryMarshal.GetReference(d);
            for (; i <= d.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var isFalse = Vector.Equals(Vector.LoadUnsafe(ref rc, (nuint)i), Vector<T>.Zero);
                Vector.ConditionalSelect(isFalse, Vector.LoadUnsafe(ref rb, (nuint)i), Vector.LoadUnsafe(ref ra, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
            }
        }

        for (; i < d.Length; i++)
        {
            d[i] = c[i] != TC.Zero ? a[i] : b[i];
        }
    }
}

/// <summary>Elementwise binary cross-entropy with logits on two same-shape, same-dtype tensors.</summary>
internal static class BceWithLogitsKernel
{
    public static Tensor Run(Tensor x, Tensor t)
    {
        var d = Tensor.Uninitialized(x.Shape, x.DType);
        if (x.DType == DType.Float32)
        {
            Run((float[])x.Storage, (float[])t.Storage, (float[])d.Storage, d.Size);
        }
        else
        {
            Run((double[])x.Storage, (double[])t.Storage, (double[])d.Storage, d.Size);
        }

        return d;
    }

    private static void Run<T>(T[] x, T[] t, T[] d, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Parallelism.For(n, Parallelism.ElementwiseGrain, (s, c) => StableMath.SoftplusLike<T, BceWithLogitsCombine>(x.AsSpan(s, c), t.AsSpan(s, c), d.AsSpan(s, c)));
}
