using System.Numerics;
using System.Numerics.Tensors;

namespace McGrad.Kernels;

#pragma warning disable CA1812 // instantiated only as generic arguments

/// <summary>The order an arg-reduction selects by (Max or Min), matching TensorPrimitives.IndexOfMax/IndexOfMin.</summary>
internal interface IArgOrder
{
    /// <summary>Index of the selected element of a contiguous, non-empty span.</summary>
    static abstract int Index<T>(ReadOnlySpan<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Whether <paramref name="v"/>, seen after <paramref name="best"/>, replaces it.</summary>
    static abstract bool Better<T>(T v, T best)
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>Largest value; NaN wins (first NaN), +0 beats −0, ties keep the first occurrence.</summary>
internal struct MaxOrder : IArgOrder
{
    public static int Index<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.IndexOfMax(x);

    public static bool Better<T>(T v, T best) where T : unmanaged, IFloatingPointIeee754<T>
        => !T.IsNaN(best) && (T.IsNaN(v) || v > best || (v == best && T.IsNegative(best) && !T.IsNegative(v)));
}

/// <summary>Smallest value; NaN wins (first NaN), −0 beats +0, ties keep the first occurrence.</summary>
internal struct MinOrder : IArgOrder
{
    public static int Index<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.IndexOfMin(x);

    public static bool Better<T>(T v, T best) where T : unmanaged, IFloatingPointIeee754<T>
        => !T.IsNaN(best) && (T.IsNaN(v) || v < best || (v == best && !T.IsNegative(best) && T.IsNegative(v)));
}

/// <summary>Max/Min along one axis returning values and Int64 positions.</summary>
internal static class ArgReduce
{
    /// <summary>
    /// Values and indices of the selected element along <paramref name="axis"/> (normalised; removed from the
    /// shape). Throws when the axis is empty and the output is not.
    /// </summary>
    public static (Tensor Values, Tensor Indices) Run<TOrder>(Tensor x, int axis, string op)
        where TOrder : struct, IArgOrder
    {
        Elementwise.RequireFloat(x, op);
        var dims = x.Shape.Dims;
        var (outer, n, inner) = Reduce.Split(dims, axis, axis);
        var outShape = Shape.Wrap(Reduce.RemoveRun(dims, axis, axis));
        if (n == 0 && outShape.Size > 0)
        {
            throw new ArgumentException($"{op}: cannot reduce axis {axis} of size 0 (shape {x.Shape}); the reduction has no identity.");
        }

        var values = Tensor.Uninitialized(outShape, x.DType);
        var indices = Tensor.Uninitialized(outShape, DType.Int64);
        if (x.DType == DType.Float32)
        {
            Run<float, TOrder>((float[])x.Storage, (float[])values.Storage, (long[])indices.Storage, outer, n, inner);
        }
        else
        {
            Run<double, TOrder>((double[])x.Storage, (double[])values.Storage, (long[])indices.Storage, outer, n, inner);
        }

        return (values, indices);
    }

    private static void Run<T, TOrder>(T[] x, T[] values, long[] indices, int outer, int n, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOrder : struct, IArgOrder
    {
        if (n == 0)
        {
            return;
        }

        Reduce.ForSlices(outer, n, inner, (o, k0, kc) =>
        {
            var baseIn = o * n * inner;
            if (inner == 1)
            {
                var row = x.AsSpan(baseIn, n);
                var i = TOrder.Index<T>(row);
                values[o] = row[i];
                indices[o] = i;
                return;
            }

            var best = values.AsSpan((o * inner) + k0, kc);
            var idx = indices.AsSpan((o * inner) + k0, kc);
            x.AsSpan(baseIn + k0, kc).CopyTo(best);
            idx.Clear();
            for (var j = 1; j < n; j++)
            {
                var row = x.AsSpan(baseIn + (j * inner) + k0, kc);
                for (var k = 0; k < row.Length; k++)
                {
                    if (TOrder.Better(row[k], best[k]))
                    {
                        best[k] = row[k];
                        idx[k] = j;
                    }
                }
            }
        });
    }
}
