using McGrad.Autodiff;
using McGrad.Kernels;

namespace McGrad;

public sealed partial class Tensor
{
    /// <summary>
    /// Gathers along <paramref name="axis"/> (torch.gather): y[i₀…, j, …iₙ] = x[i₀…, index[i₀…, j, …iₙ], …iₙ], with
    /// y shaped like <paramref name="index"/>; ∂/∂x = zeros.ScatterAdd(axis, index, g).
    /// </summary>
    /// <param name="axis">The axis indexed by the values of <paramref name="index"/>; negative counts from the end.</param>
    /// <param name="index">Int64 tensor of the same rank as this one; along every other axis its size must not
    /// exceed this tensor's; every value must lie in [0, size of <paramref name="axis"/>).</param>
    /// <remarks>
    /// Works for every dtype (Int64 results are not differentiable). The backward is a recorded
    /// <see cref="ScatterAdd"/>, whose own backward is a Gather, so derivatives of any order flow.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The axis or an index value is out of range.</exception>
    /// <exception cref="ArgumentException">index is not Int64, has another rank, or is larger than this tensor along another axis.</exception>
    public Tensor Gather(int axis, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        var a = Shape.NormalizeAxis(axis, Rank, "Gather");
        var map = AxisIndexMap(index, a, "Gather");
        var y = IndexKernels.Gather(this, map, index);
        return Autograd.Record(y, "Gather", this, (g, n) => [Zeros(n.Inputs[0].Shape, g.DType).ScatterAdd(a, index, g)]);
    }

    /// <summary>
    /// Out-of-place scatter-add along <paramref name="axis"/>: y = x, then
    /// y[i₀…, index[i₀…, j, …iₙ], …iₙ] += src[i₀…, j, …iₙ] for every position of <paramref name="index"/>
    /// (duplicates accumulate); ∂/∂x = g, ∂/∂src = g.Gather(axis, index).
    /// </summary>
    /// <param name="axis">The axis addressed by the values of <paramref name="index"/>; negative counts from the end.</param>
    /// <param name="index">Int64 tensor of this tensor's rank, no larger than it along other axes, values in [0, size of axis).</param>
    /// <param name="src">Values to add; must have exactly <paramref name="index"/>'s shape (stricter than PyTorch,
    /// which ignores src elements beyond index's extent) and this tensor's dtype.</param>
    /// <remarks>
    /// Deterministic: each output element receives its contributions in index order, whatever the thread count.
    /// Both inputs are differentiable; the backward for src is a recorded <see cref="Gather"/>.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The axis or an index value is out of range.</exception>
    /// <exception cref="ArgumentException">Dtypes differ or are not floating point; index is not Int64 or has a bad shape; src's shape differs from index's.</exception>
    public Tensor ScatterAdd(int axis, Tensor index, Tensor src)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(src);
        Elementwise.RequireSameFloat(this, src, "ScatterAdd");
        var a = Shape.NormalizeAxis(axis, Rank, "ScatterAdd");
        var map = AxisIndexMap(index, a, "ScatterAdd");
        if (src.Shape != index.Shape)
        {
            throw new ArgumentException($"ScatterAdd: src has shape {src.Shape} but index has shape {index.Shape}; they must be equal.", nameof(src));
        }

