using McGrad.Data;
using McGrad.Lab.Xu;

namespace McGrad.Lab.Blr;

/// <summary>
/// The data of the Bayesian logistic regression workload (Mohamed et al. 2020, mc_gradients' config): breast_cancer,
/// 569 rows, the 30 features standardised column-wise (population s.d., as numpy's std) with a bias column of ones
/// appended (D = 31), label 1 = benign.
/// </summary>
/// <param name="Design">X, Float64 [n, D].</param>
/// <param name="Labels">y in {0, 1}, Float64 [n].</param>
public sealed record BlrData(Tensor Design, Tensor Labels)
{
    /// <summary>Rows n.</summary>
    public int Rows => Design.Shape[0];

    /// <summary>Weights D (features + bias).</summary>
    public int Dimension => Design.Shape[1];

    /// <summary>Loads breast_cancer from <paramref name="directory"/> (the CSV Debian's python3-sklearn ships).</summary>
    /// <exception cref="FileNotFoundException">The CSV is missing (the message names it and the package).</exception>
    public static BlrData Load(string directory = SklearnDatasets.DefaultDirectory)
    {
        var data = SklearnDatasets.LoadBreastCancer(directory);
        return new BlrData(XuModels.Design(data), data.Targets.To(DType.Float64));
    }

    /// <summary>Rows <paramref name="rows"/> (Int64 indices [B]) as a smaller data set.</summary>
    public BlrData Select(Tensor rows) => new(Design.IndexSelect(0, rows), Labels.IndexSelect(0, rows));
}
