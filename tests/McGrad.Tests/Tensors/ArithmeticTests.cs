using McGrad.Kernels;

namespace McGrad.Tests.Tensors;

[Collection(ThreadCountCollection.Name)]
public class ArithmeticTests
{
    private static readonly int[][][] BroadcastPairs =
    [
        [[3], [3]],
        [[2, 3], [3]],
        [[2, 1], [1, 3]],
        [[4, 1, 3], [2, 1]],
        [[1], [2, 2]],
        [[], [2, 3]],
        [[2, 0], [1, 0]],
    ];

    [Fact]
    public void ForwardValuesBroadcastLikeNumpy()
    {
        var a = Tensor.FromArray([1.0, 2.0], 2, 1);
        var b = Tensor.FromArray([10.0, 20.0, 30.0], 1, 3);
        var s = a + b;
        Assert.Equal(new Shape(2, 3), s.Shape);
        Assert.Equal([11.0, 21, 31, 12, 22, 32], s.ToDoubleArray());
        Assert.Equal([-9.0, -19, -29, -8, -18, -28], (a - b).ToDoubleArray());
        Assert.Equal([10.0, 20, 30, 20, 40, 60], (a * b).ToDoubleArray());
        Assert.Equal([0.1, 0.05, 1.0 / 30, 0.2, 0.1, 2.0 / 30], (a / b).ToDoubleArray());
        Assert.Equal([3.0, 4.0], (a + 2.0).ToDoubleArray());
        Assert.Equal([1.0, 0.0], (2.0 - a).ToDoubleArray());
        Assert.Equal([2.0, 1.0], (2.0 / a).ToDoubleArray());
        Assert.Equal([-1.0, -2.0], (-a).ToDoubleArray());
    }

