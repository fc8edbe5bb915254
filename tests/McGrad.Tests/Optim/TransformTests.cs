using McGrad.Optim;

namespace McGrad.Tests.Optim;

public class TransformTests
{
    private static Tensor T(params double[] x) => Tensor.FromArray(x);

    [Fact]
    public void ClipByGlobalNormScalesAllParametersByOneJointFactor()
    {
        // ‖(a, b)‖ = √(1 + 4 + 0.25 + 9 + 2.25 + 0.0625); per-tensor clipping would give a different answer.
        Tensor[] ps = [Tensor.Zeros([2], DType.Float64), Tensor.Zeros([2, 2], DType.Float64)];
        double[] a = [1.0, -2.0];
        double[] b = [0.5, 3.0, -1.5, 0.25];
        var norm = Math.Sqrt(a.Concat(b).Sum(x => x * x));
        Assert.True(norm > 2.0);

        var clip = Transforms.ClipByGlobalNorm(2.0);
        var state = clip.Init(ps);
        Tensor?[] us = [T(a), Tensor.FromArray(b, 2, 2)];
        clip.Update(us, state, ps);
        var s = 2.0 / norm;
        TestUtil.AssertClose([.. a.Select(x => x * s)], us[0]!, 1e-14);
        TestUtil.AssertClose([.. b.Select(x => x * s)], us[1]!, 1e-14);
        Assert.Equal(norm, state.LastNorm, 14);
        Assert.Equal(2.0, ClipByGlobalNorm.GlobalNorm(us), 14);
    }

    [Fact]
    public void ClipByGlobalNormLeavesSmallUpdatesAloneAndSkipsNulls()
    {
        Tensor[] ps = [Tensor.Zeros([2], DType.Float64), Tensor.Zeros([1], DType.Float64)];
        var clip = Transforms.ClipByGlobalNorm(5.0);
        var state = clip.Init(ps);

        Tensor?[] us = [T(3.0, 4.0), null];    // norm exactly 5: unchanged
        clip.Update(us, state, ps);
        TestUtil.AssertClose([3.0, 4.0], us[0]!, 0);
        Assert.Null(us[1]);

        us = [T(0.0, 0.0), T(0.0)];            // zero norm: unchanged, no NaN
        clip.Update(us, state, ps);
        TestUtil.AssertClose([0.0, 0.0], us[0]!, 0);
        Assert.Equal(0.0, state.LastNorm);
    }

    [Fact]
    public void ClipByGlobalNormFloat32AccumulatesInFloat64()
    {
        // 3e19² overflows float32; the joint norm must still be right.
        Tensor[] ps = [Tensor.Zeros([2], DType.Float32)];
        var clip = Transforms.ClipByGlobalNorm(1.0);
        var state = clip.Init(ps);
        Tensor?[] us = [Tensor.FromArray([3e19f, 4e19f])];
        clip.Update(us, state, ps);
        Assert.Equal(5e19, state.LastNorm, 5e19 * 1e-6);
        TestUtil.AssertClose([0.6, 0.8], us[0]!, 1e-6);
    }

    [Fact]
    public void ClipThenSgdClipsTheGradientBeforeTheStep()
    {
        var p = T(0.0, 0.0).RequireGrad();
        var opt = new Optimizer([p], Transforms.Chain(Transforms.ClipByGlobalNorm(1.0), Transforms.Sgd(0.5)));
        p.Grad = T(6.0, -8.0);
        opt.Step();
        TestUtil.AssertClose([-0.3, 0.4], p, 1e-15);
    }

