using McGrad.Nn;
using McGrad.Randomness;

namespace McGrad.Tests.Nn;

public class InitTests
{
    private static readonly RngKey Key = new(7);

    /// <summary>
    /// Mean and variance of i.i.d. draws against the exact values, each as z = (estimate − exact)/SE with |z| &lt; 4:
    /// SE(mean) = √(σ²/n), SE(s²) = √((μ₄ − σ⁴)/n) (μ₄ the fourth central moment).
    /// </summary>
    internal static void AssertMoments(double[] x, double mean, double variance, double mu4)
    {
        var n = x.Length;
        var m = x.Average();
        var s2 = x.Sum(v => (v - m) * (v - m)) / (n - 1);
        var zMean = (m - mean) / Math.Sqrt(variance / n);
        var zVar = (s2 - variance) / Math.Sqrt((mu4 - (variance * variance)) / n);
        Assert.True(Math.Abs(zMean) < 4, $"mean {m} vs {mean}: z = {zMean:F2}");
        Assert.True(Math.Abs(zVar) < 4, $"variance {s2} vs {variance}: z = {zVar:F2}");
    }

    private static void AssertUniform(double[] x, double bound)
    {
        Assert.All(x, v => Assert.InRange(v, -bound, bound));
        var b2 = bound * bound;
        AssertMoments(x, 0, b2 / 3, b2 * b2 / 5);
    }

    private static void AssertNormal(double[] x, double std)
    {
        var v = std * std;
        AssertMoments(x, 0, v, 3 * v * v);
    }

    [Fact]
    public void GainsAreTorchs()
    {
        Assert.Equal(1.0, Init.Gain(Nonlinearity.Linear));
        Assert.Equal(1.0, Init.Gain(Nonlinearity.Sigmoid));
        Assert.Equal(5.0 / 3.0, Init.Gain(Nonlinearity.Tanh), 15);
        Assert.Equal(Math.Sqrt(2), Init.Gain(Nonlinearity.Relu), 15);
        Assert.Equal(Math.Sqrt(2 / (1 + 0.0001)), Init.Gain(Nonlinearity.LeakyRelu), 15);
        Assert.Equal(Math.Sqrt(2 / 1.04), Init.Gain(Nonlinearity.LeakyRelu, 0.2), 15);
        Assert.Equal(0.75, Init.Gain(Nonlinearity.Selu));
    }

