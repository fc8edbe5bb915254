using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Estimators;
using McGrad.Estimators.ScoreFunction;
using McGrad.Randomness;

namespace McGrad.Tests.Estimators;

public class BaselineTests
{
    [Fact]
    public void MovingAverageFollowsTheRecursionAndUsesOnlyPastValues()
    {
        // b used by estimate t is the average of estimates < t: the first estimate uses 0, then mean(f₀), then
        // 0.8·mean(f₀) + 0.2·mean(f₁). Each estimate's gradient is (1/K) Σ (f_k − b_prev)(x_k − μ). The state is
        // explicit: each estimate returns the next one, and the estimator itself never changes.
        const int K = 3;
        var baseline = Baselines.MovingAverage(0.8);
        var estimator = new Reinforce(K, baseline);
        Assert.True(estimator.Traits.Stateful);
        var state = estimator.InitialState;
        var expectedB = 0.0;
        for (var t = 0; t < 4; t++)
        {
            Assert.Equal(expectedB, ((MovingAverageState)state!).Value, 14);
            var mu = Tensor.Scalar(0.5, DType.Float64).RequireGrad();
            var key = new RngKey(40 + (ulong)t);
            var est = estimator.Estimate(new Normal(mu, Tensor.Scalar(1.0, DType.Float64)), x => x.Square(), key, state);
            var xs = new Normal(0.5, 1.0, DType.Float64).Sample(key, [K]).ToDoubleArray();
            var f = xs.Select(v => v * v).ToArray();
            var expectedGrad = Enumerable.Range(0, K).Sum(k => (f[k] - expectedB) * (xs[k] - 0.5)) / K;
            Assert.Equal(expectedGrad, Autograd.Grad(est.Surrogate, mu).Item(), 12);

            // The same key and state give the same estimate: nothing hidden advanced.
            var again = estimator.Estimate(new Normal(mu, Tensor.Scalar(1.0, DType.Float64)), x => x.Square(), key, state);
            Assert.Equal(expectedGrad, Autograd.Grad(again.Surrogate, mu).Item(), 12);
            expectedB = t == 0 ? f.Average() : (0.8 * expectedB) + (0.2 * f.Average());
            state = est.NextState;
        }

        var final = (MovingAverageState)state!;
        Assert.Equal(4, final.Observations);
        Assert.Equal(expectedB, final.Value, 12);
        Assert.Equal(final, EstimatorState.FromJson(final.ToJson()));
        Assert.Equal(new MovingAverageState(0, 0), estimator.InitialState);
    }

    [Fact]
    public void MovingAverageAtAFixedStateHasTheMeanBaselineVarianceAndStaysUnbiasedWhileItMoves()
    {
        // (1) At the state b = E f exactly, EstimatorCheck (which holds the state fixed) must reproduce the table's
        // SF + mean-baseline variances (18, 96) rather than SF's (30, 136).
        var r = ReferenceTable.R1[1];
        var baseline = Baselines.MovingAverage(0.5);
        var primed = baseline.Observe(new MovingAverageState(0, 0), Tensor.Scalar(r.MeanOfF, DType.Float64));
        var fixedState = EstimatorCheck.Run(new Reinforce(1, baseline), r.Problem, new RngKey(44), 100_000, state: primed);
        ReferenceTable.AssertMatches(fixedState, r.SfMean);

        // (2) Threading the state through 20 000 sequential estimates from b = 0: the mean gradient stays unbiased
        // (|z| < 4 for both parameters), because each b is built from earlier estimates only (a baseline that included
        // the current sample's own f would be biased).
        var estimator = new Reinforce(1, baseline);
        var state = estimator.InitialState;
        const int N = 20_000;
        var grads = new double[2][];
        grads[0] = new double[N];
        grads[1] = new double[N];
        for (var i = 0; i < N; i++)
        {
            var leaves = r.Problem.Parameters.Select(t => t.Detach().RequireGrad()).ToArray();
            var est = estimator.Estimate(r.Problem.CreateDistribution(leaves), r.Problem.Objective, new RngKey(45).FoldIn((uint)i), state);
            var g = Autograd.Grad([est.Surrogate], leaves);
            grads[0][i] = g[0]!.Item();
            grads[1][i] = g[1]!.Item();
            state = est.NextState;
        }

        for (var p = 0; p < 2; p++)
        {
            var s = EstimatorCheck.Summarise("θ" + p, grads[p], r.Problem.ExactGradient![p].Item());
            Assert.True(Math.Abs(s.Z) < 4, $"parameter {p}: mean {s.Mean}, exact {s.Exact}, z = {s.Z}");
        }

        Assert.True(Math.Abs(((MovingAverageState)state!).Value - r.MeanOfF) < 1.5, $"b = {((MovingAverageState)state!).Value}");
    }

