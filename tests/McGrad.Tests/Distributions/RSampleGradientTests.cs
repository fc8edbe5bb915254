using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Tests.Distributions;

/// <summary>
/// Pathwise (RSample) gradients against finite differences with common random numbers: for each parameter θ the
/// autodiff derivative of mean f(x(θ, ε)) is compared with [mean f(x(θ + h, ε)) − mean f(x(θ − h, ε))]/2h, the same
/// key (hence the same ε) at θ ± h. Each sample gets its own copy of the parameters (a batch of n), so the test also
/// sees the per-sample pathwise derivatives. For explicitly reparameterised families these agree per sample to
/// O(h²); for Gamma and Beta (implicit reparameterisation through a rejection sampler) the per-sample derivatives
/// differ from the sampler's own path but agree in expectation, so the comparison is a z-test (|z| &lt; 4), backed by
/// the exact derivative of E[f] where it has a closed form.
/// </summary>
public class RSampleGradientTests
{
    private delegate Distribution Maker(Tensor[] ps);

    /// <summary>(per-sample autodiff derivatives, per-sample central differences) for parameter <paramref name="which"/>.</summary>
    private static (double[] Auto, double[] Fd) PerSample(Maker make, double[] theta, int which, Func<Tensor, Tensor> f, int n, double h, ulong seed)
    {
        var key = new RngKey(seed);
        var ps = theta.Select(t => Tensor.Full([n], t, DType.Float64)).ToArray();
        ps[which].RequiresGrad = true;
        var y = f(make(ps).RSample(key)).Sum();
        var auto = Autograd.Grad(y, ps[which]).ToDoubleArray();

        double[] Eval(double delta)
        {
            var shifted = theta.Select((t, i) => Tensor.Full([n], i == which ? t + delta : t, DType.Float64)).ToArray();
            using (Autograd.NoGrad())
            {
                return f(make(shifted).RSample(key)).ToDoubleArray();
            }
        }

        var plus = Eval(h);
        var minus = Eval(-h);
        return (auto, plus.Select((p, i) => (p - minus[i]) / (2 * h)).ToArray());
    }

    /// <summary>Explicit reparameterisation: per-sample agreement and agreement of the means, for every parameter.</summary>
    private static void AssertExact(Maker make, double[] theta, Func<Tensor, Tensor> f, string family, int n = 2000, int[]? only = null)
    {
        foreach (var which in only ?? Enumerable.Range(0, theta.Length).ToArray())
        {
            var (auto, fd) = PerSample(make, theta, which, f, n, 1e-5, (ulong)(100 + which));
            for (var i = 0; i < n; i++)
            {
                Assert.True(Math.Abs(auto[i] - fd[i]) <= 1e-5 * (1 + Math.Abs(fd[i])), $"{family}, parameter {which}, sample {i}: autodiff {auto[i]}, finite difference {fd[i]}");
            }

            var ma = auto.Average();
            var mf = fd.Average();
            Assert.True(Math.Abs(ma - mf) <= 1e-6 * (1 + Math.Abs(mf)), $"{family}, parameter {which}: d/dθ mean f = {ma}, finite difference of the mean {mf}");
            Assert.True(auto.Any(v => v != 0), $"{family}, parameter {which}: the gradient is identically zero");
        }
    }

    private static Tensor Smooth(Tensor x) => x.Sin() + (x * x * x * 0.1);

    [Fact]
    public void Normal() => AssertExact(ps => new Normal(ps[0], ps[1]), [0.4, 1.3], Smooth, "Normal");

    [Fact]
    public void Gumbel() => AssertExact(ps => new Gumbel(ps[0], ps[1]), [0.2, 0.8], x => x.Sin() + (x * x), "Gumbel");

    [Fact]
    public void Logistic() => AssertExact(ps => new Logistic(ps[0], ps[1]), [0.2, 0.8], Smooth, "Logistic");

    [Fact]
    public void Uniform() => AssertExact(ps => new Uniform(ps[0], ps[1]), [-0.5, 1.2], x => x.Sin() + (x * x), "Uniform");

    [Fact]
    public void Exponential() => AssertExact(ps => new Exponential(ps[0]), [1.7], x => x.Sin() + (x * x), "Exponential");

    [Fact]
    public void Weibull() => AssertExact(ps => new Weibull(ps[0], ps[1]), [1.3, 1.8], Smooth, "Weibull");

    [Fact]
    public void DoubleSidedMaxwell() => AssertExact(ps => new DoubleSidedMaxwell(ps[0], ps[1]), [0.3, 0.9], Smooth, "DoubleSidedMaxwell");

    [Fact]
    public void RelaxedBernoulli() => AssertExact(ps => new RelaxedBernoulli(ps[0], logits: ps[1]), [0.7, 0.4], y => ((y - 0.3) * (y - 0.3)) + (y * 3.0).Sin(), "RelaxedBernoulli");

