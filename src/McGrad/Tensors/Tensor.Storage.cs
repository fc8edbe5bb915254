namespace McGrad;

/// <summary>Zero-copy access to a tensor's storage: spans and memories over it, and tensors wrapping caller arrays.</summary>
/// <remarks>
/// <para><b>Aliasing rules.</b> Every tensor is contiguous and row-major, starting at element 0 of its storage
/// array: there are no strided views, so every tensor can be exposed without a copy, and element
/// <c>[i₀, …, iₙ₋₁]</c> is span index <c>((i₀·d₁ + i₁)·d₂ + …)·dₙ₋₁ + iₙ₋₁</c>. Several tensors may share one
/// storage: <see cref="Reshape(int[])"/> of a contiguous tensor, <see cref="Detach"/>, a reduction over no axes,
/// and <see cref="Wrap(float[], int[])"/> (which shares the caller's array). A write through a span or memory is
/// seen at once by this tensor, by every tensor that shares its storage (<see cref="SharesStorageWith"/> says
/// which) and, for a wrapped array, by the array; nothing is copied and nothing is notified.</para>
/// <para><b>Graphs.</b> The backward pass reads the values that recorded ops saved, and those are the tensors
/// themselves, not copies. Writing to a tensor that a recorded graph has used, before that graph's backward pass
/// has run, silently changes the gradients it computes (there is no version check that would detect it), and
/// writing to a tensor between a forward pass and its <c>Backward</c> makes the forward value and the gradient
/// disagree. Therefore the writable accessors (<see cref="AsSpan{T}"/>, <see cref="AsMemory{T}"/>) refuse tensors
/// produced by a recorded op; on a leaf (a parameter, a data batch) they are allowed, and the rule is the
/// optimizers' one: change a leaf only after every backward pass that uses it has run, or before the forward pass.
/// Reading (<see cref="AsReadOnlySpan{T}"/>, <see cref="AsReadOnlyMemory{T}"/>) is always safe.</para>
/// <para><b>Threads.</b> Writing while another thread runs an op that reads the same storage is a data race:
/// the op may see old, new or mixed values.</para>
/// <para><b>Element type.</b> <c>T</c> must be the element type of <see cref="DType"/>: <see cref="float"/> for
/// <see cref="DType.Float32"/>, <see cref="double"/> for <see cref="DType.Float64"/>, <see cref="long"/> for
/// <see cref="DType.Int64"/>; anything else throws, naming both.</para>
/// </remarks>
public sealed partial class Tensor
{
    /// <summary>
    /// The storage as a writable span of <see cref="Size"/> elements in row-major order, without a copy: writes are
    /// seen by this tensor and every tensor sharing its storage (see the aliasing rules on this class).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/>, <see cref="double"/> or <see cref="long"/>, matching <see cref="DType"/>.</typeparam>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not the element type of <see cref="DType"/>,
    /// or the tensor was produced by a recorded op (writing would corrupt its graph; read with <see cref="AsReadOnlySpan{T}"/>
    /// or write to <c>Detach().Clone()</c>).</exception>
    public Span<T> AsSpan<T>()
        where T : unmanaged
    {
        CheckWritable<T>(nameof(AsSpan));
        return Span<T>();
    }

    /// <summary>The storage as a read-only span of <see cref="Size"/> elements in row-major order, without a copy.</summary>
    /// <remarks>The span sees later writes to the storage (through <see cref="AsSpan{T}"/>, an in-place op or a wrapped array).</remarks>
    /// <typeparam name="T"><see cref="float"/>, <see cref="double"/> or <see cref="long"/>, matching <see cref="DType"/>.</typeparam>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not the element type of <see cref="DType"/>.</exception>
    public ReadOnlySpan<T> AsReadOnlySpan<T>()
        where T : unmanaged
    {
        CheckElementType<T>(nameof(AsReadOnlySpan));
        return Span<T>();
    }

