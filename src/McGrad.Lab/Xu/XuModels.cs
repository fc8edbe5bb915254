using System.Globalization;
using McGrad.Data;

namespace McGrad.Lab.Xu;

/// <summary>
/// The Bayesian models of the Xu et al. experiments on scikit-learn's datasets: features standardised column-wise
/// (a constant column becomes zeros) with a bias column of ones appended, prior N(0, I) on every weight, full-data
/// log joint.
/// </summary>
public static class XuModels
{
    /// <summary>The datasets the experiment knows: diabetes (linear regression, exactly quadratic), breast_cancer (logistic regression), digits, iris and wine (softmax regression).</summary>
    public static IReadOnlyList<string> Datasets { get; } = ["diabetes", "breast_cancer", "digits", "iris", "wine"];

    /// <summary>Whether the dataset's log joint is exactly quadratic (linear regression), so the closed forms are exact.</summary>
    public static bool IsQuadratic(string dataset) => dataset == "diabetes";

    /// <summary>
    /// The model for <paramref name="dataset"/>: diabetes → <see cref="LinearRegression"/> on the 10 standardised
    /// variables + bias (d = 11) with the target standardised (z-scored) and noise variance
    /// <paramref name="noiseVariance"/>; breast_cancer → <see cref="LogisticRegression"/> (30 + bias, d = 31; label 1 =
    /// benign); digits, iris, wine → <see cref="SoftmaxRegression"/> ((p + 1)·C weights: 650 for digits).
    /// </summary>
    /// <param name="dataset">One of <see cref="Datasets"/>.</param>
    /// <param name="directory">The directory holding scikit-learn's data files.</param>
    /// <param name="noiseVariance">σ² of the linear regression (diabetes only).</param>
    /// <param name="maxRows">Use only the first rows of the data (null: all), e.g. for a quick check on a subset.</param>
    /// <exception cref="ArgumentException">An unknown dataset.</exception>
    /// <exception cref="FileNotFoundException">A data file is missing (the message names it and the package python3-sklearn).</exception>
    public static ILogJoint Create(string dataset, string directory, double noiseVariance = 0.5, int? maxRows = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (!Datasets.Contains(dataset))
        {
            throw new ArgumentException($"XuModels: unknown dataset '{dataset}'; expected one of {string.Join(", ", Datasets)}.", nameof(dataset));
        }

        var data = SklearnDatasets.Load(dataset, directory);
        if (maxRows is { } m && m < data.Rows)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(m, 2, nameof(maxRows));
            data = data with { Features = data.Features.Slice(0, 0, m), Targets = data.Targets.Slice(0, 0, m) };
        }
        var x = Design(data);
        var names = FeatureNames(data).Append("bias").ToArray();
        var n = data.Rows;
        switch (dataset)
        {
            case "diabetes":
                var y = Standardize.Columns(data.Targets.Reshape(n, 1)).Values.Reshape(n);
                var s2 = noiseVariance.ToString("G3", CultureInfo.InvariantCulture);
                return new LinearRegression(x, y, noiseVariance, 1, [.. names.Select(f => $"w[{f}]")], $"Bayesian linear regression, diabetes ({n} × {x.Shape[1]}, standardised y, σ² = {s2}, prior N(0, I))");
            case "breast_cancer":
                return new LogisticRegression(x, data.Targets, 1, [.. names.Select(f => $"w[{f}]")], $"Bayesian logistic regression, breast_cancer ({n} × {x.Shape[1]}, prior N(0, I))");
            default:
                var c = data.ClassNames.Count;
                return new SoftmaxRegression(x, data.Targets, c, 1, names, $"Bayesian softmax regression, {dataset} ({n} × {x.Shape[1]}, {c} classes, {x.Shape[1] * c} weights, prior N(0, I))");
        }
    }

    /// <summary>The design matrix [n, p + 1]: the features standardised column-wise (population s.d.; a constant column becomes zeros) and a bias column of ones appended.</summary>
    public static Tensor Design(TabularDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Standardize.AppendOnes(Standardize.Columns(data.Features).Values);
    }

    private static IEnumerable<string> FeatureNames(TabularDataset data) => data.Name switch
    {
        "diabetes" => ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"],
        "digits" => Enumerable.Range(0, data.FeatureCount).Select(k => $"pixel {k / 8},{k % 8}"),
        _ => Enumerable.Range(0, data.FeatureCount).Select(k => $"x{k}"),
    };
}
