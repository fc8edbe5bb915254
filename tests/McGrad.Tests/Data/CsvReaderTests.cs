using System.Globalization;
using McGrad.Data;

namespace McGrad.Tests.Data;

public class CsvReaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose()
    {
        _dir.Dispose();
        GC.SuppressFinalize(this);
    }

    private string Write(string text, string name = "t.csv")
    {
        var path = _dir.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void ReadsNumbersWithHeaderDetected()
    {
        var path = Write("x,y,\"label, quoted\"\n1.5, -2e-3 ,3\n\n4,5,\"6\"\r\n");
        var (values, header) = CsvReader.Read(path, dtype: DType.Float64);
        Assert.Equal(["x", "y", "label, quoted"], header);
        Assert.Equal(new Shape(2, 3), values.Shape);
        Assert.Equal([1.5, -0.002, 3, 4, 5, 6], values.ToDoubleArray());
    }

    [Fact]
    public void AllNumericFirstLineIsData()
    {
        var path = Write("1,2\n3,4\n");
        var t = CsvReader.Read(path);
        Assert.Null(t.Header);
        Assert.Equal(DType.Float32, t.Values.DType);
        Assert.Equal([1f, 2, 3, 4], t.Values.ToFloatArray());
    }

    [Fact]
    public void ExplicitHeaderFlagOverridesDetection()
    {
        // Numeric column names ("2019") would be taken for data; hasHeader: true says otherwise.
        var path = Write("2019,2020\n1,2\n");
        var t = CsvReader.Read(path, hasHeader: true);
        Assert.Equal(["2019", "2020"], t.Header);
        Assert.Equal(new Shape(1, 2), t.Values.Shape);

        var noHeader = CsvReader.Read(path, hasHeader: false);
        Assert.Equal(new Shape(2, 2), noHeader.Values.Shape);
        Assert.Equal(2019f, noHeader.Values[0, 0]);
    }

    [Fact]
    public void MixedFirstLineAsksForTheHeaderFlag()
    {
        var path = Write("name,2019\n1,2\n");
        var e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(path));
        Assert.Contains("line 1 mixes numbers and text", e.Message, StringComparison.Ordinal);
        Assert.Contains("hasHeader: true", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadNumberNamesPathLineColumnAndText()
    {
        var path = Write("a,b,c\n1,2,3\n\n4,5,abc\n");
        var e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("line 4, column 3: 'abc' is not a number", e.Message, StringComparison.Ordinal);

        var empty = Write("1,,3\n", "empty.csv");
        e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(empty, hasHeader: false));
        Assert.Contains("line 1, column 2: '' is not a number", e.Message, StringComparison.Ordinal);
        Assert.Contains("empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RaggedRowsNameExpectedAndFoundColumns()
    {
        var path = Write("1,2,3\n4,5,6\n7,8\n");
        var e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("line 3 has 2 column(s), expected 3", e.Message, StringComparison.Ordinal);

        var longer = Write("a,b\n1,2,3\n", "long.csv");
        e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(longer));
        Assert.Contains("line 2 has 3 column(s), expected 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("header names on line 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvariantCultureIsUsedWhateverTheThreadCulture()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE"); // ',' is the decimal separator there
            var t = CsvReader.Read(new StringReader("0.5;1.25\n"), delimiter: ';', dtype: DType.Float64);
            Assert.Equal([0.5, 1.25], t.Values.ToDoubleArray());
            var e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(new StringReader("0,5;1\n"), hasHeader: false, delimiter: ';'));
            Assert.Contains("'0,5' is not a number", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void TabsInt64SpecialValuesAndOverflow()
    {
        var t = CsvReader.Read(new StringReader("id\tcount\n1\t-7\n2\t9000000000\n"), delimiter: '\t', dtype: DType.Int64);
        Assert.Equal(["id", "count"], t.Header);
        Assert.Equal([1L, -7, 2, 9_000_000_000], t.Values.ToLongArray());
        var e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(new StringReader("1\n1.5\n"), dtype: DType.Int64));
        Assert.Contains("line 2, column 1: '1.5' is not an integer", e.Message, StringComparison.Ordinal);

        var special = CsvReader.Read(new StringReader("NaN,-Infinity\n"), dtype: DType.Float64).Values.ToDoubleArray();
        Assert.True(double.IsNaN(special[0]));
        Assert.Equal(double.NegativeInfinity, special[1]);

        // 1e39 overflows float32: an error, not a silent infinity.
        e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(new StringReader("1,1e39\n"), hasHeader: false));
        Assert.Contains("'1e39' is not a number (Float32", e.Message, StringComparison.Ordinal);
        Assert.Equal([1.0, 1e39], CsvReader.Read(new StringReader("1,1e39\n"), dtype: DType.Float64).Values.ToDoubleArray());
    }

    [Fact]
    public void EmptyAndHeaderOnlyInputs()
    {
        Assert.Equal(new Shape(0, 0), CsvReader.Read(new StringReader("\n\n")).Values.Shape);
        var headerOnly = CsvReader.Read(new StringReader("a,b,c\n"));
        Assert.Equal(new Shape(0, 3), headerOnly.Values.Shape);
        Assert.Equal(["a", "b", "c"], headerOnly.Header);
    }

    [Fact]
    public void MissingFileAndBadQuotes()
    {
        var path = _dir.File("absent.csv");
        var e = Assert.Throws<FileNotFoundException>(() => CsvReader.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);

        var bad = Assert.Throws<InvalidDataException>(() => CsvReader.Read(new StringReader("1,\"2\n"), sourceName: "inline"));
        Assert.Contains("inline, line 1, column 2", bad.Message, StringComparison.Ordinal);
        Assert.Contains("never closed", bad.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => CsvReader.Read(new StringReader("1"), delimiter: '"'));
    }
}