    [Fact]
    public void RelaxedOneHotCategorical()
    {
        var w = Tensor.FromArray([0.3, -1.0, 2.0]);
        AssertExact(
            ps => new RelaxedOneHotCategorical(ps[3], logits: Tensor.Stack([ps[0], ps[1], ps[2]], axis: 1)),
            [0.3, -0.5, 1.0, 0.8],
            y => (y * w).Sum(-1) + (y.Slice(1, 0, 1).Reshape(-1) * y.Slice(1, 0, 1).Reshape(-1)),
            "RelaxedOneHotCategorical");
    }

    /// <summary>
    /// z-tests for the implicitly reparameterised parameters (autodiff vs CRN finite differences, and vs the exact
    /// derivative); the explicit ones (a rate) must agree per sample, as for the explicit families.
    /// </summary>
    private static void AssertImplicit(Maker make, double[] theta, int[] implicitParams, Func<Tensor, Tensor> f, double[] exact, string family, int n = 20_000, double h = 0.02)
    {
        var explicitParams = Enumerable.Range(0, theta.Length).Except(implicitParams).ToArray();
        if (explicitParams.Length > 0)
        {
            AssertExact(make, theta, f, family, 2000, explicitParams);
        }

        foreach (var which in implicitParams)
        {
            var (auto, fd) = PerSample(make, theta, which, f, n, h * theta[which], (ulong)(200 + which));
            var diff = auto.Select((a, i) => a - fd[i]).ToArray();
            var (md, vd) = (diff.Average(), diff.Select(v => v * v).Average() - Math.Pow(diff.Average(), 2));
            var z = md / Math.Sqrt(vd / n);
            Assert.True(Math.Abs(z) < 4, $"{family}, parameter {which}: mean autodiff {auto.Average()}, mean CRN finite difference {fd.Average()} (z = {z})");
            var ma = auto.Average();
            var va = auto.Select(v => (v - ma) * (v - ma)).Average();
            var ze = (ma - exact[which]) / Math.Sqrt(va / n);
            Assert.True(Math.Abs(ze) < 4, $"{family}, parameter {which}: mean pathwise gradient {ma}, exact {exact[which]} (z = {ze})");
        }
    }

    [Fact]
    public void Gamma()
    {
        // E[x²] = α(α + 1)/β²: ∂/∂α = (2α + 1)/β², ∂/∂β = −2α(α + 1)/β³.
        const double a = 2.5, b = 1.5;
        AssertImplicit(ps => new Gamma(ps[0], ps[1]), [a, b], [0], x => x * x, [((2 * a) + 1) / (b * b), -2 * a * (a + 1) / (b * b * b)], "Gamma");
    }

    [Fact]
    public void GammaWithSmallConcentration()
    {
        // α < 1 goes through the sampler's u^{1/α} boost. E[x] = α/β: ∂/∂α = 1/β, ∂/∂β = −α/β².
        const double a = 0.4, b = 2.0;
        AssertImplicit(ps => new Gamma(ps[0], ps[1]), [a, b], [0], x => x, [1 / b, -a / (b * b)], "Gamma(α < 1)");
    }

    [Fact]
    public void Beta()
    {
        // E[x²] = a(a + 1)/(s(s + 1)), s = a + b.
        const double a = 1.5, b = 2.5;
        const double s = a + b;
        var q = s * (s + 1);
        var da = ((((2 * a) + 1) * q) - (a * (a + 1) * ((2 * s) + 1))) / (q * q);
        var db = -(a * (a + 1) * ((2 * s) + 1)) / (q * q);
        AssertImplicit(ps => new Beta(ps[0], ps[1]), [a, b], [0, 1], x => x * x, [da, db], "Beta");
    }

    [Fact]
    public void IndependentPassesRSampleThrough()
    {
        var mu = Tensor.FromArray([0.1, -0.3]).RequireGrad();
        var d = new Independent(new Normal(mu, Tensor.Scalar(2.0, DType.Float64)), 1);
        var x = d.RSample(new RngKey(5), [3]);
        var g = Autograd.Grad(x.Sum(), mu).ToDoubleArray();
        Assert.Equal([3.0, 3.0], g);
    }

    [Fact]
    public void FamiliesWithoutRSampleSayWhatToDo()
    {
        Distribution[] ds = [new Bernoulli(probs: Ref.T(0.3)), new Categorical(logits: Ref.T(0.1, 0.2)), new OneHotCategorical(logits: Ref.T(0.1, 0.2)), new Poisson(2.0)];
        foreach (var d in ds)
        {
            Assert.False(d.HasRSample);
            var e = Assert.Throws<NotSupportedException>(() => d.RSample(new RngKey(1)));
            Assert.Contains(d.GetType().Name, e.Message);
            Assert.Contains("score-function", e.Message);
        }
    }
}
