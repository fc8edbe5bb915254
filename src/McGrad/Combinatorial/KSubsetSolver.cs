namespace McGrad.Combinatorial;

/// <summary>
/// k-subsets per row: for an instance θ ∈ ℝ^{m×n}, z* = argmax ⟨z, θ⟩ over z ∈ {0, 1}^{m×n} with Σⱼ z_rj = k_r for every
/// row r (exactly k_r), or Σⱼ z_rj ≤ k_r with <see cref="AtMost"/>. Row r takes its k_r largest scores (lower column
/// first on ties); with <see cref="AtMost"/> it takes only those that are &gt; 0, since a non-positive score cannot raise ⟨z, θ⟩.
/// </summary>
/// <remarks>
/// The instance is a matrix: each row is an independent k-subset constraint (e.g. k neighbours per node, k tokens per
/// sentence), with one k for every row or one per row. Compare <see cref="TopKSolver"/>, whose constraint covers the whole
/// instance. Scores may be ±∞; NaN is rejected. Cost O(n log n) per row.
/// </remarks>
public sealed class KSubsetSolver : MapSolver
{
    private readonly int[]? _perRow;

    /// <summary>k entries in every row (at most k with <paramref name="atMost"/>), any number of rows.</summary>
    /// <exception cref="ArgumentOutOfRangeException">k &lt; 0.</exception>
    public KSubsetSolver(int k, bool atMost = false)
        : base(MapSense.Maximize, 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        K = k;
        AtMost = atMost;
    }

    /// <summary>k_r entries in row r (at most k_r with <paramref name="atMost"/>); instances must have ks.Length rows.</summary>
    /// <exception cref="ArgumentException">ks is empty or holds a negative entry.</exception>
    public KSubsetSolver(int[] ks, bool atMost = false)
        : base(MapSense.Maximize, 2)
    {
        ArgumentNullException.ThrowIfNull(ks);
        if (ks.Length == 0 || ks.Any(k => k < 0))
        {
            throw new ArgumentException($"KSubset: ks must be a non-empty list of counts >= 0, got [{string.Join(", ", ks)}].", nameof(ks));
        }

        _perRow = (int[])ks.Clone();
        K = ks.Max();
        AtMost = atMost;
    }

    /// <summary>The count per row (the largest one when counts differ per row).</summary>
    public int K { get; }

    /// <summary>The count of each row, or null when every row has <see cref="K"/>.</summary>
    public IReadOnlyList<int>? PerRow => _perRow;

    /// <summary>Whether rows take at most (rather than exactly) k entries.</summary>
    public bool AtMost { get; }

    /// <inheritdoc/>
    public override string Name => $"KSubset({(AtMost ? "k≤" : "k=")}{(_perRow is null ? K.ToString(System.Globalization.CultureInfo.InvariantCulture) : "[" + string.Join(",", _perRow) + "]")})";

    /// <inheritdoc/>
    protected override void ValidateInstanceShape(int[] instanceShape, Shape scoresShape)
    {
        int m = instanceShape[0], n = instanceShape[1];
        if (_perRow is not null && m != _perRow.Length)
        {
            throw InvalidScores($"{Name}.Solve: scores of shape {scoresShape} have instances of {m} rows, but {_perRow.Length} per-row counts were given.");
        }

        var kMax = _perRow is null ? K : _perRow.Max();
        if (!AtMost && m > 0 && kMax > n)
        {
            throw InvalidScores($"{Name}.Solve: scores of shape {scoresShape} have rows of {n} entries; cannot select exactly {kMax} of them.");
        }
    }

    /// <inheritdoc/>
    protected override void SolveInstance(ReadOnlySpan<double> scores, Span<double> solution, int[] instanceShape)
    {
        int m = instanceShape[0], n = instanceShape[1];
        for (var r = 0; r < m; r++)
        {
            var k = Math.Min(_perRow?[r] ?? K, n);
            var row = scores.Slice(r * n, n);
            var z = solution.Slice(r * n, n);
            TopKSolver.SelectLargest(row, z, k);
            if (AtMost)
            {
                for (var j = 0; j < n; j++)
                {
                    if (row[j] <= 0)
                    {
                        z[j] = 0;
                    }
                }
            }
        }
    }
}
