namespace McGrad.Combinatorial;

/// <summary>
/// One-hot argmax: z* = e_{i*}, i* = argmax_i θ_i over each instance (the first index on ties);
/// C = the one-hot vectors, so perturb-and-MAP with Gumbel(0, 1) noise samples exactly Categorical(softmax θ).
/// </summary>
/// <remarks>An instance is the last <see cref="MapSolver.InstanceRank"/> dimensions, flattened. Scores may be −∞
/// (masked items); NaN is rejected. Cost O(n) per instance.</remarks>
public sealed class ArgMaxSolver : MapSolver
{
    /// <summary>An argmax over instances of <paramref name="instanceRank"/> dimensions (1: vectors).</summary>
    /// <exception cref="ArgumentOutOfRangeException">instanceRank &lt; 1.</exception>
    public ArgMaxSolver(int instanceRank = 1)
        : base(MapSense.Maximize, instanceRank)
    {
    }

    /// <inheritdoc/>
    public override string Name => "ArgMax";

    /// <inheritdoc/>
    protected override void ValidateInstanceShape(int[] instanceShape, Shape scoresShape)
    {
        if (instanceShape.Any(d => d == 0))
        {
            throw InvalidScores($"{Name}.Solve: scores of shape {scoresShape} have empty instances; an argmax needs at least one item.");
        }
    }

    /// <inheritdoc/>
    protected override void SolveInstance(ReadOnlySpan<double> scores, Span<double> solution, int[] instanceShape)
    {
        var best = 0;
        for (var i = 1; i < scores.Length; i++)
        {
            if (scores[i] > scores[best])
            {
                best = i;
            }
        }

        solution[best] = 1;
    }
}