    [Fact]
    public void BroadcastAcrossMiddleDimensionUsesTheRightOffsets()
    {
        // [2,3,2] + [3,1]: b broadcasts over the first and last dims. Expected computed element by element.
        var a = TestUtil.Rand(3, [2, 3, 2]);
        var b = TestUtil.Rand(4, [3, 1]);
        var s = (a + b).ToDoubleArray();
        var av = a.ToDoubleArray();
        var bv = b.ToDoubleArray();
        for (var i = 0; i < 2; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                for (var k = 0; k < 2; k++)
                {
                    Assert.Equal(av[(i * 6) + (j * 2) + k] + bv[j], s[(i * 6) + (j * 2) + k]);
                }
            }
        }
    }

    [Fact]
    public void IncompatibleShapesNameTheOpAndBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Ones([2, 3]) * Tensor.Ones([4]));
        Assert.Contains("Mul", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[4]", ex.Message);
    }

    [Fact]
    public void MixingDtypesIsAnErrorNotAPromotion()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Ones([2], DType.Float32) + Tensor.Ones([2], DType.Float64));
        Assert.Contains("Float32", ex.Message);
        Assert.Contains("Float64", ex.Message);
        Assert.Contains(".To(", ex.Message);
        Assert.Equal(DType.Float32, (Tensor.Ones([2]) * 2.0).DType);
    }

    [Fact]
    public void Int64ArithmeticIsRejected()
    {
        var i = Tensor.FromArray(new long[] { 1, 2 });
        var ex = Assert.Throws<ArgumentException>(() => i.Exp());
        Assert.Contains("Int64", ex.Message);
    }

    [Fact]
    public void ArithmeticGradientsFirstAndSecondOrderWithBroadcasting()
    {
        var seed = 10;
        foreach (var pair in BroadcastPairs)
        {
            var a = TestUtil.Rand(seed++, pair[0]);
            var b = TestUtil.Rand(seed++, pair[1], 0.5, 2.0);
            TestUtil.AssertGrad(x => (x[0] + x[1]) * (x[0] - x[1]), a, b);
            TestUtil.AssertGrad(x => x[0] / x[1], a, b);
            TestUtil.AssertGradGrad(x => x[0] * x[1] * x[0], a, b);
            TestUtil.AssertGradGrad(x => x[0] / x[1], a, b);
            TestUtil.AssertGradGrad(x => (x[0] - x[1]) * (x[1] + 1.0), a, b);
        }
    }

    [Fact]
    public void UnaryCoreOpsAgainstClosedFormsAndGradients()
    {
        var x = TestUtil.Rand(20, [2, 3], -2, 2);
        var v = x.ToDoubleArray();
        TestUtil.AssertClose(v.Select(Math.Exp).ToArray(), x.Exp(), 1e-14);
        TestUtil.AssertClose(v.Select(Math.Tanh).ToArray(), x.Tanh(), 1e-14);
        TestUtil.AssertGrad(t => t[0].Exp().Tanh().Neg(), x);
        TestUtil.AssertGradGrad(t => t[0].Exp().Tanh().Neg(), x);
    }

    [Fact]
    public void Float32AgreesWithFloat64()
    {
        var x = TestUtil.Rand(30, [5, 7], -3, 3);
        var y = TestUtil.Rand(31, [7], 0.5, 2);
        var expected = ((x.Exp() * y) + x).Tanh() / y;
        var actual = ((x.To(DType.Float32).Exp() * y.To(DType.Float32)) + x.To(DType.Float32)).Tanh() / y.To(DType.Float32);
        TestUtil.AssertClose(expected.ToDoubleArray(), actual, 1e-6);
    }

    [Fact]
    public void LargeOpsGiveIdenticalResultsForOneAndTwoThreads()
    {
        var x = TestUtil.Rand(40, [300, 700]).To(DType.Float32);
        var y = TestUtil.Rand(41, [700]).To(DType.Float32);
        var (one, two) = ThreadCount.OneAndTwo(() => ((x * y).Exp() + x).Sum(0).ToFloatArray());
        Assert.Equal(one, two);
    }

    [Fact]
    public void SumOverAxesKeepDimAndGradients()
    {
        var x = TestUtil.Rand(50, [2, 3, 4]);
        var v = x.ToDoubleArray();
        var s1 = x.Sum(1);
        Assert.Equal(new Shape(2, 4), s1.Shape);
        for (var i = 0; i < 2; i++)
        {
            for (var k = 0; k < 4; k++)
            {
                var e = 0.0;
                for (var j = 0; j < 3; j++)
                {
                    e += v[(i * 12) + (j * 4) + k];
                }

                Assert.Equal(e, s1[i, k], 12);
            }
        }

        Assert.Equal(new Shape(1, 3, 1), x.Sum([0, -1], keepDim: true).Shape);
        Assert.Equal(v.Sum(), x.Sum().Item(), 12);
        Assert.Equal(0.0, Tensor.Zeros([0, 3], DType.Float64).Sum().Item());
        Assert.Equal([0.0, 0, 0], Tensor.Zeros([0, 3], DType.Float64).Sum(0).ToDoubleArray());
        TestUtil.AssertGrad(t => t[0].Sum([0, 2], keepDim: true) * t[0], x);
        TestUtil.AssertGradGrad(t => t[0].Sum(1) * t[0].Sum(1), x);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Sum(3));
        Assert.Throws<ArgumentException>(() => x.Sum([1, -2]));
    }

    [Fact]
    public void ReshapeSharesStorageInfersAndValidates()
    {
        var x = TestUtil.Rand(60, [2, 6]);
        var r = x.Reshape(3, -1);
        Assert.Equal(new Shape(3, 4), r.Shape);
        Assert.Equal(x.ToDoubleArray(), r.ToDoubleArray());
        var ex = Assert.Throws<ArgumentException>(() => x.Reshape(5, 2));
        Assert.Contains("[5, 2]", ex.Message);
        Assert.Contains("[2, 6]", ex.Message);
        Assert.Throws<ArgumentException>(() => x.Reshape(-1, -1));
        TestUtil.AssertGradGrad(t => t[0].Reshape(4, 3) * t[0].Reshape(4, 3), x);
    }

    [Fact]
    public void BroadcastToRepeatsAndItsGradientSumsBack()
    {
        var x = Tensor.FromArray([1.0, 2.0], 2, 1);
        Assert.Equal([1.0, 1, 1, 2, 2, 2], x.BroadcastTo([2, 3]).ToDoubleArray());
        Assert.Equal(new Shape(4, 2, 3), x.Expand(4, 2, 3).Shape);
        var ex = Assert.Throws<ArgumentException>(() => x.BroadcastTo([3, 3]));
        Assert.Contains("[2, 1]", ex.Message);
        TestUtil.AssertGrad(t => t[0].BroadcastTo([3, 2, 4]) * t[0].BroadcastTo([3, 2, 4]), TestUtil.Rand(61, [2, 1]));
        TestUtil.AssertGradGrad(t => t[0].BroadcastTo([3, 2, 4]) * t[0].BroadcastTo([3, 2, 4]), TestUtil.Rand(62, [2, 1]));
    }
}
