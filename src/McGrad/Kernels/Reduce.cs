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

/// <summary>
/// Reductions of a tensor viewed as [outer, n, inner] along the middle axis. A run of adjacent axes is
/// reduced in one pass (its dims are merged into n); non-adjacent axes are reduced run by run.
/// </summary>
/// <remarks>
/// Work is split into (outer row, inner block) items with a fixed block size, and every output element is
/// computed by exactly one item in a fixed order, so results do not depend on the thread count.
/// </remarks>
internal static class Reduce
{
    /// <summary>Inner (column) block size of one work item; fixed so that chunking never depends on threads.</summary>
    public const int InnerBlock = 2048;

    /// <summary>Views dims as [outer, n, inner] where n is the product of dims[first..last] (inclusive).</summary>
    public static (int Outer, int N, int Inner) Split(int[] dims, int first, int last)
    {
        int outer = 1, n = 1, inner = 1;
        for (var i = 0; i < dims.Length; i++)
        {
            if (i < first)
            {
                outer *= dims[i];
            }
            else if (i > last)
            {
                inner *= dims[i];
            }
            else
            {
                n *= dims[i];
            }
        }

        return (outer, n, inner);
    }

    /// <summary>The runs of consecutive axes in a sorted axis list, e.g. [0, 1, 3] → (0, 1), (3, 3).</summary>
    public static List<(int First, int Last)> Runs(int[] sortedAxes)
    {
        var runs = new List<(int, int)>();
        var i = 0;
        while (i < sortedAxes.Length)
        {
            var j = i;
            while (j + 1 < sortedAxes.Length && sortedAxes[j + 1] == sortedAxes[j] + 1)
            {
                j++;
            }

            runs.Add((sortedAxes[i], sortedAxes[j]));
            i = j + 1;
        }

        return runs;
    }

    /// <summary>Dims with dims[first..last] removed.</summary>
    public static int[] RemoveRun(int[] dims, int first, int last)
    {
        var res = new int[dims.Length - (last - first + 1)];
        var k = 0;
        for (var i = 0; i < dims.Length; i++)
        {
            if (i < first || i > last)
            {
                res[k++] = dims[i];
            }
        }

        return res;
    }

    /// <summary>
    /// Applies a run reduction (which removes dims[first..last]) to each run of <paramref name="sortedAxes"/>,
    /// last run first so that earlier axis numbers stay valid. Returns <paramref name="x"/> when there are no axes.
    /// </summary>
    public static Tensor OverRuns(Tensor x, int[] sortedAxes, Func<Tensor, int, int, Tensor> reduceRun)
    {
        var runs = Runs(sortedAxes);
        var y = x;
        for (var r = runs.Count - 1; r >= 0; r--)
        {
            y = reduceRun(y, runs[r].First, runs[r].Last);
        }

        return y;
    }

    /// <summary>
    /// Runs <paramref name="body"/>(o, k0, kc) for every outer row o and inner block [k0, k0 + kc), in parallel
    /// when the work (outer · n · inner) is large. Items never overlap in output, and their split depends only
    /// on the sizes.
    /// </summary>
    public static void ForSlices(int outer, int n, int inner, Action<int, int, int> body)
    {
        if (outer == 0 || inner == 0)
        {
            return;
        }

        var blocks = (inner + InnerBlock - 1) / InnerBlock;
        var blockLen = Math.Min(inner, InnerBlock);
        var items = outer * blocks;
        var grain = Math.Max(1, Parallelism.ElementwiseGrain / Math.Max(1, Math.Max(1, n) * blockLen));
        if (items == 1)
        {
            body(0, 0, inner);
            return;
        }

        Parallelism.For(items, grain, (start, count) =>
        {
            for (var it = start; it < start + count; it++)
            {
                var o = it / blocks;
                var k0 = (it - (o * blocks)) * InnerBlock;
                body(o, k0, Math.Min(InnerBlock, inner - k0));
            }
        });
    }

    /// <summary>Reduces <paramref name="x"/> along <paramref name="axis"/> (already normalised); the axis is removed.</summary>
    public static Tensor Axis<TOp>(Tensor x, int axis, string op)
        where TOp : struct, IReduceOp
        => Run<TOp>(x, axis, axis, op);

    /// <summary>Reduces along sorted, normalised axes (each run of adjacent axes in one pass); returns x when there are none.</summary>
    public static Tensor Axes<TOp>(Tensor x, int[] sortedAxes, string op)
        where TOp : struct, IReduceOp
    {
        Elementwise.RequireFloat(x, op);
        return OverRuns(x, sortedAxes, (t, first, last) => Run<TOp>(t, first, last, op));
    }

    /// <summary>Reduces the adjacent axes first..last in one pass; they are removed from the shape.</summary>
    public static Tensor Run<TOp>(Tensor x, int first, int last, string op)
        where TOp : struct, IReduceOp
    {
        Elementwise.RequireFloat(x, op);
        var dims = x.Shape.Dims;
        var (outer, n, inner) = Split(dims, first, last);
        var y = Tensor.Uninitialized(Shape.Wrap(RemoveRun(dims, first, last)), x.DType);
        if (x.DType == DType.Float32)
        {
            Run<float, TOp>((float[])x.Storage, (float[])y.Storage, outer, n, inner, op);
        }
        else
        {
            Run<double, TOp>((double[])x.Storage, (double[])y.Storage, outer, n, inner, op);
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

        ForSlices(outer, n, inner, (o, k0, kc) =>
        {
            var baseIn = o * n * inner;
            if (inner == 1)
            {
                y[o] = TOp.Reduce<T>(x.AsSpan(baseIn, n));
                return;
            }

            var acc = y.AsSpan((o * inner) + k0, kc);
            x.AsSpan(baseIn + k0, kc).CopyTo(acc);
            for (var j = 1; j < n; j++)
            {
                TOp.Accumulate<T>(acc, x.AsSpan(baseIn + (j * inner) + k0, kc));
            }
        });
    }
}