    [Fact]
    public void MomentumAloneMatchesTorchBuffer()
    {
        // b1 = g1; b2 = μ b1 + g2; Nesterov output g2 + μ b2.
        Tensor[] ps = [Tensor.Zeros([2], DType.Float64)];
        var plain = Transforms.Momentum(0.5);
        var nest = Transforms.Momentum(0.5, nesterov: true);
        var sp = plain.Init(ps);
        var sn = nest.Init(ps);
        double[] g1 = [1.0, -2.0], g2 = [0.5, 4.0];
        Tensor?[] u = [T(g1)];
        plain.Update(u, sp, ps);
        TestUtil.AssertClose(g1, u[0]!, 0);
        u = [T(g2)];
        plain.Update(u, sp, ps);
        TestUtil.AssertClose([(0.5 * 1.0) + 0.5, (0.5 * -2.0) + 4.0], u[0]!, 1e-15);

        u = [T(g1)];
        nest.Update(u, sn, ps);
        TestUtil.AssertClose([1.0 + (0.5 * 1.0), -2.0 + (0.5 * -2.0)], u[0]!, 1e-15);
        u = [T(g2)];
        nest.Update(u, sn, ps);
        double[] b2 = [(0.5 * 1.0) + 0.5, (0.5 * -2.0) + 4.0];
        TestUtil.AssertClose([0.5 + (0.5 * b2[0]), 4.0 + (0.5 * b2[1])], u[0]!, 1e-15);
        TestUtil.AssertClose(b2, sn.Buffers[0], 1e-15);
    }

    [Fact]
    public void AddDecayedWeightsAndScaleAndLearningRate()
    {
        Tensor[] ps = [T(2.0, -4.0)];
        Tensor?[] u = [T(1.0, 1.0)];
        var chain = Transforms.Chain(Transforms.AddDecayedWeights(0.5), Transforms.Scale(3.0), Transforms.ScaleByLearningRate(0.1));
        chain.Update(u, chain.Init(ps), ps);
        // (1 + 0.5·p)·3·(−0.1)
        TestUtil.AssertClose([-0.6, 0.3], u[0]!, 1e-15);
        TestUtil.AssertClose([2.0, -4.0], ps[0], 0);   // a transformation never writes the parameters
    }

    [Fact]
    public void EmptyChainIsIdentity()
    {
        Tensor[] ps = [T(1.0)];
        Tensor?[] u = [T(7.0)];
        var chain = Transforms.Chain();
        chain.Update(u, chain.Init(ps), ps);
        TestUtil.AssertClose([7.0], u[0]!, 0);
    }

    [Fact]
    public void MixedDtypeParametersInOneGroup()
    {
        // float32 and float64 parameters share one chain (RMS uses a scratch buffer per dtype).
        var a = Tensor.FromArray([0.5, -1.0]).RequireGrad();
        var b = Tensor.FromArray([0.5f, -1.0f, 2.0f]).RequireGrad();
        var opt = new Optimizer([a, b], Transforms.RmsProp(0.1, centered: true));
        a.Grad = Tensor.FromArray([1.0, 2.0]);
        b.Grad = Tensor.FromArray([1.0f, 2.0f, -3.0f]);
        opt.Step();
        // first centered step: v = (1−α)g², ḡ = (1−α)g, v − ḡ² = (1−α)α g², step = −lr·g/(|g|√(α(1−α)) + ε)
        double Step(double g) => -0.1 * g / ((Math.Abs(g) * Math.Sqrt(0.99 * 0.01)) + 1e-8);
        TestUtil.AssertClose([0.5 + Step(1), -1.0 + Step(2)], a, 1e-12);
        TestUtil.AssertClose([0.5 + Step(1), -1.0 + Step(2), 2.0 + Step(-3)], b, 1e-6);
    }

    [Fact]
    public void LargeParameterSplitAcrossCoresMatchesSmallOnes()
    {
        // 200,003 elements takes the parallel path; every element must equal the same computation on a
        // 1-element parameter (the serial path).
        const int n = 200_003;
        var big = Tensor.Zeros([n], DType.Float64).RequireGrad();
        var gradData = new double[n];
        var rng = new Random(5);
        for (var i = 0; i < n; i++)
        {
            gradData[i] = rng.NextDouble() - 0.5;
        }

        var opt = new Optimizer([big], Transforms.Chain(Transforms.ClipByGlobalNorm(10.0), Transforms.AdamW(0.1)));
        big.Grad = Tensor.FromArray(gradData);
        opt.Step();
        opt.Step();
        var norm = Math.Sqrt(gradData.Sum(x => x * x));
        var scale = Math.Min(1, 10.0 / norm);
        var result = big.ToDoubleArray();
        foreach (var i in new[] { 0, 1, 65_535, 65_536, 131_072, n - 1 })
        {
            var g = gradData[i] * scale;
            var expected = OptimizerRuleTests.AdamReference(0.1, 0.9, 0.999, 1e-8, decoupled: 1e-2, p0: [0.0], grads: [[g], [g]]);
            Assert.Equal(expected[1][0], result[i], 12);
        }
    }

