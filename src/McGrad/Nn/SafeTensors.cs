using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace McGrad.Nn;

/// <summary>
/// Reads and writes the safetensors format (Hugging Face): an 8-byte little-endian unsigned header length N, N bytes
/// of UTF-8 JSON <c>{"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, …, "__metadata__":
/// {"key": "value"}}</c>, then the byte buffer: each tensor's elements little-endian in row-major order at
/// [begin, end) relative to the buffer's start, the tensors packed without gaps or overlap.
/// </summary>
/// <remarks>
/// McGrad writes F32 (Float32), F64 (Float64) and I64 (Int64) tensors, ordered by element size (largest first) then
/// by name, and pads the header with spaces to a multiple of 8 bytes, so every tensor is aligned to its element size
/// and the file is the same for the same tensors whatever the dictionary's order. Reading validates everything
/// (header length, JSON, names, dtypes, shapes, that each tensor's byte count is ∏shape·itemsize, and that the
/// offsets tile the buffer exactly) and reports the first problem as an <see cref="InvalidDataException"/> naming the
/// file, the tensor and the values found. Other dtypes (F16, BF16, I32, …) are rejected by name.
/// Format: https://huggingface.co/docs/safetensors.
/// </remarks>
public static class SafeTensors
{
    /// <summary>The largest header accepted when reading (100 MB, as the reference implementation).</summary>
    public const long MaxHeaderLength = 100_000_000;

