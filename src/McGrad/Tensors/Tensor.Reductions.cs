using McGrad.Autodiff;
using McGrad.Kernels;

namespace McGrad;

public sealed partial class Tensor
{
    /// <summary>Σ over all elements, as a rank-0 tensor; ∂/∂x = g broadcast to x's shape.</summary>
    public Tensor Sum() => Sum(AllAxes(), keepDim: false);

    /// <summary>Σ along one axis (negative counts from the end), optionally keeping it with size 1.</summary>
    public Tensor Sum(int axis, bool keepDim = false) => Sum([axis], keepDim);

    /// <summary>
    /// Σ along several axes, optionally keeping them with size 1; ∂/∂x = g broadcast back to x's shape.
    /// Adjacent axes are reduced in one pass. An empty axis list reduces nothing; a sum over a size-0 axis is 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">An axis is repeated, or the tensor is Int64.</exception>
    public Tensor Sum(int[] axes, bool keepDim = false)
    {
        ArgumentNullException.ThrowIfNull(axes);
        var norm = NormalizeAxes(axes, "Sum");
        Elementwise.RequireFloat(this, "Sum");
        var y = norm.Length == 0 ? WithShape(Shape) : Reduce.Axes<SumReduce>(this, norm, "Sum");
        var kept = KeepDimShape(norm);
        if (keepDim)
        {
            y = y.WithShape(kept);
        }

        return Autograd.Record(y, "Sum", this, (g, n) => [g.Reshape(kept.Dims).BroadcastTo(n.Inputs[0].Shape)]);
    }

    /// <summary>Mean over all elements, as a rank-0 tensor: (1/N)·Σx; ∂/∂x = g/N broadcast to x's shape.</summary>
    /// <remarks>The mean of an empty tensor is NaN (0/0).</remarks>
    public Tensor Mean() => Mean(AllAxes(), keepDim: false);

    /// <summary>Mean along one axis (negative counts from the end): (1/n)·Σᵢ xᵢ; ∂/∂x = g/n broadcast back.</summary>
    public Tensor Mean(int axis, bool keepDim = false) => Mean([axis], keepDim);

    /// <summary>
    /// Mean along several axes: (1/N)·Σ x over them, N the product of their sizes; ∂/∂x = g/N broadcast back to
    /// x's shape. keepDim keeps the reduced axes with size 1.
    /// </summary>
    /// <remarks>A mean over a size-0 axis is NaN (0/0), as in NumPy and PyTorch. An empty axis list reduces nothing.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">An axis is repeated, or the tensor is Int64.</exception>
    public Tensor Mean(int[] axes, bool keepDim = false)
    {
        ArgumentNullException.ThrowIfNull(axes);
        var norm = NormalizeAxes(axes, "Mean");
        Elementwise.RequireFloat(this, "Mean");
        var count = ReducedCount(norm);
        Tensor y;
        if (norm.Length == 0)
        {
            y = WithShape(Shape);
        }
        else
        {
            y = Reduce.Axes<SumReduce>(this, norm, "Mean");
            if (DType == DType.Float32)
            {
                System.Numerics.Tensors.TensorPrimitives.Divide(y.Span<float>(), count, y.Span<float>());
            }
            else
            {
                System.Numerics.Tensors.TensorPrimitives.Divide(y.Span<double>(), count, y.Span<double>());
            }
        }

        var kept = KeepDimShape(norm);
        if (keepDim)
        {
            y = y.WithShape(kept);
        }

        return Autograd.Record(y, "Mean", this, (g, n) => [(g / count).Reshape(kept.Dims).BroadcastTo(n.Inputs[0].Shape)]);
    }

    /// <summary>
    /// Largest element along <paramref name="axis"/> and its position: Values = max_j x[…, j, …], Indices (Int64)
    /// = the first j attaining it. ∂/∂x = g placed at the returned position (zero elsewhere).
    /// </summary>
    /// <remarks>
    /// Ties: the first occurrence wins, and only it receives the gradient (a subgradient; PyTorch makes the same
    /// choice for max with a dim). NaN counts as larger than every number (the first NaN is returned), and +0 as
    /// larger than −0. The backward is a recorded ScatterAdd, so higher derivatives flow through it.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    /// <exception cref="ArgumentException">The axis has size 0 (and the result is not empty), or the tensor is Int64.</exception>
    public (Tensor Values, Tensor Indices) Max(int axis, bool keepDim = false) => MaxMin<MaxOrder>(axis, keepDim, "Max");

