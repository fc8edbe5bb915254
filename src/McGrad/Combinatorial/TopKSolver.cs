namespace McGrad.Combinatorial;

/// <summary>
/// Top-k: z* = argmax ⟨z, θ⟩ over z ∈ {0, 1}ⁿ with Σᵢ zᵢ = k, i.e. the indicator of the k largest scores of each
/// instance (on ties the lower flat index wins).
/// </summary>
/// <remarks>
/// An instance is the last <see cref="MapSolver.InstanceRank"/> dimensions, flattened (rank 2: the k largest cells of a
/// matrix). This is the MAP state of the k-subset distribution p(z) ∝ exp⟨z, θ⟩·1[|z| = k] used by I-MLE for L2X-style
/// feature selection; perturb it with <see cref="PerturbationNoise.SumOfGamma"/>(κ = k). Scores may be ±∞; NaN is rejected.
/// Cost O(n log n) per instance.
/// </remarks>
public sealed class TopKSolver : MapSolver
{
    /// <summary>The k largest entries of each instance of <paramref name="instanceRank"/> dimensions.</summary>
    /// <exception cref="ArgumentOutOfRangeException">k &lt; 0 or instanceRank &lt; 1.</exception>
    public TopKSolver(int k, int instanceRank = 1)
        : base(MapSense.Maximize, instanceRank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        K = k;
    }

    /// <summary>k, the number of selected entries per instance.</summary>
    public int K { get; }

    /// <inheritdoc/>
    public override string Name => $"TopK(k={K})";

    /// <inheritdoc/>
    protected override void ValidateInstanceShape(int[] instanceShape, Shape scoresShape)
    {
        var n = instanceShape.Aggregate(1, (a, d) => a * d);
        if (K > n)
        {
            throw InvalidScores($"{Name}.Solve: scores of shape {scoresShape} have instances of {n} entries; cannot select k = {K} of them.");
        }
    }

    /// <inheritdoc/>
    protected override void SolveInstance(ReadOnlySpan<double> scores, Span<double> solution, int[] instanceShape)
        => SelectLargest(scores, solution, K);

    /// <summary>Writes 1 at the <paramref name="k"/> largest entries (lower index first on ties).</summary>
    internal static void SelectLargest(ReadOnlySpan<double> scores, Span<double> solution, int k)
    {
        if (k == 0)
        {
            return;
        }

        var n = scores.Length;
        if (k == n)
        {
            solution.Fill(1);
            return;
        }

        var index = new int[n];
        var keys = new double[n];
        for (var i = 0; i < n; i++)
        {
            index[i] = i;
            keys[i] = scores[i];
        }

        // Descending by score, ascending by index on ties.
        Array.Sort(index, (a, b) =>
        {
            var c = keys[b].CompareTo(keys[a]);
            return c != 0 ? c : a.CompareTo(b);
        });

        for (var j = 0; j < k; j++)
        {
            solution[index[j]] = 1;
        }
    }
}
