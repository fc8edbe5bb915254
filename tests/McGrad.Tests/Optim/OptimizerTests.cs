using McGrad.Optim;

namespace McGrad.Tests.Optim;

public class OptimizerTests
{
    private static Tensor T(params double[] x) => Tensor.FromArray(x);

    [Fact]
    public void GroupsFollowTheirOwnChains()
    {
        // Adam for the "network" weights, SGD with Nesterov momentum for the logits; each must match its own
        // reference, so a group stepped with the other's chain (or state shared across groups) fails.
        double[] w0 = [0.3, -0.8], l0 = [1.0, 0.0, -1.0];
        double[][] gw = [[0.2, -0.5], [0.1, 0.3], [-0.4, 0.6]];
        double[][] gl = [[1.0, -0.5, 0.25], [0.5, 0.5, -1.0], [0.0, 2.0, 0.3]];
        var w = T(w0).RequireGrad();
        var l = T(l0).RequireGrad();
        var opt = new Optimizer(
            new ParameterGroup([w], Transforms.Adam(0.1, 0.8, 0.9, 1e-3), "net"),
            new ParameterGroup([l], Transforms.Sgd(0.05, momentum: 0.9, nesterov: true), "logits"));
        var tw = new double[3][];
        var tl = new double[3][];
        for (var t = 0; t < 3; t++)
        {
            w.Grad = T(gw[t]);
            l.Grad = T(gl[t]);
            opt.Step();
            opt.ZeroGrad();
            tw[t] = w.ToDoubleArray();
            tl[t] = l.ToDoubleArray();
        }

        OptimizerRuleTests.AssertTrajectory(OptimizerRuleTests.AdamReference(0.1, 0.8, 0.9, 1e-3, p0: w0, grads: gw), tw, 1e-12);
        OptimizerRuleTests.AssertTrajectory(OptimizerRuleTests.SgdReference(0.05, 0.9, true, 0, p0: l0, grads: gl), tl, 1e-12);
        Assert.Equal(3, opt.StepCount);
        Assert.Equal("logits", opt.Groups[1].Name);
    }

    [Fact]
    public void ParameterWithoutGradientIsSkippedAndKeepsItsState()
    {
        // q has no gradient at step 1: it must not move, and its Adam step count must start at its first
        // gradient (bias correction 1 − β^1), as torch's per-parameter state does.
        double[] p0 = [0.5, -0.5], q0 = [1.0, 2.0];
        double[][] g = [[0.3, -0.1], [0.2, 0.4], [-0.6, 0.1]];
        var p = T(p0).RequireGrad();
        var q = T(q0).RequireGrad();
        var opt = new Optimizer([p, q], Transforms.Adam(0.1, 0.8, 0.9, 1e-3));

        p.Grad = T(g[0]);
        opt.Step();
        TestUtil.AssertClose(q0, q, 0);
        var tq = new double[2][];
        for (var t = 1; t < 3; t++)
        {
            p.Grad = T(g[t]);
            q.Grad = T(g[t]);
            opt.Step();
            tq[t - 1] = q.ToDoubleArray();
        }

        OptimizerRuleTests.AssertTrajectory(OptimizerRuleTests.AdamReference(0.1, 0.8, 0.9, 1e-3, p0: q0, grads: g[1..]), tq, 1e-12);
        OptimizerRuleTests.AssertTrajectory([OptimizerRuleTests.AdamReference(0.1, 0.8, 0.9, 1e-3, p0: p0, grads: g)[2]], [p.ToDoubleArray()], 1e-12);
        var adam = (AdamState)((ChainState)opt.GetState(0)).States[0];
        Assert.Equal([3, 2], adam.Counts);
    }

    [Fact]
    public void GroupWithoutAnyGradientDoesNotAdvanceItsSchedule()
    {
        var a = T(1.0).RequireGrad();
        var b = T(1.0).RequireGrad();
        var opt = new Optimizer(
            new ParameterGroup([a], Transforms.Sgd(Schedule.FromFunc(t => t + 1.0))),
            new ParameterGroup([b], Transforms.Sgd(Schedule.FromFunc(t => t + 1.0))));
        a.Grad = T(1.0);
        opt.Step();            // a: lr 1; b: no gradient
        b.Grad = T(1.0);
        opt.Step();            // a: lr 2; b: lr 1 (its schedule's step 0)
        TestUtil.AssertClose([1.0 - 1.0 - 2.0], a, 0);
        TestUtil.AssertClose([1.0 - 1.0], b, 0);
        Assert.Equal(1, ((ScheduleState)((ChainState)opt.GetState(1)).States[0]).Count);
    }

    [Fact]
    public void ZeroGradClearsEveryGroup()
    {
        var a = T(1.0).RequireGrad();
        var b = T(2.0, 3.0).RequireGrad();
        var opt = new Optimizer(new ParameterGroup([a], Transforms.Sgd(0.1)), new ParameterGroup([b], Transforms.Adam(0.1)));
        (a * b).Sum().Backward();
        Assert.NotNull(a.Grad);
        Assert.NotNull(b.Grad);
        opt.ZeroGrad();
        Assert.Null(a.Grad);
        Assert.Null(b.Grad);
    }

    [Fact]
    public void StepDoesNotModifyGrad()
    {
        // The engine may hand the same tensor to several leaves; Step works on copies.
        var g = T(1.0, -2.0);
        var a = T(0.0, 0.0).RequireGrad();
        var b = T(0.0, 0.0).RequireGrad();
        a.Grad = g;
        b.Grad = g;
        var opt = new Optimizer([a, b], Transforms.Chain(Transforms.ClipByGlobalNorm(0.5), Transforms.Adam(0.1)));
        opt.Step();
        TestUtil.AssertClose([1.0, -2.0], g, 0);
        TestUtil.AssertClose(a.ToDoubleArray(), b, 0);
    }