    [Fact]
    public void FansFollowTorch()
    {
        Assert.Equal((5, 3), Init.Fans([3, 5]));
        Assert.Equal((4 * 3 * 3, 8 * 3 * 3), Init.Fans([8, 4, 3, 3]));
        var e = Assert.Throws<ArgumentException>(() => Init.Fans([5]));
        Assert.Contains("[5]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Init.XavierUniform(Shape.Scalar, Key));
    }

    [Fact]
    public void XavierUniformBoundAndVariance()
    {
        // [200, 300]: fan_in 300, fan_out 200; b = gain·√(6/500).
        var w = Init.XavierUniform([200, 300], Key, gain: 2.0, dtype: DType.Float64).ToDoubleArray();
        AssertUniform(w, 2.0 * Math.Sqrt(6.0 / 500));
        Assert.True(w.Max() > 0.99 * 2.0 * Math.Sqrt(6.0 / 500));
    }

    [Fact]
    public void XavierNormalStd()
    {
        var w = Init.XavierNormal([100, 40, 5], Key, gain: 0.5, dtype: DType.Float64).ToDoubleArray();
        // fan_in = 40·5, fan_out = 100·5.
        AssertNormal(w, 0.5 * Math.Sqrt(2.0 / 700));
    }

    [Theory]
    [InlineData(FanMode.FanIn, Nonlinearity.Relu, 0.0)]
    [InlineData(FanMode.FanOut, Nonlinearity.Relu, 0.0)]
    [InlineData(FanMode.FanIn, Nonlinearity.LeakyRelu, 0.2)]
    [InlineData(FanMode.FanIn, Nonlinearity.Tanh, 0.0)]
    [InlineData(FanMode.FanOut, Nonlinearity.Linear, 0.0)]
    public void KaimingNormalAndUniform(FanMode mode, Nonlinearity nl, double a)
    {
        var fan = mode == FanMode.FanIn ? 500 : 120;
        var gain = nl switch
        {
            Nonlinearity.Relu => Math.Sqrt(2),
            Nonlinearity.LeakyRelu => Math.Sqrt(2 / (1 + (a * a))),
            Nonlinearity.Tanh => 5.0 / 3,
            _ => 1.0,
        };
        var std = gain / Math.Sqrt(fan);
        AssertNormal(Init.KaimingNormal([120, 500], Key, a, mode, nl, DType.Float64).ToDoubleArray(), std);
        AssertUniform(Init.KaimingUniform([120, 500], Key.FoldIn(1), a, mode, nl, DType.Float64).ToDoubleArray(), Math.Sqrt(3) * std);
    }

    [Fact]
    public void Float32DrawsHaveTheSameLaw()
    {
        var w = Init.KaimingNormal([300, 200], Key, nonlinearity: Nonlinearity.Relu);
        Assert.Equal(DType.Float32, w.DType);
        AssertNormal(w.ToDoubleArray(), Math.Sqrt(2.0 / 200));
    }

    [Fact]
    public void UniformNormalConstant()
    {
        var u = Init.Uniform([20000], Key, -1, 3, DType.Float64).ToDoubleArray();
        Assert.All(u, v => Assert.InRange(v, -1, 3));
        AssertMoments(u, 1, 16.0 / 12, 256.0 / 80); // U(a, b): σ² = (b − a)²/12, μ₄ = (b − a)⁴/80
        var nrm = Init.Normal([20000], Key, 2, 0.5, DType.Float64).ToDoubleArray();
        AssertMoments(nrm, 2, 0.25, 3 * 0.0625);
        Assert.All(Init.Normal([5], Key, 1.5, 0, DType.Float64).ToDoubleArray(), v => Assert.Equal(1.5, v));
        Assert.All(Init.Uniform([5], Key, 2, 2, DType.Float64).ToDoubleArray(), v => Assert.Equal(2, v));
        Assert.All(Init.Constant([2, 2], 0.25).ToDoubleArray(), v => Assert.Equal(0.25, v));
        Assert.Throws<ArgumentException>(() => Init.Uniform([2], Key, 1, 0));
        Assert.Throws<ArgumentException>(() => Init.Normal([2], Key, 0, -1));
        Assert.Throws<ArgumentException>(() => Init.XavierUniform([2, 2], Key, gain: -1));
        Assert.Throws<ArgumentException>(() => Init.XavierUniform([2, 2], Key, dtype: DType.Int64));
    }

    [Fact]
    public void DeterministicPerKeyAndInPlaceEqualsNewForm()
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var a = Init.XavierNormal([6, 5], Key, dtype: dtype).ToDoubleArray();
            Assert.Equal(a, Init.XavierNormal([6, 5], Key, dtype: dtype).ToDoubleArray());
            Assert.NotEqual(a, Init.XavierNormal([6, 5], Key.FoldIn(3), dtype: dtype).ToDoubleArray());

            var p = Tensor.Zeros([6, 5], dtype).RequireGrad();
            Assert.Same(p, Init.XavierNormalInPlace(p, Key));
            Assert.Equal(a, p.ToDoubleArray());
            Assert.True(p.RequiresGrad && p.IsLeaf);

            Assert.Equal(Init.KaimingUniform([6, 5], Key, dtype: dtype).ToDoubleArray(), Init.KaimingUniformInPlace(p, Key).ToDoubleArray());
            Assert.Equal(Init.KaimingNormal([6, 5], Key, mode: FanMode.FanOut, dtype: dtype).ToDoubleArray(), Init.KaimingNormalInPlace(p, Key, mode: FanMode.FanOut).ToDoubleArray());
            Assert.Equal(Init.XavierUniform([6, 5], Key, 3, dtype).ToDoubleArray(), Init.XavierUniformInPlace(p, Key, 3).ToDoubleArray());
            Assert.Equal(Init.Orthogonal([6, 5], Key, 2, dtype).ToDoubleArray(), Init.OrthogonalInPlace(p, Key, 2).ToDoubleArray());
            Assert.Equal(Init.Uniform([6, 5], Key, -2, 1, dtype).ToDoubleArray(), Init.UniformInPlace(p, Key, -2, 1).ToDoubleArray());
            Assert.Equal(Init.Normal([6, 5], Key, 1, 2, dtype).ToDoubleArray(), Init.NormalInPlace(p, Key, 1, 2).ToDoubleArray());
            Assert.All(Init.ConstantInPlace(p, 0.5).ToDoubleArray(), v => Assert.Equal(0.5, v));
            Assert.All(Init.OnesInPlace(p).ToDoubleArray(), v => Assert.Equal(1, v));
            Assert.All(Init.ZerosInPlace(p).ToDoubleArray(), v => Assert.Equal(0, v));
        }
    }

    [Fact]
    public void InPlaceRejectsNonLeavesAndIntegers()
    {
        var p = Tensor.Ones([2, 2], DType.Float64).RequireGrad();
        var e = Assert.Throws<ArgumentException>(() => Init.XavierUniformInPlace(p * 2.0, Key));
        Assert.Contains("Mul", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Init.ZerosInPlace(Tensor.FromArray([1L, 2L])));
    }

    [Fact]
    public void ZeroSizeTensorsAreLeftAlone()
    {
        Assert.Equal(new Shape(0, 4), Init.XavierUniform([0, 4], Key).Shape);
        Assert.Equal(new Shape(3, 0), Init.KaimingNormal([3, 0], Key).Shape);
        Assert.Equal(new Shape(0, 3), Init.Orthogonal([0, 3], Key).Shape);
        var p = Tensor.Zeros([0, 2]);
        Assert.Same(p, Init.OrthogonalInPlace(p, Key));
    }

    /// <summary>max |(AᵀA)ᵢⱼ − c·δᵢⱼ| for A [r, c] given row-major.</summary>
    private static double GramError(double[] a, int rows, int cols, bool columns, double scale)
    {
        var n = columns ? cols : rows;
        var k = columns ? rows : cols;
        var err = 0.0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var s = 0.0;
                for (var t = 0; t < k; t++)
                {
                    s += columns ? a[(t * cols) + i] * a[(t * cols) + j] : a[(i * cols) + t] * a[(j * cols) + t];
                }

                err = Math.Max(err, Math.Abs(s - (i == j ? scale : 0)));
            }
        }

        return err;
    }

    [Theory]
    [InlineData(50, 20)]
    [InlineData(20, 50)]
    [InlineData(30, 30)]
    [InlineData(1, 7)]
    [InlineData(7, 1)]
    public void OrthogonalIsOrthogonalInFloat64(int rows, int cols)
    {
        var w = Init.Orthogonal([rows, cols], Key, dtype: DType.Float64).ToDoubleArray();
        Assert.True(GramError(w, rows, cols, columns: rows >= cols, 1) < 1e-10);
        var w3 = Init.Orthogonal([rows, cols], Key, gain: 3, dtype: DType.Float64).ToDoubleArray();
        Assert.True(GramError(w3, rows, cols, columns: rows >= cols, 9) < 1e-9);
        for (var i = 0; i < w.Length; i++)
        {
            Assert.Equal(3 * w[i], w3[i], 12);
        }
    }

    [Fact]
    public void OrthogonalFlattensTrailingDimsAndWorksInFloat32()
    {
        // [4, 3, 2, 2] → [4, 12]: rows < cols, so W Wᵀ = I.
        var w = Init.Orthogonal([4, 3, 2, 2], Key, dtype: DType.Float64);
        Assert.Equal(new Shape(4, 3, 2, 2), w.Shape);
        Assert.True(GramError(w.ToDoubleArray(), 4, 12, columns: false, 1) < 1e-10);
        var w32 = Init.Orthogonal([40, 10], Key);
        Assert.Equal(DType.Float32, w32.DType);
        Assert.True(GramError(w32.ToDoubleArray(), 40, 10, columns: true, 1) < 1e-5);
    }

    [Fact]
    public void OrthogonalIsHaar()
    {
        // Under Haar measure on O(4), Q₁₁ is symmetric with E[Q₁₁²] = 1/4. Without the sign(Rⱼⱼ) correction a
        // Householder QR gives Q₁₁ = −|x₁|/‖x‖ < 0 always (mean ≈ −0.43), a Gram–Schmidt one +|x₁|/‖x‖.
        const int n = 4, reps = 3000;
        var q11 = new double[reps];
        var q44 = new double[reps];
        for (var r = 0; r < reps; r++)
        {
            var q = Init.Orthogonal([n, n], Key.FoldIn((uint)r), dtype: DType.Float64).ToDoubleArray();
            q11[r] = q[0];
            q44[r] = q[^1];
        }

        // For a uniform unit vector in ℝ⁴, u₁² ~ Beta(1/2, 3/2): mean 1/4, E[u₁⁴] = 1/8, so Var(u₁) = 1/4, μ₄ = 1/8.
        AssertMoments(q11, 0, 0.25, 0.125);
        AssertMoments(q44, 0, 0.25, 0.125);
    }
}
