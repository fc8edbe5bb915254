using McGrad.Autodiff;

namespace McGrad.Tests.Autodiff;

public class EngineTests
{
    [Fact]
    public void BackwardAccumulatesIntoLeavesAcrossCalls()
    {
        var x = Tensor.FromArray([1.0, 2.0, 3.0]).RequireGrad();
        (x * x).Sum().Backward();
        TestUtil.AssertClose([2, 4, 6], x.Grad!, 1e-12);
        (x * 3.0).Sum().Backward();
        TestUtil.AssertClose([5, 7, 9], x.Grad!, 1e-12);
        x.ZeroGrad();
        Assert.Null(x.Grad);
    }

    [Fact]
    public void SharedSubexpressionGetsGradientFromEveryPath()
    {
        // y = e^x · e^x: dy/dx = 2e^{2x}; catches an engine that keeps only the last contribution.
        var x = Tensor.FromArray([0.5]).RequireGrad();
        var e = x.Exp();
        (e * e).Sum().Backward();
        Assert.Equal(2 * Math.Exp(1.0), x.Grad!.Item(), 12);
    }

    [Fact]
    public void SecondDerivativeOfCubeThroughCreateGraph()
    {
        var x = Tensor.FromArray([2.0]).RequireGrad();
        var y = (x * x * x).Sum();
        var g = Autograd.Grad(y, x, createGraph: true);
        Assert.Equal(12.0, g.Item(), 12);
        var h = Autograd.Grad(g.Sum(), x, createGraph: true);
        Assert.Equal(12.0, h.Item(), 12);
        var t = Autograd.Grad(h.Sum(), x);
        Assert.Equal(6.0, t.Item(), 12);
    }

    [Fact]
    public void GradDoesNotTouchLeafGradAndPrunesUnrelatedInputs()
    {
        var x = Tensor.FromArray([1.0, 2.0]).RequireGrad();
        var w = Tensor.FromArray([3.0, 4.0]).RequireGrad();
        var y = (x * w).Sum();
        var gx = Autograd.Grad(y, x);
        TestUtil.AssertClose([3, 4], gx, 0);
        Assert.Null(x.Grad);
        Assert.Null(w.Grad);
    }

    [Fact]
    public void BackwardTwiceThroughFreedGraphNamesTheOp()
    {
        var x = Tensor.FromArray([1.0]).RequireGrad();
        var y = x.Exp().Sum();
        y.Backward();
        var ex = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("freed graph", ex.Message);
        Assert.Contains("Sum", ex.Message);
    }

    [Fact]
    public void RetainGraphAllowsASecondBackward()
    {
        var x = Tensor.FromArray([1.0]).RequireGrad();
        var y = x.Exp().Sum();
        y.Backward(retainGraph: true);
        y.Backward();
        Assert.Equal(2 * Math.E, x.Grad!.Item(), 12);
    }

    [Fact]
    public void BackwardOnNonScalarWithoutSeedNamesTheShape()
    {
        var x = Tensor.FromArray([1.0, 2.0]).RequireGrad();
        var ex = Assert.Throws<ArgumentException>(() => (x * 2.0).Backward());
        Assert.Contains("[2]", ex.Message);
        Assert.Contains("gradOutput", ex.Message);
    }

    [Fact]
    public void SeedOfWrongShapeIsRejected()
    {
        var x = Tensor.FromArray([1.0, 2.0]).RequireGrad();
        var ex = Assert.Throws<ArgumentException>(() => (x * 2.0).Backward(Tensor.Ones([3], DType.Float64)));
        Assert.Contains("[3]", ex.Message);
    }

    [Fact]
    public void NoGradScopeStopsRecordingAndRestores()
    {
        var x = Tensor.FromArray([1.0]).RequireGrad();
        Tensor y;
        using (Autograd.NoGrad())
        {
            y = x * 2.0;
        }

        Assert.False(y.RequiresGrad);
        Assert.True((x * 2.0).RequiresGrad);
    }

    [Fact]
    public void DetachCutsTheGraph()
    {
        var x = Tensor.FromArray([3.0]).RequireGrad();
        var y = (x * x.Detach()).Sum();
        Assert.Equal(3.0, Autograd.Grad(y, x).Item(), 12);
    }

