using System.Collections;
using System.Runtime.CompilerServices;
using System.Text;

namespace McGrad;

/// <summary>
/// An immutable tensor shape: the size of each dimension, row-major (the last dimension is contiguous).
/// A rank-0 shape <c>[]</c> is a scalar with one element; a dimension may be 0 (an empty tensor).
/// </summary>
[CollectionBuilder(typeof(Shape), nameof(Create))]
public readonly struct Shape : IEquatable<Shape>, IReadOnlyList<int>
{
    private static readonly int[] Empty = [];
    private readonly int[]? _dims;

    /// <summary>Creates a shape from dimension sizes; every size must be ≥ 0.</summary>
    /// <exception cref="ArgumentException">A size is negative.</exception>
    public Shape(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        long size = 1;
        foreach (var d in dims)
        {
            if (d < 0)
            {
                throw new ArgumentException($"Shape [{string.Join(", ", dims)}] has a negative dimension; sizes must be >= 0.", nameof(dims));
            }

            size *= d;
            if (size > int.MaxValue)
            {
                throw new ArgumentException($"Shape [{string.Join(", ", dims)}] has more than {int.MaxValue} elements.", nameof(dims));
            }
        }

        _dims = (int[])dims.Clone();
        Size = (int)size;
    }

    private Shape(int[] dims, int size)
    {
        _dims = dims;
        Size = size;
    }

    /// <summary>Creates a shape from a span of sizes (enables collection expressions: <c>Tensor.Zeros([2, 3])</c>).</summary>
    public static Shape Create(ReadOnlySpan<int> dims) => new(dims.ToArray());

    /// <summary>Wraps an array the caller promises never to mutate (no copy, no validation).</summary>
    internal static Shape Wrap(int[] dims)
    {
        var size = 1;
        foreach (var d in dims)
        {
            size *= d;
        }

        return new Shape(dims, size);
    }

    /// <summary>The scalar shape <c>[]</c>.</summary>
    public static Shape Scalar => new(Empty, 1);

    /// <summary>Number of dimensions.</summary>
    public int Rank => Dims.Length;

    /// <summary>Number of elements: the product of the dimension sizes (1 for a scalar).</summary>
    public int Size { get; }

    /// <summary>Number of dimensions (same as <see cref="Rank"/>).</summary>
    public int Count => Rank;

    internal int[] Dims => _dims ?? Empty;

    /// <summary>The size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int this[int axis] => Dims[NormalizeAxis(axis, Rank, "Shape indexer")];

    /// <summary>The dimension sizes as a new array.</summary>
    public int[] ToArray() => (int[])Dims.Clone();

    /// <summary>Row-major strides in elements: stride[i] = Π_{j&gt;i} dims[j].</summary>
    public int[] Strides()
    {
        var dims = Dims;
        var s = new int[dims.Length];
        var acc = 1;
        for (var i = dims.Length - 1; i >= 0; i--)
        {
            s[i] = acc;
            acc *= dims[i];
        }

        return s;
    }

    /// <summary>
    /// The numpy broadcast of two shapes: align from the right; sizes must be equal or one of them 1.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes cannot broadcast; the message names <paramref name="op"/> and both shapes.</exception>
    public static Shape Broadcast(Shape a, Shape b, string op = "broadcast")
    {
        if (a.Equals(b))
        {
            return a;
        }

        var ad = a.Dims;
        var bd = b.Dims;
        var rank = Math.Max(ad.Length, bd.Length);
        var result = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            var x = i < rank - ad.Length ? 1 : ad[i - (rank - ad.Length)];
            var y = i < rank - bd.Length ? 1 : bd[i - (rank - bd.Length)];
            if (x != y && x != 1 && y != 1)
            {
                throw new ArgumentException($"{op}: shapes {a} and {b} cannot be broadcast together (dimension {i - rank} has sizes {x} and {y}; they must be equal or one of them 1).");
            }

            result[i] = x == 1 ? y : x;
        }

        return Wrap(result);
    }

    /// <summary>Maps a possibly negative axis into [0, rank) or throws naming the op, the axis and the rank.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is outside [−rank, rank).</exception>
    public static int NormalizeAxis(int axis, int rank, string op)
    {
        var a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
        {
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"{op}: axis {axis} is out of range for a tensor of rank {rank} (expected {-rank} <= axis < {rank}).");
        }

        return a;
    }

    /// <inheritdoc/>
    public bool Equals(Shape other) => Dims.AsSpan().SequenceEqual(other.Dims);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in Dims)
        {
            h.Add(d);
        }

        return h.ToHashCode();
    }

    /// <summary>Shape equality.</summary>
    public static bool operator ==(Shape left, Shape right) => left.Equals(right);

    /// <summary>Shape inequality.</summary>
    public static bool operator !=(Shape left, Shape right) => !left.Equals(right);

    /// <summary>Formats as <c>[2, 3]</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("[");
        for (var i = 0; i < Dims.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            sb.Append(Dims[i]);
        }

        return sb.Append(']').ToString();
    }

    /// <inheritdoc/>
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)Dims).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Implicit conversion from an array of sizes.</summary>
    public static implicit operator Shape(int[] dims) => new(dims);
}
