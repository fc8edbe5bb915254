using McGrad.Estimators.Problems;
using McGrad.Autodiff;
using McGrad.Combinatorial;
using McGrad.Distributions;
using McGrad.Estimators;
using McGrad.Estimators.Perturbed;
using McGrad.Randomness;
using Xunit.Abstractions;

namespace McGrad.Tests.Estimators;

public class ImleTests(ITestOutputHelper output)
{
    // ---------- independent helpers ----------

    /// <summary>Top-k by hand: indices sorted by value (descending, lower index first on ties).</summary>
    private static double[] TopK(double[] v, int k)
    {
        var z = new double[v.Length];
        foreach (var i in Enumerable.Range(0, v.Length).OrderByDescending(i => v[i]).ThenBy(i => i).Take(k))
        {
            z[i] = 1;
        }

        return z;
    }

    private static double[] Row(double[] a, int row, int n) => a[(row * n)..((row + 1) * n)];

    private static double[] Combine(double[] a, double[] b, Func<double, double, double> f) => a.Zip(b, f).ToArray();

    private static void AssertArray(double[] expected, double[] actual, double tol = 0)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol, $"element {i}: expected {expected[i]}, got {actual[i]}\nexpected [{string.Join(", ", expected)}]\nactual   [{string.Join(", ", actual)}]");
        }
    }

    /// <summary>A solver that records every score tensor it is asked to solve (to see the targets I-MLE builds).</summary>
    private sealed class Recording(IMapSolver inner) : IMapSolver
    {
        public List<double[]> Calls { get; } = [];

        public string Name => "Recording";

        public MapSense Sense => inner.Sense;

        public int InstanceRank => inner.InstanceRank;

        public Tensor Solve(Tensor scores)
        {
            Calls.Add(scores.ToDoubleArray());
            return inner.Solve(scores);
        }
    }

    private static readonly double[] Theta6 = [0.3, -0.2, 1.1, 0.8, -0.5, 0.1];
    private static readonly double[] G6 = [1.0, -2.0, 0.5, 1.5, -1.0, 0.0];

    private static Tensor GradOf(Tensor z, Tensor theta, Tensor gOut) => Autograd.Grad([z], [theta], [gOut])[0]!;

    // ---------- forward and backward on hand-made cases ----------

    [Fact]
    public void ForwardIsPerturbAndMapWithTheDocumentedNoise()
    {
        // z_s = top-k(θ + ε_s) with ε = Gumbel draws of shape [S, *θ] from the key itself.
        var theta = TestUtil.Rand(1, [2, 6]).RequireGrad();
        var pm = new PerturbAndMap(theta, new TopKSolver(3), PerturbationNoise.Gumbel());
        var key = new RngKey(5);
        var z = new Imle(samples: 3).Sample(pm, key);
        Assert.Equal(new Shape(3, 2, 6), z.Shape);
        var eps = Sampler.Gumbel(key, [3, 2, 6], DType.Float64).ToDoubleArray();
        var th = theta.ToDoubleArray();
        var zz = z.ToDoubleArray();
        for (var j = 0; j < 6; j++)
        {
            var row = Enumerable.Range(0, 6).Select(i => th[((j % 2) * 6) + i] + eps[(j * 6) + i]).ToArray();
            AssertArray(TopK(row, 3), Row(zz, j, 6));
        }

        Assert.Equal(pm.Sample(key, [3]).ToDoubleArray(), zz);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BackwardIsTheMapDifferenceWithTheSameNoise(bool scale)
    {
        // ∇θ = top-k(θ + ε) − top-k(θ − λg + ε) (÷λ with scaling). Catches a sign error, fresh noise in the target,
        // θ + λg instead of θ − λg, or a missing/extra 1/λ.
        const double lambda = 1.5;
        var key = new RngKey(11);
        var theta = Tensor.FromArray(Theta6).RequireGrad();
        var z = new Imle(lambda, scaleByInverseLambda: scale).Apply(theta, new TopKSolver(3), PerturbationNoise.Gumbel(), key);
        var grad = GradOf(z, theta, Tensor.FromArray(G6).Reshape(1, 6)).ToDoubleArray();

        var eps = Sampler.Gumbel(key, [1, 6], DType.Float64).ToDoubleArray();
        var zPlus = TopK(Combine(Theta6, eps, (a, b) => a + b), 3);
        var target = TopK(Theta6.Select((t, i) => t - (lambda * G6[i]) + eps[i]).ToArray(), 3);
        var expected = Combine(zPlus, target, (a, b) => (a - b) / (scale ? lambda : 1));
        Assert.Contains(expected, v => v != 0); // the case moves the MAP, so it can tell right from wrong
        AssertArray(expected, grad, 1e-15);
    }

    [Fact]
    public void SamplesAreAveragedEachWithItsOwnNoiseAndGradient()
    {
        const int S = 4;
        const double lambda = 0.8;
        var key = new RngKey(3);
        var theta = Tensor.FromArray(Theta6).RequireGrad();
        var z = new Imle(lambda, samples: S).Apply(theta, new TopKSolver(2), PerturbationNoise.Gumbel(), key);
        var g = TestUtil.Rand(8, [S, 6], -2, 2);
        var grad = GradOf(z, theta, g).ToDoubleArray();

        var eps = Sampler.Gumbel(key, [S, 6], DType.Float64).ToDoubleArray();
        var gs = g.ToDoubleArray();
        var expected = new double[6];
        for (var s = 0; s < S; s++)
        {
            var e = Row(eps, s, 6);
            var gsRow = Row(gs, s, 6);
            var d = Combine(TopK(Combine(Theta6, e, (a, b) => a + b), 2), TopK(Theta6.Select((t, i) => t - (lambda * gsRow[i]) + e[i]).ToArray(), 2), (a, b) => a - b);
            for (var i = 0; i < 6; i++)
            {
                expected[i] += d[i] / S;
            }
        }

        Assert.Contains(expected, v => v != 0);
        AssertArray(expected, grad, 1e-15);
    }

    [Fact]
    public void CentralDifferenceIsHalfTheDifferenceOfTheTwoTargets()
    {
        // AIMLE's symmetric perturbation (Minervini et al. 2023, torch-adaptive-imle): [MAP(θ + λg + ε) − MAP(θ − λg + ε)]/2.
        const double lambda = 1.2;
        var key = new RngKey(21);
        var theta = Tensor.FromArray(Theta6).RequireGrad();
        var z = new Imle(lambda, centralDifference: true).Apply(theta, new TopKSolver(3), PerturbationNoise.Gumbel(), key);
        var grad = GradOf(z, theta, Tensor.FromArray(G6).Reshape(1, 6)).ToDoubleArray();
        var eps = Sampler.Gumbel(key, [1, 6], DType.Float64).ToDoubleArray();
        var up = TopK(Theta6.Select((t, i) => t + (lambda * G6[i]) + eps[i]).ToArray(), 3);
        var down = TopK(Theta6.Select((t, i) => t - (lambda * G6[i]) + eps[i]).ToArray(), 3);
        var expected = Combine(up, down, (a, b) => (a - b) / 2);
        Assert.Contains(expected, v => v != 0);
        AssertArray(expected, grad, 1e-15);
    }

    [Fact]
    public void MinimisingSolversMoveTheCostsTheOtherWay()
    {
        // For costs (argmin), the target is c + λg and ∇c = MAP(c + λg + ε) − MAP(c + ε): raising the cost of an
        // assignment whose use increases the loss. Straight-through is −g. Assignment solved by hand over 3! permutations.
        double[] c = [1.0, 2.0, 3.0, 2.0, 1.0, 3.0, 3.0, 2.0, 1.0];
        double[] g = [5.0, 0, 0, 0, 0, 0, 0, 0, 0];
        const double lambda = 1.0;
        static double[] Assign(double[] cost)
        {
            int[][] perms = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
            var best = perms.MinBy(p => cost[p[0]] + cost[3 + p[1]] + cost[6 + p[2]])!;
            var z = new double[9];
            for (var r = 0; r < 3; r++)
            {
                z[(r * 3) + best[r]] = 1;
            }

            return z;
        }

        var theta = Tensor.FromArray(c, 3, 3).RequireGrad();
        var z = new Imle(lambda).Apply(theta, new AssignmentSolver(), PerturbationNoise.None, new RngKey(1));
        var grad = GradOf(z, theta, Tensor.FromArray(g, 1, 3, 3)).ToDoubleArray();
        var expected = Combine(Assign(c.Select((v, i) => v + (lambda * g[i])).ToArray()), Assign(c), (a, b) => a - b);
        Assert.Equal(1.0, expected[0] * -1); // the diagonal assignment loses cell (0, 0)
        AssertArray(expected, grad);

        var st = new MapStraightThrough().Apply(theta, new AssignmentSolver(), PerturbationNoise.None, new RngKey(1));
        AssertArray(g.Select(v => -v).ToArray(), GradOf(st, theta, Tensor.FromArray(g, 1, 3, 3)).ToDoubleArray());
    }

    [Fact]
    public void StraightThroughPassesTheMeanIncomingGradient()
    {
        var theta = Tensor.FromArray(Theta6).RequireGrad();
        var z = new MapStraightThrough(samples: 2).Apply(theta, new TopKSolver(3), PerturbationNoise.Gumbel(), new RngKey(4));
        var g = TestUtil.Rand(2, [2, 6]);
        var gs = g.ToDoubleArray();
        AssertArray(Enumerable.Range(0, 6).Select(i => (gs[i] + gs[6 + i]) / 2).ToArray(), GradOf(z, theta, g).ToDoubleArray(), 1e-15);
    }

    // ---------- adaptive λ ----------

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AdaptiveLambdaIsBetaTimesNormRatioPerInstance(bool central)
    {
        // λ_b = β‖θ_b‖/‖g_b‖ for each batch row separately; a zero g gives λ = 0 and a zero gradient (not NaN).
        // The recording solver shows the exact targets θ ∓ λg, and the gradient is divided by λ_b.
        const double beta = 0.7;
        double[] th = [2.0, -1.0, 0.5, 0.0, 1.0, /* row 1 */ 0.2, 0.1, -0.3, 0.4, 0.0, /* row 2 */ 1.0, 2.0, 3.0, 4.0, 5.0];
        double[] g = [1.0, 0.0, -1.0, 2.0, 0.0, /* row 1 */ -3.0, 1.0, 1.0, 0.0, 2.0, /* row 2 */ 0, 0, 0, 0, 0];
        var solver = new Recording(new TopKSolver(2));
        var theta = Tensor.FromArray(th, 3, 5).RequireGrad();
        var rule = new AdaptiveLambda(initialBeta: beta, step: 0);
        var z = new Imle(rule, centralDifference: central).Apply(theta, solver, PerturbationNoise.None, new RngKey(1));
        var grad = GradOf(z, theta, Tensor.FromArray(g, 1, 3, 5)).ToDoubleArray();

        Assert.Equal(central ? 3 : 2, solver.Calls.Count);
        var expected = new double[15];
        for (var b = 0; b < 3; b++)
        {
            var t = Row(th, b, 5);
            var gb = Row(g, b, 5);
            var gNorm = Math.Sqrt(gb.Sum(v => v * v));
            var lambda = gNorm > 0 ? beta * Math.Sqrt(t.Sum(v => v * v)) / gNorm : 0;
            var down = t.Select((v, i) => v - (lambda * gb[i])).ToArray();
            var up = t.Select((v, i) => v + (lambda * gb[i])).ToArray();
            AssertArray(t, Row(solver.Calls[0], b, 5)); // forward: θ + ε, ε = 0
            if (central)
            {
                AssertArray(up, Row(solver.Calls[1], b, 5), 1e-14);
            }

            AssertArray(down, Row(solver.Calls[central ? 2 : 1], b, 5), 1e-14);
            var d = central ? Combine(TopK(up, 2), TopK(down, 2), (x, y) => (x - y) / 2) : Combine(TopK(t, 2), TopK(down, 2), (x, y) => x - y);
            for (var i = 0; i < 5; i++)
            {
                expected[(b * 5) + i] = lambda > 0 ? d[i] / lambda : 0;
            }
        }

        Assert.Contains(expected, v => v != 0);
        AssertArray(expected, grad, 1e-12);
        Assert.Equal(beta, rule.InitialState.Beta);
    }

    [Fact]
    public void BetaUpdateFollowsTheRule()
    {
        // r ← ρr + (1 − ρ)nnz; u ← μu ± η (+ when r < c); β ← max(β + u, 0). Values worked by hand.
        var a = new AdaptiveLambda(initialBeta: 1, targetNonZeros: 2, step: 0.1, momentum: 0.5, decay: 0.9, initialNonZeros: 1);
        var s = a.Next(a.InitialState, 4);
        Assert.Equal(1.3, s.RunningNonZeros, 12);
        Assert.Equal(1.1, s.Beta, 12);
        s = a.Next(s, 10);
        Assert.Equal(2.17, s.RunningNonZeros, 12);
        Assert.Equal(1.05, s.Beta, 12); // u = 0.5·0.1 − 0.1
        s = a.Next(s, 0);
        Assert.Equal(1.953, s.RunningNonZeros, 12);
        Assert.Equal(1.125, s.Beta, 12); // u = 0.5·(−0.05) + 0.1
        Assert.Equal(3, s.Updates);
        Assert.Equal(s, EstimatorState.FromJson(s.ToJson()));
        Assert.Equal(new AdaptiveLambdaState(1, 1, 0, 0), a.InitialState); // the rule itself never changed

        var b = new AdaptiveLambda(initialBeta: 0.05, targetNonZeros: 1, step: 0.1, initialNonZeros: 5);
        var sb = b.Next(b.InitialState, 5);
        Assert.Equal(0.0, sb.Beta); // clamped at 0
        Assert.Equal(0.0, AdaptiveLambda.Lambda(sb, 3, 4));
        Assert.Equal(0.0, AdaptiveLambda.Lambda(new AdaptiveLambda(initialBeta: 2).InitialState, 3, 0));
        Assert.Equal(1.5, AdaptiveLambda.Lambda(new AdaptiveLambda(initialBeta: 2).InitialState, 3, 4), 15);
    }

    [Fact]
    public void BackwardReportsTheMeanNonZeroCount()
    {
        // Rows designed (no noise, β = 10) so that the differences have 2, 0 and 4 non-zero entries: mean 2 over
        // 2 samples × 3 rows; r = 0.9·1 + 0.1·2 = 1.1, above the target 1, so β drops by the step.
        double[] th = [4, 3, 2, 1, 4, 3, 2, 1, 4, 3, 2, 1];
        double[] g = [1, 0, 0, 0, 0, 0, 0, 0, 1, 1, -1, -1];
        var rule = new AdaptiveLambda(initialBeta: 10, targetNonZeros: 1, step: 0.5);
        var theta = Tensor.FromArray(th, 3, 4).RequireGrad();
        var imle = new Imle(rule, samples: 2);
        var z = imle.Sample(new PerturbAndMap(theta, new TopKSolver(2), PerturbationNoise.None), new RngKey(1), imle.InitialState, out var next);
        Assert.Throws<InvalidOperationException>(() => next()); // β is updated from the backward pass, not before
        var gOut = Tensor.FromArray([.. g, .. g], 2, 3, 4);
        var grad = GradOf(z, theta, gOut).ToDoubleArray();
        var after = (AdaptiveLambdaState)next()!;
        Assert.Equal(1, after.Updates);
        Assert.Equal(1.1, after.RunningNonZeros, 12);
        Assert.Equal(9.5, after.Beta, 12);
        Assert.Equal(2, grad.Take(4).Count(v => v != 0));
        Assert.Equal(0, grad.Skip(4).Take(4).Count(v => v != 0));
        Assert.Equal(4, grad.Skip(8).Count(v => v != 0));
    }

    [Theory]
    [InlineData(0.01)]
    [InlineData(6.0)]
    public void BetaAdaptsTowardsTheTargetNonZeroCount(double initialBeta)
    {
        // θ fixed, loss ‖z − b‖² on the top-5-of-10 problem: from a β far too small (no entry moves) or far too large
        // (most entries move), 200 backward passes bring the per-pass non-zero count to the target 4; over the next 100
        // its mean must match 4 by a z-test, |z| < 4, with the standard error from 10 batch means of 10 consecutive
        // passes (the counts are correlated through β). Catches a controller that moves β the wrong way (the count
        // runs to 0 or to ~10), does not move it, or overshoots into a lasting oscillation around a different level.
        var theta = Tensor.FromArray(TopKSynthetic.Theta0()).RequireGrad();
        var b = Tensor.FromArray(TopKSynthetic.PaperTarget());
        var rule = new AdaptiveLambda(initialBeta: initialBeta, targetNonZeros: 4, step: 0.05, initialNonZeros: 4);
        var imle = new Imle(rule, samples: 4);
        var state = (AdaptiveLambdaState)imle.InitialState!;
        var history = new List<double> { state.RunningNonZeros };
        for (var t = 0; t < 300; t++)
        {
            var pm = new PerturbAndMap(theta, new TopKSolver(TopKSynthetic.K), PerturbationNoise.Gumbel());
            var z = imle.Sample(pm, new RngKey(500).FoldIn((uint)t), state, out var next);
            Autograd.Grad((z - b).Square().Sum(), theta);
            state = (AdaptiveLambdaState)next()!;
            history.Add(state.RunningNonZeros);
        }

        // The pass-t count from the running average r_t = ρ·r_{t−1} + (1 − ρ)·nnz_t.
        var nnz = Enumerable.Range(201, 100).Select(t => (history[t] - (rule.Decay * history[t - 1])) / (1 - rule.Decay)).ToArray();
        var batches = Enumerable.Range(0, 10).Select(i => nnz.Skip(i * 10).Take(10).Average()).ToArray();
        var mean = batches.Average();
        var se = Math.Sqrt(batches.Sum(v => (v - mean) * (v - mean)) / 9 / 10);
        var zScore = (mean - 4) / se;
        output.WriteLine($"β₀ = {initialBeta}: β = {state.Beta:F3}, non-zero count over the last 100 passes {mean:F3} ± {se:F3} (z = {zScore:F2})");
        Assert.True(Math.Abs(zScore) < 4, $"non-zero count {mean:F3} ± {se:F3} did not settle at the target 4 (z = {zScore:F2}, β = {state.Beta})");
        Assert.True(initialBeta < 1 ? state.Beta > initialBeta : state.Beta < initialBeta);
    }

    // ---------- batches and layers ----------

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BatchElementsAreIndependent(bool adaptive)
    {
        // Changing row 1 of θ leaves row 0's gradient unchanged (same key): no norm or count is pooled over the batch.
        Tensor Grad0(double[] rowOne)
        {
            var theta = Tensor.FromArray([.. TopKSynthetic.Theta0(), .. rowOne], 2, 10).RequireGrad();
            var imle = adaptive ? new Imle(new AdaptiveLambda(initialBeta: 0.5), samples: 3) : new Imle(2.0, samples: 3);
            var z = imle.Apply(theta, new TopKSolver(5), PerturbationNoise.SumOfGamma(5), new RngKey(8));
            var loss = (z - Tensor.FromArray([.. TopKSynthetic.PaperTarget(), .. TopKSynthetic.PaperTarget()], 2, 10)).Square().Sum();
            return Autograd.Grad(loss, theta).Slice(0, 0, 1);
        }

        var a = Grad0(TestUtil.Rand(1, [10]).ToDoubleArray());
        var b = Grad0(TestUtil.Rand(2, [10], -5, 5).ToDoubleArray());
        Assert.Contains(a.ToDoubleArray(), v => v != 0);
        Assert.Equal(a.ToDoubleArray(), b.ToDoubleArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GradientsFlowIntoTheLayersThatProduceTheta(bool adaptive)
    {
        // θ = x·W inside a network: ∂L/∂W = xᵀ·(I-MLE gradient w.r.t. θ) for the same key (chain rule through the layer).
        var x = TestUtil.Rand(1, [3, 4]);
        var w = TestUtil.Rand(2, [4, 6]).RequireGrad();
        var target = TestUtil.Rand(3, [3, 6], 0, 1);
        var key = new RngKey(12);
        Imle Make() => adaptive ? new Imle(new AdaptiveLambda(initialBeta: 0.5)) : new Imle(1.0, samples: 2);

        var z = Make().Apply(x.MatMul(w), new TopKSolver(2), PerturbationNoise.SumOfGamma(2), key);
        var gw = Autograd.Grad((z - target).Square().Sum(), w);

        var theta = x.MatMul(w).Detach().RequireGrad();
        var z2 = Make().Apply(theta, new TopKSolver(2), PerturbationNoise.SumOfGamma(2), key);
        var gTheta = Autograd.Grad((z2 - target).Square().Sum(), theta);
        Assert.Contains(gTheta.ToDoubleArray(), v => v != 0);
        TestUtil.AssertClose(x.T.MatMul(gTheta).ToDoubleArray(), gw, 1e-12);
    }

    [Fact]
    public void Float32WorksAndAgreesWithFloat64()
    {
        var t64 = Tensor.FromArray(Theta6).RequireGrad();
        var t32 = Tensor.FromArray(Theta6).To(DType.Float32).RequireGrad();
        var imle = new Imle(0.5, scaleByInverseLambda: true);
        var g64 = GradOf(imle.Apply(t64, new TopKSolver(3), PerturbationNoise.None, new RngKey(1)), t64, Tensor.FromArray(G6).Reshape(1, 6));
        var g32 = GradOf(imle.Apply(t32, new TopKSolver(3), PerturbationNoise.None, new RngKey(1)), t32, Tensor.FromArray(G6).Reshape(1, 6).To(DType.Float32));
        Assert.Equal(DType.Float32, g32.DType);
        Assert.Contains(g64.ToDoubleArray(), v => v != 0);
        AssertArray(g64.ToDoubleArray(), g32.ToDoubleArray(), 1e-6);

        // Recording the backward (createGraph) gives the same constants.
        var z = imle.Apply(t64, new TopKSolver(3), PerturbationNoise.None, new RngKey(1));
        var g = Autograd.Grad([z], [t64], [Tensor.FromArray(G6).Reshape(1, 6)], createGraph: true)[0]!;
        Assert.Equal(g64.ToDoubleArray(), g.ToDoubleArray());
    }

    // ---------- as an estimator: expectations against exact marginals ----------

    private static double[] Softmax(double[] t)
    {
        var m = t.Max();
        var e = t.Select(v => Math.Exp(v - m)).ToArray();
        var s = e.Sum();
        return e.Select(v => v / s).ToArray();
    }

    /// <summary>μ_i = P(i ∈ top-k(θ + G)), G Gumbel(0, 1), from the closed-form subset probabilities.</summary>
    private static double[] TopKMarginals(double[] theta, int k)
    {
        var (masks, probs) = TopKSynthetic.SubsetProbabilities(theta, k);
        var mu = new double[theta.Length];
        for (var j = 0; j < masks.Length; j++)
        {
            for (var i = 0; i < theta.Length; i++)
            {
                if (((masks[j] >> i) & 1) == 1)
                {
                    mu[i] += probs[j];
                }
            }
        }

        return mu;
    }

    public static TheoryData<string> LinearCases => new() { "argmax forward 1/λ", "argmax central 1/λ", "argmax unscaled", "top-k forward 1/λ", "top-k central 1/λ", "aimle argmax", "aimle top-k central" };

    [Theory]
    [MemberData(nameof(LinearCases))]
    public void ExpectationForALinearObjectiveIsAFiniteDifferenceOfTheMarginals(string name)
    {
        // For f(z) = ⟨c, z⟩, g = c is constant and E[estimate] = [μ(θ) − μ(θ − λc)]/λ (forward) or
        // [μ(θ + λc) − μ(θ − λc)]/(2λ) (central), with μ the exact perturb-and-MAP marginals (softmax for argmax with
        // Gumbel noise; the closed form for top-k). |z| < 4 over 100k estimates drawn by EstimatorCheck (whose batch of
        // leaves also checks batch independence). Catches wrong λ, a missing 1/λ, a sign error or a wrong noise scale.
        double[] theta = [0.4, -0.3, 1.0, 0.1, -0.8];
        double[] c = [1.0, -0.5, 2.0, 0.0, -1.5];
        var topK = name.Contains("top-k", StringComparison.Ordinal);
        var central = name.Contains("central", StringComparison.Ordinal);
        var adaptive = name.StartsWith("aimle", StringComparison.Ordinal);
        var scale = !name.Contains("unscaled", StringComparison.Ordinal);
        const double beta = 0.4;
        var lambda = adaptive ? beta * Math.Sqrt(theta.Sum(v => v * v)) / Math.Sqrt(c.Sum(v => v * v)) : 0.7;
        Func<double[], double[]> mu = topK ? t => TopKMarginals(t, 2) : Softmax;
        var plus = central ? mu(theta.Select((t, i) => t + (lambda * c[i])).ToArray()) : mu(theta);
        var minus = mu(theta.Select((t, i) => t - (lambda * c[i])).ToArray());
        var denominator = !scale ? 1 : central ? 2 * lambda : lambda;
        var exact = plus.Zip(minus, (p, m) => (p - m) / denominator).ToArray();
        if (!scale && central)
        {
            exact = exact.Select(v => v / 2).ToArray();
        }

        IMapSolver solver = topK ? new TopKSolver(2) : new ArgMaxSolver();
        var cT = Tensor.FromArray(c);
        var problem = new GradientProblem(
            name,
            ["θ"],
            [Tensor.FromArray(theta)],
            ps => new PerturbAndMap(ps[0], solver, PerturbationNoise.Gumbel()),
            z => (z * cT).Sum(-1),
            [Tensor.FromArray(exact)]);
        var estimator = adaptive
            ? new Imle(new AdaptiveLambda(initialBeta: beta, step: 0), centralDifference: central)
            : new Imle(lambda, scaleByInverseLambda: scale, centralDifference: central);
        var result = EstimatorCheck.Run(estimator, problem, new RngKey(31), 100_000);
        foreach (var s in result.Parameters)
        {
            Assert.True(Math.Abs(s.Z) < 4, $"{result.Estimator}, {s.Parameter}: mean {s.Mean}, exact {s.Exact}, z = {s.Z:F2}");
        }
    }

    [Fact]
    public void ClosedFormSubsetProbabilitiesMatchPerturbAndMapFrequencies()
    {
        // The closed form used for the exact expected loss, against 100k draws of top-3(θ + G) on 6 items: |z| < 4
        // per subset, and the probabilities sum to 1.
        double[] theta = [0.5, -0.4, 1.2, 0.0, 0.9, -1.1];
        var (masks, probs) = TopKSynthetic.SubsetProbabilities(theta, 3);
        Assert.Equal(20, masks.Length);
        Assert.Equal(1.0, probs.Sum(), 12);
        const int N = 100_000;
        var z = new PerturbAndMap(Tensor.FromArray(theta), new TopKSolver(3), PerturbationNoise.Gumbel()).Sample(new RngKey(17), [N]).ToDoubleArray();
        var counts = new Dictionary<int, int>();
        for (var s = 0; s < N; s++)
        {
            var mask = 0;
            for (var i = 0; i < 6; i++)
            {
                mask |= (int)z[(s * 6) + i] << i;
            }

            counts[mask] = counts.GetValueOrDefault(mask) + 1;
        }

        for (var j = 0; j < masks.Length; j++)
        {
            var f = counts.GetValueOrDefault(masks[j]) / (double)N;
            var zScore = (f - probs[j]) / Math.Sqrt(probs[j] * (1 - probs[j]) / N);
            Assert.True(Math.Abs(zScore) < 4, $"subset {masks[j]}: frequency {f}, closed form {probs[j]}, z = {zScore:F2}");
        }
    }

    [Fact]
    public void MisuseIsReported()
    {
        var normal = new Normal(Tensor.Scalar(0.0, DType.Float64), Tensor.Scalar(1.0, DType.Float64));
        var e = Assert.Throws<ArgumentException>(() => new Imle().Estimate(normal, x => x, new RngKey(1)));
        Assert.Contains("I-MLE", e.Message);
        Assert.Contains("Normal", e.Message);
        e = Assert.Throws<ArgumentException>(() => new MapStraightThrough().Estimate(normal, x => x, new RngKey(1)));
        Assert.Contains("ST-PaM", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Imle(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Imle(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Imle(1, samples: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveLambda(targetNonZeros: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveLambda(decay: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveLambda().Next(new AdaptiveLambda().InitialState, -1));

        Assert.Equal("I-MLE(λ=1)", new Imle().Name);
        Assert.Equal("I-MLE(λ=2, central, 1/λ, S=3)", new Imle(2, 3, true, true).Name);
        Assert.Equal("AIMLE(central)", new Imle(new AdaptiveLambda(), centralDifference: true).Name);
        Assert.False(new Imle().Traits.Unbiased);
        Assert.True(new Imle().Traits.NeedsDifferentiableObjective);
    }

    [Fact]
    public void EstimateSumsOverSamplesAndReportsTheMeanValue()
    {
        // The surrogate's gradient is (1/S)Σ_s Δ_s with g_s = ∇f(z_s) (not g_s/S): compare with the layer fed ∇f directly.
        var theta = Tensor.FromArray(Theta6).RequireGrad();
        var b = Tensor.FromArray(G6);
        var key = new RngKey(44);
        var imle = new Imle(0.9, samples: 3);
        var pm = new PerturbAndMap(theta, new TopKSolver(3), PerturbationNoise.Gumbel());
        var est = imle.Estimate(pm, z => (z - b).Square().Sum(-1), key);
        var g = Autograd.Grad(est.Surrogate, theta);

        var z = imle.Sample(pm, key);
        var expectedValue = (z.Detach() - b).Square().Sum().Item() / 3;
        Assert.Equal(expectedValue, est.Value.Item(), 12);
        var direct = GradOf(imle.Sample(pm, key), theta, (z.Detach() - b) * 2.0);
        Assert.Equal(direct.ToDoubleArray(), g.ToDoubleArray());
    }

    // ---------- the top-k synthetic experiment ----------

    private const int Runs = 50;

    private static (double Mean, double StdError, double[] Curve) Experiment(Func<IGradientEstimator> make, double lr, double[] b)
    {
        var theta0 = TopKSynthetic.Theta0();
        var curves = new double[Runs][];
        for (var r = 0; r < Runs; r++)
        {
            curves[r] = ImleSynthetic.Run(make(), lr, theta0, b, new RngKey(5000 + (ulong)r), every: 25);
        }

        var finals = curves.Select(c => c[^1]).ToArray();
        var mean = finals.Average();
        var se = Math.Sqrt(finals.Sum(x => (x - mean) * (x - mean)) / (Runs - 1) / Runs);
        return (mean, se, Enumerable.Range(0, curves[0].Length).Select(j => curves.Average(c => c[j])).ToArray());
    }

    [Fact]
    public void TopKSyntheticExperimentImleAndAimleEndBelowStraightThrough()
    {
        // Minervini et al. (2023) / Niepert et al. (2021), top-k synthetic: n = 10, k = 5, b = |N(0, I)| (fixed key),
        // loss ‖z − b‖², z = top-k(θ + Gumbel), SGD momentum 0.9, 100 steps, exact optimality gap
        // E_ε‖z − b‖² − min_z ‖z − b‖². Hyperparameters tuned per method on other keys (docs/estimators-imle.md);
        // 50 runs each here. Asserted: each I-MLE variant ends more than 3 standard errors below straight-through.
        var b = TopKSynthetic.PaperTarget();
        var ste = Experiment(() => new MapStraightThrough(), 0.03, b);
        var imle = Experiment(() => new Imle(0.75, scaleByInverseLambda: true), 0.1, b);
        var aimle = Experiment(() => new Imle(new AdaptiveLambda(initialBeta: 0.3)), 0.03, b);
        var central = Experiment(() => new Imle(new AdaptiveLambda(initialBeta: 0.3), centralDifference: true), 0.03, b);
        var start = TopKSynthetic.ExpectedLoss(TopKSynthetic.Theta0(), b) - TopKSynthetic.MinLoss(b);
        output.WriteLine($"gap at θ₀: {start:F4}; mean gap after 25/50/75/100 steps (± s.e. at 100), {Runs} runs");
        foreach (var (name, r) in new[] { ("ST-PaM lr 0.03", ste), ("I-MLE λ=0.75, 1/λ, lr 0.1", imle), ("AIMLE β₀=0.3 lr 0.03", aimle), ("AIMLE central β₀=0.3 lr 0.03", central) })
        {
            output.WriteLine($"{name}: {string.Join(" / ", r.Curve.Select(v => v.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))} ± {r.StdError:F4}");
        }

        foreach (var r in new[] { imle, aimle, central })
        {
            Assert.True(ste.Mean - r.Mean > 3 * Math.Sqrt((ste.StdError * ste.StdError) + (r.StdError * r.StdError)), $"gap {r.Mean:F4} ± {r.StdError:F4} vs straight-through {ste.Mean:F4} ± {ste.StdError:F4}");
        }
    }

    [Fact]
    public void TopKSyntheticExperimentWithAFeasibleTargetIsSolvedByAll()
    {
        // The same experiment with b a random 5-subset (feasible, optimum 0). Here straight-through's fixed point
        // E[z] = b is the optimum, so it is not at a disadvantage. Asserted: the upper 4-standard-error bound of each
        // method's mean final gap (over the 50 runs) is below 0.5% of the starting gap 4.49. Why not a z-test: the gap
        // is a non-negative optimisation outcome after a fixed 100 steps, which reaches 0 only as the steps grow, so
        // there is no exact value to test a mean against (measured: 0, 0.0007 ± 0.0003, 0.0043 ± 0.0009,
        // 0.0073 ± 0.0012, so the bounds are ≤ 0.012 against 0.0225); the bound uses the measured standard error, so
        // a noisier method with the same mean fails. Catches an estimator that stalls (zero gradients: the gap stays
        // near 4.49), ascends (a sign error: it grows) or diverges.
        var start = TopKSynthetic.ExpectedLoss(TopKSynthetic.Theta0(), TopKSynthetic.SubsetTarget()) - TopKSynthetic.MinLoss(TopKSynthetic.SubsetTarget());
        Assert.True(start > 4, $"starting gap {start}");
        var b = TopKSynthetic.SubsetTarget();
        var ste = Experiment(() => new MapStraightThrough(), 1.0, b);
        var imle = Experiment(() => new Imle(1.0, scaleByInverseLambda: true), 0.5, b);
        var aimle = Experiment(() => new Imle(new AdaptiveLambda(initialBeta: 1.0)), 1.0, b);
        var central = Experiment(() => new Imle(new AdaptiveLambda(initialBeta: 1.0), centralDifference: true), 1.0, b);
        foreach (var (name, r) in new[] { ("ST-PaM lr 1", ste), ("I-MLE λ=1, 1/λ, lr 0.5", imle), ("AIMLE β₀=1 lr 1", aimle), ("AIMLE central β₀=1 lr 1", central) })
        {
            output.WriteLine($"{name}: {string.Join(" / ", r.Curve.Select(v => v.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))} ± {r.StdError:F4}");
            Assert.True(r.Mean + (4 * r.StdError) < 0.005 * start, $"{name}: gap {r.Mean:F4} ± {r.StdError:F4}, upper bound {r.Mean + (4 * r.StdError):F4} against 0.5% of the starting gap {start:F4}");
        }
    }
}