        var y = IndexKernels.ScatterAdd(this, map, index, src);
        return Autograd.Record(y, "ScatterAdd", this, src, (g, n) =>
        [
            n.NeedsGrad(0) ? g : null,
            n.NeedsGrad(1) ? g.Gather(a, index) : null,
        ]);
    }

    /// <summary>
    /// Selects slices along <paramref name="axis"/>: y[…, j, …] = x[…, index[j], …], with the axis resized to
    /// index's length; ∂/∂x = zeros.IndexAdd(axis, index, g).
    /// </summary>
    /// <param name="axis">The axis to select along; negative counts from the end.</param>
    /// <param name="index">1-D Int64 tensor with values in [0, size of axis); repeats are allowed.</param>
    /// <remarks>Works for every dtype. The backward is a recorded <see cref="IndexAdd"/> (whose backward is IndexSelect).</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The axis or an index value is out of range.</exception>
    /// <exception cref="ArgumentException">index is not a 1-D Int64 tensor.</exception>
    public Tensor IndexSelect(int axis, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        var a = Shape.NormalizeAxis(axis, Rank, "IndexSelect");
        RequireIndex1D(index, a, "IndexSelect");
        var y = IndexKernels.IndexSelect(this, a, index);
        return Autograd.Record(y, "IndexSelect", this, (g, n) => [Zeros(n.Inputs[0].Shape, g.DType).IndexAdd(a, index, g)]);
    }

    /// <summary>
    /// Out-of-place index-add along <paramref name="axis"/>: y = x, then y[…, index[j], …] += source[…, j, …]
    /// for each j (repeats accumulate); ∂/∂x = g, ∂/∂source = g.IndexSelect(axis, index).
    /// </summary>
    /// <param name="axis">The axis addressed by <paramref name="index"/>; negative counts from the end.</param>
    /// <param name="index">1-D Int64 tensor with values in [0, size of axis).</param>
    /// <param name="source">This tensor's shape with the axis resized to index's length, and this tensor's dtype.</param>
    /// <remarks>Deterministic: repeated indices accumulate in index order, whatever the thread count.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The axis or an index value is out of range.</exception>
    /// <exception cref="ArgumentException">Dtypes differ or are not floating point; index is not 1-D Int64; source has the wrong shape.</exception>
    public Tensor IndexAdd(int axis, Tensor index, Tensor source)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(source);
        Elementwise.RequireSameFloat(this, source, "IndexAdd");
        var a = Shape.NormalizeAxis(axis, Rank, "IndexAdd");
        RequireIndex1D(index, a, "IndexAdd");
        var expected = Shape.ToArray();
        expected[a] = index.Size;
        if (source.Shape != new Shape(expected))
        {
            throw new ArgumentException($"IndexAdd: source has shape {source.Shape}; expected {new Shape(expected)} (this tensor's shape {Shape} with axis {a} resized to the index length {index.Size}).", nameof(source));
        }

        var y = IndexKernels.IndexAdd(this, a, index, source);
        return Autograd.Record(y, "IndexAdd", this, source, (g, n) =>
        [
            n.NeedsGrad(0) ? g : null,
            n.NeedsGrad(1) ? g.IndexSelect(a, index) : null,
        ]);
    }

    /// <summary>
    /// One-hot encoding: y[…, c] = 1 if indices[…] = c else 0, with shape indices.Shape + [numClasses]. Not differentiable.
    /// </summary>
    /// <param name="indices">Int64 tensor of class labels in [0, numClasses).</param>
    /// <param name="numClasses">Number of classes (≥ 0), or −1 to use max(indices) + 1 (indices must then be non-empty).</param>
    /// <param name="dtype">Element type of the result (default float32).</param>
    /// <exception cref="ArgumentException">indices is not Int64, or numClasses is −1 for empty indices.</exception>
    /// <exception cref="ArgumentOutOfRangeException">numClasses is below −1, or a label is outside [0, numClasses).</exception>
    public static Tensor OneHot(Tensor indices, int numClasses, DType dtype = DefaultDType)
    {
        ArgumentNullException.ThrowIfNull(indices);
        RequireIndexDType(indices, "OneHot", nameof(indices));
        if (numClasses < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, $"OneHot: numClasses must be >= 0 (or -1 to infer it), got {numClasses}.");
        }

        var labels = indices.Span<long>();
        if (numClasses == -1)
        {
            if (labels.Length == 0)
            {
                throw new ArgumentException($"OneHot: cannot infer numClasses from empty indices (shape {indices.Shape}); pass it explicitly.", nameof(numClasses));
            }

            var max = System.Numerics.Tensors.TensorPrimitives.Max<long>(labels);
            if (max >= int.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"OneHot: label {max} is too large to infer numClasses.");
            }

            numClasses = (int)max + 1;
        }

        foreach (var v in labels)
        {
            if (v < 0 || v >= numClasses)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"OneHot: label {v} is out of range for numClasses = {numClasses} (indices shape {indices.Shape}); labels must satisfy 0 <= label < {numClasses}.");
            }
        }
        return Autograd.Untracked(IndexKernels.OneHot(indices, numClasses, dtype), "OneHot");
    }

    /// <summary>One-hot encoding of this Int64 tensor of labels (see <see cref="OneHot(Tensor, int, DType)"/>).</summary>
    public Tensor OneHot(int numClasses, DType dtype = DefaultDType) => OneHot(this, numClasses, dtype);

    private static void RequireIndexDType(Tensor index, string op, string paramName)
    {
        if (index.DType != DType.Int64)
        {
            throw new ArgumentException($"{op}: index must be an Int64 tensor, got {index.DType} with shape {index.Shape}; convert with .To(DType.Int64).", paramName);
        }
    }

    private void RequireIndex1D(Tensor index, int axis, string op)
    {
        RequireIndexDType(index, op, nameof(index));
        if (index.Rank != 1)
        {
            throw new ArgumentException($"{op}: index must be 1-D, got shape {index.Shape}.", nameof(index));
        }

        IndexKernels.CheckRange(index.Span<long>(), Shape.Dims[axis], axis, Shape, op);
    }

    /// <summary>Validates a gather/scatter index (Int64, same rank, not larger off the axis, values in range).</summary>
    private AxisMap AxisIndexMap(Tensor index, int axis, string op)
    {
        RequireIndexDType(index, op, nameof(index));
        if (index.Rank != Rank)
        {
            throw new ArgumentException($"{op}: index has shape {index.Shape} (rank {index.Rank}) but the input has shape {Shape} (rank {Rank}); the ranks must be equal.", nameof(index));
        }

        for (var d = 0; d < Rank; d++)
        {
            if (d != axis && index.Shape.Dims[d] > Shape.Dims[d])
            {
                throw new ArgumentException($"{op}: index shape {index.Shape} is larger than the input shape {Shape} along dimension {d} ({index.Shape.Dims[d]} > {Shape.Dims[d]}); only the gathered axis {axis} may be larger.", nameof(index));
            }
        }

        IndexKernels.CheckRange(index.Span<long>(), Shape.Dims[axis], axis, Shape, op);
        return new AxisMap(Shape, index.Shape, axis);
    }
}