    [Fact]
    public void UnusedInputThrowsUnlessAllowed()
    {
        var x = Tensor.FromArray([1.0]).RequireGrad();
        var z = Tensor.FromArray([1.0]).RequireGrad();
        var y = x.Exp().Sum();
        Assert.Throws<InvalidOperationException>(() => Autograd.Grad([y], [x, z], retainGraph: true));
        var g = Autograd.Grad([y], [x, z], allowUnused: true);
        Assert.Null(g[1]);
    }

    [Fact]
    public void GradWithRespectToIntermediate()
    {
        var x = Tensor.FromArray([1.0, 2.0]).RequireGrad();
        var h = x * 3.0;
        var y = (h * h).Sum();
        var gh = Autograd.Grad(y, h);
        TestUtil.AssertClose([6, 12], gh, 1e-12);
    }

    [Fact]
    public void MagicBoxIsOneAndDifferentiatesToItsArgumentAtEveryOrder()
    {
        // ⊡(x²): value 1; d/dx = 2x; d²/dx² = (2x)² + 2.
        var x = Tensor.FromArray([1.5]).RequireGrad();
        var m = (x * x).MagicBox().Sum();
        Assert.Equal(1.0, m.Item(), 15);
        var g = Autograd.Grad(m, x, createGraph: true);
        Assert.Equal(3.0, g.Item(), 12);
        var h = Autograd.Grad(g.Sum(), x);
        Assert.Equal(9.0 + 2.0, h.Item(), 12);
    }

    [Fact]
    public void CustomFunctionUsesTheUserBackward()
    {
        // Forward doubles, backward claims 5·g: the gradient must be the user's, not the true one.
        var x = Tensor.FromArray([1.0, 2.0]).RequireGrad();
        var y = CustomFunction.Apply("Weird", [x], xs => xs[0] * 2.0, (xs, _, g) => [g * 5.0]);
        TestUtil.AssertClose([2, 4], y, 0);
        y.Sum().Backward();
        TestUtil.AssertClose([5, 5], x.Grad!, 0);
    }

    [Fact]
    public void CustomFunctionBackwardIsDifferentiableUnderCreateGraph()
    {
        // f(x) = x³ with backward 3x²·g written in tensor ops: second derivative 6x.
        var x = Tensor.FromArray([2.0]).RequireGrad();
        var y = CustomFunction.Apply("Cube", [x], xs => xs[0] * xs[0] * xs[0], (xs, _, g) => [g * 3.0 * xs[0] * xs[0]]);
        var g1 = Autograd.Grad(y.Sum(), x, createGraph: true);
        Assert.Equal(12.0, g1.Item(), 12);
        Assert.Equal(12.0, Autograd.Grad(g1.Sum(), x).Item(), 12);
    }

    [Fact]
    public void AnomalyModeNamesTheFirstOpThatProducedNaN()
    {
        var x = Tensor.FromArray([1000.0]).RequireGrad();
        using (Anomaly.Detect())
        {
            var ex = Assert.Throws<AnomalyException>(() => (x.Exp() * 0.0).Sum());
            Assert.Equal("Exp", ex.Op);
        }

        // Outside anomaly mode the same computation runs and yields NaN.
        Assert.True(double.IsNaN((x.Exp() * 0.0).Sum().Item()));
    }

    [Fact]
    public void AnomalyModeCatchesNaNInABackwardRule()
    {
        // Forward is finite; the rule divides by zero. Anomaly mode must name the op whose backward did it.
        var x = Tensor.FromArray([0.0]).RequireGrad();
        var y = CustomFunction.Apply("Fragile", [x], xs => xs[0] * 2.0, (xs, _, g) => [g / xs[0]]).Sum();
        using (Anomaly.Detect())
        {
            var ex = Assert.Throws<AnomalyException>(() => Autograd.Grad(y, x, retainGraph: true));
            Assert.Equal("Fragile", ex.Op);
            Assert.Contains("backward", ex.Message);
        }

        Assert.True(double.IsInfinity(Autograd.Grad(y, x).Item()));
    }

