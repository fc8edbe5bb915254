using System.Numerics;

namespace McGrad.Kernels;

/// <summary>A vectorised unary map y = op(x) over floating-point spans.</summary>
internal interface IUnaryOp
{
    void Apply<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>A binary map d = op(a, b) with span/span, span/scalar and scalar/span forms.</summary>
internal interface IBinaryOp
{
    static abstract T Apply<T>(T a, T b)
        where T : unmanaged, IFloatingPointIeee754<T>;

    static abstract void Apply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d)
        where T : unmanaged, IFloatingPointIeee754<T>;

    static abstract void Apply<T>(ReadOnlySpan<T> a, T b, Span<T> d)
        where T : unmanaged, IFloatingPointIeee754<T>;

    static abstract void Apply<T>(T a, ReadOnlySpan<T> b, Span<T> d)
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>One row of a broadcast binary op: d = op(a, b); a span flagged as scalar holds one value used for every lane.</summary>
internal interface IZipRow<T>
    where T : unmanaged
{
    static abstract void Row(ReadOnlySpan<T> a, bool aScalar, ReadOnlySpan<T> b, bool bScalar, Span<T> d);
}

/// <summary>Elementwise kernels with numpy broadcasting, split across cores for large tensors.</summary>
internal static class Elementwise
{
    /// <summary>y = op(x) elementwise; float dtypes only.</summary>
    public static Tensor Map<TOp>(Tensor x, TOp op, string name)
        where TOp : struct, IUnaryOp
    {
        RequireFloat(x, name);
        var y = Tensor.Uninitialized(x.Shape, x.DType);
        if (x.DType == DType.Float32)
        {
            Map((float[])x.Storage, (float[])y.Storage, x.Size, op);
        }
        else
        {
            Map((double[])x.Storage, (double[])y.Storage, x.Size, op);
        }

        return y;
    }

