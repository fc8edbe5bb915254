using McGrad.Autodiff;
using static McGrad.Tests.Tensors.ElementwiseTestData;

namespace McGrad.Tests.Tensors;

public class UnaryOpTests
{
    /// <summary>A differentiable unary op, an input generator on its smooth domain, and its closed form.</summary>
    private sealed record Op(Func<Tensor, Tensor> F, Func<int, int[], Tensor> Input, Func<double, double> Reference);

    private static readonly Dictionary<string, Op> Differentiable = new()
    {
        ["Neg"] = new(x => x.Neg(), (s, sh) => TestUtil.Rand(s, sh, -2, 2), x => -x),
        ["Exp"] = new(x => x.Exp(), (s, sh) => TestUtil.Rand(s, sh, -2, 2), Math.Exp),
        ["Tanh"] = new(x => x.Tanh(), (s, sh) => TestUtil.Rand(s, sh, -2, 2), Math.Tanh),
        ["Log"] = new(x => x.Log(), (s, sh) => TestUtil.Rand(s, sh, 0.2, 3), Math.Log),
        ["Log1p"] = new(x => x.Log1p(), (s, sh) => TestUtil.Rand(s, sh, -0.7, 3), RefLog1p),
        ["Expm1"] = new(x => x.Expm1(), (s, sh) => TestUtil.Rand(s, sh, -2, 2), RefExpm1),
        ["Sqrt"] = new(x => x.Sqrt(), (s, sh) => TestUtil.Rand(s, sh, 0.2, 3), Math.Sqrt),
        ["Abs"] = new(x => x.Abs(), (s, sh) => AwayFrom(s, sh, 0), Math.Abs),
        ["Sin"] = new(x => x.Sin(), (s, sh) => TestUtil.Rand(s, sh, -3, 3), Math.Sin),
        ["Cos"] = new(x => x.Cos(), (s, sh) => TestUtil.Rand(s, sh, -3, 3), Math.Cos),
        ["Sigmoid"] = new(x => x.Sigmoid(), (s, sh) => TestUtil.Rand(s, sh, -5, 5), RefSigmoid),
        ["LogSigmoid"] = new(x => x.LogSigmoid(), (s, sh) => TestUtil.Rand(s, sh, -5, 5), x => -RefSoftplus(-x)),
        ["Softplus"] = new(x => x.Softplus(), (s, sh) => TestUtil.Rand(s, sh, -5, 5), RefSoftplus),
        ["Relu"] = new(x => x.Relu(), (s, sh) => AwayFrom(s, sh, 0), x => x > 0 ? x : 0),
        ["LeakyRelu"] = new(x => x.LeakyRelu(0.1), (s, sh) => AwayFrom(s, sh, 0), x => x > 0 ? x : 0.1 * x),
        ["LeakyReluDefault"] = new(x => x.LeakyRelu(), (s, sh) => AwayFrom(s, sh, 0), x => x > 0 ? x : 0.01 * x),
        ["Elu"] = new(x => x.Elu(1.3), (s, sh) => AwayFrom(s, sh, 0), x => x > 0 ? x : 1.3 * RefExpm1(x)),
        ["Square"] = new(x => x.Square(), (s, sh) => TestUtil.Rand(s, sh, -2, 2), x => x * x),
        ["Pow2.5"] = new(x => x.Pow(2.5), (s, sh) => TestUtil.Rand(s, sh, 0.2, 2), x => Math.Pow(x, 2.5)),
        ["Pow-1.5"] = new(x => x.Pow(-1.5), (s, sh) => TestUtil.Rand(s, sh, 0.3, 2), x => Math.Pow(x, -1.5)),
        ["Pow3"] = new(x => x.Pow(3), (s, sh) => TestUtil.Rand(s, sh, -2, 2), x => x * x * x),
        ["Pow2"] = new(x => x.Pow(2), (s, sh) => TestUtil.Rand(s, sh, -2, 2), x => x * x),
        ["Pow1"] = new(x => x.Pow(1), (s, sh) => TestUtil.Rand(s, sh, -2, 2), x => x),
        ["Pow0"] = new(x => x.Pow(0), (s, sh) => TestUtil.Rand(s, sh, -2, 2), _ => 1),
        ["Pow-1"] = new(x => x.Pow(-1), (s, sh) => AwayFrom(s, sh, 0, 0.3), x => 1 / x),
        ["Reciprocal"] = new(x => x.Reciprocal(), (s, sh) => AwayFrom(s, sh, 0, 0.3), x => 1 / x),
        ["Clamp"] = new(x => x.Clamp(-0.5, 0.7), (s, sh) => ClampInput(s, sh), x => Math.Min(Math.Max(x, -0.5), 0.7)),
        ["ClampMin"] = new(x => x.Clamp(min: -0.5), (s, sh) => ClampInput(s, sh), x => Math.Max(x, -0.5)),
        ["ClampMax"] = new(x => x.Clamp(max: 0.7), (s, sh) => ClampInput(s, sh), x => Math.Min(x, 0.7)),
    };

