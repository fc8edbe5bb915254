namespace McGrad.Combinatorial;

/// <summary>
/// Minimum (or maximum) spanning tree (Kruskal): for an instance θ ∈ ℝ^{n×n}, the undirected edge {i, j} (i ≠ j) has
/// weight w_ij = θ_ij + θ_ji, and z* is the symmetric 0/1 adjacency matrix of the spanning tree T minimising (or
/// maximising) Σ_{ {i,j} ∈ T } w_ij = ⟨z, θ⟩. The diagonal of θ is ignored and z has a zero diagonal.
/// </summary>
/// <remarks>
/// <para>Because z is symmetric, ⟨z, θ⟩ = Σ_T (θ_ij + θ_ji) exactly, so θ need not be symmetric: perturbing every entry
/// independently (as perturb-and-MAP does) perturbs each edge weight, and the I-MLE gradient reaches both θ_ij and θ_ji.
/// A symmetric θ gives w_ij = 2θ_ij and the same tree.</para>
/// <para>An optional mask restricts the graph to the allowed edges (it must be connected, else there is no spanning
/// tree and the constructor throws). Values must be finite. Ties are broken by the lower (i, j) pair. Cost O(n² log n) per
/// instance. The maximum spanning tree is the MAP of the tree-structured models of Kipf et al. / NRI used by
/// Minervini et al. (2022).</para>
/// </remarks>
public sealed class SpanningTreeSolver : MapSolver
{
    private readonly bool[,]? _allowed;

    /// <summary>A spanning-tree solver over complete graphs, or over the edges allowed by <paramref name="allowedEdges"/>.</summary>
    /// <param name="sense">Minimize: minimum spanning tree (θ are costs); Maximize: maximum spanning tree (θ are scores).</param>
    /// <param name="allowedEdges">Optional n×n mask; edge {i, j} is allowed when allowedEdges[i, j] or allowedEdges[j, i].
    /// Instances must then be n×n.</param>
    /// <exception cref="ArgumentException">The mask is not square.</exception>
    public SpanningTreeSolver(MapSense sense = MapSense.Minimize, bool[,]? allowedEdges = null)
        : base(sense, 2)
    {
        if (allowedEdges is not null && allowedEdges.GetLength(0) != allowedEdges.GetLength(1))
        {
            throw new ArgumentException($"SpanningTree: allowedEdges must be square, got {allowedEdges.GetLength(0)}×{allowedEdges.GetLength(1)}.", nameof(allowedEdges));
        }

        _allowed = allowedEdges is null ? null : (bool[,])allowedEdges.Clone();
        if (_allowed is not null && !Connected(_allowed))
        {
            throw new ArgumentException($"SpanningTree: the graph of allowedEdges ({_allowed.GetLength(0)} nodes) is disconnected, so it has no spanning tree.", nameof(allowedEdges));
        }
    }

    /// <inheritdoc/>
    public override string Name => $"SpanningTree({(Sense == MapSense.Minimize ? "min" : "max")})";

    /// <inheritdoc/>
    protected override void ValidateInstanceShape(int[] instanceShape, Shape scoresShape)
    {
        if (instanceShape[0] != instanceShape[1])
        {
            throw InvalidScores($"{Name}.Solve: scores of shape {scoresShape} have {instanceShape[0]}×{instanceShape[1]} instances; expected square n×n edge-weight matrices.");
        }

        if (_allowed is not null && _allowed.GetLength(0) != instanceShape[0])
        {
            throw InvalidScores($"{Name}.Solve: scores of shape {scoresShape} have {instanceShape[0]}×{instanceShape[0]} instances, but the edge mask is {_allowed.GetLength(0)}×{_allowed.GetLength(0)}.");
        }
    }

    /// <inheritdoc/>
    protected override void ValidateValue(double value, int indexInInstance, Shape scoresShape) => RequireFinite(value, indexInInstance, scoresShape);

    /// <inheritdoc/>
    protected override int WorkPerInstance(int[] instanceShape) => instanceShape[0] * instanceShape[0] * 8;

    /// <inheritdoc/>
    protected override void SolveInstance(ReadOnlySpan<double> scores, Span<double> solution, int[] instanceShape)
    {
        var n = instanceShape[0];
        var edges = new List<(double W, int I, int J)>(n * (n - 1) / 2);
        var sign = Sense == MapSense.Minimize ? 1.0 : -1.0;
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                if (_allowed is null || _allowed[i, j] || _allowed[j, i])
                {
                    edges.Add((sign * (scores[(i * n) + j] + scores[(j * n) + i]), i, j));
                }
            }
        }

        edges.Sort();
        var parent = new int[n];
        for (var i = 0; i < n; i++)
        {
            parent[i] = i;
        }

        var added = 0;
        foreach (var (_, i, j) in edges)
        {
            int ri = Find(parent, i), rj = Find(parent, j);
            if (ri == rj)
            {
                continue;
            }

            parent[Math.Max(ri, rj)] = Math.Min(ri, rj);
            solution[(i * n) + j] = 1;
            solution[(j * n) + i] = 1;
            if (++added == n - 1)
            {
                break;
            }
        }

        System.Diagnostics.Debug.Assert(n == 0 || added == n - 1, "the mask was checked to be connected");
    }

    private static bool Connected(bool[,] allowed)
    {
        var n = allowed.GetLength(0);
        if (n == 0)
        {
            return true;
        }

        var seen = new bool[n];
        var stack = new Stack<int>();
        stack.Push(0);
        seen[0] = true;
        var count = 1;
        while (stack.Count > 0)
        {
            var u = stack.Pop();
            for (var v = 0; v < n; v++)
            {
                if (!seen[v] && v != u && (allowed[u, v] || allowed[v, u]))
                {
                    seen[v] = true;
                    count++;
                    stack.Push(v);
                }
            }
        }

        return count == n;
    }

    private static int Find(int[] parent, int i)
    {
        while (parent[i] != i)
        {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }

        return i;
    }
}
