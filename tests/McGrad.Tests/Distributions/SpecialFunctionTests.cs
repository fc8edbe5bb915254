using McGrad.Kernels;
using McGrad.Tests.Randomness;

namespace McGrad.Tests.Distributions;

/// <summary>
/// Digamma, polygamma, the differentiable Lgamma/Digamma/Polygamma ops, and the implicit Gamma reparameterisation
/// derivative, each against values computed independently (known constants, direct series, finite differences of an
/// independent incomplete-gamma implementation).
/// </summary>
public class SpecialFunctionTests
{
    private const double EulerGamma = 0.57721566490153286061;

    /// <summary>ψ⁽ⁿ⁾(x) = (−1)ⁿ⁺¹ n! Σₖ (x + k)^−(n+1), summed directly with an Euler–Maclaurin tail (n ≥ 1).</summary>
    private static double PolygammaSeries(int n, double x)
    {
        const int N = 20000;
        var fact = 1.0;
        for (var i = 2; i <= n; i++)
        {
            fact *= i;
        }

        var s = 0.0;
        for (var k = N - 1; k >= 0; k--)
        {
            s += Math.Pow(x + k, -(n + 1));
        }

        var z = x + N;
        // Σ_{k≥N} (x+k)^{-(n+1)} ≈ ∫ + f/2 − f′/12
        var tail = (Math.Pow(z, -n) / n) + (0.5 * Math.Pow(z, -(n + 1))) + ((n + 1) / 12.0 * Math.Pow(z, -(n + 2)));
        return ((n & 1) == 1 ? 1 : -1) * fact * (s + tail);
    }

    [Fact]
    public void DigammaKnownValues()
    {
        Assert.Equal(-EulerGamma, SpecialFunctions.Digamma(1), 14);
        Assert.Equal(1 - EulerGamma, SpecialFunctions.Digamma(2), 14);
        Assert.Equal(-EulerGamma - (2 * Math.Log(2)), SpecialFunctions.Digamma(0.5), 14);
        Assert.Equal(2 - EulerGamma - (2 * Math.Log(2)), SpecialFunctions.Digamma(-0.5), 13);
        var h9 = 0.0;
        for (var i = 1; i <= 9; i++)
        {
            h9 += 1.0 / i;
        }

        Assert.Equal(h9 - EulerGamma, SpecialFunctions.Digamma(10), 14);
        var big = 1000.5;
        Assert.Equal(Math.Log(big) - (0.5 / big) - (1 / (12 * big * big)), SpecialFunctions.Digamma(big), 12);
        Assert.Equal(double.NegativeInfinity, SpecialFunctions.Digamma(0));
        Assert.True(double.IsNaN(SpecialFunctions.Digamma(-3)));
    }

    [Theory]
    [InlineData(1e-3)]
    [InlineData(0.37)]
    [InlineData(1.4616)]
    [InlineData(7.9)]
    [InlineData(55.5)]
    [InlineData(-2.7)]
    public void DigammaIsTheDerivativeOfLogGamma(double x)
    {
        // Central difference of the (independent) Lanczos ln Γ; truncation ~h²ψ″/6, rounding ~1e-16/h.
        var h = 1e-5 * Math.Min(1, Math.Abs(x));
        var fd = (SpecialFunctions.LogGamma(x + h) - SpecialFunctions.LogGamma(x - h)) / (2 * h);
        Assert.True(Math.Abs(fd - SpecialFunctions.Digamma(x)) < 1e-7 * (1 + Math.Abs(fd)), $"x = {x}: fd {fd}, digamma {SpecialFunctions.Digamma(x)}");
    }

    [Theory]
    [InlineData(1, 0.01)]
    [InlineData(1, 0.5)]
    [InlineData(1, 3.3)]
    [InlineData(1, 40)]
    [InlineData(2, 0.7)]
    [InlineData(2, 12.5)]
    [InlineData(3, 1.9)]
    [InlineData(4, 0.25)]
    [InlineData(1, -2.3)]
    [InlineData(2, -2.3)]
    [InlineData(3, -0.6)]
    public void PolygammaMatchesDirectSeries(int n, double x)
    {
        var expected = PolygammaSeries(n, x);
        var actual = SpecialFunctions.Polygamma(n, x);
        Assert.True(Math.Abs(expected - actual) < 1e-10 * (1 + Math.Abs(expected)), $"n = {n}, x = {x}: series {expected}, polygamma {actual}");
    }