    public static TheoryData<string> DifferentiableNames() => [.. Differentiable.Keys];

    /// <summary>Values in (−1.5, 1.5) at least 0.05 from both clamp bounds (−0.5 and 0.7), so no difference crosses one.</summary>
    private static Tensor ClampInput(int seed, int[] shape)
    {
        var x = TestUtil.Rand(seed, shape, -1.5, 1.5).ToDoubleArray();
        for (var i = 0; i < x.Length; i++)
        {
            foreach (var b in (double[])[-0.5, 0.7])
            {
                if (Math.Abs(x[i] - b) < 0.05)
                {
                    x[i] = b + (x[i] < b ? -0.05 : 0.05);
                }
            }
        }

        return Tensor.FromArray(x).Reshape(shape);
    }

    [Theory]
    [MemberData(nameof(DifferentiableNames))]
    public void FirstOrderGradCheckOnAllShapes(string name)
    {
        // Catches a wrong derivative formula, a missing factor (½ in Sqrt, α in Elu, slope in LeakyRelu) or a sign error.
        var op = Differentiable[name];
        for (var k = 0; k < Shapes.Length; k++)
        {
            TestUtil.AssertGrad(xs => op.F(xs[0]), op.Input(100 + k, Shapes[k]));
        }
    }

    [Theory]
    [MemberData(nameof(DifferentiableNames))]
    public void SecondOrderGradCheck(string name)
    {
        // Catches a rule that is not itself differentiable (an untracked fused kernel, or a saved output used where
        // the graph needs the recorded one); the extra Exp makes the incoming gradient depend on x as well.
        var op = Differentiable[name];
        TestUtil.AssertGradGrad(xs => op.F(xs[0]), op.Input(7, [2, 3]));
        TestUtil.AssertGradGrad(xs => (op.F(xs[0]) * 0.5).Exp(), op.Input(8, [3]));
    }

    [Theory]
    [MemberData(nameof(DifferentiableNames))]
    public void ForwardMatchesClosedFormInBothDtypes(string name)
    {
        // 13 elements: exercises the vector body and the scalar tail. Float32 runs on float32-exact inputs, so it
        // must agree with float64 to ~1e−6 relative (a float32 kernel computing in the wrong order or dtype fails).
        var op = Differentiable[name];
        var x = op.Input(3, [13]);
        var expected = x.ToDoubleArray().Select(op.Reference).ToArray();
        AssertRelative(expected, op.F(x).ToDoubleArray(), 1e-13, $"{name} float64");

        var x32 = Tensor.FromArray(x.ToDoubleArray().Select(v => (double)(float)v).ToArray());
        var f64 = op.F(x32).ToDoubleArray();
        var f32 = op.F(x32.To(DType.Float32));
        Assert.Equal(DType.Float32, f32.DType);
        var got = f32.ToDoubleArray();
        for (var i = 0; i < got.Length; i++)
        {
            Assert.True(Math.Abs(got[i] - f64[i]) <= (1e-6 * Math.Abs(f64[i])) + 1e-7, $"{name}: float32 {got[i]:R} vs float64 {f64[i]:R} at element {i}");
        }
    }

