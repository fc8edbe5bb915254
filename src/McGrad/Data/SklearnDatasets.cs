using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace McGrad.Data;

/// <summary>
/// A labelled table: features [n, p] and one target per row, with the class names of a classification task.
/// </summary>
/// <param name="Name">The dataset's name ("diabetes", "breast_cancer", …).</param>
/// <param name="Features">The features X, shape [n, p], in the dtype asked for.</param>
/// <param name="Targets">The targets, shape [n]: Int64 labels 0 … C − 1 for a classification task, the feature
/// dtype for a regression task.</param>
/// <param name="ClassNames">The C class names of a classification task (label c is ClassNames[c]); empty for regression.</param>
/// <param name="Source">The file(s) the table was read from.</param>
public sealed record TabularDataset(string Name, Tensor Features, Tensor Targets, IReadOnlyList<string> ClassNames, string Source)
{
    /// <summary>Rows n.</summary>
    public int Rows => Features.Shape[0];

    /// <summary>Feature columns p.</summary>
    public int FeatureCount => Features.Shape[1];

    /// <summary>True for a classification task (Int64 labels and class names).</summary>
    public bool IsClassification => ClassNames.Count > 0;
}

/// <summary>
/// The small datasets scikit-learn ships as CSV files (diabetes, breast cancer, digits, iris, wine), read from the
/// directory Debian's <c>python3-sklearn</c> package installs them in. No Python is involved: only the data files.
/// </summary>
/// <remarks>
/// <para>File formats (as shipped): <c>breast_cancer.csv</c>, <c>iris.csv</c> and <c>wine_data.csv</c> start with a line
/// "n_samples,n_features,class name 0,class name 1,…", then one row per sample: the n_features features, then the
/// integer label. <c>digits.csv.gz</c> is gzip-compressed rows of 64 pixel intensities (0 … 16) and the label 0 … 9,
/// with no header. <c>diabetes_data_raw.csv.gz</c> holds the 10 unscaled baseline variables (age, sex, BMI, blood
/// pressure, six serum measurements) separated by spaces and <c>diabetes_target.csv.gz</c> the disease progression one
/// year later, one number per line (Efron, Hastie, Johnstone and Tibshirani 2004).</para>
/// <para>Every reader checks what the file promises: the row count against the header, the column count, the labels
/// against the class count. A missing file is a <see cref="FileNotFoundException"/> that names the file and the package
/// <see cref="Package"/>.</para>
/// </remarks>
public static class SklearnDatasets
{
    /// <summary>Where Debian's python3-sklearn package puts the data files.</summary>
    public const string DefaultDirectory = "/usr/lib/python3/dist-packages/sklearn/datasets/data";

    /// <summary>The Debian package that installs the files.</summary>
    public const string Package = "python3-sklearn";

    /// <summary>The dataset names <see cref="Load"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["diabetes", "breast_cancer", "digits", "iris", "wine"];

    /// <summary>The file names each dataset is read from.</summary>
    public static IReadOnlyList<string> FilesOf(string name) => name switch
    {
        "diabetes" => ["diabetes_data_raw.csv.gz", "diabetes_target.csv.gz"],
        "breast_cancer" => ["breast_cancer.csv"],
        "digits" => ["digits.csv.gz"],
        "iris" => ["iris.csv"],
        "wine" => ["wine_data.csv"],
        _ => throw UnknownName(name),
    };

