using McGrad.Autodiff;
using static McGrad.Tests.Tensors.ElementwiseTestData;

namespace McGrad.Tests.Tensors;

public class BinaryOpTests
{
    /// <summary>Operand shape pairs: equal, broadcast both ways, scalar operands, size-1 and size-0 dims.</summary>
    public static TheoryData<int[], int[]> ShapePairs() => new()
    {
        { [2, 3], [2, 3] },
        { [2, 3], [3] },
        { [2, 1], [1, 3] },
        { [4], [] },
        { [], [2, 2] },
        { [1, 1], [1] },
        { [0, 3], [3] },
        { [2, 0], [2, 1] },
    };

    [Theory]
    [MemberData(nameof(ShapePairs))]
    public void PowGradCheckForBaseAndExponent(int[] xs, int[] es)
    {
        // Catches a wrong formula for either side (e·xᵉ⁻¹, ln x·xᵉ) and a missing SumTo over broadcast dims.
        var x = TestUtil.Rand(1, xs, 0.3, 2);
        var e = TestUtil.Rand(2, es, -1.5, 2.5);
        TestUtil.AssertGrad(t => Tensor.Pow(t[0], t[1]), x, e);
        TestUtil.AssertGrad(t => t[0].Pow(t[1]), x, e);
    }

    [Fact]
    public void PowSecondOrder()
    {
        // The rule must be built from recorded ops (the saved output y is differentiated through again).
        TestUtil.AssertGradGrad(t => t[0].Pow(t[1]), TestUtil.Rand(3, [2, 3], 0.3, 2), TestUtil.Rand(4, [3], -1.5, 2.5));
        TestUtil.AssertGradGrad(t => t[0].Pow(t[1]).Sin(), TestUtil.Rand(5, [2, 1], 0.3, 2), TestUtil.Rand(6, [1, 2], -1.5, 2.5));
    }

    [Fact]
    public void PowForwardMatchesMathPow()
    {
        double[] b = [2, 0.5, 0, 0, -2, -2, 1e-8, 1e100, 3, 9];
        double[] e = [0.5, -3, 0, 2, 3, 0.5, 2.5, 2, -1, 0.5];
        var y = Tensor.FromArray(b).Pow(Tensor.FromArray(e)).ToDoubleArray();
        AssertRelative([.. b.Zip(e, Math.Pow)], y, 1e-15, "Pow");
        var f32 = Tensor.FromArray(b).To(DType.Float32).Pow(Tensor.FromArray(e).To(DType.Float32)).ToDoubleArray();
        AssertRelative([.. b.Zip(e, (p, q) => (double)(float)Math.Pow((float)p, (float)q))], f32, 1e-6, "Pow float32");
    }

    [Fact]
    public void PowGradientsAtZeroBaseAndZeroExponentAreFinite()
    {
        // d/dx x⁰ = 0 even at x = 0 (not 0·∞); d/de 0ᵉ = 0 for e > 0 (not ln 0 · 0 = NaN).
        var x = Tensor.FromArray([0.0, 0.0, 2.0, 0.0]).RequireGrad();
        var e = Tensor.FromArray([0.0, 2.0, 0.0, 0.5]).RequireGrad();
        var g = Autograd.Grad([x.Pow(e).Sum()], [x, e]);
        Assert.Equal([0.0, 0.0, 0.0, double.PositiveInfinity], g[0]!.ToDoubleArray());
        Assert.Equal([0.0, 0.0, Math.Log(2), 0.0], g[1]!.ToDoubleArray());
    }

    private static readonly Dictionary<string, Func<Tensor, Tensor, Tensor>> MinMax = new()
    {
        ["Maximum"] = Tensor.Maximum,
        ["Minimum"] = Tensor.Minimum,
        ["Maximum.instance"] = (a, b) => a.Maximum(b),
        ["Minimum.instance"] = (a, b) => a.Minimum(b),
    };

    public static TheoryData<string> MinMaxNames() => [.. MinMax.Keys];

    [Theory]
    [MemberData(nameof(MinMaxNames))]
    public void MinMaxGradCheckWithBroadcastingAwayFromTies(string name)
    {
        // Grid offsets 0 and 0.1 keep |a − b| ≥ 0.1; catches the gradient going to the losing side or not being summed.
        var f = MinMax[name];
        var pairs = ShapePairs();
        var k = 0;
        foreach (var row in pairs)
        {
            var a = Grid(10 + k, (int[])row[0], 0);
            var b = Grid(20 + k++, (int[])row[1], 0.1);
            TestUtil.AssertGrad(t => f(t[0], t[1]), a, b);
        }

        TestUtil.AssertGradGrad(t => f(t[0].Sin(), t[1]).Exp(), Grid(1, [2, 3], 0), Grid(2, [3], 0.1));
    }

