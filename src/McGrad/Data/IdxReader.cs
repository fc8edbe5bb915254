using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace McGrad.Data;

/// <summary>
/// Reads IDX files, the format of MNIST and Fashion-MNIST (Y. LeCun, C. Cortes, C. J. C. Burges,
/// "The MNIST database of handwritten digits"), gzip-compressed or plain.
/// </summary>
/// <remarks>
/// An IDX file is a 4-byte magic number <c>00 00 TT NN</c> — TT the element type (0x08 unsigned byte, 0x09 signed
/// byte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64), NN the number of dimensions — then NN big-endian
/// int32 dimension sizes, then the elements, big-endian, row-major, and nothing after them. Compression is
/// detected from the gzip magic bytes 1f 8b, not from the file name.
/// </remarks>
public static class IdxReader
{
    /// <summary>How to obtain the Fashion-MNIST files; appended to every error about a missing or bad file.</summary>
    internal const string ObtainHint =
        "To get Fashion-MNIST, install the Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist), " +
        "which puts the files under " + FashionMnist.DefaultDirectory + ", or pass another path.";

    private const int ChunkBytes = 1 << 16; // a multiple of every element size

    /// <summary>
    /// Reads the IDX file at <paramref name="path"/> into a tensor whose shape is the file's dimensions.
    /// Integer data (unsigned/signed byte, int16, int32) becomes Int64 when it is one-dimensional (labels) and
    /// Float32 otherwise (images, raw values: 0…255 for unsigned bytes); float32 data becomes Float32 and float64
    /// data Float64. <paramref name="dtype"/> overrides that choice; <paramref name="scale"/> divides unsigned-byte
    /// data by 255 (x/255, correctly rounded in the result dtype) to map pixels to [0, 1].
    /// The result is a plain tensor (not recorded for autodiff).
    /// </summary>
    /// <param name="path">A plain or gzip-compressed IDX file.</param>
    /// <param name="scale">Divide by 255 (unsigned-byte data and a floating-point result only).</param>
    /// <param name="dtype">The result dtype; null chooses as described above. Float data cannot become Int64.</param>
    /// <exception cref="FileNotFoundException">The file does not exist (the message says how to obtain Fashion-MNIST).</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not a valid IDX file: a bad magic number, an unknown element type, no dimensions, a negative or
    /// too large dimension, a payload shorter or longer than the dimensions imply, or a corrupt gzip stream. The
    /// message names the path, what was expected and what was found.
    /// </exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="scale"/> is set for data that is not unsigned bytes or with an Int64 result, or Int64 is asked
    /// of float data.
    /// </exception>
    public static Tensor Read(string path, bool scale = false, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"IdxReader: the file '{path}' does not exist. {ObtainHint}", path);
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        Span<byte> signature = stackalloc byte[2];
        var gzip = file.ReadAtLeast(signature, 2, throwOnEndOfStream: false) == 2 && signature[0] == 0x1F && signature[1] == 0x8B;
        file.Position = 0;
        if (!gzip)
        {
            return ReadCore(new Source(file, path, Gzip: false), scale, dtype);
        }