    /// <summary>
    /// Smallest element along <paramref name="axis"/> and its position: Values = min_j x[…, j, …], Indices (Int64)
    /// = the first j attaining it. ∂/∂x = g placed at the returned position (zero elsewhere).
    /// </summary>
    /// <remarks>Ties: the first occurrence wins and gets the gradient. NaN counts as smaller than every number
    /// (the first NaN is returned), and −0 as smaller than +0.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    /// <exception cref="ArgumentException">The axis has size 0 (and the result is not empty), or the tensor is Int64.</exception>
    public (Tensor Values, Tensor Indices) Min(int axis, bool keepDim = false) => MaxMin<MinOrder>(axis, keepDim, "Min");

    /// <summary>Largest element of the whole tensor (rank 0); ∂/∂x = g at the first position attaining it.</summary>
    /// <exception cref="ArgumentException">The tensor is empty or Int64.</exception>
    public Tensor Max() => ReduceAll<MaxOrder>("Max");

    /// <summary>Smallest element of the whole tensor (rank 0); ∂/∂x = g at the first position attaining it.</summary>
    /// <exception cref="ArgumentException">The tensor is empty or Int64.</exception>
    public Tensor Min() => ReduceAll<MinOrder>("Min");

    /// <summary>Int64 position of the largest element along <paramref name="axis"/> (first occurrence on ties; NaN counts as largest). Not differentiable.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    /// <exception cref="ArgumentException">The axis has size 0, or the tensor is Int64.</exception>
    public Tensor ArgMax(int axis, bool keepDim = false) => ArgIndex<MaxOrder>(axis, keepDim, "ArgMax");

    /// <summary>Int64 position of the smallest element along <paramref name="axis"/> (first occurrence on ties; NaN counts as smallest). Not differentiable.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    /// <exception cref="ArgumentException">The axis has size 0, or the tensor is Int64.</exception>
    public Tensor ArgMin(int axis, bool keepDim = false) => ArgIndex<MinOrder>(axis, keepDim, "ArgMin");

    /// <summary>Row-major flat Int64 index (rank 0) of the largest element of the whole tensor (first occurrence on ties).</summary>
    /// <exception cref="ArgumentException">The tensor is empty or Int64.</exception>
    public Tensor ArgMax() => Autograd.Untracked(FlatArg<MaxOrder>("ArgMax").Indices, "ArgMax");

    /// <summary>Row-major flat Int64 index (rank 0) of the smallest element of the whole tensor (first occurrence on ties).</summary>
    /// <exception cref="ArgumentException">The tensor is empty or Int64.</exception>
    public Tensor ArgMin() => Autograd.Untracked(FlatArg<MinOrder>("ArgMin").Indices, "ArgMin");

    /// <summary>
    /// Variance over all elements (rank 0): Σ(x − mean)² / (N − correction); ∂/∂x = g·2(x − mean)/(N − correction).
    /// </summary>
    /// <remarks>See <see cref="Var(int[], bool, double)"/>. The default correction 1 is Bessel's (unbiased), as in PyTorch.</remarks>
    public Tensor Var(double correction = 1) => Var(AllAxes(), keepDim: false, correction);

    /// <summary>
    /// Variance along one axis: Σⱼ(xⱼ − mean)² / (n − correction); ∂/∂x = g·2(x − mean)/(n − correction).
    /// </summary>
    /// <remarks>See <see cref="Var(int[], bool, double)"/>.</remarks>
    public Tensor Var(int axis, bool keepDim = false, double correction = 1) => Var([axis], keepDim, correction);

    /// <summary>
    /// Variance along several axes: Σ(x − mean)² / (N − correction), N the number of elements reduced;
    /// ∂/∂x = g·2(x − mean)/(N − correction).
    /// </summary>
    /// <remarks>
    /// correction = 1 (the default, Bessel's correction) gives the unbiased sample variance, as PyTorch's default;
    /// correction = 0 gives the population (maximum-likelihood) variance. The divisor is max(0, N − correction),
    /// so a single element with correction 1 gives NaN (0/0), as in PyTorch. Computed in two passes (mean, then
    /// squared deviations). The gradient is written in tensor ops, so higher derivatives work.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">An axis is repeated, correction is not finite, or the tensor is Int64.</exception>
    public Tensor Var(int[] axes, bool keepDim = false, double correction = 1) => Moment(axes, keepDim, correction, sqrt: false, "Var");

