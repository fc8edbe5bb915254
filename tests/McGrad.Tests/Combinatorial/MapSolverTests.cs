using System.Numerics;
using McGrad.Combinatorial;
using McGrad.Randomness;

namespace McGrad.Tests.Combinatorial;

/// <summary>Every solver against brute-force enumeration on many small random instances (fixed seeds), plus ties, batching, dtypes and errors.</summary>
public class MapSolverTests
{
    // ---------- brute force (independent of the code under test) ----------

    private static double Dot(double[] theta, double[] z)
    {
        var s = 0.0;
        for (var i = 0; i < z.Length; i++)
        {
            s += theta[i] * z[i];
        }

        return s;
    }

    private static double[] MaskToVector(int mask, int n)
    {
        var z = new double[n];
        for (var i = 0; i < n; i++)
        {
            z[i] = (mask >> i) & 1;
        }

        return z;
    }

    /// <summary>argmax over all masks of n bits accepted by <paramref name="feasible"/> of Σ θ_i z_i.</summary>
    private static double[] BruteSubset(double[] theta, Func<int, bool> feasible)
    {
        double[]? best = null;
        var bestValue = double.NegativeInfinity;
        for (var mask = 0; mask < 1 << theta.Length; mask++)
        {
            if (!feasible(mask))
            {
                continue;
            }

            var z = MaskToVector(mask, theta.Length);
            var v = Dot(theta, z);
            if (best is null || v > bestValue)
            {
                best = z;
                bestValue = v;
            }
        }

        return best!;
    }

    private static double[] Uniform(Random rng, int n, double lo = -1, double hi = 1)
    {
        var a = new double[n];
        for (var i = 0; i < n; i++)
        {
            a[i] = lo + ((hi - lo) * rng.NextDouble());
        }

        return a;
    }

    private static void AssertSolution(double[] expected, double[] actual, string what)
    {
        Assert.True(expected.SequenceEqual(actual), $"{what}: expected [{string.Join(",", expected)}], got [{string.Join(",", actual)}]");
    }

    /// <summary>Solves many instances in ONE batched call and compares each with its brute-force solution.</summary>
    private static void CheckBatch(IMapSolver solver, int[] instanceShape, int count, int seed, Func<double[], double[]> brute, double lo = -1, double hi = 1)
    {
        var rng = new Random(seed);
        var size = instanceShape.Aggregate(1, (a, d) => a * d);
        var all = new double[count * size];
        var instances = new double[count][];
        for (var b = 0; b < count; b++)
        {
            instances[b] = Uniform(rng, size, lo, hi);
            instances[b].CopyTo(all, b * size);
        }

        var z = solver.Solve(Tensor.FromArray(all, [count, .. instanceShape])).ToDoubleArray();
        for (var b = 0; b < count; b++)
        {
            AssertSolution(brute(instances[b]), z[(b * size)..((b + 1) * size)], $"{solver.Name} instance {b}");
        }
    }

    // ---------- argmax, top-k, k-subsets ----------

    [Fact]
    public void ArgMaxMatchesBruteForce()
    {
        // Catches an argmin, an off-by-one index or a wrong instance stride.
        for (var n = 1; n <= 7; n++)
        {
            CheckBatch(new ArgMaxSolver(), [n], 60, 10 + n, t => BruteSubset(t, m => BitOperations.PopCount((uint)m) == 1));
        }
    }

    [Fact]
    public void TopKMatchesAllSubsets()
    {
        // All C(n, k) subsets, n ≤ 8, every k: catches selecting the k smallest, k ± 1 entries or a wrong sort order.
        for (var n = 1; n <= 8; n++)
        {
            for (var k = 0; k <= n; k++)
            {
                var kk = k;
                CheckBatch(new TopKSolver(k), [n], 25, (100 * n) + k, t => BruteSubset(t, m => BitOperations.PopCount((uint)m) == kk));
            }
        }
    }

