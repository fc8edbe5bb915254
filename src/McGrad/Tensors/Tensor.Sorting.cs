using McGrad.Autodiff;
using McGrad.Kernels;

namespace McGrad;

public sealed partial class Tensor
{
    /// <summary>
    /// Sorts along <paramref name="axis"/>: Values = x.Gather(axis, Indices), with Indices (Int64) the stable
    /// sorting permutation; ∂/∂x = g scattered back to the original positions (the Gather's backward).
    /// </summary>
    /// <param name="axis">The axis to sort along; negative counts from the end.</param>
    /// <param name="descending">Largest first instead of smallest first.</param>
    /// <remarks>
    /// Stable in both directions: equal elements keep their original order. NaN sorts as larger than every number
    /// (last ascending, first descending); −0 and +0 compare equal. Values are differentiable through the
    /// recorded Gather, so derivatives of any order flow.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    /// <exception cref="ArgumentException">The tensor is Int64.</exception>
    public (Tensor Values, Tensor Indices) Sort(int axis = -1, bool descending = false)
    {
        Elementwise.RequireFloat(this, "Sort");
        var a = Shape.NormalizeAxis(axis, Rank, "Sort");
        var indices = SortKernels.Indices(this, a, Shape.Dims[a], descending);
        return (Gather(a, indices), Autograd.Untracked(indices, "Sort"));
    }

    /// <summary>
    /// The <paramref name="k"/> largest (or smallest) elements along <paramref name="axis"/>, in sorted order:
    /// Values = x.Gather(axis, Indices); ∂/∂x = g scattered back to the selected positions.
    /// </summary>
    /// <param name="k">How many to keep, 0 ≤ k ≤ size of the axis.</param>
    /// <param name="axis">The axis to select along; negative counts from the end.</param>
    /// <param name="largest">Select the largest (descending order) or the smallest (ascending order).</param>
    /// <remarks>
    /// Ties are broken by position (earlier first), so the result is deterministic; NaN counts as larger than
    /// every number. Values are differentiable through the recorded Gather.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range, or k is outside [0, size of axis].</exception>
    /// <exception cref="ArgumentException">The tensor is Int64.</exception>
    public (Tensor Values, Tensor Indices) TopK(int k, int axis = -1, bool largest = true)
    {
        Elementwise.RequireFloat(this, "TopK");
        var a = Shape.NormalizeAxis(axis, Rank, "TopK");
        var n = Shape.Dims[a];
        if (k < 0 || k > n)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"TopK: k = {k} is out of range for axis {axis} of size {n} (shape {Shape}); expected 0 <= k <= {n}.");
        }

        var indices = SortKernels.Indices(this, a, k, largest);
        return (Gather(a, indices), Autograd.Untracked(indices, "TopK"));
    }
}