    [Fact]
    public void HyperparameterErrorsNameTheArgumentAndValue()
    {
        void Throws(Action make, string name, string value)
        {
            var ex = Assert.ThrowsAny<ArgumentException>(make);
            Assert.Contains(name, ex.Message, StringComparison.Ordinal);
            Assert.Contains(value, ex.Message, StringComparison.Ordinal);
        }

        Throws(() => Transforms.ScaleByAdam(beta1: 1.0), "beta1", "1");
        Throws(() => Transforms.ScaleByAdam(beta2: -0.1), "beta2", "-0.1");
        Throws(() => Transforms.ScaleByAdam(epsilon: 0), "epsilon", "0");
        Throws(() => Transforms.ScaleByAdam(beta1: double.NaN), "beta1", "NaN");
        Throws(() => Transforms.Adam(-1e-3), "learningRate", "-0.001");
        Throws(() => Transforms.Sgd(0.1, momentum: 1.0), "momentum", "1");
        Throws(() => Transforms.Sgd(0.1, weightDecay: -0.5), "weightDecay", "-0.5");
        Throws(() => Transforms.Sgd(0.1, nesterov: true), "nesterov", "momentum = 0");
        Throws(() => Transforms.RmsProp(0.1, decay: 1.0), "decay", "1");
        Throws(() => Transforms.RmsProp(0.1, epsilon: -1), "epsilon", "-1");
        Throws(() => Transforms.ClipByGlobalNorm(0), "maxNorm", "0");
        Throws(() => Transforms.ClipByGlobalNorm(double.PositiveInfinity), "maxNorm", "Infinity");
        Throws(() => Transforms.AdamW(0.1, weightDecay: -1), "weightDecay", "-1");
        Throws(() => Transforms.Scale(double.NaN), "factor", "NaN");
    }

    [Fact]
    public void ScheduledLearningRateMustStayNonNegative()
    {
        var p = T(1.0).RequireGrad();
        var opt = new Optimizer([p], Transforms.Sgd(Schedule.Linear(0.1, -0.1, 2)));
        p.Grad = T(1.0);
        opt.Step();
        opt.Step();   // lr(1) = 0
        var ex = Assert.Throws<InvalidOperationException>(opt.Step);
        Assert.Contains("-0.1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("step 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UpdateValidatesShapesCountsAndStateType()
    {
        Tensor[] ps = [Tensor.Zeros([2, 3], DType.Float64)];
        var adam = Transforms.ScaleByAdam();
        var state = adam.Init(ps);

        var ex = Assert.Throws<ArgumentException>(() => adam.Update([Tensor.Zeros([3, 2], DType.Float64)], state, ps));
        Assert.Contains("[3, 2]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 3]", ex.Message, StringComparison.Ordinal);

        ex = Assert.Throws<ArgumentException>(() => adam.Update([Tensor.Zeros([2, 3], DType.Float32)], state, ps));
        Assert.Contains("Float32", ex.Message, StringComparison.Ordinal);

        ex = Assert.Throws<ArgumentException>(() => adam.Update([null, null], state, [ps[0], ps[0]]));
        Assert.Contains("1 parameters but 2", ex.Message, StringComparison.Ordinal);

        IGradientTransformation asInterface = adam;
        var otherState = Transforms.Momentum(0.9).Init(ps);
        ex = Assert.Throws<ArgumentException>(() => asInterface.Update([null], otherState, ps));
        Assert.Contains("MomentumState", ex.Message, StringComparison.Ordinal);

        ex = Assert.Throws<ArgumentException>(() => adam.Init([Tensor.FromArray(new long[] { 1, 2 })]));
        Assert.Contains("Int64", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullUpdateLeavesStateUntouched()
    {
        Tensor[] ps = [T(0.0), T(0.0)];
        var adam = Transforms.ScaleByAdam();
        var state = adam.Init(ps);
        Tensor?[] u = [T(1.0), null];
        adam.Update(u, state, ps);
        Assert.Null(u[1]);
        Assert.Equal([1, 0], state.Counts);
        TestUtil.AssertClose([0.0], state.Mu[1], 0);
    }
}
