using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Estimators;
using McGrad.Estimators.Discrete;
using McGrad.Estimators.ScoreFunction;
using McGrad.Optim;
using McGrad.Randomness;

namespace McGrad.Tests.Estimators;

public class TrainingLoopTests
{
    [Fact]
    public void RunIsTheHandWrittenLoopBitForBit()
    {
        // Catches a different key sequence (key.FoldIn(t)), a missing zero-grad (gradients accumulate), or a step
        // taken before the backward pass.
        Objective f = b => (b - 0.45).Square();
        var manual = Tensor.Scalar(0.3, DType.Float64).RequireGrad();
        var optimizer = new Optimizer([manual], Transforms.Adam(0.05));
        var estimator = new DisArm();
        var key = new RngKey(77);
        for (uint t = 0; t < 60; t++)
        {
            estimator.Estimate(new Bernoulli(logits: manual), f, key.FoldIn(t)).Surrogate.Backward();
            optimizer.Step();
            optimizer.ZeroGrad();
        }

        var theta = Tensor.Scalar(0.3, DType.Float64).RequireGrad();
        var loop = new TrainingLoop(estimator, new Optimizer([theta], Transforms.Adam(0.05)));
        var seen = new List<int>();
        var evaluated = new List<int>();
        loop.Run(60, () => new Bernoulli(logits: theta), f, key, onStep: s => seen.Add(s.Step), evaluateEvery: 20, evaluate: evaluated.Add);
        Assert.Equal(BitConverter.DoubleToInt64Bits(manual.Item()), BitConverter.DoubleToInt64Bits(theta.Item()));
        Assert.Equal(Enumerable.Range(0, 60), seen);
        Assert.Equal([20, 40, 60], evaluated);
        Assert.Equal(60, loop.Steps);
        Assert.Null(theta.Grad);
    }

    [Fact]
    public void TheLoopThreadsTheEstimatorsStateAndMovesDownhill()
    {
        // A moving-average baseline: the loop's state after 30 steps equals the state threaded by hand through the same
        // estimates, and E f = (σ(θ)(1 − 0.2)² + (1 − σ(θ))·0.2²) falls from θ = 1.5 (minimum at θ → −∞).
        static double Expected(double th)
        {
            var p = 1 / (1 + Math.Exp(-th));
            return (p * 0.64) + ((1 - p) * 0.04);
        }

        Objective f = b => (b - 0.2).Square();
        var estimator = new Reinforce(4, Baselines.MovingAverage(0.8));
        var theta = Tensor.Scalar(1.5, DType.Float64).RequireGrad();
        var loop = new TrainingLoop(estimator, new Optimizer([theta], Transforms.Sgd(0.5)));
        var before = Expected(theta.Item());
        var handTheta = Tensor.Scalar(1.5, DType.Float64).RequireGrad();
        var handOptimizer = new Optimizer([handTheta], Transforms.Sgd(0.5));
        var handState = estimator.InitialState;
        for (uint t = 0; t < 30; t++)
        {
            var e = estimator.Estimate(new Bernoulli(logits: handTheta), f, new RngKey(5).FoldIn(t), handState);
            e.TrainingLoss.Backward();
            handOptimizer.Step();
            handOptimizer.ZeroGrad();
            handState = e.NextState;
        }

        loop.Run(30, () => new Bernoulli(logits: theta), f, new RngKey(5));
        Assert.Equal(handState, loop.State);
        Assert.Equal(30, ((MovingAverageState)loop.State!).Observations);
        Assert.Equal(handTheta.Item(), theta.Item());
        Assert.True(Expected(theta.Item()) < before - 0.05, $"E f {Expected(theta.Item())} did not fall from {before}");
    }

    [Fact]
    public void RunRejectsAnEvaluateHookWithoutAPeriod()
    {
        var theta = Tensor.Scalar(0.0, DType.Float64).RequireGrad();
        var loop = new TrainingLoop(new Reinforce(), new Optimizer([theta], Transforms.Sgd(0.1)));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => loop.Run(1, () => new Bernoulli(logits: theta), b => b, new RngKey(1), evaluate: _ => { }));
        Assert.Equal("evaluateEvery", e.ParamName);
    }
}

public class GradientVarianceTests
{
    [Fact]
    public void PerEstimateGradientsOfAnUpstreamParameterFollowTheChainRule()
    {
        // μ = 0.5·w with w = 2 (x ∼ N(1, 1), f = x²: ∇μ J = 2, Var REINFORCE ∂μ = 30, ∂σ = 136, REFERENCE R1). So the
        // per-estimate gradients of w have mean 0.5·2 = 1 and variance 0.25·30 = 7.5; of σ mean 2 and variance 136.
        // z-tests (|z| < 4) on the means and on the variances (their standard error from the fourth moment).
        var w = Tensor.Scalar(2.0, DType.Float64).RequireGrad();
        var sigma = Tensor.Scalar(1.0, DType.Float64).RequireGrad();
        const int N = 20_000;
        var set = GradientVariance.Sample(new Reinforce(), () => new Normal(w * 0.5, sigma), x => x.Square(), [w, sigma], new RngKey(8), N);
        Assert.Equal(new Shape(N), set.Samples[0].Shape);
        Assert.Null(w.Grad);
        foreach (var (p, mean, variance) in new[] { (0, 1.0, 7.5), (1, 2.0, 136.0) })
        {
            var s = EstimatorCheck.Summarise("ψ", set.Samples[p].ToDoubleArray(), mean);
            Assert.True(Math.Abs(s.Z) < 4, $"parameter {p}: mean {s.Mean} vs {mean}, z = {s.Z}");
            Assert.Equal(s.Variance, set.Variance[p].Item(), 9);
            Assert.True(Math.Abs(s.Variance - variance) < 4 * s.VarianceStdError, $"parameter {p}: variance {s.Variance} ± {s.VarianceStdError} vs {variance}");
        }

        Assert.Equal(set.Variance[0].Item() + set.Variance[1].Item(), set.TotalVariance, 9);
        Assert.Throws<ArgumentException>(() => GradientVariance.Sample(new Reinforce(), () => new Normal(w * 0.5, sigma), x => x, [Tensor.Scalar(1.0, DType.Float64)], new RngKey(1), 4));
    }
}
