namespace McGrad.Combinatorial;

/// <summary>
/// Shortest path on a grid of vertex costs (Dijkstra): for an instance c ∈ ℝ^{h×w} with c ≥ 0, z* = argmin ⟨z, c⟩ over
/// the indicators z ∈ {0, 1}^{h×w} of the vertices of a path from the top-left to the bottom-right cell, moving between
/// 8-neighbouring (or 4-neighbouring) cells. The cost of a path is the sum of the costs of all its vertices, both ends included.
/// </summary>
/// <remarks>
/// <para>This is the Warcraft shortest-path setting of Vlastelica et al. (2020) and Niepert et al. (2021), with
/// <see cref="MapSense.Minimize"/>: θ are costs. Dijkstra needs costs ≥ 0 (a negative vertex cost makes the problem over
/// simple paths NP-hard), so negative or non-finite costs are rejected: when perturbing, keep θ + ε ≥ 0, e.g. by producing
/// costs with a positive margin over the noise's support or choosing a small noise temperature.</para>
/// <para>Ties are broken deterministically (the vertex with the lower row-major index is settled first, and a predecessor
/// changes only on a strict improvement). Cost O(hw log(hw)) per instance.</para>
/// </remarks>
public sealed class ShortestPathSolver : MapSolver
{
    private static readonly (int Dr, int Dc)[] Moves4 = [(-1, 0), (0, -1), (0, 1), (1, 0)];
    private static readonly (int Dr, int Dc)[] Moves8 = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)];

    /// <summary>A grid shortest-path solver from the top-left to the bottom-right cell.</summary>
    /// <param name="connectivity">8 (moves to all neighbouring cells, diagonals included) or 4 (horizontal and vertical moves only).</param>
    /// <exception cref="ArgumentException">connectivity is neither 4 nor 8.</exception>
    public ShortestPathSolver(int connectivity = 8)
        : base(MapSense.Minimize, 2)
    {
        if (connectivity is not (4 or 8))
        {
            throw new ArgumentException($"ShortestPath: connectivity must be 4 or 8, got {connectivity}.", nameof(connectivity));
        }

        Connectivity = connectivity;
    }

    /// <summary>4 or 8: the neighbourhood of a grid cell.</summary>
    public int Connectivity { get; }

    /// <inheritdoc/>
    public override string Name => $"ShortestPath({Connectivity}-connected)";

    /// <inheritdoc/>
    protected override void ValidateInstanceShape(int[] instanceShape, Shape scoresShape)
    {
        if (instanceShape[0] == 0 || instanceShape[1] == 0)
        {
            throw InvalidScores($"{Name}.Solve: costs of shape {scoresShape} have empty grids; a path needs at least one cell.");
        }
    }

    /// <inheritdoc/>
    protected override void ValidateValue(double value, int indexInInstance, Shape scoresShape)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw InvalidScores($"{Name}.Solve: costs of shape {scoresShape} hold {value} at index {indexInInstance} of a grid; Dijkstra needs finite costs >= 0 (keep perturbed costs θ + ε non-negative).");
        }
    }

    /// <inheritdoc/>
    protected override int WorkPerInstance(int[] instanceShape) => instanceShape[0] * instanceShape[1] * Connectivity * 4;

    /// <inheritdoc/>
    protected override void SolveInstance(ReadOnlySpan<double> scores, Span<double> solution, int[] instanceShape)
    {
        int h = instanceShape[0], w = instanceShape[1], n = h * w;
        var moves = Connectivity == 8 ? Moves8 : Moves4;
        var dist = new double[n];
        var prev = new int[n];
        var done = new bool[n];
        Array.Fill(dist, double.PositiveInfinity);
        Array.Fill(prev, -1);
        var queue = new PriorityQueue<int, (double, int)>();
        dist[0] = scores[0];
        queue.Enqueue(0, (dist[0], 0));
        var target = n - 1;
        while (queue.TryDequeue(out var u, out _))
        {
            if (done[u])
            {
                continue;
            }

            done[u] = true;
            if (u == target)
            {
                break;
            }

            int r = u / w, c = u % w;
            foreach (var (dr, dc) in moves)
            {
                int rr = r + dr, cc = c + dc;
                if (rr < 0 || rr >= h || cc < 0 || cc >= w)
                {
                    continue;
                }

                var v = (rr * w) + cc;
                if (done[v])
                {
                    continue;
                }

                var d = dist[u] + scores[v];
                if (d < dist[v])
                {
                    dist[v] = d;
                    prev[v] = u;
                    queue.Enqueue(v, (d, v));
                }
            }
        }

        for (var v = target; v >= 0; v = prev[v])
        {
            solution[v] = 1;
        }
    }
}