    [Fact]
    public void TopKOverMatrixInstancesSelectsKCellsOfTheWholeInstance()
    {
        CheckBatch(new TopKSolver(3, instanceRank: 2), [2, 3], 50, 7, t => BruteSubset(t, m => BitOperations.PopCount((uint)m) == 3));
    }

    [Fact]
    public void KSubsetPerRowMatchesBruteForce()
    {
        // Each row of a 3×5 instance: all subsets of its 5 entries with |z_r| = k_r (or ≤ k_r).
        foreach (var atMost in new[] { false, true })
        {
            int[] ks = [2, 0, 4];
            var solver = new KSubsetSolver(ks, atMost);
            CheckBatch(solver, [3, 5], 80, atMost ? 2 : 1, t =>
            {
                var z = new double[15];
                for (var r = 0; r < 3; r++)
                {
                    var k = ks[r];
                    var row = BruteSubset(t[(r * 5)..((r + 1) * 5)], m => atMost ? BitOperations.PopCount((uint)m) <= k : BitOperations.PopCount((uint)m) == k);
                    row.CopyTo(z, r * 5);
                }

                return z;
            });
        }

        var same = new KSubsetSolver(2);
        CheckBatch(same, [4, 4], 40, 3, t =>
        {
            var z = new double[16];
            for (var r = 0; r < 4; r++)
            {
                BruteSubset(t[(r * 4)..((r + 1) * 4)], m => BitOperations.PopCount((uint)m) == 2).CopyTo(z, r * 4);
            }

            return z;
        });
    }

    [Fact]
    public void TiesGoToTheLowerIndex()
    {
        var z = new TopKSolver(2).Solve(Tensor.FromArray([1.0, 3.0, 1.0, 3.0, 3.0])).ToDoubleArray();
        Assert.Equal([0.0, 1, 0, 1, 0], z);
        Assert.Equal([1.0, 0, 0], new ArgMaxSolver().Solve(Tensor.FromArray([2.0, 2.0, 2.0])).ToDoubleArray());
        Assert.Equal([0.0, 1, 0], new ArgMaxSolver().Solve(Tensor.FromArray([double.NegativeInfinity, 0.5, double.NegativeInfinity])).ToDoubleArray());
    }

    // ---------- shortest path ----------

    private static readonly Dictionary<(int, int, int), List<int[]>> PathCache = [];

    /// <summary>All simple paths from cell 0 to cell h·w − 1 (depth-first enumeration).</summary>
    private static List<int[]> AllPaths(int h, int w, int connectivity)
    {
        lock (PathCache)
        {
            if (PathCache.TryGetValue((h, w, connectivity), out var cached))
            {
                return cached;
            }

            var paths = new List<int[]>();
            var onPath = new bool[h * w];
            var stack = new List<int>();
            void Visit(int v)
            {
                stack.Add(v);
                onPath[v] = true;
                if (v == (h * w) - 1)
                {
                    paths.Add([.. stack]);
                }
                else
                {
                    int r = v / w, c = v % w;
                    for (var dr = -1; dr <= 1; dr++)
                    {
                        for (var dc = -1; dc <= 1; dc++)
                        {
                            if ((dr == 0 && dc == 0) || (connectivity == 4 && dr != 0 && dc != 0))
                            {
                                continue;
                            }

                            int rr = r + dr, cc = c + dc;
                            if (rr >= 0 && rr < h && cc >= 0 && cc < w && !onPath[(rr * w) + cc])
                            {
                                Visit((rr * w) + cc);
                            }
                        }
                    }
                }

                onPath[v] = false;
                stack.RemoveAt(stack.Count - 1);
            }

            Visit(0);
            PathCache[(h, w, connectivity)] = paths;
            return paths;
        }
    }