    /// <summary>True when every file of dataset <paramref name="name"/> exists in <paramref name="directory"/>.</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    public static bool IsAvailable(string name, string directory = DefaultDirectory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        return FilesOf(name).All(f => File.Exists(Path.Combine(directory, f)));
    }

    /// <summary>Loads dataset <paramref name="name"/> (one of <see cref="Names"/>) with its loader below.</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>, or the dtype is not floating point.</exception>
    /// <exception cref="FileNotFoundException">A file is missing (the message names it and the package).</exception>
    /// <exception cref="InvalidDataException">A file does not have the expected format.</exception>
    public static TabularDataset Load(string name, string directory = DefaultDirectory, DType dtype = DType.Float64) => name switch
    {
        "diabetes" => LoadDiabetes(directory, dtype),
        "breast_cancer" => LoadBreastCancer(directory, dtype),
        "digits" => LoadDigits(directory, dtype),
        "iris" => LoadIris(directory, dtype),
        "wine" => LoadWine(directory, dtype),
        _ => throw UnknownName(name),
    };

    /// <summary>
    /// Diabetes (regression): 442 patients × 10 unscaled baseline variables (age, sex, bmi, bp, s1 … s6) and the
    /// disease progression after one year (25 … 346). Features and target in <paramref name="dtype"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file is missing (the message names it and the package).</exception>
    /// <exception cref="InvalidDataException">A row does not have 10 values, or the target count differs from the row count.</exception>
    public static TabularDataset LoadDiabetes(string directory = DefaultDirectory, DType dtype = DType.Float64)
    {
        CheckDType(dtype, nameof(LoadDiabetes));
        var dataPath = Find(directory, "diabetes_data_raw.csv.gz", nameof(LoadDiabetes));
        var targetPath = Find(directory, "diabetes_target.csv.gz", nameof(LoadDiabetes));
        Tensor x, y;
        using (var reader = Open(dataPath))
        {
            x = CsvReader.Read(reader, dataPath, hasHeader: false, delimiter: ' ', dtype).Values;
        }

        using (var reader = Open(targetPath))
        {
            y = CsvReader.Read(reader, targetPath, hasHeader: false, delimiter: ' ', dtype).Values;
        }

        if (x.Shape[1] != 10)
        {
            throw new InvalidDataException($"SklearnDatasets.LoadDiabetes: '{dataPath}' has {x.Shape[1]} columns; expected 10 (age, sex, bmi, bp, s1 … s6).");
        }

        if (y.Shape[1] != 1 || y.Shape[0] != x.Shape[0])
        {
            throw new InvalidDataException($"SklearnDatasets.LoadDiabetes: '{targetPath}' holds a [{y.Shape[0]}, {y.Shape[1]}] table; expected [{x.Shape[0]}, 1], one target per row of '{dataPath}'.");
        }

        return new TabularDataset("diabetes", x, y.Reshape(y.Shape[0]), [], $"{dataPath}; {targetPath}");
    }

    /// <summary>Breast cancer Wisconsin (diagnostic): 569 tumours × 30 features; label 0 = malignant (212), 1 = benign (357).</summary>
    /// <exception cref="FileNotFoundException">The file is missing (the message names it and the package).</exception>
    /// <exception cref="InvalidDataException">The file does not have scikit-learn's header format or its rows disagree with the header.</exception>
    public static TabularDataset LoadBreastCancer(string directory = DefaultDirectory, DType dtype = DType.Float64)
        => ReadWithHeader(Find(directory, "breast_cancer.csv", nameof(LoadBreastCancer)), "breast_cancer", dtype);

    /// <summary>Iris: 150 flowers × 4 measurements (cm); labels 0 … 2 (setosa, versicolor, virginica), 50 each.</summary>
    /// <exception cref="FileNotFoundException">The file is missing (the message names it and the package).</exception>
    /// <exception cref="InvalidDataException">The file does not have scikit-learn's header format or its rows disagree with the header.</exception>
    public static TabularDataset LoadIris(string directory = DefaultDirectory, DType dtype = DType.Float64)
        => ReadWithHeader(Find(directory, "iris.csv", nameof(LoadIris)), "iris", dtype);

    /// <summary>Wine: 178 wines × 13 chemical measurements; labels 0 … 2 (three cultivars).</summary>
    /// <exception cref="FileNotFoundException">The file is missing (the message names it and the package).</exception>
    /// <exception cref="InvalidDataException">The file does not have scikit-learn's header format or its rows disagree with the header.</exception>
    public static TabularDataset LoadWine(string directory = DefaultDirectory, DType dtype = DType.Float64)
        => ReadWithHeader(Find(directory, "wine_data.csv", nameof(LoadWine)), "wine", dtype);

    /// <summary>
    /// Optical handwritten digits (UCI): 1797 images of 8×8 pixels, intensities 0 … 16, as 64 features in row-major pixel
    /// order; labels 0 … 9.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file is missing (the message names it and the package).</exception>
    /// <exception cref="InvalidDataException">A row does not have 65 values or a label is not an integer 0 … 9.</exception>
    public static TabularDataset LoadDigits(string directory = DefaultDirectory, DType dtype = DType.Float64)
    {
        CheckDType(dtype, nameof(LoadDigits));
        var path = Find(directory, "digits.csv.gz", nameof(LoadDigits));
        using var reader = Open(path);
        var table = CsvReader.Read(reader, path, hasHeader: false, delimiter: ',', dtype).Values;
        if (table.Shape[1] != 65)
        {
            throw new InvalidDataException($"SklearnDatasets.LoadDigits: '{path}' has {table.Shape[1]} columns; expected 65 (64 pixels, then the label).");
        }

        var (x, labels) = SplitLabels(table, 10, path, 1);
        return new TabularDataset("digits", x, labels, [.. Enumerable.Range(0, 10).Select(d => d.ToString(CultureInfo.InvariantCulture))], path);
    }

    /// <summary>
    /// Reads a file in scikit-learn's labelled format: a first line "n_samples,n_features,class names…", then
    /// n_samples rows of n_features features and an integer label in 0 … (number of class names − 1).
    /// </summary>
    /// <param name="path">The file (gzip-compressed when its name ends in .gz).</param>
    /// <param name="name">The dataset name to record.</param>
    /// <param name="dtype">Float32 or Float64 for the features.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The first line is not "n_samples,n_features,names…" with at least one class
    /// name, the row or column count differs from it, or a label is not an integer in range.</exception>
    public static TabularDataset ReadWithHeader(string path, string name, DType dtype = DType.Float64)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(name);
        CheckDType(dtype, nameof(ReadWithHeader));
        if (!File.Exists(path))
        {
            throw Missing(path, nameof(ReadWithHeader));
        }

        using var reader = Open(path);
        var first = reader.ReadLine() ?? string.Empty;
        var head = first.Split(',', StringSplitOptions.TrimEntries);
        if (head.Length < 3
            || !int.TryParse(head[0], NumberStyles.None, CultureInfo.InvariantCulture, out var rows)
            || !int.TryParse(head[1], NumberStyles.None, CultureInfo.InvariantCulture, out var features))
        {
            throw new InvalidDataException($"SklearnDatasets.ReadWithHeader: '{path}' line 1 is '{Shorten(first)}'; expected scikit-learn's header \"n_samples,n_features,class name,…\" (two integers and at least one class name).");
        }

        var classes = head[2..];
        var table = CsvReader.Read(reader, path, hasHeader: false, delimiter: ',', dtype).Values;
        if (table.Shape[0] != rows || table.Shape[1] != features + 1)
        {
            throw new InvalidDataException($"SklearnDatasets.ReadWithHeader: '{path}' has {table.Shape[0]} rows of {table.Shape[1]} values; its header promises {rows} rows of {features} features and a label ({features + 1} values).");
        }

        var (x, labels) = SplitLabels(table, classes.Length, path, 2);
        return new TabularDataset(name, x, labels, classes, path);
    }

    /// <summary>Splits [n, p + 1] into the features [n, p] and Int64 labels [n] from the last column, each in 0 … classes − 1.</summary>
    private static (Tensor Features, Tensor Labels) SplitLabels(Tensor table, int classes, string path, int firstDataLine)
    {
        var n = table.Shape[0];
        var p = table.Shape[1] - 1;
        var values = table.ToDoubleArray();
        var features = new double[n * p];
        var labels = new long[n];
        for (var i = 0; i < n; i++)
        {
            Array.Copy(values, i * (p + 1), features, i * p, p);
            var label = values[(i * (p + 1)) + p];
            if (label != Math.Floor(label) || label < 0 || label >= classes)
            {
                throw new InvalidDataException($"SklearnDatasets: '{path}', data row {i + 1} (line {i + firstDataLine}) has label {label.ToString(CultureInfo.InvariantCulture)}; expected an integer from 0 to {classes - 1} ({classes} classes).");
            }

            labels[i] = (long)label;
        }

        var x = Tensor.FromArray(features, n, p);
        return (table.DType == DType.Float32 ? x.To(DType.Float32) : x, Tensor.FromArray(labels, n));
    }

    private static void CheckDType(DType dtype, string method)
    {
        if (!dtype.IsFloatingPoint())
        {
            throw new ArgumentException($"SklearnDatasets.{method}: features need a floating-point dtype (Float32 or Float64), got {dtype}.", nameof(dtype));
        }
    }

    private static StreamReader Open(string path)
    {
        Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            stream = new GZipStream(stream, CompressionMode.Decompress);
        }

        return new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
    }

    private static string Find(string directory, string file, string method)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var path = Path.Combine(directory, file);
        return File.Exists(path) ? path : throw Missing(path, method);
    }

    private static FileNotFoundException Missing(string path, string method)
    {
        var dir = Path.GetDirectoryName(path) ?? ".";
        var why = Directory.Exists(dir) ? string.Empty : $" (the directory '{dir}' does not exist)";
        return new FileNotFoundException(
            $"SklearnDatasets.{method}: the file '{path}' does not exist{why}. scikit-learn's data files are installed by the Debian package {Package} " +
            $"(apt-get install {Package}) under {DefaultDirectory}; or pass the directory that holds them.",
            path);
    }

    private static ArgumentException UnknownName(string? name)
        => new($"SklearnDatasets: unknown dataset '{name}'; expected one of {string.Join(", ", Names)}.", nameof(name));

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