        using var inflated = new GZipStream(file, CompressionMode.Decompress);
        return ReadCore(new Source(inflated, path, Gzip: true), scale, dtype);
    }

    private readonly record struct Source(Stream Stream, string Path, bool Gzip)
    {
        /// <summary>Reads up to destination.Length bytes; fewer only at the end of the (decompressed) data.</summary>
        public int Fill(Span<byte> destination)
        {
            try
            {
                return Stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"IdxReader: '{Path}' starts like a gzip file (bytes 1f 8b) but its compressed data is corrupt ({e.Message}). {ObtainHint}", e);
            }
        }

        public InvalidDataException Error(string what) =>
            new($"IdxReader: '{Path}'{(Gzip ? " (gzip, sizes after decompression)" : string.Empty)} is not a valid IDX file: {what}. {ObtainHint}");
    }

    private static Tensor ReadCore(Source source, bool scale, DType? dtype)
    {
        Span<byte> magic = stackalloc byte[4];
        var got = source.Fill(magic);
        if (got < 4)
        {
            throw source.Error($"expected a 4-byte magic number, found only {got} byte(s) in the whole file");
        }

        if (magic[0] != 0 || magic[1] != 0)
        {
            throw source.Error($"the magic number must start with 00 00, found {magic[0]:x2} {magic[1]:x2} (whole magic {magic[0]:x2} {magic[1]:x2} {magic[2]:x2} {magic[3]:x2})");
        }

        var type = magic[2];
        var elementSize = type switch
        {
            0x08 or 0x09 => 1,
            0x0B => 2,
            0x0C or 0x0D => 4,
            0x0E => 8,
            _ => throw source.Error($"the type byte (third byte of the magic number) must be 08 (ubyte), 09 (sbyte), 0b (int16), 0c (int32), 0d (float32) or 0e (float64), found {type:x2}"),
        };
        int rank = magic[3];
        if (rank == 0)
        {
            throw source.Error("the number of dimensions (fourth byte of the magic number) must be at least 1, found 0");
        }

        var dimBytes = new byte[4 * rank];
        got = source.Fill(dimBytes);
        if (got < dimBytes.Length)
        {
            throw source.Error($"the header declares {rank} dimensions ({dimBytes.Length} bytes of sizes after the magic number), found only {got} byte(s)");
        }

        var dims = new int[rank];
        long count = 1;
        for (var i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(dimBytes.AsSpan(4 * i));
            if (dims[i] < 0)
            {
                throw source.Error($"dimension {i} must be >= 0 (big-endian int32), found {dims[i]}");
            }

            count *= dims[i];
            if (count > int.MaxValue)
            {
                throw source.Error($"the dimensions [{string.Join(", ", dims.Take(i + 1))}…] hold more than {int.MaxValue} elements");
            }
        }

        var isFloat = type is 0x0D or 0x0E;
        var resultType = dtype ?? (type == 0x0D ? DType.Float32 : type == 0x0E ? DType.Float64 : rank == 1 ? DType.Int64 : DType.Float32);
        if (isFloat && resultType == DType.Int64)
        {
            throw new ArgumentException($"IdxReader: '{source.Path}' holds {TypeName(type)} data, which cannot be read as Int64; ask for Float32 or Float64.", nameof(dtype));
        }

        if (scale && (type != 0x08 || resultType == DType.Int64))
        {
            throw new ArgumentException($"IdxReader: scale divides unsigned-byte data by 255 into a floating-point tensor; '{source.Path}' holds {TypeName(type)} data and the result dtype is {resultType}.", nameof(scale));
        }

        var shape = new Shape(dims);
        var result = Tensor.Uninitialized(shape, resultType);
        switch (resultType)
        {
            case DType.Float32:
                ReadPayload(source, result.Span<float>(), type, elementSize, shape);
                if (scale)
                {
                    TensorPrimitives.Divide(result.Span<float>(), 255f, result.Span<float>());
                }

                break;
            case DType.Float64:
                ReadPayload(source, result.Span<double>(), type, elementSize, shape);
                if (scale)
                {
                    TensorPrimitives.Divide(result.Span<double>(), 255.0, result.Span<double>());
                }

                break;
            default:
                ReadPayload(source, result.Span<long>(), type, elementSize, shape);
                break;
        }

        return result;
    }

    private static string TypeName(byte type) => type switch
    {
        0x08 => "unsigned-byte (08)",
        0x09 => "signed-byte (09)",
        0x0B => "int16 (0b)",
        0x0C => "int32 (0c)",
        0x0D => "float32 (0d)",
        _ => "float64 (0e)",
    };

    private static void ReadPayload<T>(Source source, Span<T> destination, byte type, int elementSize, Shape shape)
        where T : unmanaged, INumberBase<T>
    {
        var expected = (long)destination.Length * elementSize;
        var buffer = new byte[(int)Math.Min(ChunkBytes, Math.Max(expected, 1))];
        long done = 0;
        while (done < expected)
        {
            var want = (int)Math.Min(buffer.Length, expected - done);
            var chunk = buffer.AsSpan(0, want);
            var got = source.Fill(chunk);
            if (got < want)
            {
                throw source.Error($"the payload is truncated: dimensions {shape} of {TypeName(type)} need {expected} bytes after the {4 + (4 * shape.Rank)}-byte header, found {done + got}");
            }

            Decode(chunk, destination.Slice((int)(done / elementSize), want / elementSize), type);
            done += want;
        }

        long extra = 0;
        int more;
        while ((more = source.Fill(buffer)) > 0)
        {
            extra += more;
        }

        if (extra > 0)
        {
            throw source.Error($"dimensions {shape} of {TypeName(type)} need {expected} payload bytes after the {4 + (4 * shape.Rank)}-byte header, found {expected + extra} ({extra} trailing byte(s))");
        }
    }

    /// <summary>Converts whole big-endian elements in <paramref name="bytes"/> (reversed in place) into <paramref name="destination"/>.</summary>
    private static void Decode<T>(Span<byte> bytes, Span<T> destination, byte type)
        where T : unmanaged, INumberBase<T>
    {
        switch (type)
        {
            case 0x08:
                TensorPrimitives.ConvertTruncating<byte, T>(bytes, destination);
                break;
            case 0x09:
                TensorPrimitives.ConvertTruncating<sbyte, T>(MemoryMarshal.Cast<byte, sbyte>(bytes), destination);
                break;
            case 0x0B:
                TensorPrimitives.ConvertTruncating<short, T>(BigEndian<short>(bytes), destination);
                break;
            case 0x0C:
                TensorPrimitives.ConvertTruncating<int, T>(BigEndian<int>(bytes), destination);
                break;
            case 0x0D:
                TensorPrimitives.ConvertTruncating<float, T>(MemoryMarshal.Cast<int, float>(BigEndian<int>(bytes)), destination);
                break;
            default:
                TensorPrimitives.ConvertTruncating<double, T>(MemoryMarshal.Cast<long, double>(BigEndian<long>(bytes)), destination);
                break;
        }
    }

    private static ReadOnlySpan<TInt> BigEndian<TInt>(Span<byte> bytes)
        where TInt : unmanaged, IBinaryInteger<TInt>
    {
        var values = MemoryMarshal.Cast<byte, TInt>(bytes);
        if (BitConverter.IsLittleEndian)
        {
            if (typeof(TInt) == typeof(short))
            {
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, short>(bytes), MemoryMarshal.Cast<byte, short>(bytes));
            }
            else if (typeof(TInt) == typeof(int))
            {
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, int>(bytes), MemoryMarshal.Cast<byte, int>(bytes));
            }
            else
            {
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, long>(bytes), MemoryMarshal.Cast<byte, long>(bytes));
            }
        }

        return values;
    }
}