    [Fact]
    public void PolygammaKnownValues()
    {
        Assert.Equal(Math.PI * Math.PI / 6, SpecialFunctions.Polygamma(1, 1), 14);
        Assert.Equal(Math.PI * Math.PI / 2, SpecialFunctions.Polygamma(1, 0.5), 13);
        Assert.Equal((Math.PI * Math.PI / 2) + 4, SpecialFunctions.Polygamma(1, -0.5), 12); // reflection
        Assert.Equal(-2.4041138063191885, SpecialFunctions.Polygamma(2, 1), 13); // −2ζ(3)
        Assert.Equal(SpecialFunctions.Digamma(3.3), SpecialFunctions.Polygamma(0, 3.3));
        Assert.Equal(double.PositiveInfinity, SpecialFunctions.Polygamma(1, -2));
        Assert.Throws<ArgumentOutOfRangeException>(() => SpecialFunctions.Polygamma(-1, 1.0));
    }

    public static TheoryData<double, double> GammaDerivativeCases()
    {
        var data = new TheoryData<double, double>();
        foreach (var a in new[] { 0.05, 0.3, 1.0, 2.5, 10.0, 150.0, 3000.0 })
        {
            foreach (var c in new[] { -2.0, -1.0, 0.0, 1.0, 2.5 })
            {
                var x = a + (c * Math.Sqrt(a));
                if (x > 0)
                {
                    data.Add(a, x);
                }
            }

            if (a < 200)
            {
                data.Add(a, a / 10);
            }
        }

        data.Add(0.05, 1e-20);
        data.Add(0.5, 12.0);
        return data;
    }

    /// <summary>
    /// dx/da = −(∂P/∂a)/p against a central difference in a of the test's own incomplete gamma P (Stats.GammaP) —
    /// catches a wrong sign, a missing density, or a series/continued-fraction branch that has not converged.
    /// </summary>
    [Theory]
    [MemberData(nameof(GammaDerivativeCases))]
    public void GammaSampleDerivativeMatchesFiniteDifferenceOfCdf(double a, double x)
    {
        // Richardson-extrapolated central difference (error O(h⁴)), h on the scale over which P varies with a.
        var h = 1e-3 * Math.Min(a, Math.Sqrt(a));
        double D(double step) => (Stats.GammaP(a + step, x, SpecialFunctions.LogGamma) - Stats.GammaP(a - step, x, SpecialFunctions.LogGamma)) / (2 * step);
        var dPda = ((4 * D(h / 2)) - D(h)) / 3;
        var density = Math.Exp(((a - 1) * Math.Log(x)) - x - SpecialFunctions.LogGamma(a));
        var expected = -dPda / density;
        var actual = SpecialFunctions.GammaSampleDerivative(a, x);
        Assert.True(actual > 0, $"dx/da must be positive (Gamma quantiles grow with the shape); got {actual}");
        Assert.True(Math.Abs(expected - actual) < 2e-6 * Math.Abs(expected) + 1e-30, $"a = {a}, x = {x}: finite difference {expected}, implicit {actual}");
    }

    /// <summary>d ln x/da from ln x equals (dx/da)/x wherever x is representable (both branches).</summary>
    [Theory]
    [MemberData(nameof(GammaDerivativeCases))]
    public void GammaSampleLogDerivativeIsTheDerivativeOverX(double a, double x)
    {
        var expected = SpecialFunctions.GammaSampleDerivative(a, x) / x;
        var actual = SpecialFunctions.GammaSampleLogDerivative(a, Math.Log(x));
        Assert.True(Math.Abs(expected - actual) < 1e-12 * Math.Abs(expected), $"a = {a}, x = {x}: (dx/da)/x = {expected}, d ln x/da = {actual}");
    }

    /// <summary>
    /// Where x underflows (ln x = −2000, a = 0.001, as a Gamma(0.001) draw often is) the series keeps only its first
    /// term: d ln x/da = −(ln x − ψ(1 + a))/a, with ψ(1 + ε) = −γ + ζ(2)ε − ζ(3)ε² + ζ(4)ε³ (error ~1e-12 at ε = 1e-3).
    /// Forming x first gives dx/da = 0 and 0/0.
    /// </summary>
    [Fact]
    public void GammaSampleLogDerivativeIsFiniteWhereTheDrawUnderflows()
    {
        const double a = 0.001, lnx = -2000;
        var psi = -0.57721566490153286 + (1.6449340668482264 * a) - (1.2020569031595943 * a * a) + (1.0823232337111382 * a * a * a);
        var expected = -(lnx - psi) / a;
        var actual = SpecialFunctions.GammaSampleLogDerivative(a, lnx);
        Assert.True(Math.Abs(actual - expected) < 1e-12 * expected, $"expected {expected}, got {actual}");
        Assert.True(double.IsNaN(SpecialFunctions.GammaSampleLogDerivative(0, lnx)));
        Assert.True(double.IsNaN(SpecialFunctions.GammaSampleLogDerivative(a, double.NaN)));
    }