    /// <summary>
    /// Standard deviation over all elements (rank 0): √(Σ(x − mean)² / (N − correction));
    /// ∂/∂x = g·(x − mean)/((N − correction)·std).
    /// </summary>
    /// <remarks>See <see cref="Std(int[], bool, double)"/>.</remarks>
    public Tensor Std(double correction = 1) => Std(AllAxes(), keepDim: false, correction);

    /// <summary>
    /// Standard deviation along one axis: √(Σⱼ(xⱼ − mean)² / (n − correction)); ∂/∂x = g·(x − mean)/((n − correction)·std).
    /// </summary>
    /// <remarks>See <see cref="Std(int[], bool, double)"/>.</remarks>
    public Tensor Std(int axis, bool keepDim = false, double correction = 1) => Std([axis], keepDim, correction);

    /// <summary>
    /// Standard deviation along several axes: √Var(x; axes, correction);
    /// ∂/∂x = g·(x − mean)/((N − correction)·std).
    /// </summary>
    /// <remarks>
    /// correction defaults to 1 (Bessel), as in PyTorch. Where std = 0 (all elements equal) the gradient is
    /// 0/0 = NaN, as for √ at 0. The gradient uses the saved output and is written in tensor ops (second order works).
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">An axis is repeated, correction is not finite, or the tensor is Int64.</exception>
    public Tensor Std(int[] axes, bool keepDim = false, double correction = 1) => Moment(axes, keepDim, correction, sqrt: true, "Std");

    /// <summary>
    /// Inclusive cumulative sum along <paramref name="axis"/>: yⱼ = Σ_{i ≤ j} xᵢ (or Σ_{i ≥ j} xᵢ when
    /// <paramref name="reverse"/>); ∂/∂x = the cumulative sum of g in the opposite direction.
    /// </summary>
    /// <remarks>Sums run sequentially along the axis, so results are identical for any thread count.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    /// <exception cref="ArgumentException">The tensor is Int64.</exception>
    public Tensor CumSum(int axis, bool reverse = false)
    {
        var a = Shape.NormalizeAxis(axis, Rank, "CumSum");
        var y = Scan.CumSum(this, a, reverse, "CumSum");
        return Autograd.Record(y, "CumSum", this, (g, _) => [g.CumSum(a, !reverse)]);
    }

    /// <summary>Values and indices (rank 0) of the selected element of the flattened tensor; throws when empty.</summary>
    private (Tensor Values, Tensor Indices) FlatArg<TOrder>(string op)
        where TOrder : struct, IArgOrder
    {
        Elementwise.RequireFloat(this, op);
        if (Size == 0)
        {
            throw new ArgumentException($"{op}: the tensor of shape {Shape} is empty; a reduction over no elements has no identity.");
        }

        return Kernels.ArgReduce.Run<TOrder>(WithShape(Shape.Wrap([Size])), 0, op);
    }

    private Tensor ReduceAll<TOrder>(string op)
        where TOrder : struct, IArgOrder
    {
        var (values, indices) = FlatArg<TOrder>(op);
        var flatIdx = indices.WithShape(Shape.Wrap([1]));
        var size = Size;
        return Autograd.Record(values, op, this, (g, n) =>
            [Zeros(Shape.Wrap([size]), g.DType).ScatterAdd(0, flatIdx, g.Reshape(1)).Reshape(n.Inputs[0].Shape.Dims)]);
    }

    private (Tensor Values, Tensor Indices) MaxMin<TOrder>(int axis, bool keepDim, string op)
        where TOrder : struct, IArgOrder
    {
        var a = Shape.NormalizeAxis(axis, Rank, op);
        var (values, indices) = Kernels.ArgReduce.Run<TOrder>(this, a, op);
        var kept = KeepDimShape([a]);
        var idxKept = indices.WithShape(kept);
        if (keepDim)
        {
            values = values.WithShape(kept);
            indices = idxKept;
        }

        values = Autograd.Record(values, op, this, (g, n) => [Zeros(n.Inputs[0].Shape, g.DType).ScatterAdd(a, idxKept, g.Reshape(kept.Dims))]);
        return (values, Autograd.Untracked(indices, op));
    }

    private Tensor ArgIndex<TOrder>(int axis, bool keepDim, string op)
        where TOrder : struct, IArgOrder
    {
        var a = Shape.NormalizeAxis(axis, Rank, op);
        var indices = Kernels.ArgReduce.Run<TOrder>(this, a, op).Indices;
        return Autograd.Untracked(keepDim ? indices.WithShape(KeepDimShape([a])) : indices, op);
    }

