using System.Numerics;
using System.Numerics.Tensors;

namespace McGrad.Kernels;

/// <summary>A reduction along one axis: contiguous form (inner = 1) and row-accumulating form (inner &gt; 1).</summary>
internal interface IReduceOp
{
    /// <summary>Reduces a contiguous span to one value (length ≥ 1).</summary>
    static abstract T Reduce<T>(ReadOnlySpan<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>acc[i] = combine(acc[i], row[i]).</summary>
    static abstract void Accumulate<T>(Span<T> acc, ReadOnlySpan<T> row)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Result of reducing an empty axis; throws for reductions that have none.</summary>
    static abstract T Empty<T>(string op)
        where T : unmanaged, IFloatingPointIeee754<T>;
}

internal struct SumReduce : IReduceOp
{
    public static T Reduce<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sum(x);

    public static void Accumulate<T>(Span<T> acc, ReadOnlySpan<T> row) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(acc, row, acc);

    public static T Empty<T>(string op) where T : unmanaged, IFloatingPointIeee754<T> => T.Zero;
}

/// <summary>Reductions of a tensor viewed as [outer, n, inner] along the middle axis.</summary>
internal static class Reduce
{
    /// <summary>Reduces <paramref name="x"/> along <paramref name="axis"/> (already normalised); the axis is removed.</summary>
    public static Tensor Axis<TOp>(Tensor x, int axis, string op)
        where TOp : struct, IReduceOp
    {
        Elementwise.RequireFloat(x, op);
        var dims = x.Shape.Dims;
        var outDims = new int[dims.Length - 1];
        int outer = 1, inner = 1;
        for (var i = 0; i < dims.Length; i++)
        {
            if (i < axis)
            {
                outer *= dims[i];
                outDims[i] = dims[i];
            }
            else if (i > axis)
            {
                inner *= dims[i];
                outDims[i - 1] = dims[i];
            }
        }

        var y = Tensor.Uninitialized(Shape.Wrap(outDims), x.DType);
        if (x.DType == DType.Float32)
        {
            Run<float, TOp>((float[])x.Storage, (float[])y.Storage, outer, dims[axis], inner, op);
        }
        else
        {
            Run<double, TOp>((double[])x.Storage, (double[])y.Storage, outer, dims[axis], inner, op);
        }

        return y;
    }

    private static void Run<T, TOp>(T[] x, T[] y, int outer, int n, int inner, string op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IReduceOp
    {
        if (outer * inner == 0)
        {
            return;
        }

        if (n == 0)
        {
            y.AsSpan(0, outer * inner).Fill(TOp.Empty<T>(op));
            return;
        }

        var grain = Math.Max(1, Parallelism.ElementwiseGrain / Math.Max(1, n * inner));
        Parallelism.For(outer, grain, (start, count) =>
        {
            for (var o = start; o < start + count; o++)
            {
                var block = x.AsSpan(o * n * inner, n * inner);
                if (inner == 1)
                {
                    y[o] = TOp.Reduce(block);
                    continue;
                }

                var acc = y.AsSpan(o * inner, inner);
                block[..inner].CopyTo(acc);
                for (var j = 1; j < n; j++)
                {
                    TOp.Accumulate(acc, block.Slice(j * inner, inner));
                }
            }
        });
    }
}
