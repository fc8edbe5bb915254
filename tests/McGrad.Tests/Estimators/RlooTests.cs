using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Estimators;
using McGrad.Estimators.ScoreFunction;
using McGrad.Randomness;

namespace McGrad.Tests.Estimators;

public class RlooTests
{
    private static readonly Func<double, double>[] Costs =
    [
        x => (x + 3) * (x + 3), x => x * x, x => (x - 1) * (x - 1), x => Math.Exp(-x * x), Math.Cos, x => Math.Cos(5 * x),
    ];

    /// <summary>REFERENCE.md R2: (p0, θ, exact gradient, Var RLOO(2)).</summary>
    public static TheoryData<double, double, double, double> R2 => new()
    {
        { 0.49, -2, 2.09987e-3, 1.65893e-5 },
        { 0.49, -1, 3.93224e-3, 2.38599e-5 },
        { 0.49, 0, 5.00000e-3, 2.50000e-5 },
        { 0.499, 0, 5.00000e-4, 2.50000e-7 },
        { 0.499, 1, 3.93224e-4, 2.38599e-7 },
    };

    public static TheoryData<int> Rows => new(Enumerable.Range(0, ReferenceTable.R1.Length));

    [Theory]
    [MemberData(nameof(R2))]
    public void RlooTwoMatchesTheBernoulliTable(double p0, double theta, double exact, double variance)
    {
        // ~600× below REINFORCE(1). A baseline that includes the sample's own value (b = f̄) halves the mean at K = 2
        // (z ≫ 4); a missing K/(K − 1) factor halves the mean too and quarters the variance.
        var problem = ScoreFunctionProblems.BernoulliToy(p0, theta);
        Assert.Equal(exact, problem.ExactGradient![0].Item(), 8);
        var r = EstimatorCheck.Run(Reinforce.LeaveOneOut(2), problem, new RngKey(500 + (ulong)(theta + 10) + (ulong)(p0 * 1000)), 200_000);
        ScoreFunctionProblems.AssertUnbiased(r);
        ScoreFunctionProblems.AssertVariance(r, [variance], slack: 5e-6 * variance);
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void VarianceMatchesTheExactLeaveOneOutFormulaOnR1(int row)
    {
        // Exact for any K: K·Var = V_mean + (Var f · E[s²] + (∇J)²)/(K − 1), V_mean the table's SF + mean-baseline
        // column (the leave-one-out mean differs from E f by an independent average; the cross terms vanish).
        const int K = 4;
        var r = ReferenceTable.R1[row];
        var f = Costs[row];
        var result = EstimatorCheck.Run(Reinforce.LeaveOneOut(K), r.Problem, new RngKey(600 + (ulong)row), 60_000);
        ScoreFunctionProblems.AssertUnbiased(result);
        Func<double, double>[] scores = [e => e, e => (e * e) - 1];
        var meanF = GaussianQuadrature.Expect(e => f(1 + e));
        var varF = GaussianQuadrature.Expect(e => Math.Pow(f(1 + e) - meanF, 2));
        var expected = new double[2];
        for (var p = 0; p < 2; p++)
        {
            var s = scores[p];
            var g = GaussianQuadrature.Expect(e => f(1 + e) * s(e));
            var vMean = GaussianQuadrature.Expect(e => Math.Pow((f(1 + e) - meanF) * s(e), 2)) - (g * g);
            Assert.True(Math.Abs(vMean - r.SfMean[p]) <= 5e-4 * Math.Abs(r.SfMean[p]), $"quadrature V_mean {vMean} vs table {r.SfMean[p]}");
            expected[p] = (vMean + (((varF * GaussianQuadrature.Expect(e => s(e) * s(e))) + (g * g)) / (K - 1))) / K;
        }

        ScoreFunctionProblems.AssertVariance(result, expected);
    }

    [Fact]
    public void EqualsReinforceWithAnIndependentlyWrittenLeaveOneOutBaseline()
    {
        // The reference baseline b_k = (Σ_j f_j − f_k)/(K − 1) is written in the test, not taken from the library.
        ScoreFunctionProblems.AssertSameSamples(Reinforce.LeaveOneOut(3), Discrete.BernoulliReferenceTable.Rloo(3), ReferenceTable.R1[4].Problem, 7, 2000);
        ScoreFunctionProblems.AssertSameSamples(Reinforce.LeaveOneOut(5), Discrete.BernoulliReferenceTable.Rloo(5), ScoreFunctionProblems.BernoulliToy(0.49, 1), 8, 2000);
    }

    [Fact]
    public void EstimateEqualsTheFormulaComputedByHand()
    {
        // Batch of three Bernoullis (logits), K = 4: ĝ_b = (1/K) Σ_k (f_k − mean of the others)(x_k − p_b).
        const int K = 4;
        double[] logits = [-1.0, 0.3, 2.0];
        double[] values = [0.5, -1.5];
        var theta = Tensor.FromArray(logits, 3).RequireGrad();
        var key = new RngKey(21);
        var est = Reinforce.LeaveOneOut(K).Estimate(new Bernoulli(logits: theta), x => (x * (values[1] - values[0])) + values[0], key);
        var g = Autograd.Grad(est.Surrogate, theta).ToDoubleArray();
        var xs = new Bernoulli(logits: Tensor.FromArray(logits, 3)).Sample(key, [K]).ToDoubleArray();
        for (var b = 0; b < 3; b++)
        {
            var p = 1 / (1 + Math.Exp(-logits[b]));
            var x = Enumerable.Range(0, K).Select(k => xs[(k * 3) + b]).ToArray();
            var f = x.Select(v => values[(int)v]).ToArray();
            var expected = Enumerable.Range(0, K).Sum(k => (f[k] - ((f.Sum() - f[k]) / (K - 1))) * (x[k] - p)) / K;
            Assert.Equal(expected, g[b], 12);
        }

        Assert.Equal(xs.Select(v => values[(int)v]).Sum() / K, est.Value.Item(), 12);
    }

    [Fact]
    public void MisuseThrowsClearErrors()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Reinforce.LeaveOneOut(1));
        Assert.Contains("K >= 2", e.Message, StringComparison.Ordinal);
        var loo = Assert.Throws<ArgumentOutOfRangeException>(() => new Reinforce(1, Baselines.LeaveOneOut));
        Assert.Contains("K >= 2", loo.Message, StringComparison.Ordinal);
        var shape = Assert.Throws<ArgumentException>(() => Reinforce.LeaveOneOut(2).Estimate(new Normal(0.0, 1.0, DType.Float64), x => x.Reshape(1, 2), new RngKey(1)));
        Assert.Contains("[K, *batch]", shape.Message, StringComparison.Ordinal);
    }
}
