namespace McGrad.Lab.Xu;

/// <summary>
/// Bayesian logistic regression: P(yᵢ = 1 | w) = σ(xᵢᵀw), w ∼ N(0, τ² I), so
/// f(w) = Σᵢ [yᵢ xᵢᵀw − log(1 + exp(xᵢᵀw))] − ‖w‖²/(2τ²) (constants dropped), on the full data set.
/// </summary>
public sealed class LogisticRegression : ILogJoint
{
    private readonly Tensor _xt;
    private readonly Tensor _y;

    /// <summary>The model for design <paramref name="x"/> [n, d] and labels <paramref name="labels"/> [n] in {0, 1} (Int64).</summary>
    /// <exception cref="ArgumentException">x is not Float64 [n, d], or the labels are not Int64 [n] in {0, 1}.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The prior variance is not positive and finite.</exception>
    public LogisticRegression(Tensor x, Tensor labels, double priorVariance, IReadOnlyList<string> coordinateNames, string name)
    {
        var (n, d) = LogJoints.Design(x, nameof(LogisticRegression));
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(coordinateNames);
        if (labels.Rank != 1 || labels.Shape[0] != n || labels.DType != DType.Int64 || labels.ToLongArray().Any(l => l is not (0 or 1)))
        {
            throw new ArgumentException($"{nameof(LogisticRegression)}: labels must be Int64 [{n}] with values 0 or 1, got {labels.Shape} {labels.DType}.", nameof(labels));
        }

        if (coordinateNames.Count != d)
        {
            throw new ArgumentException($"{nameof(LogisticRegression)}: {coordinateNames.Count} coordinate names for {d} weights.", nameof(coordinateNames));
        }

        LogJoints.Positive(priorVariance, nameof(priorVariance), nameof(LogisticRegression));
        _xt = x.Transpose(0, 1).Detach();
        _y = labels.To(DType.Float64);
        PriorVariance = priorVariance;
        Dimension = d;
        CoordinateNames = coordinateNames;
        Name = name;
        Chunk = LogJoints.ChunkFor(n);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <summary>τ², the prior variance.</summary>
    public double PriorVariance { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> CoordinateNames { get; }

    /// <inheritdoc/>
    public int Chunk { get; }

    /// <inheritdoc/>
    public Tensor Evaluate(Tensor weights)
    {
        var (leading, m) = LogJoints.Leading(weights, Dimension, nameof(LogisticRegression));
        var rows = weights.Reshape(m, Dimension);
        var logits = rows.MatMul(_xt);
        var f = LogJoints.BernoulliLogLikelihood(logits, _y) + LogJoints.GaussianPrior(rows, PriorVariance);
        return f.Reshape(leading);
    }
}
