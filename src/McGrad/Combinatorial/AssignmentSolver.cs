namespace McGrad.Combinatorial;

/// <summary>
/// Linear assignment (the Hungarian method): for an instance θ ∈ ℝ^{n×m}, z* = argmin ⟨z, θ⟩ (or argmax) over the 0/1
/// matrices with exactly one 1 in every row and at most one in every column (n ≤ m), or one in every column and at most
/// one in every row (n &gt; m): a permutation matrix when n = m.
/// </summary>
/// <remarks>
/// Shortest augmenting paths with dual potentials (Kuhn 1955; Munkres 1957; the O(n²m) form of Jonker and Volgenant
/// 1987). Values must be finite. Used for learning to match or sort (perturbed permutations). Deterministic: among equal
/// reduced costs the lowest column index is taken.
/// </remarks>
public sealed class AssignmentSolver : MapSolver
{
    /// <summary>An assignment solver.</summary>
    /// <param name="sense">Minimize: θ are costs (the classical problem); Maximize: θ are scores (matching).</param>
    public AssignmentSolver(MapSense sense = MapSense.Minimize)
        : base(sense, 2)
    {
    }

    /// <inheritdoc/>
    public override string Name => $"Assignment({(Sense == MapSense.Minimize ? "min" : "max")})";

    /// <inheritdoc/>
    protected override void ValidateValue(double value, int indexInInstance, Shape scoresShape) => RequireFinite(value, indexInInstance, scoresShape);

    /// <inheritdoc/>
    protected override int WorkPerInstance(int[] instanceShape)
    {
        var n = Math.Min(instanceShape[0], instanceShape[1]);
        return n * n * Math.Max(instanceShape[0], instanceShape[1]);
    }

    /// <inheritdoc/>
    protected override void SolveInstance(ReadOnlySpan<double> scores, Span<double> solution, int[] instanceShape)
    {
        int rows = instanceShape[0], cols = instanceShape[1];
        if (rows == 0 || cols == 0)
        {
            return;
        }

        var transpose = rows > cols;
        int n = transpose ? cols : rows, m = transpose ? rows : cols;
        var sign = Sense == MapSense.Minimize ? 1.0 : -1.0;
        var a = new double[n * m];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                a[(i * m) + j] = sign * (transpose ? scores[(j * cols) + i] : scores[(i * cols) + j]);
            }
        }

        // 1-based potentials u (rows), v (columns); p[j] = row matched to column j (0: none); column 0 is a sentinel.
        var u = new double[n + 1];
        var v = new double[m + 1];
        var p = new int[m + 1];
        var way = new int[m + 1];
        var minv = new double[m + 1];
        var used = new bool[m + 1];
        for (var i = 1; i <= n; i++)
        {
            p[0] = i;
            var j0 = 0;
            Array.Fill(minv, double.PositiveInfinity);
            Array.Clear(used);
            do
            {
                used[j0] = true;
                var i0 = p[j0];
                var delta = double.PositiveInfinity;
                var j1 = 0;
                for (var j = 1; j <= m; j++)
                {
                    if (used[j])
                    {
                        continue;
                    }

                    var cur = a[((i0 - 1) * m) + j - 1] - u[i0] - v[j];
                    if (cur < minv[j])
                    {
                        minv[j] = cur;
                        way[j] = j0;
                    }

                    if (minv[j] < delta)
                    {
                        delta = minv[j];
                        j1 = j;
                    }
                }

                for (var j = 0; j <= m; j++)
                {
                    if (used[j])
                    {
                        u[p[j]] += delta;
                        v[j] -= delta;
                    }
                    else
                    {
                        minv[j] -= delta;
                    }
                }

                j0 = j1;
            }
            while (p[j0] != 0);

            do
            {
                var j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            }
            while (j0 != 0);
        }

        for (var j = 1; j <= m; j++)
        {
            if (p[j] == 0)
            {
                continue;
            }

            int r = p[j] - 1, c = j - 1;
            if (transpose)
            {
                (r, c) = (c, r);
            }

            solution[(r * cols) + c] = 1;
        }
    }
}