    private const string MetadataKey = "__metadata__";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Writes <paramref name="tensors"/> (and optional string <paramref name="metadata"/>) to the file
    /// <paramref name="path"/>, replacing it. The file is written to a temporary name beside it and then moved, so a
    /// failure never leaves a half-written file at <paramref name="path"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A name is empty, repeated or <c>__metadata__</c>, or a tensor is null.</exception>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var (header, entries) = BuildHeader(tensors, metadata);
        var full = Path.GetFullPath(path);
        var tmp = full + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".tmp";
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                WriteTo(fs, header, entries);
            }

            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp))
            {
                File.Delete(tmp);
            }
        }
    }

    /// <summary>Writes <paramref name="tensors"/> in safetensors format to <paramref name="stream"/> (see <see cref="Save(string, IEnumerable{KeyValuePair{string, Tensor}}, IReadOnlyDictionary{string, string}?)"/>).</summary>
    /// <exception cref="ArgumentException">A name is empty, repeated or <c>__metadata__</c>, or a tensor is null.</exception>
    public static void Save(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var (header, entries) = BuildHeader(tensors, metadata);
        WriteTo(stream, header, entries);
    }

    /// <summary>Reads every tensor of the safetensors file <paramref name="path"/>, by name (in header order).</summary>
    /// <exception cref="InvalidDataException">The file is not valid safetensors; the message names the file and the problem.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static Dictionary<string, Tensor> Load(string path) => Load(path, out _);

    /// <summary>Reads every tensor of the safetensors file <paramref name="path"/>, and its <c>__metadata__</c> (empty when absent).</summary>
    /// <exception cref="InvalidDataException">The file is not valid safetensors; the message names the file and the problem.</exception>
    public static Dictionary<string, Tensor> Load(string path, out IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Load(fs, out metadata, path);
    }

    /// <summary>Reads a safetensors image from <paramref name="stream"/> (from its current position to its end).</summary>
    /// <param name="stream">The source; a non-seekable stream is first copied into memory.</param>
    /// <param name="metadata">The <c>__metadata__</c> entries (empty when absent).</param>
    /// <param name="sourceName">How errors refer to the source (a file name).</param>
    /// <exception cref="InvalidDataException">The data are not valid safetensors.</exception>
    public static Dictionary<string, Tensor> Load(Stream stream, out IReadOnlyDictionary<string, string> metadata, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var src = sourceName == null ? "the stream" : $"'{sourceName}'";
        if (!stream.CanSeek)
        {
            var ms = new MemoryStream();
            stream.CopyTo(ms);
            ms.Position = 0;
            stream = ms;
        }

        var (entries, meta, bufferStart) = ReadHeader(stream, src);
        metadata = meta;
        var result = new Dictionary<string, Tensor>(entries.Count, StringComparer.Ordinal);
        var tensors = new Tensor[entries.Count];
        var order = Enumerable.Range(0, entries.Count).OrderBy(i => entries[i].Begin).ToArray();
        stream.Position = bufferStart;
        foreach (var i in order)
        {
            var e = entries[i];
            var t = Tensor.Uninitialized(e.Shape, e.DType);
            var bytes = e.DType switch
            {
                DType.Float32 => MemoryMarshal.AsBytes(t.Span<float>()),
                DType.Float64 => MemoryMarshal.AsBytes(t.Span<double>()),
                _ => MemoryMarshal.AsBytes(t.Span<long>()),
            };
            try
            {
                stream.ReadExactly(bytes);
            }
            catch (EndOfStreamException)
            {
                throw new InvalidDataException($"safetensors {src}: the data of tensor '{e.Name}' end before byte {e.End} of the buffer (the file is truncated).");
            }

            if (!BitConverter.IsLittleEndian)
            {
                SwapBytes(t);
            }

            tensors[i] = t;
        }

        for (var i = 0; i < entries.Count; i++)
        {
            result.Add(entries[i].Name, tensors[i]);
        }

        return result;
    }

    /// <summary>Reads only the <c>__metadata__</c> of a safetensors file (empty when absent); the header is validated.</summary>
    /// <exception cref="InvalidDataException">The file is not valid safetensors.</exception>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return ReadHeader(fs, $"'{path}'").Metadata;
    }

    private static (byte[] Header, List<KeyValuePair<string, Tensor>> Entries) BuildHeader(IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var entries = new List<KeyValuePair<string, Tensor>>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, t) in tensors)
        {
            if (string.IsNullOrEmpty(name) || name == MetadataKey)
            {
                throw new ArgumentException($"SafeTensors.Save: the tensor name '{name}' is not allowed (names are non-empty and not '{MetadataKey}').", nameof(tensors));
            }

            if (t == null)
            {
                throw new ArgumentException($"SafeTensors.Save: tensor '{name}' is null.", nameof(tensors));
            }

            if (!names.Add(name))
            {
                throw new ArgumentException($"SafeTensors.Save: the name '{name}' appears twice.", nameof(tensors));
            }

            entries.Add(new KeyValuePair<string, Tensor>(name, t));
        }

        entries.Sort((a, b) =>
        {
            var c = b.Value.DType.ElementSize().CompareTo(a.Value.DType.ElementSize());
            return c != 0 ? c : string.CompareOrdinal(a.Key, b.Key);
        });

        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            if (metadata != null)
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    ArgumentNullException.ThrowIfNull(v, k);
                    w.WriteString(k, v);
                }

                w.WriteEndObject();
            }

            long offset = 0;
            foreach (var (name, t) in entries)
            {
                var bytes = (long)t.Size * t.DType.ElementSize();
                w.WriteStartObject(name);
                w.WriteString("dtype", DTypeName(t.DType));
                w.WriteStartArray("shape");
                foreach (var d in t.Shape)
                {
                    w.WriteNumberValue(d);
                }

                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + bytes);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += bytes;
            }

            w.WriteEndObject();
        }

        var json = buffer.WrittenSpan;
        var padded = (json.Length + 7) / 8 * 8;
        var header = new byte[padded];
        json.CopyTo(header);
        header.AsSpan(json.Length).Fill((byte)' ');
        return (header, entries);
    }

    private static void WriteTo(Stream stream, byte[] header, List<KeyValuePair<string, Tensor>> entries)
    {
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        stream.Write(len);
        stream.Write(header);
        foreach (var (_, t) in entries)
        {
            var src = BitConverter.IsLittleEndian ? t : SwappedCopy(t);
            switch (src.DType)
            {
                case DType.Float32:
                    stream.Write(MemoryMarshal.AsBytes(src.Span<float>()));
                    break;
                case DType.Float64:
                    stream.Write(MemoryMarshal.AsBytes(src.Span<double>()));
                    break;
                default:
                    stream.Write(MemoryMarshal.AsBytes(src.Span<long>()));
                    break;
            }
        }

        stream.Flush();
    }

    private static (List<Entry> Entries, IReadOnlyDictionary<string, string> Metadata, long BufferStart) ReadHeader(Stream stream, string src)
    {
        var start = stream.Position;
        var total = stream.Length - start;
        if (total < 8)
        {
            throw new InvalidDataException($"safetensors {src}: {total} bytes is too short; the file starts with an 8-byte little-endian header length.");
        }

        Span<byte> lenBytes = stackalloc byte[8];
        stream.ReadExactly(lenBytes);
        var n = BinaryPrimitives.ReadUInt64LittleEndian(lenBytes);
        if (n < 2 || n > MaxHeaderLength || n > (ulong)(total - 8))
        {
            throw new InvalidDataException($"safetensors {src}: the header length is {n} bytes, but it must be between 2 and {Math.Min(MaxHeaderLength, total - 8)} (the file has {total} bytes, {total - 8} after the length field).");
        }

        var headerBytes = new byte[(int)n];
        stream.ReadExactly(headerBytes);
        if (headerBytes[0] != (byte)'{')
        {
            throw new InvalidDataException($"safetensors {src}: the header does not start with '{{' (first byte 0x{headerBytes[0]:X2}); it must be a JSON object.");
        }

        var bufferLength = total - 8 - (long)n;
        var entries = new List<Entry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(headerBytes);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"safetensors {src}: the {n}-byte header is not valid UTF-8 JSON: {ex.Message}", ex);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"safetensors {src}: the header is a JSON {doc.RootElement.ValueKind}, not an object.");
            }

            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!names.Add(prop.Name))
                {
                    throw new InvalidDataException($"safetensors {src}: the header names '{prop.Name}' twice.");
                }

                if (prop.Name == MetadataKey)
                {
                    ReadMetadata(prop.Value, metadata, src);
                    continue;
                }

                entries.Add(ReadEntry(prop.Name, prop.Value, bufferLength, src));
            }
        }

        CheckTiling(entries, bufferLength, src);
        return (entries, metadata, start + 8 + (long)n);
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string src)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"safetensors {src}: '{MetadataKey}' is a JSON {value.ValueKind}; it must be an object of strings.");
        }

        foreach (var p in value.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String)
            {
                throw new InvalidDataException($"safetensors {src}: '{MetadataKey}' entry '{p.Name}' is a JSON {p.Value.ValueKind}; metadata values must be strings.");
            }

            if (!metadata.TryAdd(p.Name, p.Value.GetString()!))
            {
                throw new InvalidDataException($"safetensors {src}: '{MetadataKey}' names '{p.Name}' twice.");
            }
        }
    }

    private static Entry ReadEntry(string name, JsonElement value, long bufferLength, string src)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"safetensors {src}: the header entry of tensor '{name}' is a JSON {value.ValueKind}; expected an object with dtype, shape and data_offsets.");
        }

        if (!value.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String)
        {
            throw new InvalidDataException($"safetensors {src}: tensor '{name}' has no string \"dtype\".");
        }

        var dtypeName = dtypeEl.GetString()!;
        DType dtype = dtypeName switch
        {
            "F32" => DType.Float32,
            "F64" => DType.Float64,
            "I64" => DType.Int64,
            _ => throw new InvalidDataException($"safetensors {src}: tensor '{name}' has dtype '{dtypeName}', which McGrad cannot read (supported: F32, F64, I64)."),
        };

        if (!value.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"safetensors {src}: tensor '{name}' has no \"shape\" array.");
        }

        var dims = new int[shapeEl.GetArrayLength()];
        long count = 1;
        var k = 0;
        foreach (var d in shapeEl.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var v) || v < 0 || v > int.MaxValue)
            {
                throw new InvalidDataException($"safetensors {src}: tensor '{name}' has shape {shapeEl.GetRawText()}; dimensions must be integers in [0, {int.MaxValue}].");
            }

            dims[k++] = (int)v;
            count *= v;
            if (count > int.MaxValue)
            {
                throw new InvalidDataException($"safetensors {src}: tensor '{name}' with shape {shapeEl.GetRawText()} has more than {int.MaxValue} elements.");
            }
        }

        if (!value.TryGetProperty("data_offsets", out var offEl) || offEl.ValueKind != JsonValueKind.Array || offEl.GetArrayLength() != 2)
        {
            throw new InvalidDataException($"safetensors {src}: tensor '{name}' has no \"data_offsets\" [begin, end].");
        }

        var begin = ReadOffset(offEl[0], name, src);
        var end = ReadOffset(offEl[1], name, src);
        if (begin > end || end > bufferLength)
        {
            throw new InvalidDataException($"safetensors {src}: tensor '{name}' has data_offsets [{begin}, {end}], outside the {bufferLength}-byte buffer (need begin ≤ end ≤ {bufferLength}).");
        }

        var expected = count * dtype.ElementSize();
        if (end - begin != expected)
        {
            throw new InvalidDataException($"safetensors {src}: tensor '{name}' ({dtypeName}, shape {shapeEl.GetRawText()}) needs {expected} bytes, but data_offsets [{begin}, {end}] span {end - begin}.");
        }

        return new Entry(name, dtype, Shape.Wrap(dims), begin, end);
    }

    private static long ReadOffset(JsonElement e, string name, string src)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out var v) || v < 0)
        {
            throw new InvalidDataException($"safetensors {src}: tensor '{name}' has a data offset {e.GetRawText()}; offsets are non-negative integers.");
        }

        return v;
    }

    private static void CheckTiling(List<Entry> entries, long bufferLength, string src)
    {
        var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        long pos = 0;
        string? previous = null;
        foreach (var e in sorted)
        {
            if (e.Begin != pos)
            {
                var what = e.Begin > pos ? "a gap" : "an overlap";
                var after = previous == null ? "the start of the buffer" : $"tensor '{previous}', which ends at {pos}";
                throw new InvalidDataException($"safetensors {src}: {what} in the buffer: tensor '{e.Name}' begins at {e.Begin}, after {after}; tensors must be packed without gaps or overlap.");
            }

            pos = e.End;
            previous = e.Name;
        }

        if (pos != bufferLength)
        {
            throw new InvalidDataException($"safetensors {src}: the tensors cover {pos} bytes of the buffer, but it has {bufferLength}; the buffer must end where the last tensor ends.");
        }
    }

    private static string DTypeName(DType dtype) => dtype switch
    {
        DType.Float32 => "F32",
        DType.Float64 => "F64",
        _ => "I64",
    };

    private static Tensor SwappedCopy(Tensor t)
    {
        var copy = new Tensor(t.Shape, t.DType, (Array)t.Storage.Clone());
        SwapBytes(copy);
        return copy;
    }

    private static void SwapBytes(Tensor t)
    {
        switch (t.DType)
        {
            case DType.Float32:
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, int>(t.Span<float>()), MemoryMarshal.Cast<float, int>(t.Span<float>()));
                break;
            case DType.Float64:
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<double, long>(t.Span<double>()), MemoryMarshal.Cast<double, long>(t.Span<double>()));
                break;
            default:
                BinaryPrimitives.ReverseEndianness(t.Span<long>(), t.Span<long>());
                break;
        }
    }

    private readonly record struct Entry(string Name, DType DType, Shape Shape, long Begin, long End);
}
