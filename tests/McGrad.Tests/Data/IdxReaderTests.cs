using System.IO.Compression;
using McGrad.Data;

namespace McGrad.Tests.Data;

/// <summary>A temporary directory deleted at the end of a test class.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Path = Directory.CreateTempSubdirectory("mcgrad-data-").FullName;

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Writes IDX bytes by hand (independently of the reader): magic, big-endian dims, big-endian payload.</summary>
internal static class Idx
{
    public static byte[] Bytes(byte type, int[] dims, byte[] payload)
    {
        var header = new List<byte> { 0, 0, type, (byte)dims.Length };
        foreach (var d in dims)
        {
            header.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        }

        return [.. header, .. payload];
    }

    public static void Write(string path, byte[] bytes, bool gzip)
    {
        if (!gzip)
        {
            File.WriteAllBytes(path, bytes);
            return;
        }

        using var file = File.Create(path);
        using var z = new GZipStream(file, CompressionLevel.Fastest);
        z.Write(bytes);
    }
}

public class IdxReaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose()
    {
        _dir.Dispose();
        GC.SuppressFinalize(this);
    }

    [Theory]
    [InlineData(false, "labels")]
    [InlineData(true, "labels.gz")]
    [InlineData(true, "labels-without-gz-extension")] // gzip is detected by the magic bytes, not the name
    [InlineData(false, "plain-despite-name.gz")]
    public void UnsignedByteLabelsRoundTripAsInt64(bool gzip, string name)
    {
        byte[] labels = [0, 9, 255, 3, 7];
        var path = _dir.File(name);
        Idx.Write(path, Idx.Bytes(0x08, [5], labels), gzip);
        var t = IdxReader.Read(path);
        Assert.Equal(DType.Int64, t.DType);
        Assert.Equal(new Shape(5), t.Shape);
        Assert.Equal([0L, 9, 255, 3, 7], t.ToLongArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void UnsignedByteImagesRoundTripRawAndScaled(bool gzip)
    {
        // 3 images of 2x4 with distinct values, so a transposed or shifted read shows.
        var payload = new byte[3 * 2 * 4];
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)((i * 37) + 5);
        }

        var path = _dir.File(gzip ? "img.gz" : "img");
        Idx.Write(path, Idx.Bytes(0x08, [3, 2, 4], payload), gzip);

        var raw = IdxReader.Read(path);
        Assert.Equal(DType.Float32, raw.DType);
        Assert.Equal(new Shape(3, 2, 4), raw.Shape);
        Assert.Equal(payload.Select(b => (float)b).ToArray(), raw.ToFloatArray());
        Assert.Equal(payload[1 * 8 + 1 * 4 + 2], raw[1, 1, 2]); // row-major: image 1, row 1, column 2

        var scaled = IdxReader.Read(path, scale: true);
        Assert.Equal(payload.Select(b => b / 255f).ToArray(), scaled.ToFloatArray());
        var scaled64 = IdxReader.Read(path, scale: true, dtype: DType.Float64);
        Assert.Equal(payload.Select(b => b / 255.0).ToArray(), scaled64.ToDoubleArray());
    }

    [Fact]
    public void PayloadSpanningManyReadChunksIsDecodedInOrder()
    {
        // 300 000 bytes crosses several 64 KiB chunks; a chunk-offset bug shifts or repeats values.
        var payload = new byte[300_000];
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)((i * 7) ^ (i >> 9));
        }

        var path = _dir.File("big.gz");
        Idx.Write(path, Idx.Bytes(0x08, [1000, 300], payload), gzip: true);
        var t = IdxReader.Read(path);
        Assert.Equal(payload.Select(b => (float)b).ToArray(), t.ToFloatArray());
    }

    [Fact]
    public void BigEndianIntAndFloatTypesDecode()
    {
        // int32 (0x0C): -2, 70000 big-endian; float32 (0x0D): 1.5, -0.25; int16 (0x0B): -3; sbyte (0x09): -128;
        // float64 (0x0E): 3.125.
        var ints = _dir.File("ints");
        Idx.Write(ints, Idx.Bytes(0x0C, [2], [0xFF, 0xFF, 0xFF, 0xFE, 0x00, 0x01, 0x11, 0x70]), gzip: false);
        Assert.Equal([-2L, 70000], IdxReader.Read(ints).ToLongArray());

        var floats = _dir.File("floats");
        Idx.Write(floats, Idx.Bytes(0x0D, [1, 2], [0x3F, 0xC0, 0, 0, 0xBE, 0x80, 0, 0]), gzip: false);
        var f = IdxReader.Read(floats);
        Assert.Equal(DType.Float32, f.DType);
        Assert.Equal([1.5f, -0.25f], f.ToFloatArray());

        var shorts = _dir.File("shorts");
        Idx.Write(shorts, Idx.Bytes(0x0B, [1], [0xFF, 0xFD]), gzip: false);
        Assert.Equal([-3L], IdxReader.Read(shorts).ToLongArray());

        var sbytes = _dir.File("sbytes");
        Idx.Write(sbytes, Idx.Bytes(0x09, [1], [0x80]), gzip: false);
        Assert.Equal([-128L], IdxReader.Read(sbytes).ToLongArray());

        var doubles = _dir.File("doubles");
        Idx.Write(doubles, Idx.Bytes(0x0E, [1], [0x40, 0x09, 0, 0, 0, 0, 0, 0]), gzip: true);
        var d = IdxReader.Read(doubles);
        Assert.Equal(DType.Float64, d.DType);
        Assert.Equal([3.125], d.ToDoubleArray());
    }

    [Fact]
    public void EmptyDimensionGivesEmptyTensor()
    {
        var path = _dir.File("empty");
        Idx.Write(path, Idx.Bytes(0x08, [0, 28, 28], []), gzip: false);
        Assert.Equal(new Shape(0, 28, 28), IdxReader.Read(path).Shape);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CorruptMagicNamesPathAndBytes(bool gzip)
    {
        var path = _dir.File("bad-magic");
        var bytes = Idx.Bytes(0x08, [2], [1, 2]);
        bytes[1] = 0x08; // 00 08 08 01: the type in the wrong place
        Idx.Write(path, bytes, gzip);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("must start with 00 00, found 00 08", e.Message, StringComparison.Ordinal);
        Assert.Contains("dataset-fashion-mnist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownTypeAndZeroDimensionsAreRejected()
    {
        var path = _dir.File("bad-type");
        Idx.Write(path, [0, 0, 0x0A, 1, 0, 0, 0, 0], gzip: false);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.Contains("found 0a", e.Message, StringComparison.Ordinal);

        Idx.Write(path, [0, 0, 0x08, 0], gzip: false);
        e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.Contains("at least 1, found 0", e.Message, StringComparison.Ordinal);

        Idx.Write(path, [0, 0, 0x08, 1, 0xFF, 0xFF, 0xFF, 0xFF], gzip: false);
        e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.Contains("dimension 0 must be >= 0", e.Message, StringComparison.Ordinal);
        Assert.Contains("found -1", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedPayloadSaysExpectedAndFound(bool gzip)
    {
        var path = _dir.File("short");
        Idx.Write(path, Idx.Bytes(0x08, [2, 3, 3], new byte[17]), gzip); // needs 18
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("need 18 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("found 17", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedHeaderAndTrailingBytesAreRejected()
    {
        var path = _dir.File("hdr");
        Idx.Write(path, [0, 0, 8, 3, 0, 0, 0, 2, 0, 0], gzip: false); // 3 dims declared, 6 bytes of sizes
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.Contains("12 bytes of sizes", e.Message, StringComparison.Ordinal);
        Assert.Contains("found only 6", e.Message, StringComparison.Ordinal);

        Idx.Write(path, [0, 0], gzip: false);
        e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.Contains("found only 2 byte(s)", e.Message, StringComparison.Ordinal);

        Idx.Write(path, Idx.Bytes(0x08, [2], [1, 2, 3, 4]), gzip: true);
        e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.Contains("2 trailing byte(s)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CorruptGzipStreamIsReported()
    {
        var path = _dir.File("broken.gz");
        Idx.Write(path, [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], gzip: false);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("gzip", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFileNamesPathAndHowToInstall()
    {
        var path = _dir.File("no-such-file-idx3-ubyte.gz");
        var e = Assert.Throws<FileNotFoundException>(() => IdxReader.Read(path));
        Assert.Equal(path, e.FileName);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message, StringComparison.Ordinal);
        Assert.Contains("/usr/share/datasets/fashion-mnist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ScaleAndDtypeMisuseIsAnArgumentError()
    {
        var floats = _dir.File("f");
        Idx.Write(floats, Idx.Bytes(0x0D, [1], [0x3F, 0x80, 0, 0]), gzip: false);
        var e = Assert.Throws<ArgumentException>(() => IdxReader.Read(floats, scale: true));
        Assert.Contains("float32 (0d)", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => IdxReader.Read(floats, dtype: DType.Int64));

        var bytes = _dir.File("b");
        Idx.Write(bytes, Idx.Bytes(0x08, [1], [7]), gzip: false);
        Assert.Throws<ArgumentException>(() => IdxReader.Read(bytes, scale: true)); // 1-D ubyte defaults to Int64
        Assert.Equal([7 / 255f], IdxReader.Read(bytes, scale: true, dtype: DType.Float32).ToFloatArray());
    }
}
