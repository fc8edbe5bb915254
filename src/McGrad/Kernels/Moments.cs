using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace McGrad.Kernels;

/// <summary>Two-pass variance Σ(x − mean)² / divisor over a run of adjacent axes viewed as [outer, n, inner].</summary>
internal static class Moments
{
    /// <summary>
    /// Variance over dims first..last (removed from the shape), or over nothing when first &gt; last
    /// (n = 1). The divisor is given by the caller (n − correction, clamped at 0).
    /// </summary>
    public static Tensor Variance(Tensor x, int first, int last, double divisor, bool sqrt)
    {
        var dims = x.Shape.Dims;
        int outer, n, inner;
        Shape outShape;
        if (first > last)
        {
            (outer, n, inner) = (x.Size, 1, 1);
            outShape = x.Shape;
        }
        else
        {
            (outer, n, inner) = Reduce.Split(dims, first, last);
            outShape = Shape.Wrap(Reduce.RemoveRun(dims, first, last));
        }

        var y = Tensor.Uninitialized(outShape, x.DType);
        if (x.DType == DType.Float32)
        {
            Variance((float[])x.Storage, (float[])y.Storage, outer, n, inner, (float)divisor, sqrt);
        }
        else
        {
            Variance((double[])x.Storage, (double[])y.Storage, outer, n, inner, divisor, sqrt);
        }

        return y;
    }

    private static void Variance<T>(T[] x, T[] y, int outer, int n, int inner, T divisor, bool sqrt)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (n == 0)
        {
            // Σ over nothing is 0; 0 / divisor (0 / 0 = NaN when the divisor is clamped to 0).
            y.AsSpan(0, outer * inner).Fill(T.Zero / divisor);
            if (sqrt)
            {
                TensorPrimitives.Sqrt<T>(y.AsSpan(0, outer * inner), y.AsSpan(0, outer * inner));
            }

            return;
        }

        var count = T.CreateChecked(n);
        Reduce.ForSlices(outer, n, inner, (o, k0, kc) =>
        {
            var baseIn = o * n * inner;
            if (inner == 1)
            {
                var row = x.AsSpan(baseIn, n);
                var mean = TensorPrimitives.Sum<T>(row) / count;
                Span<T> buf = stackalloc T[Math.Min(n, 256)];
                var ss = T.Zero;
                for (var c = 0; c < n; c += 256)
                {
                    var len = Math.Min(256, n - c);
                    var b = buf[..len];
                    TensorPrimitives.Subtract(row.Slice(c, len), mean, b);
                    ss += TensorPrimitives.SumOfSquares<T>(b);
                }

                var v = ss / divisor;
                y[o] = sqrt ? T.Sqrt(v) : v;
                return;
            }

            var buffers = ArrayPool<T>.Shared.Rent(2 * kc);
            try
            {
                var meanK = buffers.AsSpan(0, kc);
                var tmp = buffers.AsSpan(kc, kc);
                var acc = y.AsSpan((o * inner) + k0, kc);
                x.AsSpan(baseIn + k0, kc).CopyTo(meanK);
                for (var j = 1; j < n; j++)
                {
                    TensorPrimitives.Add<T>(meanK, x.AsSpan(baseIn + (j * inner) + k0, kc), meanK);
                }

                TensorPrimitives.Divide(meanK, count, meanK);
                acc.Clear();
                for (var j = 0; j < n; j++)
                {
                    TensorPrimitives.Subtract<T>(x.AsSpan(baseIn + (j * inner) + k0, kc), meanK, tmp);
                    TensorPrimitives.Multiply<T>(tmp, tmp, tmp);
                    TensorPrimitives.Add<T>(acc, tmp, acc);
                }

                TensorPrimitives.Divide(acc, divisor, acc);
                if (sqrt)
                {
                    TensorPrimitives.Sqrt<T>(acc, acc);
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(buffers);
            }
        });
    }
}
