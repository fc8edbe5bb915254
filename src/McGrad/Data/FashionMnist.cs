namespace McGrad.Data;

/// <summary>
/// Fashion-MNIST (H. Xiao, K. Rasul, R. Vollgraf 2017, "Fashion-MNIST: a novel image dataset for benchmarking
/// machine learning algorithms"): 28×28 grey-scale images of clothing in 10 classes, 60000 for training and 10000
/// for testing, stored as IDX files.
/// </summary>
/// <remarks>
/// The Debian package <c>dataset-fashion-mnist</c> installs <c>train-images-idx3-ubyte.gz</c>,
/// <c>train-labels-idx1-ubyte.gz</c>, <c>t10k-images-idx3-ubyte.gz</c> and <c>t10k-labels-idx1-ubyte.gz</c> under
/// <see cref="DefaultDirectory"/>. Decompressed copies (the same names without <c>.gz</c>) are found too, so the
/// same loader reads the original MNIST digits from a directory holding its files.
/// </remarks>
public static class FashionMnist
{
    /// <summary>Where the Debian package dataset-fashion-mnist puts the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Image side length: images are 28×28.</summary>
    public const int Side = 28;

    /// <summary>The class names, indexed by label 0…9.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>
    /// Loads one split: images of shape [N, 784] (<paramref name="flatten"/>) or [N, 28, 28] with pixel values
    /// x/255 ∈ [0, 1] (<paramref name="scale"/>; raw 0…255 otherwise), and labels [N] as Int64 in 0…9.
    /// N is 60000 for the training split and 10000 for the test split.
    /// </summary>
    /// <param name="directory">A directory holding the IDX files (gzip-compressed or not).</param>
    /// <param name="train">True for the training split (<c>train-*</c>), false for the test split (<c>t10k-*</c>).</param>
    /// <param name="flatten">Return images as [N, 784] rather than [N, 28, 28].</param>
    /// <param name="scale">Divide pixels by 255.</param>
    /// <param name="dtype">Float32 or Float64 for the images.</param>
    /// <exception cref="FileNotFoundException">A file is missing; the message lists the names tried and how to install the data.</exception>
    /// <exception cref="InvalidDataException">
    /// A file is not valid IDX, the images are not N×28×28, the label count differs from the image
    /// count, or a label is outside 0…9.
    /// </exception>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not floating point, or <paramref name="scale"/> is set and the image file does not hold unsigned bytes.</exception>
    public static (Tensor Images, Tensor Labels) Load(string directory = DefaultDirectory, bool train = true, bool flatten = true, bool scale = true, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!dtype.IsFloatingPoint())
        {
            throw new ArgumentException($"FashionMnist.Load: images need a floating-point dtype, got {dtype}.", nameof(dtype));
        }

        var prefix = train ? "train" : "t10k";
        var imagePath = Find(directory, $"{prefix}-images-idx3-ubyte");
        var labelPath = Find(directory, $"{prefix}-labels-idx1-ubyte");
        var images = IdxReader.Read(imagePath, scale, dtype);
        if (images.Rank != 3 || images.Shape[1] != Side || images.Shape[2] != Side)
        {
            throw new InvalidDataException($"FashionMnist.Load: '{imagePath}' holds a tensor of shape {images.Shape}; expected [N, {Side}, {Side}] images. {IdxReader.ObtainHint}");
        }

        var labels = IdxReader.Read(labelPath, dtype: DType.Int64);
        var n = images.Shape[0];
        if (labels.Rank != 1 || labels.Shape[0] != n)
        {
            throw new InvalidDataException($"FashionMnist.Load: '{labelPath}' holds labels of shape {labels.Shape}; expected [{n}] to match the {n} images in '{imagePath}'. {IdxReader.ObtainHint}");
        }

        var l = labels.Span<long>();
        for (var i = 0; i < l.Length; i++)
        {
            if ((ulong)l[i] >= (ulong)ClassNames.Count)
            {
                throw new InvalidDataException($"FashionMnist.Load: '{labelPath}' has label {l[i]} at index {i}; expected 0…{ClassNames.Count - 1}. {IdxReader.ObtainHint}");
            }
        }

        return (flatten ? images.WithShape([n, Side * Side]) : images, labels);
    }

    /// <summary>True when both files of the split exist in <paramref name="directory"/> (gzip-compressed or not).</summary>
    public static bool IsAvailable(string directory = DefaultDirectory, bool train = true)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var prefix = train ? "train" : "t10k";
        return TryFind(directory, $"{prefix}-images-idx3-ubyte") != null && TryFind(directory, $"{prefix}-labels-idx1-ubyte") != null;
    }

    private static string? TryFind(string directory, string name)
    {
        foreach (var candidate in new[] { name + ".gz", name })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    private static string Find(string directory, string name) => TryFind(directory, name)
        ?? throw new FileNotFoundException(
            $"FashionMnist.Load: neither '{Path.Combine(directory, name + ".gz")}' nor '{Path.Combine(directory, name)}' exists" +
            $"{(Directory.Exists(directory) ? string.Empty : $" (the directory '{directory}' does not exist)")}. {IdxReader.ObtainHint}",
            Path.Combine(directory, name + ".gz"));
}
