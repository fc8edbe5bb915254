using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using McGrad.Autodiff;

namespace McGrad;

/// <summary>
/// An n-dimensional array with a runtime <see cref="McGrad.DType"/>, row-major contiguous storage and
/// numpy broadcasting, that records the ops applied to it for reverse-mode automatic differentiation.
/// </summary>
/// <remarks>
/// Ops return new tensors; only members named as in-place (<c>…InPlace</c>) mutate storage.
/// <see cref="Reshape(int[])"/> of a contiguous tensor shares storage with its source, as a view would.
/// Set <see cref="RequiresGrad"/> on a leaf to have ops that use it recorded; then call
/// <see cref="Backward(Tensor?, bool, bool)"/> on a scalar result, or <c>Autograd.Grad</c>.
/// </remarks>
public sealed partial class Tensor
{
    internal readonly Array Storage;
    private bool _requiresGrad;

    internal Tensor(Shape shape, DType dtype, Array storage)
    {
        Shape = shape;
        DType = dtype;
        Storage = storage;
    }

    /// <summary>The dimension sizes.</summary>
    public Shape Shape { get; }

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Rank;

    /// <summary>Number of elements.</summary>
    public int Size => Shape.Size;

    /// <summary>The node that produced this tensor in the autodiff graph; null for leaves and untracked tensors.</summary>
    internal Node? GradFn { get; set; }

    /// <summary>
    /// Whether ops on this tensor are recorded for differentiation. Settable on leaves only, and only for
    /// floating-point dtypes; results of recorded ops report true.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set on a non-leaf tensor or on an Int64 tensor.</exception>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (GradFn != null)
            {
                throw new InvalidOperationException($"RequiresGrad can only be set on leaf tensors; this {Shape} tensor was produced by '{GradFn.Op}'. Use Detach() to make a leaf.");
            }

            if (value && !DType.IsFloatingPoint())
            {
                throw new InvalidOperationException($"RequiresGrad: only floating-point tensors can require gradients; this tensor is {DType}.");
            }