    [Theory]
    [InlineData(1, 1, 8)]
    [InlineData(1, 4, 8)]
    [InlineData(2, 2, 8)]
    [InlineData(3, 3, 8)]
    [InlineData(3, 4, 8)]
    [InlineData(4, 3, 8)]
    [InlineData(3, 3, 4)]
    [InlineData(4, 4, 4)]
    [InlineData(3, 5, 4)]
    public void ShortestPathMatchesAllSimplePaths(int h, int w, int connectivity)
    {
        // Catches a missing endpoint cost, wrong neighbourhood (diagonals), a wrong end cell or a broken predecessor chain.
        var paths = AllPaths(h, w, connectivity);
        Assert.NotEmpty(paths);
        CheckBatch(new ShortestPathSolver(connectivity), [h, w], 40, (h * 100) + (w * 10) + connectivity, c =>
        {
            int[]? best = null;
            var bestCost = double.PositiveInfinity;
            foreach (var p in paths)
            {
                var cost = p.Sum(v => c[v]);
                if (cost < bestCost)
                {
                    bestCost = cost;
                    best = p;
                }
            }

            var z = new double[h * w];
            foreach (var v in best!)
            {
                z[v] = 1;
            }

            return z;
        }, lo: 0, hi: 10);
    }

    // ---------- spanning trees ----------

