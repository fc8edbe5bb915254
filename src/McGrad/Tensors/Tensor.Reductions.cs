using McGrad.Autodiff;
using McGrad.Kernels;

namespace McGrad;

public sealed partial class Tensor
{
    /// <summary>Σ over all elements, as a rank-0 tensor; ∂/∂x = g broadcast to x's shape.</summary>
    public Tensor Sum()
    {
        var all = new int[Rank];
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = i;
        }

        return Sum(all, keepDim: false);
    }

    /// <summary>Σ along one axis (negative counts from the end), optionally keeping it with size 1.</summary>
    public Tensor Sum(int axis, bool keepDim = false) => Sum([axis], keepDim);

    /// <summary>Σ along several axes, optionally keeping them with size 1; ∂/∂x = g broadcast back to x's shape.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">An axis is repeated.</exception>
    public Tensor Sum(int[] axes, bool keepDim = false)
    {
        ArgumentNullException.ThrowIfNull(axes);
        var norm = NormalizeAxes(axes, "Sum");
        var y = this;
        for (var k = norm.Length - 1; k >= 0; k--)
        {
            y = Reduce.Axis<SumReduce>(y, norm[k], "Sum");
        }

        if (norm.Length == 0)
        {
            y = WithShape(Shape);
            Elementwise.RequireFloat(this, "Sum");
        }

        var kept = KeepDimShape(norm);
        if (keepDim)
        {
            y = y.WithShape(kept);
        }

        return Autograd.Record(y, "Sum", this, (g, n) => [g.Reshape(kept.Dims).BroadcastTo(n.Inputs[0].Shape)]);
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
