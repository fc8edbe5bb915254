using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using McGrad.Nn;
using McGrad.Randomness;

namespace McGrad.Tests.Nn;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mcgrad-nn-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static Dictionary<string, Tensor> Sample() => new()
    {
        ["f32"] = Tensor.FromArray([1.5f, -0f, float.NaN, float.PositiveInfinity, 3e-40f, -2.25f], 2, 3),
        ["f64"] = Tensor.FromArray([Math.PI, -0.0, double.NegativeInfinity, 5e-324], 4),
        ["i64"] = Tensor.FromArray([long.MinValue, -1L, 0L, long.MaxValue], 2, 1, 2),
        ["scalar"] = Tensor.Scalar(2.5, DType.Float64),
        ["empty"] = Tensor.Zeros([2, 0, 3]),
        ["empty_i"] = Tensor.FromArray(Array.Empty<long>()),
        ["b.weight"] = Tensor.FromArray([1.0f, 2f, 3f]),
    };

    private static void AssertBitIdentical(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.DType, actual.DType);
        Assert.Equal(expected.Shape, actual.Shape);
        switch (expected.DType)
        {
            case DType.Float32:
                Assert.Equal(expected.ToFloatArray().Select(BitConverter.SingleToInt32Bits), actual.ToFloatArray().Select(BitConverter.SingleToInt32Bits));
                break;
            case DType.Float64:
                Assert.Equal(expected.ToDoubleArray().Select(BitConverter.DoubleToInt64Bits), actual.ToDoubleArray().Select(BitConverter.DoubleToInt64Bits));
                break;
            default:
                Assert.Equal(expected.ToLongArray(), actual.ToLongArray());
                break;
        }
    }

    [Fact]
    public void RoundTripIsBitExactForAllDTypesRankZeroAndZeroSize()
    {
        var path = PathOf("rt.safetensors");
        var src = Sample();
        var meta = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode \"quoted\" {braces}" };
        SafeTensors.Save(path, src, meta);

        var back = SafeTensors.Load(path, out var readMeta);
        Assert.Equal(src.Keys.Order(StringComparer.Ordinal), back.Keys.Order(StringComparer.Ordinal));
        foreach (var (k, t) in src)
        {
            AssertBitIdentical(t, back[k]);
        }

        Assert.Equal(meta.OrderBy(p => p.Key), readMeta.OrderBy(p => p.Key));
        Assert.Equal(meta.OrderBy(p => p.Key), SafeTensors.ReadMetadata(path).OrderBy(p => p.Key));
        Assert.Equal(Shape.Scalar, back["scalar"].Shape);
        Assert.Equal(2.5, back["scalar"].Item());
    }

    [Fact]
    public void FileIsDeterministicWhateverTheDictionaryOrder()
    {
        var a = PathOf("a.safetensors");
        var b = PathOf("b.safetensors");
        var src = Sample();
        SafeTensors.Save(a, src);
        SafeTensors.Save(b, src.Reverse());
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
    }

    [Fact]
    public void HeaderLayoutByteByByte()
    {
        var path = PathOf("layout.safetensors");
        var src = Sample();
        SafeTensors.Save(path, src, new Dictionary<string, string> { ["k"] = "v" });
        var bytes = File.ReadAllBytes(path);

        var n = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(0, 8));
        Assert.True(n % 8 == 0, $"header length {n} is not a multiple of 8");
        Assert.True(8 + (long)n <= bytes.Length);
        var headerText = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.StartsWith("{", headerText, StringComparison.Ordinal);
        var json = headerText.TrimEnd(' ');
        Assert.EndsWith("}", json, StringComparison.Ordinal);
        Assert.True(headerText.Length - json.Length < 8, "padding is less than 8 spaces");

        using var doc = JsonDocument.Parse(json);
        var bufferStart = 8 + (int)n;
        var bufferLength = bytes.Length - bufferStart;
        var spans = new List<(long Begin, long End, string Name)>();
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Name == "__metadata__")
            {
                Assert.Equal("v", p.Value.GetProperty("k").GetString());
                continue;
            }

            var t = src[p.Name];
            var dtype = p.Value.GetProperty("dtype").GetString();
            Assert.Equal(t.DType switch { DType.Float32 => "F32", DType.Float64 => "F64", _ => "I64" }, dtype);
            Assert.Equal(t.Shape.ToArray(), p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray());
            var off = p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            Assert.Equal(2, off.Length);
            var itemSize = dtype == "F32" ? 4 : 8;
            Assert.Equal((long)t.Size * itemSize, off[1] - off[0]);
            Assert.True(off[0] % itemSize == 0, $"'{p.Name}' is not aligned");
            spans.Add((off[0], off[1], p.Name));

            // Decode the elements straight from the bytes (little-endian, row-major).
            for (var i = 0; i < t.Size; i++)
            {
                var at = bufferStart + (int)off[0] + (i * itemSize);
                switch (dtype)
                {
                    case "F32":
                        Assert.Equal(BitConverter.SingleToInt32Bits(t.ToFloatArray()[i]), BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at)));
                        break;
                    case "F64":
                        Assert.Equal(BitConverter.DoubleToInt64Bits(t.ToDoubleArray()[i]), BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at)));
                        break;
                    default:
                        Assert.Equal(t.ToLongArray()[i], BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at)));
                        break;
                }
            }
        }

        Assert.Equal(src.Count, spans.Count);
        spans.Sort();
        long pos = 0;
        foreach (var (begin, end, name) in spans)
        {
            Assert.True(begin == pos, $"'{name}' begins at {begin}, expected {pos}");
            pos = end;
        }

        Assert.Equal(bufferLength, pos);
    }

    /// <summary>A file built by hand from the format description (independently of Save).</summary>
    private static byte[] HandMade(string header, byte[] buffer, ulong? length = null)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + buffer.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, length ?? (ulong)h.Length);
        h.CopyTo(bytes, 8);
        buffer.CopyTo(bytes, 8 + h.Length);
        return bytes;
    }

    [Fact]
    public void ReadsAHandMadeFile()
    {
        // Unpadded header, tensors out of name order, F64 first in the buffer, metadata last.
        var buffer = new byte[16 + 8];
        BinaryPrimitives.WriteDoubleLittleEndian(buffer.AsSpan(0), -1.25);
        BinaryPrimitives.WriteDoubleLittleEndian(buffer.AsSpan(8), 3.5);
        BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(16), 0.5f);
        BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(20), 7f);
        var path = PathOf("hand.safetensors");
        File.WriteAllBytes(path, HandMade(
            """{"z":{"dtype":"F64","shape":[2,1],"data_offsets":[0,16]},"a":{"dtype":"F32","shape":[2],"data_offsets":[16,24]},"__metadata__":{"who":"hand"}}""",
            buffer));
        var d = SafeTensors.Load(path, out var meta);
        Assert.Equal(new Shape(2, 1), d["z"].Shape);
        Assert.Equal([-1.25, 3.5], d["z"].ToDoubleArray());
        Assert.Equal(DType.Float32, d["a"].DType);
        Assert.Equal([0.5f, 7f], d["a"].ToFloatArray());
        Assert.Equal("hand", meta["who"]);
    }

    private InvalidDataException Corrupt(string name, byte[] bytes)
    {
        var path = PathOf(name);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        return e;
    }

    private const string Good = """{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";

    [Fact]
    public void CorruptFilesGiveClearErrors()
    {
        Assert.Contains("too short", Corrupt("short", [1, 2, 3]).Message, StringComparison.Ordinal);
        Assert.Contains("header length is 1000000000", Corrupt("huge", HandMade(Good, new byte[8], 1_000_000_000)).Message, StringComparison.Ordinal);
        Assert.Contains("header length is 500", Corrupt("long", HandMade(Good, new byte[8], 500)).Message, StringComparison.Ordinal);
        Assert.Contains("not start with '{'", Corrupt("array", HandMade("[1, 2]  ", [])).Message, StringComparison.Ordinal);
        Assert.Contains("not valid UTF-8 JSON", Corrupt("json", HandMade("{\"t\": ", new byte[8])).Message, StringComparison.Ordinal);

        var e = Corrupt("bf16", HandMade("""{"t":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}""", new byte[4]));
        Assert.Contains("'BF16'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'t'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'Q9'", Corrupt("q9", HandMade("""{"t":{"dtype":"Q9","shape":[2],"data_offsets":[0,4]}}""", new byte[4])).Message, StringComparison.Ordinal);

        e = Corrupt("size", HandMade("""{"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", new byte[8]));
        Assert.Contains("needs 12 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("span 8", e.Message, StringComparison.Ordinal);

        e = Corrupt("range", HandMade("""{"t":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", new byte[8]));
        Assert.Contains("outside the 8-byte buffer", e.Message, StringComparison.Ordinal);

        e = Corrupt("gap", HandMade("""{"t":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", new byte[8]));
        Assert.Contains("a gap", e.Message, StringComparison.Ordinal);

        e = Corrupt("overlap", HandMade("""{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"u":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", new byte[8]));
        Assert.Contains("an overlap", e.Message, StringComparison.Ordinal);

        e = Corrupt("trailing", HandMade(Good, new byte[12]));
        Assert.Contains("cover 8 bytes of the buffer, but it has 12", e.Message, StringComparison.Ordinal);

        // Truncated: the last 4 bytes of the data are missing, so the offsets no longer fit the buffer.
        Assert.Contains("outside the 4-byte buffer", Corrupt("trunc", HandMade(Good, new byte[4])).Message, StringComparison.Ordinal);

        Assert.Contains("twice", Corrupt("dup", HandMade(
            """{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"t":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", new byte[8])).Message, StringComparison.Ordinal);
        Assert.Contains("dimensions must be integers", Corrupt("negdim", HandMade("""{"t":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", new byte[8])).Message, StringComparison.Ordinal);
        Assert.Contains("\"data_offsets\"", Corrupt("nooff", HandMade("""{"t":{"dtype":"F32","shape":[2]}}""", new byte[8])).Message, StringComparison.Ordinal);
        Assert.Contains("metadata values must be strings", Corrupt("meta", HandMade("""{"__metadata__":{"a":1}}""", [])).Message, StringComparison.Ordinal);
        Assert.Contains("expected an object", Corrupt("nonobj", HandMade("""{"t":[1]}""", [])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SaveRejectsBadNames()
    {
        var t = Tensor.Zeros([1]);
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(PathOf("x"), [new("__metadata__", t)]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(PathOf("x"), [new(string.Empty, t)]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(PathOf("x"), [new("a", t), new("a", t)]));
        Assert.False(File.Exists(PathOf("x")));
    }

    [Fact]
    public void EmptyFileHasOnlyAHeader()
    {
        var path = PathOf("empty.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor>());
        Assert.Empty(SafeTensors.Load(path));
        Assert.Equal(16, new FileInfo(path).Length); // 8 + "{}" padded to 8
    }

    [Fact]
    public void ModuleSaveLoadRoundTrip()
    {
        var path = PathOf("mlp.safetensors");
        var a = new Mlp([2, 5, 3], Activation.Tanh, new RngKey(1));
        a.Save(path, new Dictionary<string, string> { ["arch"] = "mlp 2-5-3" });
        var b = new Mlp([2, 5, 3], Activation.Tanh, new RngKey(2));
        var x = Sampler.Normal(new RngKey(3), [4, 2]);
        Assert.NotEqual(a.Forward(x).ToFloatArray(), b.Forward(x).ToFloatArray());
        var w = b.Layers[0].Weight;
        b.Load(path);
        Assert.Same(w, b.Layers[0].Weight);
        Assert.Equal(a.Forward(x).ToFloatArray(), b.Forward(x).ToFloatArray());
        Assert.Equal("mlp 2-5-3", SafeTensors.ReadMetadata(path)["arch"]);
    }

    [Fact]
    public void ModuleLoadErrorsNameParameterFileAndShapes()
    {
        var path = PathOf("m.safetensors");
        new Mlp([2, 5, 3], Activation.Tanh, new RngKey(1)).Save(path);

        var e = Assert.Throws<ArgumentException>(() => new Mlp([2, 6, 3], Activation.Tanh, new RngKey(1)).Load(path));
        Assert.Contains("'0.weight'", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("[6, 2]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[5, 2]", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ArgumentException>(() => new Mlp([2, 5, 3], Activation.Tanh, new RngKey(1), bias: false).Load(path));
        Assert.Contains("Unexpected (2): 0.bias, 2.bias", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ArgumentException>(() => new Mlp([2, 5, 5, 3], Activation.Tanh, new RngKey(1)).Load(path));
        Assert.Contains("Missing (2): 4.weight, 4.bias", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ArgumentException>(() => new Mlp([2, 5, 3], Activation.Tanh, new RngKey(1), dtype: DType.Float64).Load(path));
        Assert.Contains("Float32", e.Message, StringComparison.Ordinal);
        Assert.Contains("Float64", e.Message, StringComparison.Ordinal);

        // Not strict: the weights are loaded, the file's biases ignored.
        var noBias = new Mlp([2, 5, 3], Activation.Tanh, new RngKey(9), bias: false);
        noBias.Load(path, strict: false);
        Assert.Equal(SafeTensors.Load(path)["2.weight"].ToFloatArray(), noBias.Layers[1].Weight.ToFloatArray());
    }
}