    [Fact]
    public void RequiresGradOnNonLeafIsRejected()
    {
        var x = Tensor.FromArray([1.0]).RequireGrad();
        var y = x * 2.0;
        var ex = Assert.Throws<InvalidOperationException>(() => y.RequiresGrad = false);
        Assert.Contains("Mul", ex.Message);
    }

    [Fact]
    public void GradCheckDetectsAWrongRule()
    {
        // A custom function with a deliberately wrong backward must fail the check: the checker can fail.
        var x = TestUtil.Rand(1, [3]);
        var r = GradCheck.Check(xs => CustomFunction.Apply("Bad", [xs[0]], v => v[0] * v[0], (v, _, g) => [g * v[0]]), [x]);
        Assert.False(r.Passed);
        Assert.Contains("inputs[0]", r.Report);
    }

    [Fact]
    public void SecondOrderCheckDetectsANonDifferentiableBackward()
    {
        // Backward correct at first order but detached: the second derivative is lost.
        var x = TestUtil.Rand(2, [3]);
        Func<Tensor[], Tensor> f = xs => CustomFunction.Apply("Sq", [xs[0]], v => v[0] * v[0], (v, _, g) => [g * 2.0 * v[0].Detach()]);
        Assert.True(GradCheck.Check(f, [x]).Passed);
        Assert.False(GradCheck.CheckSecondOrder(f, [x]).Passed);
    }

    /// <summary>
    /// A check with nothing to differentiate must not pass: no Float64 input, or an Int64 output (ArgMax), used to
    /// report "passed".
    /// </summary>
    [Fact]
    public void GradCheckRefusesToPassWithNothingChecked()
    {
        var idx = Tensor.FromArray([0L, 1L]);
        var noFloat = Assert.Throws<ArgumentException>(() => GradCheck.Check(xs => xs[0].To(DType.Float64).Sum(), [idx]));
        Assert.Equal("inputs", noFloat.ParamName);
        Assert.Contains("no input is Float64", noFloat.Message);

        var x = TestUtil.Rand(3, [4]);
        foreach (var check in new Func<GradCheckResult>[] { () => GradCheck.Check(xs => xs[0].ArgMax(), [x]), () => GradCheck.CheckSecondOrder(xs => xs[0].ArgMax(), [x]) })
        {
            var intOutput = Assert.Throws<ArgumentException>(() => check());
            Assert.Equal("f", intOutput.ParamName);
            Assert.Contains("Int64", intOutput.Message);
        }

        // Empty tensors have an empty Jacobian: that passes (the op and its backward ran) and the report says so.
        var empty = GradCheck.Check(xs => xs[0] * 2.0, [Tensor.Zeros([0], DType.Float64)]);
        Assert.True(empty.Passed);
        Assert.Equal(0, empty.Entries);
        Assert.Contains("passed with 0 entries", empty.Report);

        // An Int64 input next to a Float64 one is still passed through unchecked, at both orders.
        Func<Tensor[], Tensor> gather = xs => (xs[0].IndexSelect(0, xs[1]) * xs[0].IndexSelect(0, xs[1])).Sum();
        Assert.True(GradCheck.Check(gather, [x, idx]).Passed);
        Assert.True(GradCheck.CheckSecondOrder(gather, [x, idx]).Passed);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1e-6)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void GradCheckRejectsANonPositiveStep(double eps)
    {
        var x = TestUtil.Rand(4, [2]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GradCheck.Check(xs => xs[0].Sum(), [x], eps));
        Assert.Equal("eps", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradCheck.CheckSecondOrder(xs => xs[0].Sum(), [x], eps));
        Assert.Equal("atol", Assert.Throws<ArgumentOutOfRangeException>(() => GradCheck.Check(xs => xs[0].Sum(), [x], atol: -1)).ParamName);
        Assert.Equal("rtol", Assert.Throws<ArgumentOutOfRangeException>(() => GradCheck.Check(xs => xs[0].Sum(), [x], rtol: double.NaN)).ParamName);
    }

    [Fact]
    public void GradCheckRejectsFloat32Inputs()
    {
        var ex = Assert.Throws<ArgumentException>(() => GradCheck.Check(xs => xs[0].Sum(), [Tensor.Ones([2])]));
        Assert.Contains("Float64", ex.Message);
    }
}