            _requiresGrad = value;
        }
    }

    /// <summary>Marks the tensor as requiring gradients and returns it (fluent form of <see cref="RequiresGrad"/>).</summary>
    public Tensor RequireGrad()
    {
        RequiresGrad = true;
        return this;
    }

    /// <summary>True when the tensor was not produced by a recorded op.</summary>
    public bool IsLeaf => GradFn == null;

    /// <summary>The gradient accumulated by <see cref="Backward(Tensor?, bool, bool)"/> (leaves only); null before the first backward.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>Clears <see cref="Grad"/>.</summary>
    public void ZeroGrad() => Grad = null;

    internal void MarkRecorded(Node node)
    {
        GradFn = node;
        _requiresGrad = true;
    }

    /// <summary>The raw storage as a span of <typeparamref name="T"/> (must match <see cref="DType"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Span<T> Span<T>()
        where T : unmanaged
    {
        var arr = Unsafe.As<T[]>(Storage);
        return arr.AsSpan(0, Size);
    }

    /// <summary>Allocates an uninitialised tensor.</summary>
    internal static Tensor Uninitialized(Shape shape, DType dtype) => new(shape, dtype, dtype switch
    {
        DType.Float32 => GC.AllocateUninitializedArray<float>(shape.Size),
        DType.Float64 => GC.AllocateUninitializedArray<double>(shape.Size),
        _ => GC.AllocateUninitializedArray<long>(shape.Size),
    });

    /// <summary>A new tensor over the same storage with another shape of the same size (no copy).</summary>
    internal Tensor WithShape(Shape shape) => new(shape, DType, Storage);

    /// <summary>The elements as a float32 array in row-major order (converting if needed).</summary>
    public float[] ToFloatArray() => DType switch
    {
        DType.Float32 => Span<float>().ToArray(),
        DType.Float64 => ConvertSpan<double, float>(Span<double>()),
        _ => ConvertSpan<long, float>(Span<long>()),
    };

    /// <summary>The elements as a float64 array in row-major order (converting if needed).</summary>
    public double[] ToDoubleArray() => DType switch
    {
        DType.Float32 => ConvertSpan<float, double>(Span<float>()),
        DType.Float64 => Span<double>().ToArray(),
        _ => ConvertSpan<long, double>(Span<long>()),
    };

    /// <summary>The elements as an int64 array (floats are truncated toward zero).</summary>
    public long[] ToLongArray() => DType switch
    {
        DType.Float32 => ConvertSpan<float, long>(Span<float>()),
        DType.Float64 => ConvertSpan<double, long>(Span<double>()),
        _ => Span<long>().ToArray(),
    };

    private static TTo[] ConvertSpan<TFrom, TTo>(ReadOnlySpan<TFrom> src)
        where TFrom : unmanaged, INumberBase<TFrom>
        where TTo : unmanaged, INumberBase<TTo>
    {
        var dst = new TTo[src.Length];
        for (var i = 0; i < src.Length; i++)
        {
            dst[i] = TTo.CreateTruncating(src[i]);
        }

        return dst;
    }

    /// <summary>The single value of a one-element tensor, as a double.</summary>
    /// <exception cref="InvalidOperationException">The tensor has more or fewer than one element.</exception>
    public double Item()
    {
        if (Size != 1)
        {
            throw new InvalidOperationException($"Item: the tensor has shape {Shape} ({Size} elements); Item needs exactly one element.");
        }

        return GetFlat(0);
    }

    /// <summary>The element at a multi-index, as a double (read-only access for inspection and tests).</summary>
    /// <exception cref="ArgumentException">Wrong number of indices or an index out of range.</exception>
    [IndexerName("ElementAt")]
    public double this[params int[] index] => GetFlat(FlatIndex(index));

    internal double GetFlat(int i) => DType switch
    {
        DType.Float32 => Span<float>()[i],
        DType.Float64 => Span<double>()[i],
        _ => Span<long>()[i],
    };

    private int FlatIndex(int[] index)
    {
        if (index.Length != Rank)
        {
            throw new ArgumentException($"Indexer: got {index.Length} indices for a tensor of shape {Shape}; expected {Rank}.", nameof(index));
        }

        var flat = 0;
        for (var i = 0; i < index.Length; i++)
        {
            var d = Shape.Dims[i];
            var k = index[i] < 0 ? index[i] + d : index[i];
            if (k < 0 || k >= d)
            {
                throw new ArgumentException($"Indexer: index {index[i]} is out of range for dimension {i} of size {d} (shape {Shape}).", nameof(index));
            }

            flat = (flat * d) + k;
        }

        return flat;
    }

    /// <summary>
    /// Converts to another dtype. Between float32 and float64 the conversion is differentiable (the gradient
    /// converts back); converting to or from Int64 is not recorded. Returns this tensor when the dtype already matches.
    /// </summary>
    public Tensor To(DType dtype)
    {
        if (dtype == DType)
        {
            return this;
        }

        var result = Uninitialized(Shape, dtype);
        switch (DType, dtype)
        {
            case (DType.Float32, DType.Float64):
                Kernels.Convert.Run<float, double>(Span<float>(), result.Span<double>());
                break;
            case (DType.Float64, DType.Float32):
                Kernels.Convert.Run<double, float>(Span<double>(), result.Span<float>());
                break;
            case (DType.Float32, DType.Int64):
                Kernels.Convert.Run<float, long>(Span<float>(), result.Span<long>());
                break;
            case (DType.Float64, DType.Int64):
                Kernels.Convert.Run<double, long>(Span<double>(), result.Span<long>());
                break;
            case (DType.Int64, DType.Float32):
                Kernels.Convert.Run<long, float>(Span<long>(), result.Span<float>());
                break;
            default:
                Kernels.Convert.Run<long, double>(Span<long>(), result.Span<double>());
                break;
        }

        if (DType.IsFloatingPoint() && dtype.IsFloatingPoint())
        {
            var from = DType;
            return Autograd.Record(result, "To", this, (g, _) => [g.To(from)]);
        }

        return result;
    }

    /// <summary>A copy with its own storage, recorded as an identity op.</summary>
    public Tensor Clone()
    {
        var result = new Tensor(Shape, DType, (Array)Storage.Clone());
        return Autograd.Record(result, "Clone", this, (g, _) => [g]);
    }

    /// <summary>A tensor sharing this storage but cut from the graph: a leaf that does not require gradients.</summary>
    public Tensor Detach() => new(Shape, DType, Storage);

    /// <summary>Formats shape, dtype and (up to 64) values.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("Tensor").Append(Shape).Append(' ').Append(DType);
        if (RequiresGrad)
        {
            sb.Append(GradFn != null ? $" grad_fn={GradFn.Op}" : " requires_grad");
        }

        sb.Append(" {");
        var n = Math.Min(Size, 64);
        for (var i = 0; i < n; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            sb.Append(GetFlat(i).ToString("G6", CultureInfo.InvariantCulture));
        }

        if (Size > n)
        {
            sb.Append(", …");
        }

        return sb.Append('}').ToString();
    }
}
