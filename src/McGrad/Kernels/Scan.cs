using System.Numerics;
using System.Numerics.Tensors;

namespace McGrad.Kernels;

/// <summary>Inclusive prefix sums along one axis, forward or reversed; sequential along the axis (deterministic).</summary>
internal static class Scan
{
    public static Tensor CumSum(Tensor x, int axis, bool reverse, string op)
    {
        Elementwise.RequireFloat(x, op);
        var (outer, n, inner) = Reduce.Split(x.Shape.Dims, axis, axis);
        var y = Tensor.Uninitialized(x.Shape, x.DType);
        if (x.DType == DType.Float32)
        {
            CumSum((float[])x.Storage, (float[])y.Storage, outer, n, inner, reverse);
        }
        else
        {
            CumSum((double[])x.Storage, (double[])y.Storage, outer, n, inner, reverse);
        }

        return y;
    }

    private static void CumSum<T>(T[] x, T[] y, int outer, int n, int inner, bool reverse)
        where T : unmanaged, IFloatingPointIeee754<T>
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
                var acc = T.Zero;
                if (reverse)
                {
                    for (var j = n - 1; j >= 0; j--)
                    {
                        acc += x[baseIn + j];
                        y[baseIn + j] = acc;
                    }
                }
                else
                {
                    for (var j = 0; j < n; j++)
                    {
                        acc += x[baseIn + j];
                        y[baseIn + j] = acc;
                    }
                }

                return;
            }

            var firstRow = reverse ? n - 1 : 0;
            var step = reverse ? -1 : 1;
            x.AsSpan(baseIn + (firstRow * inner) + k0, kc).CopyTo(y.AsSpan(baseIn + (firstRow * inner) + k0, kc));
            for (int c = 1, j = firstRow + step; c < n; c++, j += step)
            {
                var prev = y.AsSpan(baseIn + ((j - step) * inner) + k0, kc);
                TensorPrimitives.Add<T>(prev, x.AsSpan(baseIn + (j * inner) + k0, kc), y.AsSpan(baseIn + (j * inner) + k0, kc));
            }
        });
    }
}