    /// <summary>
    /// The storage as writable memory of <see cref="Size"/> elements in row-major order, without a copy: the
    /// <see cref="AsSpan{T}"/> contract, in a form that can be kept on the heap and passed to asynchronous I/O.
    /// </summary>
    /// <remarks>The memory keeps the storage alive; it stays valid (and aliased) after the tensor is unreachable.</remarks>
    /// <typeparam name="T"><see cref="float"/>, <see cref="double"/> or <see cref="long"/>, matching <see cref="DType"/>.</typeparam>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not the element type of <see cref="DType"/>,
    /// or the tensor was produced by a recorded op.</exception>
    public Memory<T> AsMemory<T>()
        where T : unmanaged
    {
        CheckWritable<T>(nameof(AsMemory));
        return new Memory<T>((T[])Storage, 0, Size);
    }

    /// <summary>The storage as read-only memory of <see cref="Size"/> elements in row-major order, without a copy.</summary>
    /// <typeparam name="T"><see cref="float"/>, <see cref="double"/> or <see cref="long"/>, matching <see cref="DType"/>.</typeparam>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not the element type of <see cref="DType"/>.</exception>
    public ReadOnlyMemory<T> AsReadOnlyMemory<T>()
        where T : unmanaged
    {
        CheckElementType<T>(nameof(AsReadOnlyMemory));
        return new ReadOnlyMemory<T>((T[])Storage, 0, Size);
    }

    /// <summary>True when this tensor and <paramref name="other"/> use the same storage, so a write to one is seen by the other.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is null.</exception>
    public bool SharesStorageWith(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return ReferenceEquals(Storage, other.Storage);
    }

    /// <summary>
    /// A float32 tensor whose storage <b>is</b> <paramref name="data"/> (no copy, unlike <see cref="FromArray(float[], int[])"/>):
    /// writes to the array are seen by the tensor and the reverse. The shape defaults to [data.Length].
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException">The shape's size differs from the array length.</exception>
    public static Tensor Wrap(float[] data, params int[] shape) => WrapStorage(data, shape, DType.Float32);

    /// <summary>
    /// A float64 tensor whose storage <b>is</b> <paramref name="data"/> (no copy, unlike <see cref="FromArray(double[], int[])"/>):
    /// writes to the array are seen by the tensor and the reverse. The shape defaults to [data.Length].
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException">The shape's size differs from the array length.</exception>
    public static Tensor Wrap(double[] data, params int[] shape) => WrapStorage(data, shape, DType.Float64);

    /// <summary>
    /// An int64 tensor whose storage <b>is</b> <paramref name="data"/> (no copy, unlike <see cref="FromArray(long[], int[])"/>):
    /// writes to the array are seen by the tensor and the reverse. The shape defaults to [data.Length].
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException">The shape's size differs from the array length.</exception>
    public static Tensor Wrap(long[] data, params int[] shape) => WrapStorage(data, shape, DType.Int64);

    private static Tensor WrapStorage<T>(T[] data, int[] shape, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(data);
        var s = shape == null || shape.Length == 0 ? new Shape(data.Length) : new Shape(shape);
        if (s.Size != data.Length)
        {
            throw new ArgumentException($"Wrap: shape {s} holds {s.Size} elements but the array has {data.Length}; a wrapped array must have exactly the shape's size.", nameof(shape));
        }

        return new Tensor(s, dtype, data);
    }

    private void CheckWritable<T>(string op)
        where T : unmanaged
    {
        CheckElementType<T>(op);
        if (GradFn != null)
        {
            throw new InvalidOperationException(
                $"{op}<{typeof(T).Name}>: this {Shape} tensor was produced by the recorded op '{GradFn.Op}', and its graph's backward pass reads the saved values; " +
                $"writing to it would silently change the gradients. Read it with {(op == nameof(AsSpan) ? nameof(AsReadOnlySpan) : nameof(AsReadOnlyMemory))}, " +
                "write to a copy (Detach().Clone()), or produce it outside recording (Autograd.NoGrad()).");
        }
    }

    private void CheckElementType<T>(string op)
        where T : unmanaged
    {
        var expected = DType switch
        {
            DType.Float32 => typeof(float),
            DType.Float64 => typeof(double),
            _ => typeof(long),
        };
        if (typeof(T) != expected)
        {
            throw new InvalidOperationException($"{op}<{typeof(T).Name}>: the tensor's dtype is {DType}, whose elements are {expected.Name}; expected {op}<{expected.Name}>() (or convert first with To(DType)).");
        }
    }
}