    [Fact]
    public void LargeTensorTakesTheParallelPathAndMatchesTheReference()
    {
        // 70 001 elements > the parallel grain: chunking must not change any element.
        var x = TestUtil.Rand(11, [70_001], -30, 30);
        var xs = x.ToDoubleArray();
        AssertRelative([.. xs.Select(RefSoftplus)], x.Softplus().ToDoubleArray(), 1e-13, "Softplus");
        AssertRelative([.. xs.Select(RefSigmoid)], x.Sigmoid().ToDoubleArray(), 1e-13, "Sigmoid");
        AssertRelative([.. xs.Select(v => v > 0 ? v : RefExpm1(v))], x.Elu().ToDoubleArray(), 1e-13, "Elu");
    }

    [Fact]
    public void EdgeValuesMatchClosedFormsInFloat64()
    {
        double[] x = [-1000, -700, -30, -1e-8, 0, 1e-8, 30, 700, 1000];
        AssertEdge(x, t => t.Sigmoid(), RefSigmoid, "Sigmoid");
        AssertEdge(x, t => t.Softplus(), RefSoftplus, "Softplus");
        AssertEdge(x, t => t.LogSigmoid(), v => -RefSoftplus(-v), "LogSigmoid");
        AssertEdge(x, t => t.Tanh(), Math.Tanh, "Tanh");
        AssertEdge(x, t => t.Elu(), v => v > 0 ? v : RefExpm1(v), "Elu");
        AssertEdge(x, t => t.LeakyRelu(), v => v > 0 ? v : 0.01 * v, "LeakyRelu");
        AssertEdge(x, t => t.Relu(), v => Math.Max(v, 0), "Relu");
        AssertEdge(x, t => t.Abs(), Math.Abs, "Abs");
        AssertEdge(x, t => t.Square(), v => v * v, "Square");
        AssertEdge(x, t => t.Sin(), Math.Sin, "Sin");
        AssertEdge(x, t => t.Cos(), Math.Cos, "Cos");
        AssertEdge([-1e-8, -1e-300, 1e-300, 1e-8, 5e-324, 1e300, 1.7e308], t => t.Log1p(), RefLog1p, "Log1p");
        AssertEdge([-1000, -40, -1e-8, -1e-300, 1e-300, 1e-8, 1e-3, 700, 709.7], t => t.Expm1(), RefExpm1, "Expm1");
        AssertEdge([1e-300, 1e-8, 1, 1e300, 5e-324], t => t.Log(), Math.Log, "Log");
        AssertEdge([1e-300, 1e-8, 0, 1e300], t => t.Sqrt(), Math.Sqrt, "Sqrt");
        AssertEdge([1e-8, -1e-8, 1e300, -1000], t => t.Reciprocal(), v => 1 / v, "Reciprocal");
        AssertEdge([1e-8, 2, 1e100, 0], t => t.Pow(2.5), v => Math.Pow(v, 2.5), "Pow");
        AssertEdge([-1000, 1000, 0.25], t => t.Clamp(-1, 1), v => Math.Clamp(v, -1, 1), "Clamp");

        // Past the point where e⁻ˣ overflows, σ(x) ≈ eˣ is a subnormal: still nonzero, to subnormal precision.
        AssertRelative([Math.Exp(-720), Math.Exp(-740)], Tensor.FromArray([-720.0, -740.0]).Sigmoid().ToDoubleArray(), 1e-9, "Sigmoid subnormal");
        AssertRelative([Math.Exp(-90)], Tensor.FromArray([-90f]).Sigmoid().ToDoubleArray(), 1e-5, "Sigmoid float32 subnormal");
    }

