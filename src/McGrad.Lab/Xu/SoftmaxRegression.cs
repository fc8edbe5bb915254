namespace McGrad.Lab.Xu;

/// <summary>
/// Bayesian multinomial logistic (softmax) regression: P(yᵢ = c | W) = softmax(xᵢᵀW)_c with W [p, C] and
/// W ∼ N(0, τ² I), so f(W) = Σᵢ [xᵢᵀW_{·yᵢ} − log Σ_c exp(xᵢᵀW_{·c})] − ‖W‖²/(2τ²) (constants dropped), on the full
/// data set. The d = p·C weights are W flattened row-major: coordinate j·C + c is W[j, c].
/// </summary>
public sealed class SoftmaxRegression : ILogJoint
{
    private readonly Tensor _x;
    private readonly Tensor _oneHot;
    private readonly int _features;

    /// <summary>The model for design <paramref name="x"/> [n, p] and labels <paramref name="labels"/> [n] in 0 … C − 1 (Int64).</summary>
    /// <exception cref="ArgumentException">x is not Float64 [n, p], the labels are not Int64 [n] in 0 … C − 1, or C &lt; 2.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The prior variance is not positive and finite.</exception>
    public SoftmaxRegression(Tensor x, Tensor labels, int classes, double priorVariance, IReadOnlyList<string> featureNames, string name)
    {
        var (n, p) = LogJoints.Design(x, nameof(SoftmaxRegression));
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(featureNames);
        if (classes < 2)
        {
            throw new ArgumentException($"{nameof(SoftmaxRegression)}: needs at least 2 classes, got {classes}.", nameof(classes));
        }

        if (labels.Rank != 1 || labels.Shape[0] != n || labels.DType != DType.Int64 || labels.ToLongArray().Any(l => l < 0 || l >= classes))
        {
            throw new ArgumentException($"{nameof(SoftmaxRegression)}: labels must be Int64 [{n}] with values 0 … {classes - 1}, got {labels.Shape} {labels.DType}.", nameof(labels));
        }

        if (featureNames.Count != p)
        {
            throw new ArgumentException($"{nameof(SoftmaxRegression)}: {featureNames.Count} feature names for {p} features.", nameof(featureNames));
        }

        LogJoints.Positive(priorVariance, nameof(priorVariance), nameof(SoftmaxRegression));
        _x = x.Detach();
        _oneHot = labels.OneHot(classes, DType.Float64).Reshape(n, 1, classes);
        _features = p;
        Classes = classes;
        PriorVariance = priorVariance;
        Dimension = p * classes;
        CoordinateNames = [.. Enumerable.Range(0, Dimension).Select(k => $"W[{featureNames[k / classes]}, class {k % classes}]")];
        Name = name;
        Chunk = LogJoints.ChunkFor((long)n * classes * 2);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <summary>Classes C.</summary>
    public int Classes { get; }

    /// <summary>τ², the prior variance.</summary>
    public double PriorVariance { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> CoordinateNames { get; }

    /// <inheritdoc/>
    public int Chunk { get; }

    /// <inheritdoc/>
    public Tensor Evaluate(Tensor weights)
    {
        var (leading, m) = LogJoints.Leading(weights, Dimension, nameof(SoftmaxRegression));
        var rows = weights.Reshape(m, Dimension);

        // One GEMM for all M weight matrices: X [n, p] @ [p, M·C] (the weights transposed to feature-major).
        var stacked = rows.Reshape(m, _features, Classes).Transpose(0, 1).Reshape(_features, m * Classes);
        var logits = _x.MatMul(stacked).Reshape(_x.Shape[0], m, Classes);
        var picked = (logits * _oneHot).Sum([0, 2]);
        var normaliser = logits.LogSumExp(2).Sum(0);
        var f = picked - normaliser + LogJoints.GaussianPrior(rows, PriorVariance);
        return f.Reshape(leading);
    }
}
