using McGrad.Randomness;

namespace McGrad.Distributions;

/// <summary>
/// Reinterprets the last <see cref="ReinterpretedBatchDims"/> batch dimensions of a base distribution as event
/// dimensions: the same draws, but <see cref="LogProb"/> and <see cref="Entropy"/> are summed over those dimensions.
/// <c>new Independent(new Normal(mu, sigma), 1)</c> with mu, sigma of shape [B, D] is a batch of B diagonal
/// Gaussians on ℝᴰ.
/// </summary>
public sealed class Independent : Distribution
{
    /// <summary>Wraps <paramref name="baseDistribution"/>, moving its last <paramref name="reinterpretedBatchDims"/> batch dimensions into the event.</summary>
    /// <exception cref="ArgumentOutOfRangeException">reinterpretedBatchDims is negative or exceeds the base batch rank.</exception>
    public Independent(Distribution baseDistribution, int reinterpretedBatchDims)
        : base(Split(baseDistribution, reinterpretedBatchDims).Batch, Split(baseDistribution, reinterpretedBatchDims).Event, baseDistribution.DType)
    {
        Base = baseDistribution;
        ReinterpretedBatchDims = reinterpretedBatchDims;
    }

    private static (Shape Batch, Shape Event) Split(Distribution d, int n)
    {
        ArgumentNullException.ThrowIfNull(d);
        var rank = d.BatchShape.Rank;
        if (n < 0 || n > rank)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, $"Independent: reinterpretedBatchDims must lie in [0, {rank}] (the batch rank of the base {d.GetType().Name}, batch shape {d.BatchShape}), got {n}.");
        }

        return (Shapes.Prefix(d.BatchShape, rank - n), Shapes.Concat(Shapes.Suffix(d.BatchShape, n), d.EventShape));
    }

    /// <summary>The wrapped distribution.</summary>
    public Distribution Base { get; }

    /// <summary>How many trailing batch dimensions of the base became event dimensions.</summary>
    public int ReinterpretedBatchDims { get; }

    /// <inheritdoc/>
    protected override string Name => $"Independent({Base.GetType().Name})";

    /// <inheritdoc/>
    public override bool HasRSample => Base.HasRSample;

    /// <summary>The base distribution's draws (same shape, same values).</summary>
    public override Tensor Sample(RngKey key, Shape sampleShape = default) => Base.Sample(key, sampleShape);

    /// <summary>The base distribution's reparameterised draws.</summary>
    public override Tensor RSample(RngKey key, Shape sampleShape = default) => Base.RSample(key, sampleShape);

    /// <summary>The base log-probability summed over the reinterpreted dimensions.</summary>
    public override Tensor LogProb(Tensor value) => SumReinterpreted(Base.LogProb(value));

    /// <summary>The base entropy summed over the reinterpreted dimensions (entropies of independent parts add).</summary>
    public override Tensor Entropy() => SumReinterpreted(Base.Entropy());

    /// <summary>The base mean.</summary>
    public override Tensor Mean => Base.Mean;

    /// <summary>The base variance.</summary>
    public override Tensor Variance => Base.Variance;

    /// <summary>The base standard deviation.</summary>
    public override Tensor StdDev => Base.StdDev;

    /// <summary>Sums the last <see cref="ReinterpretedBatchDims"/> axes of a base-batch-shaped tensor.</summary>
    internal Tensor SumReinterpreted(Tensor t)
        => ReinterpretedBatchDims == 0 ? t : t.Sum(Shapes.Range(t.Rank - ReinterpretedBatchDims, ReinterpretedBatchDims));
}