    [Fact]
    public void BadGradientIsAClearErrorAndChangesNothing()
    {
        var a = T(1.0, 2.0).RequireGrad();
        var b = Tensor.FromArray([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3).RequireGrad();
        var opt = new Optimizer(new ParameterGroup([a], Transforms.Adam(0.1), "first"), new ParameterGroup([b], Transforms.Sgd(0.1), "second"));
        a.Grad = T(1.0, 1.0);
        b.Grad = Tensor.Ones([3, 2], DType.Float64);
        var ex = Assert.Throws<ArgumentException>(opt.Step);
        Assert.Contains("group 'second'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 3]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[3, 2]", ex.Message, StringComparison.Ordinal);
        TestUtil.AssertClose([1.0, 2.0], a, 0);      // group 'first' was not stepped either
        Assert.Equal(0, opt.StepCount);

        b.Grad = Tensor.Ones([2, 3], DType.Float32);
        ex = Assert.Throws<ArgumentException>(opt.Step);
        Assert.Contains("Float32", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConstructionErrors()
    {
        var a = T(1.0).RequireGrad();
        var ex = Assert.Throws<ArgumentException>(() => new Optimizer(new ParameterGroup([a], Transforms.Sgd(0.1)), new ParameterGroup([T(2.0), a], Transforms.Adam(0.1))));
        Assert.Contains("parameter 1 of group 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("parameter 0 of group 0", ex.Message, StringComparison.Ordinal);

        ex = Assert.Throws<ArgumentException>(() => new Optimizer([a, a], Transforms.Sgd(0.1)));
        Assert.Contains("same tensor", ex.Message, StringComparison.Ordinal);

        ex = Assert.Throws<ArgumentException>(() => new Optimizer([a * 2.0], Transforms.Sgd(0.1)));
        Assert.Contains("not a leaf", ex.Message, StringComparison.Ordinal);

        ex = Assert.Throws<ArgumentException>(() => new Optimizer([Tensor.FromArray(new long[] { 1 })], Transforms.Sgd(0.1)));
        Assert.Contains("Int64", ex.Message, StringComparison.Ordinal);

        ex = Assert.Throws<ArgumentException>(() => new Optimizer([], Transforms.Sgd(0.1)));
        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentException>(() => new Optimizer());
    }

    [Fact]
    public void ApplyUpdatesInPlaceAddsAndSkipsNull()
    {
        Tensor[] ps = [T(1.0, 2.0), T(5.0)];
        Optimizer.ApplyUpdatesInPlace(ps, [T(0.5, -0.5), null]);
        TestUtil.AssertClose([1.5, 1.5], ps[0], 0);
        TestUtil.AssertClose([5.0], ps[1], 0);
        Assert.Throws<ArgumentException>(() => Optimizer.ApplyUpdatesInPlace(ps, [T(1.0), null]));
    }

    [Fact]
    public void StepAllocatesNothingForSmallParameters()
    {
        // Catches per-step buffers, LINQ or boxing in the step path (measured on this thread only).
        var a = Tensor.FromArray([0.1f, 0.2f, 0.3f]).RequireGrad();
        var b = Tensor.FromArray([0.5, -0.5]).RequireGrad();
        var c = Tensor.FromArray([1.0, 2.0]).RequireGrad();
        var opt = new Optimizer(
            new ParameterGroup([a, b], Transforms.Chain(Transforms.ClipByGlobalNorm(1.0), Transforms.AdamW(Schedule.WarmupCosine(1e-2, 5, 100)))),
            new ParameterGroup([c], Transforms.RmsProp(1e-2, momentum: 0.9, centered: true, weightDecay: 0.1)),
            new ParameterGroup([T(0.0).RequireGrad()], Transforms.Sgd(0.1, momentum: 0.5, nesterov: true)));
        a.Grad = Tensor.FromArray([1f, -1f, 0.5f]);
        b.Grad = T(0.3, 0.2);
        c.Grad = T(-0.1, 0.4);
        for (var i = 0; i < 20; i++)
        {
            opt.Step();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 50; i++)
        {
            opt.Step();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(DType.Float64)]
    [InlineData(DType.Float32)]
    public void AdamMinimisesAQuadraticWithBackwardGradients(DType dtype)
    {
        // f(x) = Σ c_i (x_i − t_i)² + (w·x − w·t)², an ill-conditioned bowl with a coupling term, minimum 0
        // at x = t. 400 Adam steps with a cosine-decayed rate from lr 0.1 must bring f from about 11 to below 1e-6.
        var c = Tensor.FromArray([1.0, 25.0, 0.1]).To(dtype);
        var target = Tensor.FromArray([1.5, -0.5, 2.0]).To(dtype);
        var x = Tensor.Zeros([3], dtype).RequireGrad();
        var opt = new Optimizer([x], Transforms.Adam(Schedule.Cosine(0.1, 400, 1e-4)));
        var w = Tensor.FromArray([1.0, 2.0, -1.0]).To(dtype);
        var s = (target * w).Sum().Item();
        Tensor Loss()
        {
            var d = x - target;
            var e = (x * w).Sum() - s;
            return (c * d * d).Sum() + (e * e);
        }

        var initial = Loss().Item();
        Assert.True(initial > 1.0);
        for (var i = 0; i < 400; i++)
        {
            opt.ZeroGrad();
            Loss().Backward();
            opt.Step();
        }

        using (McGrad.Autodiff.Autograd.NoGrad())
        {
            var final = Loss().Item();
            Assert.True(final < 1e-6, $"loss after 400 Adam steps: {final} (from {initial})");
        }

        TestUtil.AssertClose(target.ToDoubleArray(), x, 1e-3);
    }
}