    private static void AssertEdge(double[] x, Func<Tensor, Tensor> f, Func<double, double> reference, string name)
        => AssertRelative([.. x.Select(reference)], f(Tensor.FromArray(x)).ToDoubleArray(), 1e-14, name);

    [Fact]
    public void SpecialValuesFollowIeee()
    {
        // ±∞, −1 and NaN are where rearranged formulas break (∞/∞, 0·∞): each must give the IEEE limit.
        double[] x = [double.NegativeInfinity, -1, 0, double.PositiveInfinity, double.NaN];
        var t = Tensor.FromArray(x);
        AssertRelative([double.NaN, double.NegativeInfinity, 0, double.PositiveInfinity, double.NaN], t.Log1p().ToDoubleArray(), 0, "Log1p");
        AssertRelative([-1, RefExpm1(-1), 0, double.PositiveInfinity, double.NaN], t.Expm1().ToDoubleArray(), 1e-15, "Expm1");
        AssertRelative([0, RefSigmoid(-1), 0.5, 1, double.NaN], t.Sigmoid().ToDoubleArray(), 1e-15, "Sigmoid");
        AssertRelative([0, RefSoftplus(-1), Math.Log(2), double.PositiveInfinity, double.NaN], t.Softplus().ToDoubleArray(), 1e-15, "Softplus");
        AssertRelative([double.NegativeInfinity, -RefSoftplus(1), -Math.Log(2), 0, double.NaN], t.LogSigmoid().ToDoubleArray(), 1e-15, "LogSigmoid");
        AssertRelative([-1, Math.Tanh(-1), 0, 1, double.NaN], t.Tanh().ToDoubleArray(), 1e-15, "Tanh");
        AssertRelative([-1, -1, 0, 1, double.NaN], t.Sign().ToDoubleArray(), 0, "Sign");
        AssertRelative([0, 0, 0, double.PositiveInfinity, double.NaN], t.Relu().ToDoubleArray(), 0, "Relu");
        AssertRelative([-2, -1, 0, 2, double.NaN], t.Clamp(-2, 2).ToDoubleArray(), 0, "Clamp");
        AssertRelative([-1, RefExpm1(-1), 0, double.PositiveInfinity, double.NaN], t.Elu().ToDoubleArray(), 1e-15, "Elu");
        Assert.True(double.IsNegative(Tensor.FromArray([-0.0]).Sign().Item()), "Sign(−0) keeps the sign bit");
        Assert.Equal(1.0, Tensor.FromArray([double.NaN]).Pow(0).Item());
        Assert.Equal(double.PositiveInfinity, Tensor.FromArray([0.0]).Reciprocal().Item());
    }

    [Fact]
    public void RoundIsHalfToEvenAndFloorRoundsDown()
    {
        double[] x = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 2.4999, -2.6, 1e15 + 0.5];
        foreach (var dtype in (DType[])[DType.Float64, DType.Float32])
        {
            var t = Tensor.FromArray(x).To(dtype);
            var xd = t.ToDoubleArray();
            Assert.Equal(xd.Select(v => Math.Round(v, MidpointRounding.ToEven)).ToArray(), t.Round().ToDoubleArray());
            Assert.Equal(xd.Select(Math.Floor).ToArray(), t.Floor().ToDoubleArray());
        }

