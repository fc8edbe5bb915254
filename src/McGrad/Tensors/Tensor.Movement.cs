using McGrad.Autodiff;

namespace McGrad;

public sealed partial class Tensor
{
    /// <summary>
    /// The same elements in row-major order under a new shape (one size may be −1, inferred). Shares storage
    /// with this tensor; ∂/∂x = g reshaped back.
    /// </summary>
    /// <exception cref="ArgumentException">The sizes do not multiply to <see cref="Size"/>, or more than one −1.</exception>
    public Tensor Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var dims = (int[])shape.Clone();
        var infer = -1;
        long known = 1;
        for (var i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1)
            {
                if (infer >= 0)
                {
                    throw new ArgumentException($"Reshape: only one dimension may be -1, got [{string.Join(", ", shape)}].", nameof(shape));
                }

                infer = i;
            }
            else if (dims[i] < 0)
            {
                throw new ArgumentException($"Reshape: invalid size {dims[i]} in [{string.Join(", ", shape)}].", nameof(shape));
            }
            else
            {
                known *= dims[i];
            }
        }

        if (infer >= 0)
        {
            if (known == 0 || Size % known != 0)
            {
                throw new ArgumentException($"Reshape: cannot infer -1 in [{string.Join(", ", shape)}] for a tensor of shape {Shape} ({Size} elements).", nameof(shape));
            }

            dims[infer] = (int)(Size / known);
            known *= dims[infer];
        }

        if (known != Size)
        {
            throw new ArgumentException($"Reshape: shape [{string.Join(", ", shape)}] holds {known} elements but the tensor has shape {Shape} ({Size} elements).", nameof(shape));
        }

        var target = Shape.Wrap(dims);
        if (target == Shape)
        {
            return this;
        }

        return Autograd.Record(WithShape(target), "Reshape", this, static (g, n) => [g.Reshape(n.Inputs[0].Shape.Dims)]);
    }

    /// <summary>
    /// Repeats size-1 (and missing leading) dimensions to reach <paramref name="shape"/> (numpy broadcast_to);
    /// ∂/∂x = g summed back to x's shape.
    /// </summary>
    /// <exception cref="ArgumentException">This shape does not broadcast to <paramref name="shape"/>.</exception>
    public Tensor BroadcastTo(Shape shape)
    {
        if (shape == Shape)
        {
            return this;
        }

        if (shape.Rank < Rank || Shape.Broadcast(Shape, shape, "BroadcastTo") != shape)
        {
            throw new ArgumentException($"BroadcastTo: a tensor of shape {Shape} cannot be broadcast to {shape}; each dimension must match or be 1.", nameof(shape));
        }

        var y = Uninitialized(shape, DType);
        switch (DType)
        {
            case DType.Float32:
                Kernels.Expand.Run((float[])Storage, Shape, (float[])y.Storage, shape);
                break;
            case DType.Float64:
                Kernels.Expand.Run((double[])Storage, Shape, (double[])y.Storage, shape);
                break;
            default:
                Kernels.Expand.Run((long[])Storage, Shape, (long[])y.Storage, shape);
                break;
        }

        return Autograd.Record(y, "BroadcastTo", this, static (g, n) => [g.SumTo(n.Inputs[0].Shape)]);
    }

    /// <summary>Alias of <see cref="BroadcastTo(McGrad.Shape)"/> (PyTorch's name).</summary>
    public Tensor Expand(params int[] shape) => BroadcastTo(new Shape(shape));

    /// <summary>
    /// Reorders the axes: result dimension k is input dimension <paramref name="axes"/>[k], so
    /// y[i₀, …, iᵣ₋₁] = x[j] with j[axes[k]] = iₖ (numpy transpose / PyTorch permute). Negative axes count from the end.
    /// ∂/∂x = g permuted by the inverse permutation.
    /// </summary>
    /// <remarks>
    /// Returns this tensor when the permutation is the identity; otherwise copies into new row-major storage.
    /// Permutations that keep the last axis last copy whole rows; ones that move the last axis (matrix transposes)
    /// use a cache-blocked copy. Works for every dtype (Int64 included).
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="axes"/> does not name each of the <see cref="Rank"/> axes exactly once.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An axis is outside [−rank, rank).</exception>
    public Tensor Permute(params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        if (axes.Length != Rank)
        {
            throw new ArgumentException($"Permute: got {axes.Length} axes [{string.Join(", ", axes)}] for a tensor of shape {Shape}; expected a permutation of all {Rank} axes.", nameof(axes));
        }

        var perm = new int[Rank];
        var seen = new bool[Rank];
        var identity = true;
        for (var k = 0; k < perm.Length; k++)
        {
            var a = Shape.NormalizeAxis(axes[k], Rank, "Permute");
            if (seen[a])
            {
                throw new ArgumentException($"Permute: axis {axes[k]} (= {a}) appears twice in [{string.Join(", ", axes)}] for a tensor of shape {Shape}; expected a permutation of 0..{Rank - 1}.", nameof(axes));
            }

            seen[a] = true;
            perm[k] = a;
            identity &= a == k;
        }

        return identity ? this : PermuteCore(perm);
    }

    /// <summary>
    /// Swaps two axes: y = x with dimensions <paramref name="axis0"/> and <paramref name="axis1"/> exchanged
    /// (a <see cref="Permute(int[])"/>); negative axes count from the end. ∂/∂x = g with the same two axes swapped back.
    /// Returns this tensor when both name the same axis.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An axis is outside [−rank, rank).</exception>
    public Tensor Transpose(int axis0, int axis1)
    {
        var a = Shape.NormalizeAxis(axis0, Rank, "Transpose");
        var b = Shape.NormalizeAxis(axis1, Rank, "Transpose");
        if (a == b)
        {
            return this;
        }

        var perm = new int[Rank];
        for (var k = 0; k < perm.Length; k++)
        {
            perm[k] = k;
        }

        (perm[a], perm[b]) = (b, a);
        return PermuteCore(perm);
    }

    /// <summary>
    /// The matrix transpose of a rank-2 tensor: yᵢⱼ = xⱼᵢ; ∂/∂x = gᵀ. For batches of matrices use <see cref="MT"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The tensor is not rank 2 (a rank-1 or rank-3 "transpose" is
    /// ambiguous, so McGrad asks for <see cref="Transpose(int, int)"/>, <see cref="Permute(int[])"/> or <see cref="MT"/>).</exception>
    public Tensor T => Rank == 2
        ? Transpose(0, 1)
        : throw new InvalidOperationException($"T: the tensor has shape {Shape} (rank {Rank}); T is the transpose of a rank-2 matrix. Use MT to swap the last two axes of a batch, or Permute/Transpose.");

    /// <summary>
    /// Batched matrix transpose: swaps the last two axes, y[…, i, j] = x[…, j, i] (rank ≥ 2); ∂/∂x = g.MT.
    /// </summary>
    /// <exception cref="InvalidOperationException">The tensor has rank below 2.</exception>
    public Tensor MT => Rank >= 2
        ? Transpose(-2, -1)
        : throw new InvalidOperationException($"MT: the tensor has shape {Shape} (rank {Rank}); MT swaps the last two axes and needs rank >= 2.");

    /// <summary>
    /// Elements start, start + step, … (below end) along one axis, as in Python's <c>x[start:end:step]</c>:
    /// y[…, i, …] = x[…, start + i·step, …] with ⌈(end − start)/step⌉ entries. Negative start/end count from the end
    /// of the axis; end defaults to the axis size. ∂/∂x = g scattered into zeros of x's shape at those positions
    /// (a differentiable op whose own gradient is this slice again, so higher orders work).
    /// </summary>
    /// <remarks>
    /// Unlike Python, out-of-range bounds are an error instead of being clamped, end must not precede start, and
    /// step must be ≥ 1 (reverse with <see cref="Flip(int[])"/>). Always copies, except that the full range with
    /// step 1 returns this tensor. Works for every dtype.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range, start or end lies outside
    /// [−size, size], end precedes start (after counting negatives from the end), or step &lt; 1.</exception>
    public Tensor Slice(int axis, int start, int? end = null, int step = 1)
    {
        var a = Shape.NormalizeAxis(axis, Rank, "Slice");
        var n = Shape.Dims[a];
        if (step < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, $"Slice: step must be >= 1 (got {step}); to reverse an axis use Flip.");
        }

        var s = start < 0 ? start + n : start;
        if (s < 0 || s > n)
        {
            throw new ArgumentOutOfRangeException(nameof(start), start, $"Slice: start {start} is out of range for axis {a} of size {n} (shape {Shape}); expected {-n} <= start <= {n}.");
        }

        var e = end ?? n;
        var eAbs = e < 0 ? e + n : e;
        if (eAbs < 0 || eAbs > n)
        {
            throw new ArgumentOutOfRangeException(nameof(end), e, $"Slice: end {e} is out of range for axis {a} of size {n} (shape {Shape}); expected {-n} <= end <= {n}.");
        }

        if (eAbs < s)
        {
            throw new ArgumentOutOfRangeException(nameof(end), e, $"Slice: end {e} (= {eAbs}) precedes start {start} (= {s}) on axis {a} of size {n} (shape {Shape}); expected start <= end.");
        }

        return SliceCore(a, s, step, (eAbs - s + step - 1) / step);
    }

    /// <summary>
    /// <paramref name="length"/> consecutive elements along one axis from <paramref name="start"/> (negative counts
    /// from the end): y[…, i, …] = x[…, start + i, …]. ∂/∂x = g placed into zeros of x's shape.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range, start lies outside [−size, size],
    /// length is negative, or start + length exceeds the axis size.</exception>
    public Tensor Narrow(int axis, int start, int length)
    {
        var a = Shape.NormalizeAxis(axis, Rank, "Narrow");
        var n = Shape.Dims[a];
        var s = start < 0 ? start + n : start;
        if (s < 0 || s > n)
        {
            throw new ArgumentOutOfRangeException(nameof(start), start, $"Narrow: start {start} is out of range for axis {a} of size {n} (shape {Shape}); expected {-n} <= start <= {n}.");
        }

        if (length < 0 || length > n - s)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"Narrow: length {length} from start {s} does not fit axis {a} of size {n} (shape {Shape}); expected 0 <= length <= {n - s}.");
        }

        return SliceCore(a, s, 1, length);
    }

    /// <summary>
    /// Splits along <paramref name="axis"/> into consecutive pieces of the given sizes (which must add up to the
    /// axis size); piece k is <c>Narrow(axis, Σ_{j&lt;k} sizes[j], sizes[k])</c> and differentiates as such.
    /// </summary>
    /// <exception cref="ArgumentException">A size is negative or the sizes do not add up to the axis size.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    public Tensor[] Split(int[] sizes, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        var a = Shape.NormalizeAxis(axis, Rank, "Split");
        long total = 0;
        foreach (var s in sizes)
        {
            if (s < 0)
            {
                throw new ArgumentException($"Split: sizes [{string.Join(", ", sizes)}] contain a negative size.", nameof(sizes));
            }

            total += s;
        }

        if (total != Shape.Dims[a])
        {
            throw new ArgumentException($"Split: sizes [{string.Join(", ", sizes)}] add up to {total} but axis {a} of shape {Shape} has size {Shape.Dims[a]}.", nameof(sizes));
        }

        var parts = new Tensor[sizes.Length];
        var offset = 0;
        for (var k = 0; k < sizes.Length; k++)
        {
            parts[k] = SliceCore(a, offset, 1, sizes[k]);
            offset += sizes[k];
        }

        return parts;
    }

    /// <summary>
    /// Splits along <paramref name="axis"/> into exactly <paramref name="count"/> consecutive pieces whose sizes differ
    /// by at most one, the larger ones first (numpy array_split): an axis of size n gives n mod count pieces of size
    /// ⌈n/count⌉, then pieces of size ⌊n/count⌋ (possibly 0). Each piece differentiates as a <see cref="Narrow"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> &lt; 1, or the axis is out of range.</exception>
    public Tensor[] Chunk(int count, int axis = 0)
    {
        var a = Shape.NormalizeAxis(axis, Rank, "Chunk");
        if (count < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Chunk: count must be >= 1 (got {count}) for a tensor of shape {Shape}.");
        }

        var n = Shape.Dims[a];
        var sizes = new int[count];
        for (var k = 0; k < count; k++)
        {
            sizes[k] = (n / count) + (k < n % count ? 1 : 0);
        }

        return Split(sizes, a);
    }

    /// <summary>
    /// Joins tensors along an existing axis: sizes must agree on every other axis, and the result's size along
    /// <paramref name="axis"/> is the sum of theirs (numpy concatenate / PyTorch cat). Negative axes count from the
    /// end. ∂/∂tensors[i] = the slice of g that tensors[i] occupies.
    /// </summary>
    /// <remarks>All tensors must share one dtype (no silent promotion); Int64 tensors are supported. Always copies.</remarks>
    /// <exception cref="ArgumentException">The list is empty or holds a null; a tensor is a scalar; or tensors[i] differs
    /// from tensors[0] in dtype, rank or a size off the concat axis (the message names i and both shapes).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range for the tensors' rank.</exception>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var inputs = CheckedList(tensors, "Concat");
        var first = inputs[0];
        if (first.Rank == 0)
        {
            throw new ArgumentException($"Concat: tensors[0] is a scalar (shape []); concatenation needs rank >= 1 (use Stack to join scalars).", nameof(tensors));
        }

        var a = Shape.NormalizeAxis(axis, first.Rank, "Concat");
        var sizes = new int[inputs.Length];
        var offsets = new int[inputs.Length];
        long total = 0;
        for (var i = 0; i < inputs.Length; i++)
        {
            var t = inputs[i];
            if (t.DType != first.DType)
            {
                throw new ArgumentException($"Concat: tensors[{i}] is {t.DType} {t.Shape} but tensors[0] is {first.DType} {first.Shape}; all tensors must share one dtype (McGrad does not promote silently; convert with .To(DType.{first.DType})).", nameof(tensors));
            }

            if (t.Rank != first.Rank)
            {
                throw new ArgumentException($"Concat: tensors[{i}] has shape {t.Shape} (rank {t.Rank}) but tensors[0] has shape {first.Shape} (rank {first.Rank}); all tensors must have the same rank.", nameof(tensors));
            }

            for (var k = 0; k < first.Rank; k++)
            {
                if (k != a && t.Shape.Dims[k] != first.Shape.Dims[k])
                {
                    throw new ArgumentException($"Concat: tensors[{i}] has shape {t.Shape} but tensors[0] has shape {first.Shape}; sizes must match on every axis except the concat axis {a} (they differ on axis {k}).", nameof(tensors));
                }
            }

            sizes[i] = t.Shape.Dims[a];
            offsets[i] = (int)total;
            total += sizes[i];
            if (total > int.MaxValue)
            {
                throw new ArgumentException($"Concat: the result along axis {a} would have more than {int.MaxValue} entries.", nameof(tensors));
            }
        }

        var dims = first.Shape.ToArray();
        dims[a] = (int)total;
        var shape = new Shape(dims);
        var y = Uninitialized(shape, first.DType);
        var inner = 1;
        for (var k = a + 1; k < dims.Length; k++)
        {
            inner *= dims[k];
        }

        var outer = OuterSize(dims, a);
        for (var i = 0; i < inputs.Length; i++)
        {
            var block = sizes[i] * inner;
            CopyStrided(inputs[i], 0, [block, 1], y, offsets[i] * inner, [dims[a] * inner, 1], [outer, block]);
        }

        return Autograd.Record(y, "Concat", inputs, (g, n) =>
        {
            var grads = new Tensor?[sizes.Length];
            for (var i = 0; i < grads.Length; i++)
            {
                grads[i] = n.NeedsGrad(i) ? g.SliceCore(a, offsets[i], 1, sizes[i]) : null;
            }

            return grads;
        });
    }

    /// <summary>
    /// Joins equally shaped tensors along a new axis inserted at <paramref name="axis"/> (in [−rank−1, rank]):
    /// y[…, i, …] = tensors[i] (numpy / PyTorch stack). ∂/∂tensors[i] = g[…, i, …].
    /// </summary>
    /// <exception cref="ArgumentException">The list is empty or holds a null, or tensors[i] differs from tensors[0]
    /// in dtype or shape (the message names i and both shapes).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The axis is outside [−rank−1, rank].</exception>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var inputs = CheckedList(tensors, "Stack");
        var first = inputs[0];
        var a = NewAxis(axis, first.Rank, "Stack");
        var expanded = new Tensor[inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            var t = inputs[i];
            if (t.DType != first.DType || t.Shape != first.Shape)
            {
                throw new ArgumentException($"Stack: tensors[{i}] is {t.DType} {t.Shape} but tensors[0] is {first.DType} {first.Shape}; Stack needs tensors of one shape and dtype.", nameof(tensors));
            }

            expanded[i] = t.UnsqueezeCore(a);
        }

        return Concat(expanded, a);
    }

    /// <summary>
    /// Removes size-1 axes: the given ones, or every size-1 axis when none are given. Same elements, new shape
    /// (shares storage like <see cref="Reshape(int[])"/>); ∂/∂x = g reshaped back.
    /// </summary>
    /// <exception cref="ArgumentException">A named axis does not have size 1, or an axis is repeated.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    public Tensor Squeeze(params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        var drop = new bool[Rank];
        if (axes.Length == 0)
        {
            for (var k = 0; k < Rank; k++)
            {
                drop[k] = Shape.Dims[k] == 1;
            }
        }
        else
        {
            foreach (var k in NormalizeAxes(axes, "Squeeze"))
            {
                if (Shape.Dims[k] != 1)
                {
                    throw new ArgumentException($"Squeeze: axis {k} of shape {Shape} has size {Shape.Dims[k]}; only size-1 axes can be squeezed.", nameof(axes));
                }

                drop[k] = true;
            }
        }

        var dims = new List<int>(Rank);
        for (var k = 0; k < Rank; k++)
        {
            if (!drop[k])
            {
                dims.Add(Shape.Dims[k]);
            }
        }

        return Reshape([.. dims]);
    }

    /// <summary>
    /// Inserts a size-1 axis at position <paramref name="axis"/> of the result (in [−rank−1, rank]; −1 appends):
    /// same elements, new shape (shares storage); ∂/∂x = g reshaped back.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is outside [−rank−1, rank].</exception>
    public Tensor Unsqueeze(int axis) => UnsqueezeCore(NewAxis(axis, Rank, "Unsqueeze"));

    /// <summary>
    /// Reverses the order of elements along each given axis: y[…, i, …] = x[…, n − 1 − i, …] (numpy / PyTorch flip).
    /// Negative axes count from the end; with no axes the tensor itself is returned. ∂/∂x = g flipped on the same axes.
    /// </summary>
    /// <exception cref="ArgumentException">An axis is repeated.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    public Tensor Flip(params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        return axes.Length == 0 ? this : FlipCore(NormalizeAxes(axes, "Flip"));
    }

    /// <summary>Permute without validation (perm is a normalised, non-identity permutation).</summary>
    private Tensor PermuteCore(int[] perm)
    {
        var rank = Rank;
        var strides = Shape.Strides();
        var dims = new int[rank];
        var src = new int[rank];
        var inverse = new int[rank];
        for (var k = 0; k < rank; k++)
        {
            dims[k] = Shape.Dims[perm[k]];
            src[k] = strides[perm[k]];
            inverse[perm[k]] = k;
        }

        var shape = Shape.Wrap(dims);
        var y = Uninitialized(shape, DType);
        CopyStrided(this, 0, src, y, 0, shape.Strides(), dims);
        return Autograd.Record(y, "Permute", this, (g, _) => [g.PermuteCore(inverse)]);
    }

    /// <summary>Slice without validation: <paramref name="length"/> entries start, start + step, … along axis a.</summary>
    internal Tensor SliceCore(int a, int start, int step, int length)
    {
        var n = Shape.Dims[a];
        if (start == 0 && length == n && (step == 1 || n <= 1))
        {
            return this;
        }

        var strides = Shape.Strides();
        var baseOffset = length == 0 ? 0 : start * strides[a];
        strides[a] *= step;
        var dims = Shape.ToArray();
        dims[a] = length;
        var shape = Shape.Wrap(dims);
        var y = Uninitialized(shape, DType);
        CopyStrided(this, baseOffset, strides, y, 0, shape.Strides(), dims);
        var full = Shape;
        return Autograd.Record(y, "Slice", this, (g, _) => [g.EmbedCore(full, a, start, step)]);
    }

    /// <summary>
    /// The adjoint of <see cref="SliceCore"/>: zeros of shape <paramref name="full"/> with this tensor written at
    /// entries start, start + step, … of axis a. Differentiable; its gradient is the slice again.
    /// </summary>
    internal Tensor EmbedCore(Shape full, int a, int start, int step)
    {
        var length = Shape.Dims[a];
        if (start == 0 && length == full.Dims[a] && (step == 1 || length <= 1))
        {
            return this;
        }

        var strides = full.Strides();
        var baseOffset = length == 0 ? 0 : start * strides[a];
        strides[a] *= step;
        var y = Zeros(full, DType);
        CopyStrided(this, 0, Shape.Strides(), y, baseOffset, strides, Shape.Dims);
        return Autograd.Record(y, "Embed", this, (g, _) => [g.SliceCore(a, start, step, length)]);
    }

    /// <summary>Flip without validation (axes normalised, distinct, non-empty).</summary>
    private Tensor FlipCore(int[] axes)
    {
        var strides = Shape.Strides();
        var baseOffset = 0;
        foreach (var k in axes)
        {
            var n = Shape.Dims[k];
            if (n > 0)
            {
                baseOffset += (n - 1) * strides[k];
            }

            strides[k] = -strides[k];
        }

        var y = Uninitialized(Shape, DType);
        CopyStrided(this, baseOffset, strides, y, 0, Shape.Strides(), Shape.Dims);
        return Autograd.Record(y, "Flip", this, (g, _) => [g.FlipCore(axes)]);
    }

    private Tensor UnsqueezeCore(int a)
    {
        var dims = new int[Rank + 1];
        for (int k = 0, j = 0; k < dims.Length; k++)
        {
            dims[k] = k == a ? 1 : Shape.Dims[j++];
        }

        return Reshape(dims);
    }

    /// <summary>Normalises the position of a new axis in a result of rank <paramref name="rank"/> + 1.</summary>
    private static int NewAxis(int axis, int rank, string op)
    {
        var a = axis < 0 ? axis + rank + 1 : axis;
        if (a < 0 || a > rank)
        {
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"{op}: axis {axis} is out of range for inserting an axis into a tensor of rank {rank} (expected {-rank - 1} <= axis <= {rank}).");
        }

        return a;
    }

    private static Tensor[] CheckedList(IReadOnlyList<Tensor> tensors, string op)
    {
        if (tensors.Count == 0)
        {
            throw new ArgumentException($"{op}: needs at least one tensor, got an empty list.", nameof(tensors));
        }

        var copy = new Tensor[tensors.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = tensors[i] ?? throw new ArgumentException($"{op}: tensors[{i}] is null.", nameof(tensors));
        }

        return copy;
    }

    private static int OuterSize(int[] dims, int axis)
    {
        var outer = 1;
        for (var k = 0; k < axis; k++)
        {
            outer *= dims[k];
        }

        return outer;
    }

    /// <summary>Dtype dispatch for <see cref="Kernels.StridedCopy"/> (src and dst share a dtype).</summary>
    private static void CopyStrided(Tensor src, int srcBase, ReadOnlySpan<int> srcStrides, Tensor dst, int dstBase, ReadOnlySpan<int> dstStrides, ReadOnlySpan<int> dims)
    {
        switch (src.DType)
        {
            case DType.Float32:
                Kernels.StridedCopy.Run((float[])src.Storage, srcBase, srcStrides, (float[])dst.Storage, dstBase, dstStrides, dims);
                break;
            case DType.Float64:
                Kernels.StridedCopy.Run((double[])src.Storage, srcBase, srcStrides, (double[])dst.Storage, dstBase, dstStrides, dims);
                break;
            default:
                Kernels.StridedCopy.Run((long[])src.Storage, srcBase, srcStrides, (long[])dst.Storage, dstBase, dstStrides, dims);
                break;
        }
    }
}