    /// <summary>The minimum (sign = 1) or maximum (sign = −1) spanning tree by enumerating all (n−1)-edge subsets.</summary>
    private static double[] BruteTree(double[] theta, int n, bool[,]? allowed, double sign)
    {
        var edges = new List<(int I, int J)>();
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                if (allowed is null || allowed[i, j] || allowed[j, i])
                {
                    edges.Add((i, j));
                }
            }
        }

        double[]? best = null;
        var bestValue = double.PositiveInfinity;
        for (var mask = 0; mask < 1 << edges.Count; mask++)
        {
            if (BitOperations.PopCount((uint)mask) != n - 1)
            {
                continue;
            }

            // n − 1 edges without a cycle span the graph.
            var comp = Enumerable.Range(0, n).ToArray();
            var acyclic = true;
            var weight = 0.0;
            for (var e = 0; e < edges.Count && acyclic; e++)
            {
                if (((mask >> e) & 1) == 0)
                {
                    continue;
                }

                var (i, j) = edges[e];
                int ci = comp[i], cj = comp[j];
                if (ci == cj)
                {
                    acyclic = false;
                    break;
                }

                for (var v = 0; v < n; v++)
                {
                    if (comp[v] == cj)
                    {
                        comp[v] = ci;
                    }
                }

                weight += theta[(i * n) + j] + theta[(j * n) + i];
            }

            if (acyclic && sign * weight < bestValue)
            {
                bestValue = sign * weight;
                best = new double[n * n];
                for (var e = 0; e < edges.Count; e++)
                {
                    if (((mask >> e) & 1) == 1)
                    {
                        var (i, j) = edges[e];
                        best[(i * n) + j] = best[(j * n) + i] = 1;
                    }
                }
            }
        }

        return best ?? new double[n * n];
    }

    [Theory]
    [InlineData(1, MapSense.Minimize)]
    [InlineData(2, MapSense.Minimize)]
    [InlineData(3, MapSense.Maximize)]
    [InlineData(4, MapSense.Minimize)]
    [InlineData(5, MapSense.Minimize)]
    [InlineData(5, MapSense.Maximize)]
    [InlineData(6, MapSense.Minimize)]
    public void SpanningTreeMatchesAllSpanningTrees(int n, MapSense sense)
    {
        // Asymmetric θ: catches using θ_ij alone instead of θ_ij + θ_ji, min/max confusion, or a cycle.
        var sign = sense == MapSense.Minimize ? 1.0 : -1.0;
        CheckBatch(new SpanningTreeSolver(sense), [n, n], 30, 50 + n, t => BruteTree(t, n, null, sign));
    }

    [Fact]
    public void SpanningTreeOnAMaskedGraphMatchesBruteForce()
    {
        // A 2×3 grid graph plus one diagonal: only allowed edges may be used.
        var allowed = new bool[6, 6];
        foreach (var (i, j) in new[] { (0, 1), (1, 2), (3, 4), (4, 5), (0, 3), (1, 4), (2, 5), (0, 4) })
        {
            allowed[i, j] = true;
        }

        CheckBatch(new SpanningTreeSolver(MapSense.Minimize, allowed), [6, 6], 40, 5, t => BruteTree(t, 6, allowed, 1.0));
    }

    // ---------- assignment ----------

    private static IEnumerable<int[]> Injections(int n, int m)
    {
        // All ways to give rows 0..n−1 distinct columns in 0..m−1.
        var cols = new int[n];
        var used = new bool[m];
        var results = new List<int[]>();
        void Go(int r)
        {
            if (r == n)
            {
                results.Add((int[])cols.Clone());
                return;
            }

            for (var c = 0; c < m; c++)
            {
                if (!used[c])
                {
                    used[c] = true;
                    cols[r] = c;
                    Go(r + 1);
                    used[c] = false;
                }
            }
        }

        Go(0);
        return results;
    }

    [Theory]
    [InlineData(1, 1, MapSense.Minimize)]
    [InlineData(2, 2, MapSense.Minimize)]
    [InlineData(3, 3, MapSense.Maximize)]
    [InlineData(4, 4, MapSense.Minimize)]
    [InlineData(5, 5, MapSense.Minimize)]
    [InlineData(6, 6, MapSense.Maximize)]
    [InlineData(3, 5, MapSense.Minimize)]
    [InlineData(5, 3, MapSense.Minimize)]
    [InlineData(4, 6, MapSense.Maximize)]
    public void AssignmentMatchesAllPermutations(int n, int m, MapSense sense)
    {
        // Catches a wrong potential update, a non-permutation output or a transposed rectangular case.
        var sign = sense == MapSense.Minimize ? 1.0 : -1.0;
        CheckBatch(new AssignmentSolver(sense), [n, m], 30, (n * 10) + m, t =>
        {
            var transpose = n > m;
            int rows = transpose ? m : n, cols = transpose ? n : m;
            int[]? best = null;
            var bestValue = double.PositiveInfinity;
            foreach (var p in Injections(rows, cols))
            {
                var v = 0.0;
                for (var r = 0; r < rows; r++)
                {
                    v += transpose ? t[(p[r] * m) + r] : t[(r * m) + p[r]];
                }

                if (sign * v < bestValue)
                {
                    bestValue = sign * v;
                    best = p;
                }
            }

            var z = new double[n * m];
            for (var r = 0; r < rows; r++)
            {
                if (transpose)
                {
                    z[(best![r] * m) + r] = 1;
                }
                else
                {
                    z[(r * m) + best![r]] = 1;
                }
            }

            return z;
        });
    }

    // ---------- batching, dtypes, shapes ----------

    [Fact]
    public void SeveralBatchDimensionsAndFloat32AgreeWithFloat64()
    {
        var theta = TestUtil.Rand(3, [2, 3, 4, 4]);
        foreach (IMapSolver solver in new IMapSolver[] { new TopKSolver(2), new ArgMaxSolver(2), new KSubsetSolver(1), new SpanningTreeSolver(), new AssignmentSolver(), new ShortestPathSolver() })
        {
            var input = solver is ShortestPathSolver ? theta + 1.0 : theta;
            var z64 = solver.Solve(input);
            var z32 = solver.Solve(input.To(DType.Float32));
            Assert.Equal(input.Shape, z64.Shape);
            Assert.Equal(DType.Float32, z32.DType);
            Assert.Equal(z64.ToDoubleArray(), z32.ToDoubleArray());

            // Each batch element on its own gives the same solution.
            var single = solver.Solve(input.Reshape(6, 4, 4).Slice(0, 4, 5)).ToDoubleArray();
            Assert.Equal(z64.Reshape(6, 4, 4).Slice(0, 4, 5).ToDoubleArray(), single);
        }
    }

    [Fact]
    public void EmptyBatchesGiveEmptySolutions()
    {
        var z = new TopKSolver(1).Solve(Tensor.Zeros([0, 5], DType.Float64));
        Assert.Equal(new Shape(0, 5), z.Shape);
        Assert.Equal(new Shape(2, 0, 0), new SpanningTreeSolver().Solve(Tensor.Zeros([2, 0, 0], DType.Float64)).Shape);
    }

    [Fact]
    public void ALargeBatchSolvedInParallelMatchesSerialSolutions()
    {
        // The parallel split must not change any instance's result.
        var theta = TestUtil.Rand(11, [3000, 6]);
        var z = new TopKSolver(3).Solve(theta).ToDoubleArray();
        for (var b = 0; b < 3000; b += 97)
        {
            var one = new TopKSolver(3).Solve(theta.Slice(0, b, b + 1)).ToDoubleArray();
            Assert.Equal(one, z[(b * 6)..((b + 1) * 6)]);
        }
    }

    // ---------- errors ----------

    [Fact]
    public void BadInputGivesClearErrors()
    {
        var e = Assert.Throws<ArgumentException>(() => new TopKSolver(4).Solve(Tensor.Zeros([2, 3], DType.Float64)));
        Assert.Contains("TopK(k=4)", e.Message);
        Assert.Contains("k = 4", e.Message);
        e = Assert.Throws<ArgumentException>(() => new ArgMaxSolver().Solve(Tensor.FromArray([1.0, double.NaN])));
        Assert.Contains("NaN", e.Message);
        e = Assert.Throws<ArgumentException>(() => new ShortestPathSolver().Solve(Tensor.FromArray([1.0, -0.5, 1, 1], 2, 2)));
        Assert.Contains(">= 0", e.Message);
        Assert.Contains("-0.5", e.Message);
        e = Assert.Throws<ArgumentException>(() => new SpanningTreeSolver().Solve(Tensor.Zeros([3, 4], DType.Float64)));
        Assert.Contains("square", e.Message);
        e = Assert.Throws<ArgumentException>(() => new SpanningTreeSolver(allowedEdges: new bool[3, 3] { { false, true, false }, { false, false, false }, { false, false, false } }));
        Assert.Contains("disconnected", e.Message);
        e = Assert.Throws<ArgumentException>(() => new AssignmentSolver().Solve(Tensor.FromArray([1.0, double.PositiveInfinity], 1, 2)));
        Assert.Contains("finite", e.Message);
        e = Assert.Throws<ArgumentException>(() => new TopKSolver(1).Solve(Tensor.FromArray([1L, 2L])));
        Assert.Contains("Float32 or Float64", e.Message);
        e = Assert.Throws<ArgumentException>(() => new ShortestPathSolver().Solve(Tensor.Zeros([4], DType.Float64)));
        Assert.Contains("rank 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => new KSubsetSolver([1, 2]).Solve(Tensor.Zeros([3, 4], DType.Float64)));
        Assert.Contains("3 rows", e.Message);
        Assert.Throws<ArgumentException>(() => new ShortestPathSolver(6));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TopKSolver(-1));
    }

    // ---------- noise and perturb-and-MAP ----------

    [Fact]
    public void GumbelMaxSamplesTheSoftmax()
    {
        // P(MAP(θ + ε) = e_i) = softmax(θ)_i exactly for Gumbel(0, 1) noise; |z| < 4 with 200k draws.
        double[] theta = [0.5, -1.0, 1.5, 0.0];
        var pm = new PerturbAndMap(Tensor.FromArray(theta), new ArgMaxSolver(), PerturbationNoise.Gumbel());
        const int N = 200_000;
        var freq = pm.Sample(new RngKey(42), [N]).Mean(0).ToDoubleArray();
        var norm = theta.Sum(Math.Exp);
        for (var i = 0; i < 4; i++)
        {
            var p = Math.Exp(theta[i]) / norm;
            var z = (freq[i] - p) / Math.Sqrt(p * (1 - p) / N);
            Assert.True(Math.Abs(z) < 4, $"item {i}: frequency {freq[i]}, softmax {p}, z = {z}");
        }
    }

    [Fact]
    public void NoiseMomentsMatchTheirClosedForms()
    {
        // Gumbel(τ): mean τγ, variance τ²π²/6. SumOfGamma(κ, τ, s): mean (τ/κ)(H_s − ln s), variance (τ²/κ)Σ1/i².
        const int N = 200_000;
        const double gamma = 0.57721566490153286;
        var g = PerturbationNoise.Gumbel(2.0).Sample(new RngKey(1), [N], DType.Float64);
        CheckMoments(g, 2 * gamma, 4 * Math.PI * Math.PI / 6, N);

        double kappa = 3, tau = 1.5;
        var s = 10;
        var h = Enumerable.Range(1, s).Sum(i => 1.0 / i);
        var h2 = Enumerable.Range(1, s).Sum(i => 1.0 / ((double)i * i));
        const int M = 20_000; // the Gamma sampler costs microseconds per draw, and s = 10 draws make one ε
        var sog = PerturbationNoise.SumOfGamma(kappa, tau, s).Sample(new RngKey(2), [M], DType.Float64);
        CheckMoments(sog, tau / kappa * (h - Math.Log(s)), tau * tau / kappa * h2, M);
        Assert.Equal(0.0, PerturbationNoise.None.Sample(new RngKey(3), [5], DType.Float64).Abs().Sum().Item());
        Assert.Throws<ArgumentException>(() => PerturbationNoise.Gumbel(0));
        Assert.Throws<ArgumentException>(() => PerturbationNoise.SumOfGamma(-1));
    }

    private static void CheckMoments(Tensor x, double mean, double variance, int n)
    {
        var a = x.ToDoubleArray();
        var m = a.Average();
        var v = a.Sum(t => (t - m) * (t - m)) / (n - 1);
        var m4 = a.Sum(t => Math.Pow(t - m, 4)) / n;
        Assert.True(Math.Abs(m - mean) < 4 * Math.Sqrt(variance / n), $"mean {m} vs {mean}");
        Assert.True(Math.Abs(v - variance) < 4 * Math.Sqrt((m4 - (v * v)) / n), $"variance {v} vs {variance}");
    }

    [Fact]
    public void PerturbAndMapShapesAndSamples()
    {
        var theta = TestUtil.Rand(5, [3, 5]);
        var pm = new PerturbAndMap(theta, new TopKSolver(2), PerturbationNoise.SumOfGamma(2));
        Assert.Equal(new Shape(3), pm.BatchShape);
        Assert.Equal(new Shape(5), pm.EventShape);
        var key = new RngKey(9);
        var z = pm.Sample(key, [4]);
        Assert.Equal(new Shape(4, 3, 5), z.Shape);
        Assert.Equal(new TopKSolver(2).Solve(theta + pm.Perturbation(key, [4])).ToDoubleArray(), z.ToDoubleArray());
        Assert.All(z.Sum(-1).ToDoubleArray(), s => Assert.Equal(2.0, s));
        Assert.Throws<NotSupportedException>(() => pm.LogProb(z));
        var e = Assert.Throws<ArgumentException>(() => new PerturbAndMap(TestUtil.Rand(1, [4]), new ShortestPathSolver(), PerturbationNoise.None));
        Assert.Contains("rank 2", e.Message);
    }

    private sealed class BrokenSolver : IMapSolver
    {
        public string Name => "Broken";

        public MapSense Sense => MapSense.Maximize;

        public int InstanceRank => 1;

        public Tensor Solve(Tensor scores) => Tensor.Zeros([1], scores.DType);
    }

    [Fact]
    public void ASolverThatBreaksTheContractIsNamed()
    {
        var pm = new PerturbAndMap(TestUtil.Rand(1, [3]), new BrokenSolver(), PerturbationNoise.None);
        var e = Assert.Throws<InvalidOperationException>(() => pm.Sample(new RngKey(1)));
        Assert.Contains("Broken", e.Message);
    }
}
