namespace McGrad.Lab.Xu;

/// <summary>Helpers the log joints share: shape checks and the flattening of leading dimensions.</summary>
internal static class LogJoints
{
    /// <summary>The leading dimensions of [*, d] weights and their product M, after checking the last dimension and the dtype.</summary>
    public static (int[] Leading, int Count) Leading(Tensor weights, int d, string model)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Rank < 1 || weights.Shape[^1] != d || weights.DType != DType.Float64)
        {
            throw new ArgumentException($"{model}: weights must be Float64 of shape [*, {d}], got {weights.Shape} {weights.DType}.", nameof(weights));
        }

        var leading = new int[weights.Rank - 1];
        for (var i = 0; i < leading.Length; i++)
        {
            leading[i] = weights.Shape[i];
        }

        var count = 1;
        foreach (var n in leading)
        {
            count *= n;
        }

        return (leading, count);
    }

    /// <summary>−‖w‖²/(2τ²) per row of [M, d] weights: the Gaussian prior N(0, τ² I) up to its constant.</summary>
    public static Tensor GaussianPrior(Tensor rows, double priorVariance) => rows.Square().Sum(1) * (-0.5 / priorVariance);

    /// <summary>
    /// Σᵢ [yᵢ ℓᵢ − log(1 + exp ℓᵢ)] = Σᵢ log σ((2yᵢ − 1)ℓᵢ) per row of logits [M, n] with labels y [n] in {0, 1}
    /// (Float64): the Bernoulli log-likelihood of a logistic regression, summed over the n data points; returns [M].
    /// </summary>
    public static Tensor BernoulliLogLikelihood(Tensor logits, Tensor labels) => ((logits * labels) - logits.Softplus()).Sum(1);

    /// <summary>Chunk size so that M·perSample numbers stay near 2·10⁷.</summary>
    public static int ChunkFor(long perSample) => (int)Math.Clamp(20_000_000 / Math.Max(perSample, 1), 16, 65_536);

    /// <summary>Checks a design matrix [n, d] of Float64 and returns (n, d).</summary>
    public static (int Rows, int Columns) Design(Tensor x, string model)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 2 || x.DType != DType.Float64 || x.Shape[0] < 1 || x.Shape[1] < 1)
        {
            throw new ArgumentException($"{model}: the design matrix must be Float64 [n, d] with n, d >= 1, got {x.Shape} {x.DType}.", nameof(x));
        }

        return (x.Shape[0], x.Shape[1]);
    }

    /// <summary>Checks a positive finite variance.</summary>
    public static void Positive(double value, string name, string model)
    {
        if (!(value > 0) || !double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{model}: {name} must be a positive finite number, got {value}.");
        }
    }
}