    private Tensor Moment(int[] axes, bool keepDim, double correction, bool sqrt, string op)
    {
        ArgumentNullException.ThrowIfNull(axes);
        var norm = NormalizeAxes(axes, op);
        Elementwise.RequireFloat(this, op);
        if (!double.IsFinite(correction))
        {
            throw new ArgumentException($"{op}: correction must be finite, got {correction}.", nameof(correction));
        }

        var divisor = Math.Max(0.0, ReducedCount(norm) - correction);
        var runs = Reduce.Runs(norm);
        Tensor y;
        if (runs.Count <= 1)
        {
            var (first, last) = runs.Count == 0 ? (1, 0) : runs[0];
            y = Moments.Variance(this, first, last, divisor, sqrt);
        }
        else
        {
            using (Autograd.NoGrad())
            {
                var x = Detach();
                var d = x - x.Mean(norm, keepDim: true);
                y = (d * d).Sum(norm) / divisor;
            }

            if (sqrt)
            {
                if (DType == DType.Float32)
                {
                    System.Numerics.Tensors.TensorPrimitives.Sqrt(y.Span<float>(), y.Span<float>());
                }
                else
                {
                    System.Numerics.Tensors.TensorPrimitives.Sqrt(y.Span<double>(), y.Span<double>());
                }
            }
        }

        var kept = KeepDimShape(norm);
        var output = keepDim ? y.WithShape(kept) : y;
        return Autograd.Record(output, op, this, (g, n) =>
        {
            var x = n.Inputs[0];
            var dev = x - x.Mean(norm, keepDim: true);
            var gK = g.Reshape(kept.Dims);
            return sqrt
                ? [(gK / (output.Reshape(kept.Dims) * divisor)) * dev]
                : [(gK * (2.0 / divisor)) * dev];
        });
    }

    /// <summary>
    /// Sums this tensor down to <paramref name="shape"/>, the inverse of broadcasting: leading dims are summed away
    /// and dims where <paramref name="shape"/> has size 1 are summed with keepdim.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="shape"/> does not broadcast to this tensor's shape.</exception>
    public Tensor SumTo(Shape shape)
    {
        if (shape == Shape)
        {
            return this;
        }

        var lead = Rank - shape.Rank;
        if (lead < 0 || Shape.Broadcast(Shape, shape, "SumTo") != Shape)
        {
            throw new ArgumentException($"SumTo: shape {shape} does not broadcast to {Shape}, so {Shape} cannot be summed down to it.", nameof(shape));
        }

        var axes = new List<int>();
        for (var i = 0; i < Rank; i++)
        {
            if (i < lead || (shape.Dims[i - lead] == 1 && Shape.Dims[i] != 1))
            {
                axes.Add(i);
            }
        }

        return Sum([.. axes], keepDim: false).Reshape(shape.Dims);
    }

    /// <summary>[0, 1, …, Rank − 1].</summary>
    internal int[] AllAxes()
    {
        var all = new int[Rank];
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = i;
        }

        return all;
    }

    /// <summary>Product of the sizes of the given axes (1 for none).</summary>
    internal int ReducedCount(int[] sortedAxes)
    {
        var count = 1;
        foreach (var a in sortedAxes)
        {
            count *= Shape.Dims[a];
        }

        return count;
    }

    /// <summary>Normalises, validates and sorts reduction axes.</summary>
    internal int[] NormalizeAxes(int[] axes, string op)
    {
        var norm = new int[axes.Length];
        for (var i = 0; i < axes.Length; i++)
        {
            norm[i] = Shape.NormalizeAxis(axes[i], Rank, op);
        }

        Array.Sort(norm);
        for (var i = 1; i < norm.Length; i++)
        {
            if (norm[i] == norm[i - 1])
            {
                throw new ArgumentException($"{op}: axis {norm[i]} appears twice in [{string.Join(", ", axes)}].", nameof(axes));
            }
        }

        return norm;
    }

    /// <summary>This tensor's shape with the given (sorted, normalised) axes set to 1.</summary>
    internal Shape KeepDimShape(int[] sortedAxes)
    {
        var dims = Shape.ToArray();
        foreach (var a in sortedAxes)
        {
            dims[a] = 1;
        }

        return Shape.Wrap(dims);
    }
}