        Assert.Equal([-2.0, -2, -0.0, 0, 2, 2, 4], Tensor.FromArray([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5]).Round().ToDoubleArray());
    }

    [Fact]
    public void NonDifferentiableOpsAreUntracked()
    {
        // Sign, Floor, Round have zero gradient almost everywhere: their results must not join the graph.
        var x = TestUtil.Rand(1, [4], -3, 3).RequireGrad();
        Assert.False(x.Sign().RequiresGrad);
        Assert.False(x.Floor().RequiresGrad);
        Assert.False(x.Round().RequiresGrad);
        Assert.True(x.Abs().RequiresGrad);
    }

    [Fact]
    public void GradientsAtKinksUseDocumentedSubgradients()
    {
        // Relu'(0) = 0, Abs'(0) = 0, LeakyRelu'(0) = slope, Clamp passes the gradient on its (inclusive) bounds,
        // Elu'(0) = α (the left branch, α·e⁰).
        var x = Tensor.FromArray([0.0, -0.5, 0.7]).RequireGrad();
        TestUtil.AssertClose([0, 0, 1], Autograd.Grad(x.Relu().Sum(), x), 0);
        TestUtil.AssertClose([0, -1, 1], Autograd.Grad(x.Abs().Sum(), x), 0);
        TestUtil.AssertClose([0.2, 0.2, 1], Autograd.Grad(x.LeakyRelu(0.2).Sum(), x), 1e-15);
        TestUtil.AssertClose([1, 1, 1], Autograd.Grad(x.Clamp(-0.5, 0.7).Sum(), x), 0);
        TestUtil.AssertClose([1, 0, 1], Autograd.Grad(x.Clamp(0.0, 1.0).Sum(), x), 0);
        TestUtil.AssertClose([1.5, 1.5 * Math.Exp(-0.5), 1], Autograd.Grad(x.Elu(1.5).Sum(), x), 1e-15);
        TestUtil.AssertClose([0, 0, 0], Autograd.Grad(x.Pow(0).Sum(), x), 0);
    }

    [Fact]
    public void StableOpsStayFiniteAndExactAtPlusMinus1000()
    {
        foreach (var dtype in (DType[])[DType.Float64, DType.Float32])
        {
            var x = Tensor.FromArray([-1000.0, 1000.0]).To(dtype).RequireGrad();
            Assert.Equal([0.0, 1.0], x.Sigmoid().ToDoubleArray());
            Assert.Equal([0.0, 1000.0], x.Softplus().ToDoubleArray());
            Assert.Equal([-1000.0, 0.0], x.LogSigmoid().ToDoubleArray());

            // Gradients too: σ(x) and σ(−x) without 0·∞ or ∞/∞.
            Assert.Equal([0.0, 1.0], Autograd.Grad(x.Softplus().Sum(), x).ToDoubleArray());
            Assert.Equal([1.0, 0.0], Autograd.Grad(x.LogSigmoid().Sum(), x).ToDoubleArray());
            Assert.Equal([0.0, 0.0], Autograd.Grad(x.Sigmoid().Sum(), x).ToDoubleArray());
        }
    }

    [Fact]
    public void SmallArgumentsKeepFullRelativePrecision()
    {
        // Naive log(1 + x), eˣ − 1 and ln(1 + e⁻ˣ) lose all digits here; the stable kernels must not.
        var tiny = Tensor.FromArray([1e-12, -1e-12, 3e-17]);
        AssertRelative([.. tiny.ToDoubleArray().Select(RefLog1p)], tiny.Log1p().ToDoubleArray(), 1e-15, "Log1p");
        AssertRelative([.. tiny.ToDoubleArray().Select(RefExpm1)], tiny.Expm1().ToDoubleArray(), 1e-15, "Expm1");
        var big = Tensor.FromArray([37.0, 40.0, 700.0]);
        AssertRelative([.. big.ToDoubleArray().Select(v => -RefLog1p(Math.Exp(-v)))], big.LogSigmoid().ToDoubleArray(), 1e-14, "LogSigmoid");
        AssertRelative([.. big.ToDoubleArray().Select(v => RefLog1p(Math.Exp(-v)))], big.Neg().Softplus().ToDoubleArray(), 1e-14, "Softplus");
        var f32 = Tensor.FromArray([1e-7f, -3e-8f, 20f]);
        var g = f32.ToDoubleArray();
        AssertRelative([.. g.Take(2).Select(RefLog1p)], f32.Log1p().ToDoubleArray()[..2], 3e-7, "Log1p float32");
        AssertRelative([.. g.Take(2).Select(RefExpm1)], f32.Expm1().ToDoubleArray()[..2], 3e-7, "Expm1 float32");
        AssertRelative([-RefLog1p(Math.Exp(-20))], f32.LogSigmoid().ToDoubleArray()[2..], 3e-7, "LogSigmoid float32");
    }

    public static TheoryData<string> AllNames() => [.. Differentiable.Keys, "Sign", "Floor", "Round"];

    private static Tensor Apply(string name, Tensor x) => name switch
    {
        "Sign" => x.Sign(),
        "Floor" => x.Floor(),
        "Round" => x.Round(),
        _ => Differentiable[name].F(x),
    };

    [Theory]
    [MemberData(nameof(AllNames))]
    public void Int64InputThrowsNamingTheOp(string name)
    {
        var x = Tensor.FromArray([1L, 2L]);
        var ex = Assert.Throws<ArgumentException>(() => Apply(name, x));
        Assert.Contains("Int64", ex.Message);
        Assert.Contains(OpName(name), ex.Message);
    }

    /// <summary>The op name an error message must carry, for a test-table key.</summary>
    private static string OpName(string key) => key switch
    {
        "LeakyReluDefault" => "LeakyRelu",
        "ClampMin" or "ClampMax" => "Clamp",
        _ when key.StartsWith("Pow", StringComparison.Ordinal) => "Pow",
        _ => key,
    };

    [Theory]
    [MemberData(nameof(DifferentiableNames))]
    public void Float32GradientsMatchFloat64(string name)
    {
        // Gradient rules must build their constants and masks in the gradient's dtype (the engine rejects a Float64
        // gradient for a Float32 input) and agree with the float64 gradient.
        var op = Differentiable[name];
        var x64 = Tensor.FromArray(op.Input(21, [9]).ToDoubleArray().Select(v => (double)(float)v).ToArray());
        var x32 = x64.To(DType.Float32).RequireGrad();
        var g32 = Autograd.Grad((op.F(x32) * x32.Cos()).Sum(), x32);
        var g64 = Autograd.Grad((op.F(x64.RequireGrad()) * x64.Cos()).Sum(), x64);
        Assert.Equal(DType.Float32, g32.DType);
        var a = g32.ToDoubleArray();
        var b = g64.ToDoubleArray();
        for (var i = 0; i < a.Length; i++)
        {
            Assert.True(Math.Abs(a[i] - b[i]) <= 1e-5 * (1 + Math.Abs(b[i])), $"{name}: float32 gradient {a[i]:R} vs float64 {b[i]:R} at {i}");
        }
    }

    [Fact]
    public void BadParametersThrow()
    {
        var x = Tensor.FromArray([1.0, 2.0]);
        var ex = Assert.Throws<ArgumentException>(() => x.Clamp(2, 1));
        Assert.Contains("min = 2", ex.Message);
        Assert.Contains("max = 1", ex.Message);
        Assert.Throws<ArgumentException>(() => x.Clamp());
        Assert.Throws<ArgumentException>(() => x.Clamp(double.NaN, 1));
        Assert.Throws<ArgumentException>(() => x.Clamp(0, double.NaN));
        Assert.Contains("negativeSlope", Assert.Throws<ArgumentException>(() => x.LeakyRelu(double.NaN)).Message);
        Assert.Contains("alpha", Assert.Throws<ArgumentException>(() => x.Elu(double.PositiveInfinity)).Message);
        Assert.Throws<ArgumentException>(() => x.Pow(double.NaN));
        Assert.Equal([1.0, 1.0], x.Clamp(1, 1).ToDoubleArray());
    }
}
