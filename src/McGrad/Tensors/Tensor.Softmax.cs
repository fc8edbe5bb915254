using McGrad.Autodiff;
using McGrad.Kernels;

namespace McGrad;

public sealed partial class Tensor
{
    /// <summary>log Σ exp(x) over all elements (rank 0), computed stably; ∂/∂x = g·exp(x − lse) = g·softmax(x).</summary>
    /// <remarks>See <see cref="LogSumExp(int[], bool)"/>.</remarks>
    public Tensor LogSumExp() => LogSumExp(AllAxes(), keepDim: false);

    /// <summary>log Σⱼ exp(xⱼ) along one axis, computed stably; ∂/∂x = g·exp(x − lse) = g·softmax(x).</summary>
    /// <remarks>See <see cref="LogSumExp(int[], bool)"/>.</remarks>
    public Tensor LogSumExp(int axis, bool keepDim = false) => LogSumExp([axis], keepDim);

    /// <summary>
    /// log Σ exp(x) over the given axes, computed as m + log Σ exp(x − m) with m the maximum;
    /// ∂/∂x = g·exp(x − lse), i.e. g times the softmax over those axes.
    /// </summary>
    /// <remarks>
    /// Stable for large magnitudes (±1000 gives finite results). −∞ entries contribute 0; a slice of only −∞
    /// (or an empty slice) gives −∞, not NaN; a slice holding +∞ gives +∞; NaN propagates. The gradient of an
    /// all −∞ slice is NaN (exp(−∞ − (−∞))), as in PyTorch. Non-adjacent axes are reduced one run at a time
    /// (log-sum-exp composes). The gradient uses the saved output, so higher derivatives work.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">An axis is repeated, or the tensor is Int64.</exception>
    public Tensor LogSumExp(int[] axes, bool keepDim = false)
    {
        ArgumentNullException.ThrowIfNull(axes);
        var norm = NormalizeAxes(axes, "LogSumExp");
        Elementwise.RequireFloat(this, "LogSumExp");
        var y = norm.Length == 0
            ? WithShape(Shape)
            : Reduce.OverRuns(this, norm, static (t, first, last) => SoftmaxKernels.LogSumExp(t, first, last, "LogSumExp"));
        var kept = KeepDimShape(norm);
        var output = keepDim ? y.WithShape(kept) : y;
        return Autograd.Record(output, "LogSumExp", this, (g, n) =>
            [g.Reshape(kept.Dims) * (n.Inputs[0] - output.Reshape(kept.Dims)).Exp()]);
    }

    /// <summary>
    /// softmax(x)ⱼ = exp(xⱼ − m) / Σₖ exp(xₖ − m) along <paramref name="axis"/> (m the maximum, for stability);
    /// ∂/∂x = y·(g − Σⱼ gⱼyⱼ), with y the output.
    /// </summary>
    /// <remarks>
    /// Stable for large magnitudes; −∞ entries get probability 0. A slice of only −∞, or one holding +∞, gives NaN
    /// (as in PyTorch). The gradient uses the saved output, so higher derivatives work.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    /// <exception cref="ArgumentException">The tensor is Int64.</exception>
    public Tensor Softmax(int axis = -1)
    {
        var a = Shape.NormalizeAxis(axis, Rank, "Softmax");
        var y = SoftmaxKernels.Softmax(this, a, log: false, "Softmax");
        return Autograd.Record(y, "Softmax", this, (g, _) => [y * (g - (g * y).Sum(a, keepDim: true))]);
    }

    /// <summary>
    /// log softmax(x)ⱼ = xⱼ − log Σₖ exp(xₖ) along <paramref name="axis"/>, computed stably;
    /// ∂/∂x = g − exp(y)·Σⱼ gⱼ, with y the output.
    /// </summary>
    /// <remarks>
    /// Stable for large magnitudes (no log of an underflowed softmax); −∞ entries stay −∞. A slice of only −∞ gives
    /// NaN (as in PyTorch). The gradient uses the saved output, so higher derivatives work.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    /// <exception cref="ArgumentException">The tensor is Int64.</exception>
    public Tensor LogSoftmax(int axis = -1)
    {
        var a = Shape.NormalizeAxis(axis, Rank, "LogSoftmax");
        var y = SoftmaxKernels.Softmax(this, a, log: true, "LogSoftmax");
        return Autograd.Record(y, "LogSoftmax", this, (g, _) => [g - (y.Exp() * g.Sum(a, keepDim: true))]);
    }
}
