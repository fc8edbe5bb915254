using System.Numerics;
using System.Numerics.Tensors;

namespace McGrad.Kernels;

/// <summary>
/// Offsets for gather/scatter along <see cref="Axis"/>: the index tensor is viewed as [outer, m, inner] and a
/// position (o, j, k) with index value v addresses self at <c>OuterOffset(o) + v·AxisStride + InnerOffset(k)</c>.
/// Index dims other than the axis may be smaller than self's (torch.gather semantics).
/// </summary>
internal sealed class AxisMap
{
    private readonly int[]? _outerOff;
    private readonly int[]? _innerOff;
    private readonly int _denseOuterStride;

    public AxisMap(Shape self, Shape index, int axis)
    {
        Axis = axis;
        var sd = self.Dims;
        var id = index.Dims;
        (Outer, M, Inner) = Reduce.Split(id, axis, axis);
        var strides = self.Strides();
        AxisStride = strides[axis];
        AxisSize = sd[axis];
        _denseOuterStride = AxisSize * AxisStride;
        var outerDense = true;
        var innerDense = true;
        for (var d = 0; d < sd.Length; d++)
        {
            if (d < axis && sd[d] != id[d])
            {
                outerDense = false;
            }
            else if (d > axis && sd[d] != id[d])
            {
                innerDense = false;
            }
        }

        // Leading dims only matter through their strides, so a mismatch there needs the table too.
        if (!outerDense)
        {
            _outerOff = Offsets(id, strides, 0, axis, Outer);
        }

        if (!innerDense)
        {
            _innerOff = Offsets(id, strides, axis + 1, id.Length, Inner);
        }
    }

    public int Axis { get; }

    public int Outer { get; }

    public int M { get; }

    public int Inner { get; }

    public int AxisStride { get; }

    public int AxisSize { get; }

    public bool InnerDense => _innerOff == null;

    public int OuterOffset(int o) => _outerOff?[o] ?? (o * _denseOuterStride);

    public int InnerOffset(int k) => _innerOff![k];

    /// <summary>Self offsets of every multi-index over index dims [from, to), row-major.</summary>
    private static int[] Offsets(int[] indexDims, int[] selfStrides, int from, int to, int count)
    {
        var off = new int[count];
        var coord = new int[to - from];
        for (var i = 0; i < count; i++)
        {
            var o = 0;
            for (var d = 0; d < coord.Length; d++)
            {
                o += coord[d] * selfStrides[from + d];
            }

            off[i] = o;
            for (var d = coord.Length - 1; d >= 0; d--)
            {
                if (++coord[d] < indexDims[from + d])
                {
                    break;
                }

                coord[d] = 0;
            }
        }

        return off;
    }
}

/// <summary>Gather, scatter-add, index-select, index-add and one-hot kernels over Int64 index tensors.</summary>
internal static class IndexKernels
{
    /// <summary>Throws unless every index lies in [0, size), naming the op, the first bad value and the dim size.</summary>
    public static void CheckRange(ReadOnlySpan<long> index, int size, int axis, Shape selfShape, string op)
    {
        if (index.Length == 0)
        {
            return;
        }

        if (TensorPrimitives.Min(index) >= 0 && TensorPrimitives.Max(index) < size)
        {
            return;
        }

        foreach (var v in index)
        {
            if (v < 0 || v >= size)
            {
                throw new ArgumentOutOfRangeException(nameof(index), $"{op}: index {v} is out of range for dimension {axis} of size {size} (input shape {selfShape}); indices must satisfy 0 <= index < {size}.");
            }
        }
    }

    /// <summary>y[o, j, k] = x[o, index[o, j, k], k] (index-shaped result, any dtype).</summary>
    public static Tensor Gather(Tensor x, AxisMap map, Tensor index)
    {
        var y = Tensor.Uninitialized(index.Shape, x.DType);
        var idx = (long[])index.Storage;
        switch (x.DType)
        {
            case DType.Float32:
                Gather((float[])x.Storage, idx, (float[])y.Storage, map);
                break;
            case DType.Float64:
                Gather((double[])x.Storage, idx, (double[])y.Storage, map);
                break;
            default:
                Gather((long[])x.Storage, idx, (long[])y.Storage, map);
                break;
        }

        return y;
    }

    private static void Gather<T>(T[] x, long[] idx, T[] y, AxisMap map)
        where T : unmanaged
    {
        var inner = map.Inner;
        var rows = map.Outer * map.M;
        if (rows == 0 || inner == 0)
        {
            return;
        }

        var stride = map.AxisStride;
        Parallelism.For(rows, Math.Max(1, Parallelism.ElementwiseGrain / inner), (start, count) =>
        {
            for (var r = start; r < start + count; r++)
            {
                var src = map.OuterOffset(r / map.M);
                var b = r * inner;
                if (map.InnerDense)
                {
                    for (var k = 0; k < inner; k++)
                    {
                        y[b + k] = x[src + ((int)idx[b + k] * stride) + k];
                    }
                }
                else
                {
                    for (var k = 0; k < inner; k++)
                    {
                        y[b + k] = x[src + ((int)idx[b + k] * stride) + map.InnerOffset(k)];
                    }
                }
            }
        });
    }