    /// <summary>Reference values of −(∂P/∂a)/p computed with mpmath at 40 digits (mp.diff of gammainc(a, 0, x, regularized)).</summary>
    [Theory]
    [InlineData(0.5, 12.0, 4.3544499001085094)]
    [InlineData(3000.0, 3000.0, 1.0000555574070546)]
    [InlineData(3000.0, 3136.9306393762918, 1.0225390673489501)]
    [InlineData(150.0, 15.0, 0.25608483284833248)]
    [InlineData(3000.0, 2890.4554884989666, 0.98157073882600437)]
    public void GammaSampleDerivativeMatchesHighPrecisionReference(double a, double x, double expected)
    {
        var actual = SpecialFunctions.GammaSampleDerivative(a, x);
        Assert.True(Math.Abs(actual - expected) < 1e-12 * expected, $"a = {a}, x = {x}: reference {expected}, got {actual}");
    }

    [Fact]
    public void GammaSampleDerivativeEdgeCases()
    {
        Assert.Equal(0, SpecialFunctions.GammaSampleDerivative(2, 0));
        Assert.True(double.IsNaN(SpecialFunctions.GammaSampleDerivative(-1, 1)));
        Assert.True(double.IsNaN(SpecialFunctions.GammaSampleDerivative(1, double.NaN)));
        // For x → 0, P(a, x) ≈ xᵃ/Γ(a + 1), so ∂P/∂a ≈ P·(ln x − ψ(a + 1)) and dx/da ≈ −(x/a)(ln x − ψ(a + 1)).
        var small = SpecialFunctions.GammaSampleDerivative(0.5, 1e-12);
        var approx = -(1e-12 / 0.5) * (Math.Log(1e-12) - SpecialFunctions.Digamma(1.5));
        Assert.True(Math.Abs(approx - small) < 1e-9 * approx, $"small-x limit {approx}, got {small}");
    }

    [Fact]
    public void TensorLgammaDigammaPolygammaValues()
    {
        var x = Tensor.FromArray([0.3, 1.0, 2.5, 7.25, -0.5], 5);
        TestUtil.AssertClose(x.ToDoubleArray().Select(SpecialFunctions.LogGamma).ToArray(), x.Lgamma(), 1e-15);
        TestUtil.AssertClose(x.ToDoubleArray().Select(SpecialFunctions.Digamma).ToArray(), x.Digamma(), 1e-15);
        TestUtil.AssertClose(x.ToDoubleArray().Select(v => SpecialFunctions.Polygamma(2, v)).ToArray(), x.Polygamma(2), 1e-15);
        var f = x.To(DType.Float32);
        Assert.Equal(DType.Float32, f.Lgamma().DType);
        TestUtil.AssertClose(x.Lgamma().ToDoubleArray(), f.Lgamma(), 1e-6);
        TestUtil.AssertClose(x.Digamma().ToDoubleArray(), f.Digamma(), 1e-5);
        Assert.Equal(0, Tensor.Zeros([0, 3], DType.Float64).Lgamma().Size);
        Assert.Throws<ArgumentException>(() => Tensor.Zeros([2], DType.Int64).Lgamma());
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Polygamma(-1));
    }

    [Fact]
    public void TensorSpecialFunctionGradients()
    {
        var x = TestUtil.Rand(1, [2, 3], 0.2, 6);
        TestUtil.AssertGrad(xs => xs[0].Lgamma(), x);
        TestUtil.AssertGrad(xs => xs[0].Digamma(), x);
        TestUtil.AssertGrad(xs => xs[0].Polygamma(1), x);
        TestUtil.AssertGradGrad(xs => xs[0].Lgamma(), x);
        TestUtil.AssertGradGrad(xs => xs[0].Digamma(), x);
        var neg = Tensor.FromArray([-0.4, -1.7, -2.2], 3);
        TestUtil.AssertGrad(xs => xs[0].Lgamma(), neg);
        TestUtil.AssertGrad(xs => xs[0].Digamma(), neg);
    }
}
