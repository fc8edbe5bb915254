namespace McGrad;

public sealed partial class Tensor
{
    /// <summary>Default dtype of creation functions when none is given.</summary>
    public const DType DefaultDType = DType.Float32;

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(Shape shape, DType dtype = DefaultDType) => new(shape, dtype, dtype switch
    {
        DType.Float32 => new float[shape.Size],
        DType.Float64 => new double[shape.Size],
        _ => new long[shape.Size],
    });

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(Shape shape, DType dtype = DefaultDType) => Full(shape, 1.0, dtype);

    /// <summary>A tensor with every element equal to <paramref name="value"/> (converted to <paramref name="dtype"/>).</summary>
    public static Tensor Full(Shape shape, double value, DType dtype = DefaultDType)
    {
        var t = Uninitialized(shape, dtype);
        switch (dtype)
        {
            case DType.Float32:
                t.Span<float>().Fill((float)value);
                break;
            case DType.Float64:
                t.Span<double>().Fill(value);
                break;
            default:
                t.Span<long>().Fill((long)value);
                break;
        }

        return t;
    }

    /// <summary>A rank-0 tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(double value, DType dtype = DefaultDType) => Full(Shape.Scalar, value, dtype);

    /// <summary>Zeros with the shape and dtype of <paramref name="like"/>.</summary>
    public static Tensor ZerosLike(Tensor like)
    {
        ArgumentNullException.ThrowIfNull(like);
        return Zeros(like.Shape, like.DType);
    }

    /// <summary>Ones with the shape and dtype of <paramref name="like"/>.</summary>
    public static Tensor OnesLike(Tensor like)
    {
        ArgumentNullException.ThrowIfNull(like);
        return Full(like.Shape, 1.0, like.DType);
    }

    /// <summary>A constant with the shape and dtype of <paramref name="like"/>.</summary>
    public static Tensor FullLike(Tensor like, double value)
    {
        ArgumentNullException.ThrowIfNull(like);
        return Full(like.Shape, value, like.DType);
    }

    /// <summary>A float32 tensor holding a copy of <paramref name="data"/>; the shape defaults to [data.Length].</summary>
    /// <exception cref="ArgumentException">The shape's size differs from the data length.</exception>
    public static Tensor FromArray(float[] data, params int[] shape) => FromStorage(data, shape, DType.Float32);

    /// <summary>A float64 tensor holding a copy of <paramref name="data"/>; the shape defaults to [data.Length].</summary>
    /// <exception cref="ArgumentException">The shape's size differs from the data length.</exception>
    public static Tensor FromArray(double[] data, params int[] shape) => FromStorage(data, shape, DType.Float64);

    /// <summary>An int64 (index) tensor holding a copy of <paramref name="data"/>; the shape defaults to [data.Length].</summary>
    /// <exception cref="ArgumentException">The shape's size differs from the data length.</exception>
    public static Tensor FromArray(long[] data, params int[] shape) => FromStorage(data, shape, DType.Int64);

    /// <summary>A float64 matrix from a rectangular array.</summary>
    public static Tensor FromArray(double[,] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int r = data.GetLength(0), c = data.GetLength(1);
        var flat = new double[r * c];
        for (var i = 0; i < r; i++)
        {
            for (var j = 0; j < c; j++)
            {
                flat[(i * c) + j] = data[i, j];
            }
        }

        return new Tensor(new Shape(r, c), DType.Float64, flat);
    }

    private static Tensor FromStorage<T>(T[] data, int[] shape, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(data);
        var s = shape == null || shape.Length == 0 ? new Shape(data.Length) : new Shape(shape);
        if (s.Size != data.Length)
        {
            throw new ArgumentException($"FromArray: shape {s} holds {s.Size} elements but the array has {data.Length}.", nameof(shape));
        }

        return new Tensor(s, dtype, (T[])data.Clone());
    }

    /// <summary>Values start, start+step, … strictly below end (above end for a negative step), as numpy's arange.</summary>
    /// <exception cref="ArgumentException">start, end or step is not finite, step is 0, or the range has more than
    /// <see cref="int.MaxValue"/> elements (the size limit of a <see cref="Shape"/>).</exception>
    public static Tensor Arange(double start, double end, double step = 1.0, DType dtype = DefaultDType)
    {
        if (!double.IsFinite(start))
        {
            throw new ArgumentException($"Arange: start must be finite, got {start}.", nameof(start));
        }

        if (!double.IsFinite(end))
        {
            throw new ArgumentException($"Arange: end must be finite, got {end}.", nameof(end));
        }

        if (step == 0 || !double.IsFinite(step))
        {
            throw new ArgumentException($"Arange: step must be finite and non-zero, got {step}.", nameof(step));
        }

        var count = Math.Max(0, Math.Ceiling((end - start) / step));
        if (!(count <= int.MaxValue))
        {
            throw new ArgumentException(
                $"Arange({start}, {end}, {step}) has {count:G17} elements, more than {int.MaxValue} elements (the most a Shape holds).",
                nameof(end));
        }

        var n = (int)count;
        var t = Uninitialized(new Shape(n), dtype);
        for (var i = 0; i < n; i++)
        {
            t.SetFlat(i, start + (i * step));
        }

        return t;
    }

    /// <summary>Values 0, 1, …, end−1.</summary>
    public static Tensor Arange(int end, DType dtype = DefaultDType) => Arange(0, end, 1, dtype);

    /// <summary><paramref name="count"/> evenly spaced values from start to end inclusive.</summary>
    /// <exception cref="ArgumentOutOfRangeException">count is negative.</exception>
    public static Tensor Linspace(double start, double end, int count, DType dtype = DefaultDType)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var t = Uninitialized(new Shape(count), dtype);
        var step = count > 1 ? (end - start) / (count - 1) : 0;
        for (var i = 0; i < count; i++)
        {
            t.SetFlat(i, i == count - 1 && count > 1 ? end : start + (i * step));
        }

        return t;
    }

    /// <summary>The n×m matrix with ones on the diagonal (m defaults to n).</summary>
    public static Tensor Eye(int n, int? m = null, DType dtype = DefaultDType)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var cols = m ?? n;
        ArgumentOutOfRangeException.ThrowIfNegative(cols, nameof(m));
        var t = Zeros(new Shape(n, cols), dtype);
        for (var i = 0; i < Math.Min(n, cols); i++)
        {
            t.SetFlat((i * cols) + i, 1);
        }

        return t;
    }

    internal void SetFlat(int i, double value)
    {
        switch (DType)
        {
            case DType.Float32:
                Span<float>()[i] = (float)value;
                break;
            case DType.Float64:
                Span<double>()[i] = value;
                break;
            default:
                Span<long>()[i] = (long)value;
                break;
        }
    }
}
