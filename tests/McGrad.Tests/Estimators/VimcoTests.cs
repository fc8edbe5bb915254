using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Estimators;
using McGrad.Estimators.ScoreFunction;
using McGrad.Randomness;

namespace McGrad.Tests.Estimators;

/// <summary>
/// A discrete latent x ∈ {0, 1, 2} with proposal q = Categorical(softmax θ) and model log p(x, y) = LogJoint[x];
/// the IWAE-style log-weight log w(x) = log p(x, y) − log q_θ(x) depends on θ directly. E[L] over K-tuples is a
/// finite sum, so its gradient is exact.
/// </summary>
public class VimcoTests
{
    private static readonly double[] Theta = [0.4, -0.3, 1.1];
    private static readonly double[] LogJoint = [Math.Log(0.2), Math.Log(0.5), Math.Log(0.05)];

    /// <summary>E[L] = Σ_tuples Π q(x_k) · log (1/K) Σ_k w(x_k), in plain doubles; <paramref name="direct"/> false drops −log q from w.</summary>
    private static double ExpectedBound(double[] theta, int k, bool direct)
    {
        var z = theta.Select(Math.Exp).ToArray();
        var q = z.Select(v => v / z.Sum()).ToArray();
        double total = 0;
        foreach (var t in Tuples(k))
        {
            var p = t.Aggregate(1.0, (acc, x) => acc * q[x]);
            var w = t.Select(x => Math.Exp(LogJoint[x] - (direct ? Math.Log(q[x]) : 0))).Average();
            total += p * Math.Log(w);
        }

        return total;
    }

    private static double[] ExactGradient(int k, bool direct)
    {
        // Central differences of the exact finite sum (h = 1e-5: error ~1e-10).
        var g = new double[3];
        for (var i = 0; i < 3; i++)
        {
            var plus = (double[])Theta.Clone();
            var minus = (double[])Theta.Clone();
            plus[i] += 1e-5;
            minus[i] -= 1e-5;
            g[i] = (ExpectedBound(plus, k, direct) - ExpectedBound(minus, k, direct)) / 2e-5;
        }

        return g;
    }

    private static IEnumerable<int[]> Tuples(int k)
    {
        var n = (int)Math.Pow(3, k);
        for (var code = 0; code < n; code++)
        {
            var t = new int[k];
            var c = code;
            for (var j = 0; j < k; j++)
            {
                t[j] = c % 3;
                c /= 3;
            }

            yield return t;
        }
    }

    private static Tensor LogWeights(Tensor x, Distribution q)
    {
        var table = Tensor.FromArray(LogJoint, 3);
        return table.IndexSelect(0, x.Reshape(-1)).Reshape(x.Shape.ToArray()) - q.LogProb(x);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void EnumerationWeightedEstimateIsExactlyTheGradientOfTheBound(int k)
    {
        // Σ over all K-tuples of P(tuple)·ĝ(tuple) = ∇θ E[L] exactly. Dropping the direct term (−log q inside w), the
        // L − L̂₋ₖ signal (using L alone), or including sample k in its own baseline each break the identity.
        var z = Theta.Select(Math.Exp).ToArray();
        var q = z.Select(v => v / z.Sum()).ToArray();
        var sum = new double[3];
        foreach (var t in Tuples(k))
        {
            var theta = Tensor.FromArray(Theta, 3).RequireGrad();
            var proposal = new Categorical(logits: theta);
            var x = Tensor.FromArray(t.Select(v => (long)v).ToArray(), k);
            var g = Autograd.Grad(Vimco.Surrogate(proposal, x, LogWeights(x, proposal)), theta).ToDoubleArray();
            var p = t.Aggregate(1.0, (acc, v) => acc * q[v]);
            for (var i = 0; i < 3; i++)
            {
                sum[i] += p * g[i];
            }
        }

        var exact = ExactGradient(k, direct: true);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(Math.Abs(sum[i] - exact[i]) < 1e-8, $"K={k} θ[{i}]: enumerated {sum[i]}, exact {exact[i]}");
        }
    }

    [Fact]
    public void SampledEstimatesAreUnbiased()
    {
        // 40 000 independent estimates in one pass: θ expanded to [N, 3] leaves, a batch of N proposals.
        const int N = 40_000;
        var leaves = Tensor.FromArray(Theta, 1, 3).BroadcastTo(new Shape(N, 3)).Detach().RequireGrad();
        var est = new Vimco(3).Estimate(new Categorical(logits: leaves), LogWeights, new RngKey(70));
        var g = Autograd.Grad(est.Surrogate, leaves).ToDoubleArray();
        var exact = ExactGradient(3, direct: true);
        for (var i = 0; i < 3; i++)
        {
            var column = Enumerable.Range(0, N).Select(n => g[(n * 3) + i]).ToArray();
            var s = EstimatorCheck.Summarise($"θ[{i}]", column, exact[i]);
            Assert.True(Math.Abs(s.Z) < 4, $"θ[{i}]: mean {s.Mean}, exact {exact[i]}, z = {s.Z:F2}");
        }

        Assert.True(double.IsFinite(est.Value.Item()));
    }

