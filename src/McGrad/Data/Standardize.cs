namespace McGrad.Data;

/// <summary>Column-wise standardisation of a design matrix, and the bias column that usually follows it.</summary>
public static class Standardize
{
    /// <summary>
    /// Per column j: x'ᵢⱼ = (xᵢⱼ − x̄ⱼ)/sⱼ with x̄ⱼ the column mean and sⱼ = √(Σᵢ(xᵢⱼ − x̄ⱼ)²/n) the population
    /// standard deviation; a constant column (sⱼ = 0, e.g. a digit pixel that is always blank) becomes all zeros
    /// (its scale is reported as 1). Returns the standardised [n, p] matrix, the means [p] and the scales [p].
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not a floating-point matrix [n, p] with n ≥ 1.</exception>
    public static (Tensor Values, Tensor Means, Tensor Scales) Columns(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 2 || x.Shape[0] < 1 || !x.DType.IsFloatingPoint())
        {
            throw new ArgumentException($"Standardize.Columns: expected a floating-point matrix [n, p] with n >= 1, got {x.Shape} {x.DType}.", nameof(x));
        }

        var n = x.Shape[0];
        var p = x.Shape[1];
        var v = x.ToDoubleArray();
        var means = new double[p];
        var scales = new double[p];
        for (var j = 0; j < p; j++)
        {
            double sum = 0;
            for (var i = 0; i < n; i++)
            {
                sum += v[(i * p) + j];
            }

            var mean = sum / n;
            double ss = 0;
            for (var i = 0; i < n; i++)
            {
                var d = v[(i * p) + j] - mean;
                ss += d * d;
            }

            var sd = Math.Sqrt(ss / n);
            means[j] = mean;
            scales[j] = sd > 0 ? sd : 1;
            for (var i = 0; i < n; i++)
            {
                v[(i * p) + j] = sd > 0 ? (v[(i * p) + j] - mean) / sd : 0;
            }
        }

        return (Tensor.FromArray(v, n, p).To(x.DType), Tensor.FromArray(means).To(x.DType), Tensor.FromArray(scales).To(x.DType));
    }

    /// <summary>[x | 1]: the matrix [n, p] with a last column of ones appended, [n, p + 1] (the intercept's feature).</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not a floating-point matrix [n, p].</exception>
    public static Tensor AppendOnes(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 2 || !x.DType.IsFloatingPoint())
        {
            throw new ArgumentException($"Standardize.AppendOnes: expected a floating-point matrix [n, p], got {x.Shape} {x.DType}.", nameof(x));
        }

        return Tensor.Concat([x, Tensor.Ones([x.Shape[0], 1], x.DType)], axis: 1);
    }
}