    [Fact]
    public void MovingAverageRejectsBadDecay()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Baselines.MovingAverage(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Baselines.MovingAverage(-0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Baselines.MovingAverage(double.NaN));
    }

    [Fact]
    public void LearnedBaselineIsDetachedUnbiasedAndTrainable()
    {
        // Predictor b = w (a scalar parameter). The REINFORCE surrogate must not reach w; the regression loss
        // mean((w − f)²) has gradient 2·mean(w − f); a few SGD steps on it drive w towards E f = μ² + 1 = 2.
        var w = Tensor.Scalar(-1.0, DType.Float64).RequireGrad();
        var current = w;
        var baseline = Baselines.Learned(() => current);
        var estimator = new Reinforce(8, baseline);
        var mu = Tensor.Scalar(1.0, DType.Float64).RequireGrad();
        var first = estimator.Estimate(new Normal(mu, Tensor.Scalar(1.0, DType.Float64)), x => x.Square(), new RngKey(60));
        Assert.Null(Autograd.Grad([first.Surrogate], [mu, current], allowUnused: true)[1]);
        var loss = first.BaselineLoss!;
        var values = new Normal(1.0, 1.0, DType.Float64).Sample(new RngKey(60), [8]).ToDoubleArray().Select(v => v * v).ToArray();
        Assert.Equal(values.Average(v => (v + 1) * (v + 1)), loss.Item(), 12);
        Assert.Equal(values.Average(v => 2 * (-1 - v)), Autograd.Grad(loss, current).Item(), 12);

        for (var step = 0; step < 200; step++)
        {
            var e = estimator.Estimate(new Normal(mu, Tensor.Scalar(1.0, DType.Float64)), x => x.Square(), new RngKey(61 + (ulong)step));
            var g = Autograd.Grad(e.BaselineLoss!, current);
            current = (current.Detach() - (g.Detach() * 0.05)).RequireGrad();
        }

        Assert.True(Math.Abs(current.Item() - 2) < 0.4, $"w = {current.Item()}");
    }

    [Fact]
    public void LearnedBaselinePerBatchElementIsUnbiased()
    {
        // A per-element prediction [N] (the exact E f of each element) keeps every batch element its own problem and
        // gives the SF + mean-baseline variances.
        var r = ReferenceTable.R1[0];
        var baseline = Baselines.Learned(() => Tensor.Full([20_000], r.MeanOfF, DType.Float64));
        var result = EstimatorCheck.Run(new Reinforce(1, baseline), r.Problem, new RngKey(62), 100_000, chunk: 20_000);
        ReferenceTable.AssertMatches(result, r.SfMean);
    }

    [Fact]
    public void LearnedBaselineChecksItsPrediction()
    {
        var d = new Normal(Tensor.Zeros([3], DType.Float64), Tensor.Ones([3], DType.Float64));
        var wrongShape = Assert.Throws<ArgumentException>(() => new Reinforce(2, Baselines.Learned(() => Tensor.Zeros([4], DType.Float64))).Estimate(d, x => x, new RngKey(1)));
        Assert.Contains("[4]", wrongShape.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 3]", wrongShape.Message, StringComparison.Ordinal);
        var wrongType = Assert.Throws<ArgumentException>(() => new Reinforce(2, Baselines.Learned(() => Tensor.Zeros([3], DType.Float32))).Estimate(d, x => x, new RngKey(1)));
        Assert.Contains("Float32", wrongType.Message, StringComparison.Ordinal);
    }
}