    [Fact]
    public void AsAGradientEstimatorItMatchesTheBoundWithoutDirectDependence()
    {
        // Objective = log w(x) = LogJoint[x] (no θ inside w): EstimatorCheck against the exact gradient by enumeration.
        var table = Tensor.FromArray(LogJoint, 3);
        var exact = ExactGradient(2, direct: false);
        var problem = new GradientProblem(
            "log mean exp LogJoint[x]",
            ["θ"],
            [Tensor.FromArray(Theta, 3)],
            ps => new Categorical(logits: ps[0]),
            x => table.IndexSelect(0, x.Reshape(-1)).Reshape(x.Shape.ToArray()),
            [Tensor.FromArray(exact, 3)]);
        var r = EstimatorCheck.Run(new Vimco(2), problem, new RngKey(71), 40_000);
        ScoreFunctionProblems.AssertUnbiased(r);
        Assert.Equal("VIMCO(2)", r.Estimator);
    }

    [Fact]
    public void LearningSignalsMatchTheFormulaAndStayFinite()
    {
        double[] l = [0.3, -1.2, 2.0];
        var signals = Vimco.LearningSignals(Tensor.FromArray(l, 3)).ToDoubleArray();
        var bound = Math.Log(l.Select(Math.Exp).Average());
        for (var k = 0; k < 3; k++)
        {
            var others = l.Where((_, j) => j != k).ToArray();
            var loo = Math.Log((others.Select(Math.Exp).Sum() + Math.Exp(others.Average())) / 3);
            Assert.Equal(bound - loo, signals[k], 13);
        }

        // One dominant weight (e^800 overflows a naive sum): sample 0 carries the bound, the others carry nothing.
        var big = Vimco.LearningSignals(Tensor.FromArray([800.0, 0.0, 1.0], 3)).ToDoubleArray();
        Assert.Equal(800 - Math.Log(Math.Exp(0) + Math.Exp(1) + Math.Exp(0.5)), big[0], 10);
        Assert.Equal(0, big[1], 12);
        Assert.Equal(0, big[2], 12);

        // A zero weight (ℓ = −∞): finite signals; the others' geometric mean becomes 0.
        var zero = Vimco.LearningSignals(Tensor.FromArray([double.NegativeInfinity, 0.0, 1.0], 3)).ToDoubleArray();
        var lz = Math.Log((1 + Math.E) / 3);
        Assert.Equal(lz - Math.Log((1 + Math.E + Math.Exp(0.5)) / 3), zero[0], 13);
        Assert.Equal(lz - Math.Log(Math.E / 3), zero[1], 13);
        Assert.Equal(lz - Math.Log(1.0 / 3), zero[2], 13);
    }

    [Fact]
    public void BatchElementsAreIndependent()
    {
        // Signals of a [K, 2] batch equal those of each column alone.
        var both = Vimco.LearningSignals(Tensor.FromArray([0.3, 5, -1.2, 2, 2.0, -7], 3, 2)).ToDoubleArray();
        var left = Vimco.LearningSignals(Tensor.FromArray([0.3, -1.2, 2.0], 3)).ToDoubleArray();
        var right = Vimco.LearningSignals(Tensor.FromArray([5.0, 2, -7], 3)).ToDoubleArray();
        for (var k = 0; k < 3; k++)
        {
            Assert.Equal(left[k], both[2 * k]);
            Assert.Equal(right[k], both[(2 * k) + 1]);
        }
    }

    [Fact]
    public void MisuseThrowsClearErrors()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Vimco(1));
        var q = new Categorical(logits: Tensor.FromArray(Theta, 3));
        var shape = Assert.Throws<ArgumentException>(() => new Vimco(2).Estimate(q, (x, _) => Tensor.Zeros([3], DType.Float64), new RngKey(1)));
        Assert.Contains("[2]", shape.Message, StringComparison.Ordinal);
        var nan = Assert.Throws<ArgumentException>(() => new Vimco(2).Estimate(q, (x, _) => Tensor.Full([2], double.NaN, DType.Float64), new RngKey(1)));
        Assert.Contains("NaN", nan.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Vimco.LearningSignals(Tensor.Zeros([1, 4], DType.Float64)));
    }
}
