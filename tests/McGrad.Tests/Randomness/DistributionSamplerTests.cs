using McGrad.Kernels;
using McGrad.Randomness;

namespace McGrad.Tests.Randomness;

/// <summary>
/// Every sampler against its exact mean, variance (|z| &lt; 4 with exact or conservative standard errors) and CDF
/// (Kolmogorov–Smirnov at α = 0.001). Each catches a wrong transform (e.g. a missing 1/λ, a swapped scale).
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class DistributionSamplerTests
{
    private const int N = 40_000;
    private const double EulerGamma = 0.57721566490153286;

    private static void AssertLaw(double[] x, double mean, double variance, Func<double, double> cdf, double fourthCentral)
    {
        var (m, v) = Stats.Moments(x);
        Assert.True(Math.Abs(m - mean) < 4 * Math.Sqrt(variance / x.Length), $"mean {m}, expected {mean}");
        var seVar = Math.Sqrt((fourthCentral - (variance * variance)) / x.Length);
        Assert.True(Math.Abs(v - variance) < 4 * seVar, $"variance {v}, expected {variance} (se {seVar})");
        var d = Stats.KolmogorovSmirnov(x, cdf);
        Assert.True(d < Stats.KsCritical(x.Length), $"KS D = {d}");
    }

    [Fact]
    public void LogGammaKnownValues()
    {
        Assert.Equal(0.0, SpecialFunctions.LogGamma(1), 14);
        Assert.Equal(0.0, SpecialFunctions.LogGamma(2), 14);
        Assert.Equal(0.5 * Math.Log(Math.PI), SpecialFunctions.LogGamma(0.5), 14);
        Assert.Equal(Math.Log(362880.0), SpecialFunctions.LogGamma(10), 12);
        Assert.Equal(Math.Log(2 * Math.Sqrt(Math.PI)), SpecialFunctions.LogGamma(-0.5), 13); // |Γ(−½)| = 2√π
        Assert.Equal(857.93366982585743, SpecialFunctions.LogGamma(200), 9);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Exponential(DType dtype)
    {
        var x = Sampler.Exponential(new RngKey(10), [N], dtype, rate: 2).ToDoubleArray();
        AssertLaw(x, 0.5, 0.25, t => t <= 0 ? 0 : 1 - Math.Exp(-2 * t), 9.0 / 16);
    }

    [Fact]
    public void Gumbel()
    {
        var x = Sampler.Gumbel(new RngKey(11), [N], DType.Float64, loc: 1, scale: 2).ToDoubleArray();
        var variance = 4 * Math.PI * Math.PI / 6;
        AssertLaw(x, 1 + (2 * EulerGamma), variance, t => Math.Exp(-Math.Exp(-(t - 1) / 2)), 5.4 * variance * variance);
    }

    [Fact]
    public void Logistic()
    {
        var x = Sampler.Logistic(new RngKey(12), [N], DType.Float64, loc: -1, scale: 0.5).ToDoubleArray();
        var variance = 0.25 * Math.PI * Math.PI / 3;
        AssertLaw(x, -1, variance, t => 1 / (1 + Math.Exp(-(t + 1) / 0.5)), 4.2 * variance * variance);
    }

    [Fact]
    public void WeibullAndRayleigh()
    {
        double G(double z) => Math.Exp(SpecialFunctions.LogGamma(z));
        var w = Sampler.Weibull(new RngKey(13), [N], DType.Float64, scale: 2, concentration: 1.5).ToDoubleArray();
        var m1 = 2 * G(1 + (1 / 1.5));
        var m2 = 4 * G(1 + (2 / 1.5));
        var m3 = 8 * G(1 + (3 / 1.5));
        var m4 = 16 * G(1 + (4 / 1.5));
        var mu4 = m4 - (4 * m1 * m3) + (6 * m1 * m1 * m2) - (3 * Math.Pow(m1, 4));
        AssertLaw(w, m1, m2 - (m1 * m1), t => t <= 0 ? 0 : 1 - Math.Exp(-Math.Pow(t / 2, 1.5)), mu4);

        var r = Sampler.Rayleigh(new RngKey(14), [N], DType.Float32, scale: 1.5).ToDoubleArray();
        var rv = (4 - Math.PI) / 2 * 2.25;
        AssertLaw(r, 1.5 * Math.Sqrt(Math.PI / 2), rv, t => t <= 0 ? 0 : 1 - Math.Exp(-t * t / (2 * 2.25)), 3.5 * rv * rv);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(1.0)]
    [InlineData(4.5)]
    public void GammaIncludingShapeBelowOne(double alpha)
    {
        var x = Sampler.Gamma(new RngKey(15), [N], alpha, DType.Float64).ToDoubleArray();
        AssertLaw(x, alpha, alpha, t => Stats.GammaP(alpha, t, SpecialFunctions.LogGamma), (3 * alpha * alpha) + (6 * alpha));
    }

    [Fact]
    public void GammaBroadcastsATensorOfConcentrations()
    {
        var alpha = Tensor.FromArray([0.5, 2.0, 8.0], 1, 3);
        var x = Sampler.Gamma(new RngKey(16), [N / 4, 3], alpha);
        var means = x.Sum(0).ToDoubleArray().Select(s => s / (N / 4)).ToArray();
        for (var j = 0; j < 3; j++)
        {
            var a = alpha[0, j];
            Assert.True(Math.Abs(means[j] - a) < 4 * Math.Sqrt(a / (N / 4)), $"column {j}: mean {means[j]}, expected {a}");
        }

        Assert.Contains("concentration", Assert.Throws<ArgumentException>(() => Sampler.Gamma(new RngKey(1), [2], Tensor.FromArray([1.0, -1.0]))).Message);
    }

    [Fact]
    public void Beta()
    {
        var x = Sampler.Beta(new RngKey(17), [N], Tensor.Scalar(2, DType.Float64), Tensor.Scalar(3, DType.Float64)).ToDoubleArray();
        // I_x(2,3) = Σ_{j=2..4} C(4,j) x^j (1−x)^{4−j}
        static double Cdf(double t) => t <= 0 ? 0 : t >= 1 ? 1 : (6 * t * t * Math.Pow(1 - t, 2)) + (4 * Math.Pow(t, 3) * (1 - t)) + Math.Pow(t, 4);
        AssertLaw(x, 0.4, 0.04, Cdf, 0.04 * 0.04 * 3);
    }

    [Theory]
    [InlineData(3.0)]
    [InlineData(30.0)]
    public void PoissonSmallAndLargeRate(double lambda)
    {
        var x = Sampler.Poisson(new RngKey(18), [N], Tensor.Scalar(lambda, DType.Float64)).ToDoubleArray();
        var (m, v) = Stats.Moments(x);
        Assert.True(Math.Abs(m - lambda) < 4 * Math.Sqrt(lambda / N), $"mean {m}");
        Assert.True(Math.Abs(v - lambda) < 4 * Math.Sqrt(((lambda + (3 * lambda * lambda)) - (lambda * lambda)) / N), $"var {v}");
        double Cdf(int k)
        {
            var s = 0.0;
            for (var j = 0; j <= k; j++)
            {
                s += Math.Exp((j * Math.Log(lambda)) - lambda - SpecialFunctions.LogGamma(j + 1));
            }

            return s;
        }

        Assert.True(Stats.DiscreteKs(x, Cdf, (int)(lambda * 3) + 10) < Stats.KsCritical(N));
        Assert.All(x, t => Assert.Equal(Math.Floor(t), t));
    }

    [Fact]
    public void DoubleSidedMaxwell()
    {
        var x = Sampler.DoubleSidedMaxwell(new RngKey(19), [N], DType.Float64, loc: 0.5, scale: 2).ToDoubleArray();
        // |m| is chi with 3 dof: E m² = 3, E m⁴ = 15. F(t) = ½ + ½·sign·(erf(|t|/√2) − √(2/π)|t|e^{−t²/2}) for loc 0, scale 1.
        static double Cdf(double t)
        {
            var a = Math.Abs(t);
            var maxwell = (2 * Stats.NormalCdf(a)) - 1 - (Math.Sqrt(2 / Math.PI) * a * Math.Exp(-a * a / 2));
            return 0.5 + (0.5 * Math.Sign(t) * maxwell);
        }

        AssertLaw(x, 0.5, 12, t => Cdf((t - 0.5) / 2), 15 * 16);
    }

    [Fact]
    public void BernoulliAndCategoricalFrequencies()
    {
        var p = Tensor.Full([N], 0.3, DType.Float64);
        var b = Sampler.Bernoulli(new RngKey(20), p).ToDoubleArray();
        Assert.True(Math.Abs(b.Average() - 0.3) < 4 * Math.Sqrt(0.21 / N));
        Assert.All(b, v => Assert.True(v is 0 or 1));

        var probs = Tensor.FromArray([0.1, 0.0, 0.6, 0.3]).Expand(N, 4);
        var c = Sampler.Categorical(new RngKey(21), probs);
        Assert.Equal(DType.Int64, c.DType);
        Assert.Equal(new Shape(N), c.Shape);
        var counts = new int[4];
        foreach (var k in c.ToLongArray())
        {
            counts[k]++;
        }

        Assert.Equal(0, counts[1]);
        double[] expected = [0.1, 0.0, 0.6, 0.3];
        Assert.True(Stats.DiscreteKs(c.ToDoubleArray(), k => expected.Take(k + 1).Sum(), 3) < Stats.KsCritical(N));
        Assert.Contains("[0, 1]", Assert.Throws<ArgumentException>(() => Sampler.Bernoulli(new RngKey(1), Tensor.FromArray([1.5]))).Message);
        Assert.Contains("sums to 0", Assert.Throws<ArgumentException>(() => Sampler.Categorical(new RngKey(1), Tensor.Zeros([2, 3]))).Message);
    }

    [Fact]
    public void PerElementSamplersDoNotDependOnThreadCount()
    {
        var (one, two) = ThreadCount.OneAndTwo(() => (
            Gamma: Sampler.Gamma(new RngKey(22), [5000], 0.7).ToFloatArray(),
            Poisson: Sampler.Poisson(new RngKey(22), [5000], Tensor.Scalar(20)).ToFloatArray()));
        Assert.Equal(one.Gamma, two.Gamma);
        Assert.Equal(one.Poisson, two.Poisson);
    }
}