    [Fact]
    public void MinMaxForwardMatchesMathAndPropagatesNaN()
    {
        double[] a = [1, -2, 3, double.NaN, 0, double.NegativeInfinity, 5];
        double[] b = [2, -3, 3, 1, double.NaN, 7, double.PositiveInfinity];
        var ta = Tensor.FromArray(a);
        var tb = Tensor.FromArray(b);
        AssertRelative([.. a.Zip(b, Math.Max)], Tensor.Maximum(ta, tb).ToDoubleArray(), 0, "Maximum");
        AssertRelative([.. a.Zip(b, Math.Min)], Tensor.Minimum(ta, tb).ToDoubleArray(), 0, "Minimum");
        AssertRelative([1, 0, 3, double.NaN, 0, 0, 5], ta.Maximum(0.0).ToDoubleArray(), 0, "Maximum(double)");
        AssertRelative([0, -2, 0, double.NaN, 0, double.NegativeInfinity, 0], ta.Minimum(0.0).ToDoubleArray(), 0, "Minimum(double)");
    }

    [Fact]
    public void MinMaxTiesSplitTheGradientInHalf()
    {
        // Documented tie rule: ½/½. With broadcasting, b's share is summed over the broadcast dim.
        var a = Tensor.FromArray([1.0, 2.0, 3.0, 4.0], 2, 2).RequireGrad();
        var b = Tensor.FromArray([1.0, 3.0]).RequireGrad();
        var gmax = Autograd.Grad([Tensor.Maximum(a, b).Sum()], [a, b]);
        TestUtil.AssertClose([0.5, 0, 1, 1], gmax[0]!, 0);
        TestUtil.AssertClose([0.5, 1], gmax[1]!, 0);
        var gmin = Autograd.Grad([Tensor.Minimum(a, b).Sum()], [a, b]);
        TestUtil.AssertClose([0.5, 1, 0, 0], gmin[0]!, 0);
        TestUtil.AssertClose([1.5, 1], gmin[1]!, 0);
    }

    [Fact]
    public void Float32AgreesWithFloat64()
    {
        var a = Float32Exact(1, [3, 5], 0.2, 3);
        var b = Float32Exact(2, [5], -2, 2);
        foreach (var (name, f) in new (string, Func<Tensor, Tensor, Tensor>)[] { ("Pow", Tensor.Pow), ("Maximum", Tensor.Maximum), ("Minimum", Tensor.Minimum) })
        {
            var r64 = f(a, b).ToDoubleArray();
            var r32 = f(a.To(DType.Float32), b.To(DType.Float32));
            Assert.Equal(DType.Float32, r32.DType);
            AssertRelative(r64, r32.ToDoubleArray(), 1e-6, name);
        }
    }

    public static TheoryData<string> BinaryNames() => ["Pow", "Maximum", "Minimum"];

    private static Tensor Binary(string name, Tensor a, Tensor b) => name switch
    {
        "Pow" => Tensor.Pow(a, b),
        "Maximum" => Tensor.Maximum(a, b),
        _ => Tensor.Minimum(a, b),
    };

    [Theory]
    [MemberData(nameof(BinaryNames))]
    public void BadOperandsThrowNamingTheOp(string name)
    {
        var f64 = Tensor.FromArray([1.0, 2.0]);
        var f32 = Tensor.FromArray([1f, 2f]);
        var mismatch = Assert.Throws<ArgumentException>(() => Binary(name, f64, f32));
        Assert.Contains(name, mismatch.Message);
        Assert.Contains("dtype mismatch", mismatch.Message);
        var int64 = Assert.Throws<ArgumentException>(() => Binary(name, Tensor.FromArray([1L, 2L]), Tensor.FromArray([1L, 2L])));
        Assert.Contains("Int64", int64.Message);
        var shapes = Assert.Throws<ArgumentException>(() => Binary(name, f64, Tensor.FromArray([1.0, 2.0, 3.0])));
        Assert.Contains("[2]", shapes.Message);
        Assert.Contains("[3]", shapes.Message);
    }
}
