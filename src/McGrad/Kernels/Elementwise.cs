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

        Parallelism.For(n, Parallelism.ElementwiseGrain, (s, c) => op.Apply<T>(x.AsSpan(s, c), y.AsSpan(s, c)));
    }

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
    {
        var aa = (T[])a.Storage;
        var bb = (T[])b.Storage;
        var dd = (T[])d.Storage;
        var n = d.Size;
        if (n == 0)
        {
            return;
        }

        if (a.Size == n && b.Size == n)
        {
            Parallelism.For(n, Parallelism.ElementwiseGrain, (s, c) => TOp.Apply<T>(aa.AsSpan(s, c), bb.AsSpan(s, c), dd.AsSpan(s, c)));
        }
        else if (b.Size == 1 && a.Size == n)
        {
            var bs = bb[0];
            Parallelism.For(n, Parallelism.ElementwiseGrain, (s, c) => TOp.Apply<T>(aa.AsSpan(s, c), bs, dd.AsSpan(s, c)));
        }
        else if (a.Size == 1 && b.Size == n)
        {
            var ascalar = aa[0];
            Parallelism.For(n, Parallelism.ElementwiseGrain, (s, c) => TOp.Apply<T>(ascalar, bb.AsSpan(s, c), dd.AsSpan(s, c)));
        }
        else
        {
            var plan = BroadcastPlan.Create(d.Shape, a.Shape, b.Shape);
            var rows = n / plan.Inner;
            var grainRows = Math.Max(1, Parallelism.ElementwiseGrain / Math.Max(1, plan.Inner));
            Parallelism.For(rows, grainRows, (s, c) => ZipRows<T, TOp>(plan, aa, bb, dd, s, c));
        }
    }

    private static void ZipRows<T, TOp>(BroadcastPlan plan, T[] a, T[] b, T[] d, int firstRow, int rowCount)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOp
    {
        var inner = plan.Inner;
        var aStep = plan.InnerStrideA;
        var bStep = plan.InnerStrideB;
        for (var r = firstRow; r < firstRow + rowCount; r++)
        {
            var (ao, bo) = plan.RowOffsets(r);
            var dst = d.AsSpan(r * inner, inner);
            if (aStep == 1 && bStep == 1)
            {
                TOp.Apply<T>(a.AsSpan(ao, inner), b.AsSpan(bo, inner), dst);
            }
            else if (aStep == 1)
            {
                TOp.Apply<T>(a.AsSpan(ao, inner), b[bo], dst);
            }
            else if (bStep == 1)
            {
                TOp.Apply<T>(a[ao], b.AsSpan(bo, inner), dst);
            }
            else
            {
                dst.Fill(TOp.Apply(a[ao], b[bo]));
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
