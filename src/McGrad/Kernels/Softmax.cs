using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace McGrad.Kernels;

/// <summary>
/// Max-shifted exponential kernels along one run of axes viewed as [outer, n, inner]: LogSumExp, Softmax and
/// LogSoftmax. The shift is the row maximum when it is finite and 0 otherwise, so rows of −∞ give
/// LogSumExp = −∞ (not NaN) and rows holding +∞ give +∞.
/// </summary>
internal static class SoftmaxKernels
{
    private const int Chunk = 256;

    /// <summary>log Σ exp over dims first..last of <paramref name="x"/> (removed from the shape); −∞ for empty rows.</summary>
    public static Tensor LogSumExp(Tensor x, int first, int last, string op)
    {
        Elementwise.RequireFloat(x, op);
        var dims = x.Shape.Dims;
        var (outer, n, inner) = Reduce.Split(dims, first, last);
        var y = Tensor.Uninitialized(Shape.Wrap(Reduce.RemoveRun(dims, first, last)), x.DType);
        if (x.DType == DType.Float32)
        {
            LogSumExp((float[])x.Storage, (float[])y.Storage, outer, n, inner);
        }
        else
        {
            LogSumExp((double[])x.Storage, (double[])y.Storage, outer, n, inner);
        }

        return y;
    }

    /// <summary>Softmax (or log-softmax when <paramref name="log"/>) along <paramref name="axis"/>; same shape as x.</summary>
    public static Tensor Softmax(Tensor x, int axis, bool log, string op)
    {
        Elementwise.RequireFloat(x, op);
        var (outer, n, inner) = Reduce.Split(x.Shape.Dims, axis, axis);
        var y = Tensor.Uninitialized(x.Shape, x.DType);
        if (x.DType == DType.Float32)
        {
            Softmax((float[])x.Storage, (float[])y.Storage, outer, n, inner, log);
        }
        else
        {
            Softmax((double[])x.Storage, (double[])y.Storage, outer, n, inner, log);
        }

        return y;
    }

    private static T Shift<T>(T m)
        where T : unmanaged, IFloatingPointIeee754<T>
        => T.IsFinite(m) ? m : T.Zero;

    /// <summary>shift[k] = finite(shift[k]) ? shift[k] : 0 in place.</summary>
    private static void MakeShift<T>(Span<T> m)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var k = 0; k < m.Length; k++)
        {
            m[k] = Shift(m[k]);
        }
    }

    /// <summary>Σ exp(row − shift), evaluated in fixed chunks through a stack buffer.</summary>
    private static T SumExp<T>(ReadOnlySpan<T> row, T shift)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> buf = stackalloc T[Math.Min(Chunk, row.Length)];
        var s = T.Zero;
        for (var c = 0; c < row.Length; c += Chunk)
        {
            var len = Math.Min(Chunk, row.Length - c);
            var b = buf[..len];
            TensorPrimitives.Subtract(row.Slice(c, len), shift, b);
            LaneMath.Exp(b, b);
            s += TensorPrimitives.Sum<T>(b);
        }

        return s;
    }

    private static void LogSumExp<T>(T[] x, T[] y, int outer, int n, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (n == 0)
        {
            y.AsSpan(0, outer * inner).Fill(T.NegativeInfinity);
            return;
        }

        Reduce.ForSlices(outer, n, inner, (o, k0, kc) =>
        {
            var baseIn = o * n * inner;
            if (inner == 1)
            {
                var row = x.AsSpan(baseIn, n);
                var shift = Shift(TensorPrimitives.Max<T>(row));
                y[o] = shift + T.Log(SumExp<T>(row, shift));
                return;
            }

            var shiftK = y.AsSpan((o * inner) + k0, kc);
            x.AsSpan(baseIn + k0, kc).CopyTo(shiftK);
            for (var j = 1; j < n; j++)
            {
                TensorPrimitives.Max<T>(shiftK, x.AsSpan(baseIn + (j * inner) + k0, kc), shiftK);
            }

            MakeShift(shiftK);
            var pool = ArrayPool<T>.Shared.Rent(2 * kc);
            try
            {
                var s = pool.AsSpan(0, kc);
                var tmp = pool.AsSpan(kc, kc);
                s.Clear();
                for (var j = 0; j < n; j++)
                {
                    TensorPrimitives.Subtract<T>(x.AsSpan(baseIn + (j * inner) + k0, kc), shiftK, tmp);
                    LaneMath.Exp<T>(tmp, tmp);
                    TensorPrimitives.Add<T>(s, tmp, s);
                }

                LaneMath.Log<T>(s, s);
                TensorPrimitives.Add<T>(shiftK, s, shiftK);
            }
            finally
            {
                ArrayPool<T>.Shared.Return(pool);
            }
        });
    }

    private static void Softmax<T>(T[] x, T[] y, int outer, int n, int inner, bool log)
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
                var row = x.AsSpan(baseIn, n);
                var dst = y.AsSpan(baseIn, n);
                var shift = Shift(TensorPrimitives.Max<T>(row));
                TensorPrimitives.Subtract(row, shift, dst);
                LaneMath.Exp<T>(dst, dst);
                var s = TensorPrimitives.Sum<T>(dst);
                if (log)
                {
                    // (x − shift) − log s: exact when x = shift, unlike x − (shift + log s).
                    TensorPrimitives.Subtract(row, shift, dst);
                    TensorPrimitives.Subtract(dst, T.Log(s), dst);
                }
                else
                {
                    TensorPrimitives.Divide(dst, s, dst);
                }

                return;
            }

            var pool = ArrayPool<T>.Shared.Rent(2 * kc);
            try
            {
                var shiftK = pool.AsSpan(0, kc);
                var sum = pool.AsSpan(kc, kc);
                x.AsSpan(baseIn + k0, kc).CopyTo(shiftK);
                for (var j = 1; j < n; j++)
                {
                    TensorPrimitives.Max<T>(shiftK, x.AsSpan(baseIn + (j * inner) + k0, kc), shiftK);
                }

                MakeShift(shiftK);
                sum.Clear();
                for (var j = 0; j < n; j++)
                {
                    var dst = y.AsSpan(baseIn + (j * inner) + k0, kc);
                    TensorPrimitives.Subtract<T>(x.AsSpan(baseIn + (j * inner) + k0, kc), shiftK, dst);
                    LaneMath.Exp<T>(dst, dst);
                    TensorPrimitives.Add<T>(sum, dst, sum);
                }

                if (log)
                {
                    LaneMath.Log<T>(sum, sum);
                }

                for (var j = 0; j < n; j++)
                {
                    var dst = y.AsSpan(baseIn + (j * inner) + k0, kc);
                    if (log)
                    {
                        TensorPrimitives.Subtract<T>(x.AsSpan(baseIn + (j * inner) + k0, kc), shiftK, dst);
                        TensorPrimitives.Subtract<T>(dst, sum, dst);
                    }
                    else
                    {
                        TensorPrimitives.Divide<T>(dst, sum, dst);
                    }
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(pool);
            }
        });
    }
}