    private static void Map<T, TOp>(T[] x, T[] y, int n, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IUnaryOp
    {
        if (n <= Parallelism.ElementwiseGrain)
        {
            op.Apply<T>(x.AsSpan(0, n), y.AsSpan(0, n));
            return;
        }

        MapParallel(x, y, n, op);
    }

    // Separate from Map so that small ops do not allocate the closure (captured variables are hoisted at method entry).
    private static void MapParallel<T, TOp>(T[] x, T[] y, int n, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IUnaryOp
        => Parallelism.For(n, Parallelism.ElementwiseGrain, (s, c) => op.Apply<T>(x.AsSpan(s, c), y.AsSpan(s, c)));

    /// <summary>d = op(a, b) with broadcasting; both operands must share one float dtype.</summary>
    public static Tensor Zip<TOp>(Tensor a, Tensor b, string name)
        where TOp : struct, IBinaryOp
    {
        RequireSameFloat(a, b, name);
        var shape = a.Shape == b.Shape ? a.Shape : Shape.Broadcast(a.Shape, b.Shape, name);
        var d = Tensor.Uninitialized(shape, a.DType);
        if (a.DType == DType.Float32)
        {
            Zip<float, TOp>(a, b, d);
        }
        else
        {
            Zip<double, TOp>(a, b, d);
        }

        return d;
    }

    private static void Zip<T, TOp>(Tensor a, Tensor b, Tensor d)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOp
        => Drive<T, BinaryRow<T, TOp>>(a, b, d);

    /// <summary>
    /// The broadcasting driver shared by every binary kernel: d = op(a, b) where d has the broadcast shape. Same-shape and
    /// scalar operands run as one span (split across cores when large); otherwise rows of the broadcast plan's inner
    /// dimension are processed, an operand with inner stride 0 being passed as a one-value scalar span.
    /// </summary>
    public static void Drive<T, TRow>(Tensor a, Tensor b, Tensor d)
        where T : unmanaged
        where TRow : IZipRow<T>
    {
        var n = d.Size;
        if (n == 0)
        {
            return;
        }

        var flat = (a.Size == n || a.Size == 1) && (b.Size == n || b.Size == 1);
        if (!flat)
        {
            DriveRows<T, TRow>((T[])a.Storage, (T[])b.Storage, (T[])d.Storage, BroadcastPlan.Create(d.Shape, a.Shape, b.Shape), n);
        }
        else if (n <= Parallelism.ElementwiseGrain)
        {
            TRow.Row(((T[])a.Storage).AsSpan(0, a.Size), a.Size < n, ((T[])b.Storage).AsSpan(0, b.Size), b.Size < n, ((T[])d.Storage).AsSpan(0, n));
        }
        else
        {
            DriveFlat<T, TRow>((T[])a.Storage, a.Size < n, (T[])b.Storage, b.Size < n, (T[])d.Storage, n);
        }
    }

    // The parallel paths live in their own methods so that small ops do not allocate closures.
    private static void DriveFlat<T, TRow>(T[] a, bool aScalar, T[] b, bool bScalar, T[] d, int n)
        where T : unmanaged
        where TRow : IZipRow<T>
        => Parallelism.For(n, Parallelism.ElementwiseGrain, (s, c) =>
            TRow.Row(aScalar ? a.AsSpan(0, 1) : a.AsSpan(s, c), aScalar, bScalar ? b.AsSpan(0, 1) : b.AsSpan(s, c), bScalar, d.AsSpan(s, c)));

    private static void DriveRows<T, TRow>(T[] a, T[] b, T[] d, BroadcastPlan plan, int n)
        where T : unmanaged
        where TRow : IZipRow<T>
    {
        var inner = plan.Inner;
        var aScalar = plan.InnerStrideA == 0;
        var bScalar = plan.InnerStrideB == 0;
        var grainRows = Math.Max(1, Parallelism.ElementwiseGrain / inner);
        Parallelism.For(n / inner, grainRows, (s, c) =>
        {
            for (var r = s; r < s + c; r++)
            {
                var (ao, bo) = plan.RowOffsets(r);
                TRow.Row(a.AsSpan(ao, aScalar ? 1 : inner), aScalar, b.AsSpan(bo, bScalar ? 1 : inner), bScalar, d.AsSpan(r * inner, inner));
            }
        });
    }

    /// <summary>Adapts an <see cref="IBinaryOp"/> to the driver: picks its span/span, span/scalar or scalar/span form.</summary>
    private readonly struct BinaryRow<T, TOp> : IZipRow<T>
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOp
    {
        public static void Row(ReadOnlySpan<T> a, bool aScalar, ReadOnlySpan<T> b, bool bScalar, Span<T> d)
        {
            if (!aScalar && !bScalar)
            {
                TOp.Apply(a, b, d);
            }
            else if (!aScalar)
            {
                TOp.Apply(a, b[0], d);
            }
            else if (!bScalar)
            {
                TOp.Apply(a[0], b, d);
            }
            else
            {
                d.Fill(TOp.Apply(a[0], b[0]));
            }
        }
    }

    /// <summary>Throws unless the tensor has a floating-point dtype.</summary>
    public static void RequireFloat(Tensor x, string op)
    {
        if (!x.DType.IsFloatingPoint())
        {
            throw new ArgumentException($"{op}: expected a Float32 or Float64 tensor, got {x.DType} with shape {x.Shape}.");
        }
    }

    /// <summary>Throws unless both tensors have the same floating-point dtype.</summary>
    public static void RequireSameFloat(Tensor a, Tensor b, string op)
    {
        RequireFloat(a, op);
        RequireFloat(b, op);
        if (a.DType != b.DType)
        {
            throw new ArgumentException($"{op}: dtype mismatch, {a.DType} {a.Shape} and {b.DType} {b.Shape}. McGrad does not promote silently; convert one operand with .To(DType.{a.DType}) or .To(DType.{b.DType}).");
        }
    }
}

/// <summary>
/// Index arithmetic for broadcasting two operands into an output shape: dims are coalesced where possible, the
/// last (inner) dim is processed as a span, and outer rows are mapped to operand offsets.
/// </summary>
internal sealed class BroadcastPlan
{
    private readonly int[] _outerDims;
    private readonly int[] _strideA;
    private readonly int[] _strideB;

    private BroadcastPlan(int[] outerDims, int[] strideA, int[] strideB, int inner, int innerA, int innerB)
    {
        _outerDims = outerDims;
        _strideA = strideA;
        _strideB = strideB;
        Inner = inner;
        InnerStrideA = innerA;
        InnerStrideB = innerB;
    }

    public int Inner { get; }

    public int InnerStrideA { get; }

    public int InnerStrideB { get; }

    /// <summary>Operand strides for <paramref name="operand"/> broadcast to <paramref name="output"/> (0 on broadcast dims).</summary>
    public static int[] BroadcastStrides(Shape output, Shape operand)
    {
        var rank = output.Rank;
        var strides = new int[rank];
        var own = operand.Strides();
        var offset = rank - operand.Rank;
        for (var i = 0; i < operand.Rank; i++)
        {
            strides[i + offset] = operand.Dims[i] == 1 ? 0 : own[i];
        }

        return strides;
    }

    public static BroadcastPlan Create(Shape output, Shape a, Shape b)
    {
        var dims = new List<int>();
        var sa = new List<int>();
        var sb = new List<int>();
        var fa = BroadcastStrides(output, a);
        var fb = BroadcastStrides(output, b);
        for (var i = 0; i < output.Rank; i++)
        {
            var d = output.Dims[i];
            if (d == 1)
            {
                continue;
            }

            var last = dims.Count - 1;
            if (last >= 0 && sa[last] == fa[i] * d && sb[last] == fb[i] * d)
            {
                dims[last] *= d;
                sa[last] = fa[i];
                sb[last] = fb[i];
            }
            else
            {
                dims.Add(d);
                sa.Add(fa[i]);
                sb.Add(fb[i]);
            }
        }

        if (dims.Count == 0)
        {
            return new BroadcastPlan([], [], [], 1, 0, 0);
        }

        var k = dims.Count - 1;
        return new BroadcastPlan([.. dims.Take(k)], [.. sa.Take(k)], [.. sb.Take(k)], dims[k], sa[k], sb[k]);
    }

    public (int A, int B) RowOffsets(int row)
    {
        int oa = 0, ob = 0;
        for (var i = _outerDims.Length - 1; i >= 0; i--)
        {
            var d = _outerDims[i];
            var idx = row % d;
            row /= d;
            oa += idx * _strideA[i];
            ob += idx * _strideB[i];
        }

        return (oa, ob);
    }
}
