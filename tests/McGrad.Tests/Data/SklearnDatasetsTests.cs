using System.IO.Compression;
using System.Text;
using McGrad.Data;

namespace McGrad.Tests.Data;

public class SklearnDatasetsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose()
    {
        _dir.Dispose();
        GC.SuppressFinalize(this);
    }

    private void Write(string name, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (name.EndsWith(".gz", StringComparison.Ordinal))
        {
            using var file = File.Create(_dir.File(name));
            using var gz = new GZipStream(file, CompressionLevel.Fastest);
            gz.Write(bytes);
        }
        else
        {
            File.WriteAllBytes(_dir.File(name), bytes);
        }
    }

    [Fact]
    public void ReadsTheHeaderFormat_FeaturesLabelsAndClassNames()
    {
        Write("breast_cancer.csv", "3,2,malignant,benign\n1.5,2,0\n3,4e1,1\n5,6,1\n");
        var data = SklearnDatasets.LoadBreastCancer(_dir.Path);
        Assert.Equal("breast_cancer", data.Name);
        Assert.Equal(new Shape(3, 2), data.Features.Shape);
        Assert.Equal(DType.Float64, data.Features.DType);
        Assert.Equal([1.5, 2, 3, 40, 5, 6], data.Features.ToDoubleArray());
        Assert.Equal([0L, 1, 1], data.Targets.ToLongArray());
        Assert.Equal(["malignant", "benign"], data.ClassNames);
        Assert.True(data.IsClassification);
        Assert.Equal(DType.Float32, SklearnDatasets.LoadBreastCancer(_dir.Path, DType.Float32).Features.DType);
    }

    [Fact]
    public void ReadsGzipDigitsAndSpaceSeparatedDiabetes()
    {
        var row = string.Join(',', Enumerable.Range(0, 64).Select(i => (i % 17).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Write("digits.csv.gz", $"{row},7\n{row},0\n");
        var digits = SklearnDatasets.LoadDigits(_dir.Path);
        Assert.Equal(new Shape(2, 64), digits.Features.Shape);
        Assert.Equal(16.0, digits.Features[0, 16]);
        Assert.Equal([7L, 0], digits.Targets.ToLongArray());
        Assert.Equal(10, digits.ClassNames.Count);

        Write("diabetes_data_raw.csv.gz", "59 2 32.1 101.0 157 93.2 38.0 4.0 4.8598 87\n48 1 21.6 87.0 183 103.2 70.0 3.0 3.8918 69\n");
        Write("diabetes_target.csv.gz", "1.510000000000000000e+02\n7.500000000000000000e+01\n");
        var diabetes = SklearnDatasets.Load("diabetes", _dir.Path);
        Assert.Equal(new Shape(2, 10), diabetes.Features.Shape);
        Assert.Equal(4.8598, diabetes.Features[0, 8]);
        Assert.Equal([151.0, 75], diabetes.Targets.ToDoubleArray());
        Assert.False(diabetes.IsClassification);
        Assert.True(SklearnDatasets.IsAvailable("diabetes", _dir.Path));
        Assert.False(SklearnDatasets.IsAvailable("iris", _dir.Path));
    }

    [Fact]
    public void AMissingFileNamesTheFileAndThePackage()
    {
        var e = Assert.Throws<FileNotFoundException>(() => SklearnDatasets.LoadDigits(_dir.Path));
        Assert.Contains(Path.Combine(_dir.Path, "digits.csv.gz"), e.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install python3-sklearn", e.Message, StringComparison.Ordinal);

        var nowhere = Path.Combine(_dir.Path, "nowhere");
        e = Assert.Throws<FileNotFoundException>(() => SklearnDatasets.Load("wine", nowhere));
        Assert.Contains($"the directory '{nowhere}' does not exist", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SklearnDatasets.Load("mnist", _dir.Path));
    }

    [Theory]
    [InlineData("3,2,a,b\n1,2,0\n3,4,1\n", "promises 3 rows")]
    [InlineData("2,2,a,b\n1,2,0\n3,4,2\n", "label 2; expected an integer from 0 to 1")]
    [InlineData("2,2,a,b\n1,2,0\n3,4,0.5\n", "label 0.5")]
    [InlineData("2,3,a,b\n1,2,0\n3,4,1\n", "2 rows of 3 values")]
    [InlineData("two,2,a,b\n1,2,0\n", "scikit-learn's header")]
    public void BadFilesAreRejectedWithWhatWasExpected(string text, string message)
    {
        Write("iris.csv", text);
        var e = Assert.Throws<InvalidDataException>(() => SklearnDatasets.LoadIris(_dir.Path));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DigitsWithTheWrongColumnCountAreRejected()
    {
        Write("digits.csv.gz", "1,2,3\n");
        var e = Assert.Throws<InvalidDataException>(() => SklearnDatasets.LoadDigits(_dir.Path));
        Assert.Contains("expected 65", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StandardizeGivesZeroMeanUnitVarianceColumnsAndZerosForConstantOnes()
    {
        var x = Tensor.FromArray([1.0, 5, 2, 3, 5, 6, 5, 5, 10], 3, 3);
        var (z, means, scales) = Standardize.Columns(x);
        Assert.Equal([3.0, 5, 6], means.ToDoubleArray()); // columns (1, 3, 5), (5, 5, 5), (2, 6, 10)
        var sd0 = Math.Sqrt(8.0 / 3);
        var sd2 = Math.Sqrt(32.0 / 3);
        TestUtil.AssertClose([sd0, 1, sd2], scales, 1e-14);
        TestUtil.AssertClose([-2 / sd0, 0, -4 / sd2, 0, 0, 0, 2 / sd0, 0, 4 / sd2], z, 1e-14);
        var withBias = Standardize.AppendOnes(z);
        Assert.Equal(new Shape(3, 4), withBias.Shape);
        Assert.Equal([1.0, 1, 1], Enumerable.Range(0, 3).Select(i => withBias[i, 3]));
    }

    /// <summary>
    /// The real files when python3-sklearn is installed: the sizes and class counts scikit-learn documents (diabetes
    /// 442 × 10, target 25 … 346; breast cancer 569 × 30, 212 malignant / 357 benign; digits 1797 × 64 in 0 … 16;
    /// iris 3 × 50; wine 59/71/48). Skipped with the reason when absent (a failure under MCGRAD_REQUIRE_ALL=1).
    /// </summary>
    [SkippableFact]
    public void RealFilesWhenInstalled_HaveTheDocumentedSizesAndClassCounts()
    {
        Requires.Component(
            SklearnDatasets.Names.All(n => SklearnDatasets.IsAvailable(n)),
            $"scikit-learn's data files are not all under {SklearnDatasets.DefaultDirectory}; install them with `apt-get install python3-sklearn` (./test.sh does)");

        var diabetes = SklearnDatasets.LoadDiabetes();
        Assert.Equal(new Shape(442, 10), diabetes.Features.Shape);
        var y = diabetes.Targets.ToDoubleArray();
        Assert.Equal(25.0, y.Min());
        Assert.Equal(346.0, y.Max());

        var cancer = SklearnDatasets.LoadBreastCancer();
        Assert.Equal(new Shape(569, 30), cancer.Features.Shape);
        Assert.Equal([212, 357], Counts(cancer));
        Assert.Equal(["malignant", "benign"], cancer.ClassNames);

        var digits = SklearnDatasets.LoadDigits();
        Assert.Equal(new Shape(1797, 64), digits.Features.Shape);
        Assert.Equal(0.0, digits.Features.ToDoubleArray().Min());
        Assert.Equal(16.0, digits.Features.ToDoubleArray().Max());
        Assert.Equal([178, 182, 177, 183, 181, 182, 181, 179, 174, 180], Counts(digits));

        Assert.Equal([50, 50, 50], Counts(SklearnDatasets.LoadIris()));
        var wine = SklearnDatasets.LoadWine();
        Assert.Equal(new Shape(178, 13), wine.Features.Shape);
        Assert.Equal([59, 71, 48], Counts(wine));
    }

    private static int[] Counts(TabularDataset data)
    {
        var counts = new int[data.ClassNames.Count];
        foreach (var label in data.Targets.ToLongArray())
        {
            counts[label]++;
        }

        return counts;
    }
}
