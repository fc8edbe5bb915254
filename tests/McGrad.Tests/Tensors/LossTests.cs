using McGrad.Autodiff;
using static McGrad.Tests.Tensors.ElementwiseTestData;

namespace McGrad.Tests.Tensors;

public class LossTests
{
    /// <summary>−t·ln σ(x) − (1 − t)·ln(1 − σ(x)) from the definition, with ln σ(x) = −softplus(−x) and ln(1 − σ(x)) = −softplus(x).</summary>
    private static double RefBce(double x, double t) => (t * RefSoftplus(-x)) + ((1 - t) * RefSoftplus(x));

    [Fact]
    public void ForwardMatchesDefinition()
    {
        // Moderate logits and soft targets: checks the formula itself (sign of x·t, which side gets max(x, 0)).
        var x = TestUtil.Rand(1, [37], -8, 8);
        var t = TestUtil.Rand(2, [37], 0, 1);
        var expected = x.ToDoubleArray().Zip(t.ToDoubleArray(), RefBce).ToArray();
        AssertRelative(expected, Tensor.BinaryCrossEntropyWithLogits(x, t).ToDoubleArray(), 1e-13, "BCE");
    }

    [Fact]
    public void ExtremeLogitsAreFiniteAndExactInBothDtypes()
    {
        // |x| up to 1e4: a naive log(σ(x)) gives −∞ or NaN; max(x,0) − x·t + log1p(e^{−|x|}) is exact.
        double[] x = [1e4, 1e4, 1e4, -1e4, -1e4, -1e4, 1000, -1000, 20, -20, 0];
        double[] t = [1, 0, 0.25, 1, 0, 0.25, 1, 0, 1, 0, 1];
        double[] expected = [0, 1e4, 7500, 1e4, 0, 2500, 0, 0, RefLog1p(Math.Exp(-20)), RefLog1p(Math.Exp(-20)), Math.Log(2)];
        var y64 = Tensor.BinaryCrossEntropyWithLogits(Tensor.FromArray(x), Tensor.FromArray(t)).ToDoubleArray();
        AssertRelative(expected, y64, 1e-15, "BCE float64");
        var y32 = Tensor.BinaryCrossEntropyWithLogits(Tensor.FromArray(x).To(DType.Float32), Tensor.FromArray(t).To(DType.Float32));
        Assert.Equal(DType.Float32, y32.DType);
        AssertRelative([.. expected.Select(v => (double)(float)v)], y32.ToDoubleArray(), 3e-7, "BCE float32");

        // And the gradient σ(x) − t is exact there too.
        foreach (var dtype in (DType[])[DType.Float64, DType.Float32])
        {
            var xl = Tensor.FromArray([1e4, -1e4, 1e4, -1000.0]).To(dtype).RequireGrad();
            var tl = Tensor.FromArray([1.0, 0.0, 0.0, 1.0]).To(dtype);
            Assert.Equal([0.0, 0.0, 1.0, -1.0], Autograd.Grad(Tensor.BinaryCrossEntropyWithLogits(xl, tl).Sum(), xl).ToDoubleArray());
        }
    }

    public static TheoryData<int[]> Shapes() => [[2, 3], [1, 5, 1], [0, 2], [1], []];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void GradCheckLogitsAndTargets(int[] shape)
    {
        // Catches a wrong sign (t − σ), a missing target gradient (−x) or σ(−x) in place of σ(x).
        TestUtil.AssertGrad(z => Tensor.BinaryCrossEntropyWithLogits(z[0], z[1]), TestUtil.Rand(1, shape, -4, 4), TestUtil.Rand(2, shape, 0, 1));
    }

    [Fact]
    public void SecondOrderGradCheck()
    {
        TestUtil.AssertGradGrad(z => Tensor.BinaryCrossEntropyWithLogits(z[0], z[1]), TestUtil.Rand(3, [2, 3], -4, 4), TestUtil.Rand(4, [2, 3], 0, 1));
        TestUtil.AssertGradGrad(z => Tensor.BinaryCrossEntropyWithLogits(z[0] * z[1], z[1]).Exp(), TestUtil.Rand(5, [4], -2, 2), TestUtil.Rand(6, [4], 0, 1));
    }

    [Fact]
    public void Float32AgreesWithFloat64()
    {
        var x = Float32Exact(7, [100], -30, 30);
        var t = Float32Exact(8, [100], 0, 1);
        var r64 = Tensor.BinaryCrossEntropyWithLogits(x, t).ToDoubleArray();
        var r32 = Tensor.BinaryCrossEntropyWithLogits(x.To(DType.Float32), t.To(DType.Float32)).ToDoubleArray();

        // max(x, 0) − x·t cancels for soft targets (x = 25, t = 0.97 gives 0.75 from terms of size 25), so float32
        // is held to 1e−6 of the size of the terms summed, |ℓ| + |x|, not of ℓ alone.
        var xd = x.ToDoubleArray();
        for (var i = 0; i < r64.Length; i++)
        {
            Assert.True(Math.Abs(r32[i] - r64[i]) <= 1e-6 * (Math.Abs(r64[i]) + Math.Abs(xd[i])), $"element {i}: float32 {r32[i]:R} vs float64 {r64[i]:R} (x = {xd[i]})");
        }
    }

    [Fact]
    public void LargeInputTakesParallelPath()
    {
        var x = TestUtil.Rand(9, [70_003], -50, 50);
        var t = TestUtil.Rand(10, [70_003], 0, 1);
        var expected = x.ToDoubleArray().Zip(t.ToDoubleArray(), RefBce).ToArray();
        AssertRelative(expected, Tensor.BinaryCrossEntropyWithLogits(x, t).ToDoubleArray(), 1e-12, "BCE");
    }

    [Fact]
    public void BadInputsThrow()
    {
        var x = Tensor.Zeros([2, 3], DType.Float64);
        var shape = Assert.Throws<ArgumentException>(() => Tensor.BinaryCrossEntropyWithLogits(x, Tensor.Zeros([3], DType.Float64)));
        Assert.Contains("[2, 3]", shape.Message.Replace("[2,3]", "[2, 3]"));
        Assert.Contains("BinaryCrossEntropyWithLogits", shape.Message);
        var dtype = Assert.Throws<ArgumentException>(() => Tensor.BinaryCrossEntropyWithLogits(x, x.To(DType.Float32)));
        Assert.Contains("dtype mismatch", dtype.Message);
        Assert.Throws<ArgumentException>(() => Tensor.BinaryCrossEntropyWithLogits(Tensor.FromArray([1L]), Tensor.FromArray([1L])));
    }
}