    /// <summary>out = self; out[o, index[o, j, k], k] += src[o, j, k], each output element summed in j order.</summary>
    public static Tensor ScatterAdd(Tensor self, AxisMap map, Tensor index, Tensor src)
    {
        var y = new Tensor(self.Shape, self.DType, (Array)self.Storage.Clone());
        var idx = (long[])index.Storage;
        if (self.DType == DType.Float32)
        {
            ScatterAdd((float[])y.Storage, idx, (float[])src.Storage, map);
        }
        else
        {
            ScatterAdd((double[])y.Storage, idx, (double[])src.Storage, map);
        }

        return y;
    }

    private static void ScatterAdd<T>(T[] y, long[] idx, T[] src, AxisMap map)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var inner = map.Inner;
        var m = map.M;
        var stride = map.AxisStride;

        // An output element is addressed only from one (o, k) fiber, so fibers run in parallel without races
        // and each element receives its contributions in ascending j: deterministic for any thread count.
        Reduce.ForSlices(map.Outer, m, inner, (o, k0, kc) =>
        {
            var dst = map.OuterOffset(o);
            for (var j = 0; j < m; j++)
            {
                var b = ((o * m) + j) * inner;
                for (var k = k0; k < k0 + kc; k++)
                {
                    var off = dst + ((int)idx[b + k] * stride) + (map.InnerDense ? k : map.InnerOffset(k));
                    y[off] += src[b + k];
                }
            }
        });
    }

    /// <summary>y[o, j, :] = x[o, index[j], :] along <paramref name="axis"/> (any dtype).</summary>
    public static Tensor IndexSelect(Tensor x, int axis, Tensor index)
    {
        var dims = x.Shape.ToArray();
        var (outer, n, inner) = Reduce.Split(dims, axis, axis);
        var m = index.Size;
        dims[axis] = m;
        var y = Tensor.Uninitialized(Shape.Wrap(dims), x.DType);
        var idx = (long[])index.Storage;
        switch (x.DType)
        {
            case DType.Float32:
                IndexSelect((float[])x.Storage, idx, (float[])y.Storage, outer, n, m, inner);
                break;
            case DType.Float64:
                IndexSelect((double[])x.Storage, idx, (double[])y.Storage, outer, n, m, inner);
                break;
            default:
                IndexSelect((long[])x.Storage, idx, (long[])y.Storage, outer, n, m, inner);
                break;
        }

        return y;
    }

    private static void IndexSelect<T>(T[] x, long[] idx, T[] y, int outer, int n, int m, int inner)
        where T : unmanaged
    {
        var rows = outer * m;
        if (rows == 0 || inner == 0)
        {
            return;
        }

        Parallelism.For(rows, Math.Max(1, Parallelism.ElementwiseGrain / inner), (start, count) =>
        {
            for (var r = start; r < start + count; r++)
            {
                var o = r / m;
                var j = r - (o * m);
                x.AsSpan((((o * n) + (int)idx[j]) * inner), inner).CopyTo(y.AsSpan(r * inner, inner));
            }
        });
    }

    /// <summary>out = self; out[o, index[j], :] += src[o, j, :], duplicates summed in j order.</summary>
    public static Tensor IndexAdd(Tensor self, int axis, Tensor index, Tensor src)
    {
        var y = new Tensor(self.Shape, self.DType, (Array)self.Storage.Clone());
        var (outer, n, inner) = Reduce.Split(self.Shape.Dims, axis, axis);
        var idx = (long[])index.Storage;
        if (self.DType == DType.Float32)
        {
            IndexAdd((float[])y.Storage, idx, (float[])src.Storage, outer, n, index.Size, inner);
        }
        else
        {
            IndexAdd((double[])y.Storage, idx, (double[])src.Storage, outer, n, index.Size, inner);
        }

        return y;
    }

    private static void IndexAdd<T>(T[] y, long[] idx, T[] src, int outer, int n, int m, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Reduce.ForSlices(outer, m, inner, (o, k0, kc) =>
        {
            for (var j = 0; j < m; j++)
            {
                var dst = y.AsSpan((((o * n) + (int)idx[j]) * inner) + k0, kc);
                TensorPrimitives.Add<T>(dst, src.AsSpan((((o * m) + j) * inner) + k0, kc), dst);
            }
        });
    }

    /// <summary>y[..., c] = 1 where c = indices[...], else 0; shape indices.Shape + [numClasses].</summary>
    public static Tensor OneHot(Tensor indices, int numClasses, DType dtype)
    {
        var dims = new int[indices.Rank + 1];
        indices.Shape.Dims.CopyTo(dims, 0);
        dims[^1] = numClasses;
        var y = Tensor.Zeros(Shape.Wrap(dims), dtype);
        var idx = indices.Span<long>();
        switch (dtype)
        {
            case DType.Float32:
                Fill(y.Span<float>(), idx, numClasses, 1f);
                break;
            case DType.Float64:
                Fill(y.Span<double>(), idx, numClasses, 1.0);
                break;
            default:
                Fill(y.Span<long>(), idx, numClasses, 1L);
                break;
        }

        return y;
    }

    private static void Fill<T>(Span<T> y, ReadOnlySpan<long> idx, int numClasses, T one)
        where T : unmanaged
    {
        for (var i = 0; i < idx.Length; i++)
        {
            y[(i * numClasses) + (int)idx[i]] = one;
        }
    }
}
