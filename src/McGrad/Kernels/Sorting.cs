using System.Buffers;
using System.Numerics;

namespace McGrad.Kernels;

/// <summary>
/// Sorting along one axis: a total order where NaN is larger than every number (−0 and +0 compare equal) and
/// ties keep their original order (stable), in both directions.
/// </summary>
internal static class SortKernels
{
    /// <summary>Below this k, TopK selects by insertion into a k-buffer instead of sorting the whole fiber.</summary>
    private const int SelectLimit = 32;

    /// <summary>
    /// Int64 positions of the first <paramref name="keep"/> elements of each fiber along <paramref name="axis"/>
    /// in sorted order (descending when <paramref name="descending"/>); the axis has size keep in the result.
    /// </summary>
    public static Tensor Indices(Tensor x, int axis, int keep, bool descending)
    {
        var dims = x.Shape.ToArray();
        var (outer, n, inner) = Reduce.Split(dims, axis, axis);
        dims[axis] = keep;
        var y = Tensor.Uninitialized(Shape.Wrap(dims), DType.Int64);
        if (x.DType == DType.Float32)
        {
            Run((float[])x.Storage, (long[])y.Storage, outer, n, inner, keep, descending);
        }
        else
        {
            Run((double[])x.Storage, (long[])y.Storage, outer, n, inner, keep, descending);
        }

        return y;
    }

    /// <summary>Compares positions a, b by key (NaN largest), reversed when descending, then by position.</summary>
    private readonly struct Order<T> : IComparer<int>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T[] _keys;
        private readonly bool _descending;

        public Order(T[] keys, bool descending)
        {
            _keys = keys;
            _descending = descending;
        }

        public int Compare(int a, int b)
        {
            var c = Key(_keys[a], _keys[b]);
            if (_descending)
            {
                c = -c;
            }

            return c != 0 ? c : a.CompareTo(b);
        }

        private static int Key(T x, T y)
        {
            if (T.IsNaN(x))
            {
                return T.IsNaN(y) ? 0 : 1;
            }

            if (T.IsNaN(y))
            {
                return -1;
            }

            return x < y ? -1 : (x > y ? 1 : 0);
        }
    }

    private static void Run<T>(T[] x, long[] y, int outer, int n, int inner, int keep, bool descending)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var fibers = outer * inner;
        if (fibers == 0 || keep == 0)
        {
            return;
        }

        var select = keep <= SelectLimit && keep < n;
        var grain = (int)Math.Max(1, Parallelism.ElementwiseGrain / Math.Max(1L, (long)n * 8));
        Parallelism.For(fibers, grain, (start, count) =>
        {
            var keys = ArrayPool<T>.Shared.Rent(n);
            var perm = ArrayPool<int>.Shared.Rent(n);
            try
            {
                var order = new Order<T>(keys, descending);
                for (var f = start; f < start + count; f++)
                {
                    var o = f / inner;
                    var k = f - (o * inner);
                    var baseIn = (o * n * inner) + k;
                    for (var j = 0; j < n; j++)
                    {
                        keys[j] = x[baseIn + (j * inner)];
                    }

                    var p = perm.AsSpan(0, select ? keep : n);
                    if (select)
                    {
                        SelectFirst(order, n, p);
                    }
                    else
                    {
                        for (var j = 0; j < n; j++)
                        {
                            p[j] = j;
                        }

                        p.Sort(order);
                    }

                    var baseOut = (o * keep * inner) + k;
                    for (var j = 0; j < keep; j++)
                    {
                        y[baseOut + (j * inner)] = p[j];
                    }
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(keys);
                ArrayPool<int>.Shared.Return(perm);
            }
        });
    }

    /// <summary>The first buf.Length positions of 0..n−1 under <paramref name="order"/>, sorted (insertion into a k-buffer).</summary>
    private static void SelectFirst<TOrder>(TOrder order, int n, Span<int> buf)
        where TOrder : IComparer<int>
    {
        var k = buf.Length;
        var filled = 0;
        for (var i = 0; i < n; i++)
        {
            if (filled == k && order.Compare(i, buf[k - 1]) >= 0)
            {
                continue;
            }

            var pos = filled == k ? k - 1 : filled++;
            while (pos > 0 && order.Compare(i, buf[pos - 1]) < 0)
            {
                buf[pos] = buf[pos - 1];
                pos--;
            }

            buf[pos] = i;
        }
    }
}
