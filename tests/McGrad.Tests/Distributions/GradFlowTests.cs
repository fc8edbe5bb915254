using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Randomness;
using static McGrad.Tests.Distributions.Ref;

namespace McGrad.Tests.Distributions;

/// <summary>
/// Gradients of LogProb (in the parameters and, for continuous families, the value), Entropy, Mean and Variance,
/// checked in float64 against central differences (GradCheck) with batch broadcasting; gradients reach tensors
/// upstream of the parameters; a distribution can be reused across backward passes.
/// </summary>
public class GradFlowTests
{
    private static Tensor Pos(int seed, params int[] shape) => TestUtil.Rand(seed, shape, 0.6, 2.5);

    private static Tensor Any(int seed, params int[] shape) => TestUtil.Rand(seed, shape, -1.5, 1.5);

    /// <summary>GradCheck of LogProb(value) in (params…, value), and of Entropy/Mean/Variance in the params when available.</summary>
    private static void CheckFamily(Func<Tensor[], Distribution> make, Tensor[] ps, Tensor value, bool valueGrad = true, bool moments = true)
    {
        var inputs = valueGrad ? [.. ps, value] : ps;
        TestUtil.AssertGrad(xs => make(xs[..ps.Length]).LogProb(valueGrad ? xs[^1] : value), inputs);
        if (moments)
        {
            TestUtil.AssertGrad(xs => make(xs).Entropy(), ps);
            TestUtil.AssertGrad(xs => make(xs).Mean, ps);
            TestUtil.AssertGrad(xs => make(xs).Variance, ps);
        }
    }

    [Fact]
    public void LocationScaleFamilies()
    {
        CheckFamily(xs => new Normal(xs[0], xs[1]), [Any(1, 3, 1), Pos(2, 4)], Any(3, 2, 3, 4));
        CheckFamily(xs => new Gumbel(xs[0], xs[1]), [Any(1, 3), Pos(2, 3)], Any(3, 2, 3));
        CheckFamily(xs => new Logistic(xs[0], xs[1]), [Any(1, 3), Pos(2, 1)], Any(3, 2, 3));
        CheckFamily(xs => new DoubleSidedMaxwell(xs[0], xs[1]), [Any(1, 3), Pos(2, 3)], Any(3, 2, 3) + 2.0);
        CheckFamily(xs => new Uniform(xs[0], xs[1]), [Any(1, 3) - 2.0, Pos(2, 3)], TestUtil.Rand(3, [2, 3], -0.4, 0.5), valueGrad: false);
    }

    [Fact]
    public void PositiveFamilies()
    {
        CheckFamily(xs => new Exponential(xs[0]), [Pos(1, 3)], Pos(2, 2, 3));
        CheckFamily(xs => new Gamma(xs[0], xs[1]), [Pos(1, 3), Pos(2, 1)], Pos(3, 2, 3));
        CheckFamily(xs => new Weibull(xs[0], xs[1]), [Pos(1, 3), Pos(2, 3)], Pos(3, 2, 3));
        CheckFamily(xs => new Beta(xs[0], xs[1]), [Pos(1, 3), Pos(2, 3)], TestUtil.Rand(3, [2, 3], 0.1, 0.9));
        CheckFamily(xs => new Poisson(xs[0]), [Pos(1, 3)], T([0, 1, 4, 2, 0, 3], 2, 3), valueGrad: false);
    }

    [Fact]
    public void DiscreteFamilies()
    {
        var bits = T([0, 1, 1, 1, 0, 0], 2, 3);
        CheckFamily(xs => new Bernoulli(logits: xs[0]), [Any(1, 3)], bits, valueGrad: false);
        CheckFamily(xs => new Bernoulli(probs: xs[0]), [TestUtil.Rand(1, [3], 0.1, 0.9)], bits, valueGrad: false);
        var idx = Tensor.FromArray(new long[] { 0, 3, 1, 2, 2, 0 }, 3, 2);
        CheckFamily(xs => new Categorical(logits: xs[0]), [Any(1, 2, 4)], idx, valueGrad: false);
        CheckFamily(xs => new Categorical(probs: xs[0]), [Pos(1, 2, 4)], idx, valueGrad: false);
        CheckFamily(xs => new OneHotCategorical(logits: xs[0]), [Any(1, 3)], T([0, 1, 0, 0, 0, 1], 2, 3), valueGrad: false);
    }

    [Fact]
    public void RelaxedFamilies()
    {
        CheckFamily(xs => new RelaxedBernoulli(xs[0], logits: xs[1]), [Pos(1, 3), Any(2, 3)], TestUtil.Rand(3, [2, 3], 0.05, 0.95), moments: false);
        CheckFamily(xs => new RelaxedBernoulli(xs[0], probs: xs[1]), [Pos(1, 1), TestUtil.Rand(2, [3], 0.1, 0.9)], TestUtil.Rand(3, [2, 3], 0.05, 0.95), moments: false);
        var y = TestUtil.Rand(3, [2, 3], 0.2, 1.0);
        y = y / y.Sum(-1, keepDim: true);
        CheckFamily(xs => new RelaxedOneHotCategorical(xs[0], logits: xs[1]), [Pos(1, 1), Any(2, 3)], y.Detach(), valueGrad: false, moments: false);
        // The value gradient of the Concrete density is taken along the simplex: perturb through a softmax.
        TestUtil.AssertGrad(xs => new RelaxedOneHotCategorical(0.7, logits: Any(2, 3)).LogProb(xs[0].Softmax(-1)), Any(4, 2, 3));
    }

    [Fact]
    public void IndependentAndSecondOrder()
    {
        CheckFamily(xs => new Independent(new Normal(xs[0], xs[1]), 1), [Any(1, 2, 3), Pos(2, 3)], Any(3, 4, 2, 3));
        TestUtil.AssertGradGrad(xs => new Normal(xs[0], xs[1]).LogProb(xs[2]), Any(1, 3), Pos(2, 3), Any(3, 2, 3));
        TestUtil.AssertGradGrad(xs => new Gamma(xs[0], xs[1]).LogProb(xs[2]), Pos(1, 3), Pos(2, 3), Pos(3, 3));
        TestUtil.AssertGradGrad(xs => new Beta(xs[0], xs[1]).Entropy(), Pos(1, 2), Pos(2, 2));
    }

    /// <summary>The pathwise estimator of ∇E[f]: autodiff through RSample back into an upstream "layer".</summary>
    [Fact]
    public void GradientsReachUpstreamParameters()
    {
        var w = Tensor.FromArray([0.5, -0.3]).RequireGrad();
        var h = Tensor.FromArray([1.0, 2.0]);
        var loc = (w * h).Sum();
        var scale = (w * w).Sum() + 0.5;
        var d = new Normal(loc, scale);
        var eps = Sampler.Normal(new RngKey(9), [1000], DType.Float64);
        var x = d.RSample(new RngKey(9), [1000]);
        var loss = (x * x).Mean();
        var g = Autograd.Grad(loss, w).ToDoubleArray();
        // loss = mean((μ + σε)²): ∂/∂μ = 2·mean(x), ∂/∂σ = 2·mean(x·ε); μ = w·h, σ = |w|² + ½.
        var xs = x.ToDoubleArray();
        var es = eps.ToDoubleArray();
        var dmu = 2 * xs.Average();
        var dsigma = 2 * xs.Select((v, i) => v * es[i]).Average();
        Close([(dmu * 1.0) + (dsigma * 2 * 0.5), (dmu * 2.0) + (dsigma * 2 * -0.3)], Tensor.FromArray(g), 1e-12);
    }

    [Fact]
    public void ScoreFunctionGradientFlowsThroughLogProb()
    {
        var logits = Tensor.FromArray([0.2, -0.4, 1.0]).RequireGrad();
        var d = new Categorical(logits: logits);
        var k = d.Sample(new RngKey(3), [50]);
        var surrogate = d.LogProb(k).Mean();
        var g = Autograd.Grad(surrogate, logits).ToDoubleArray();
        // ∂/∂ℓ mean log softmax(ℓ)_k = onehot frequencies − softmax(ℓ)
        var counts = new double[3];
        foreach (var c in k.ToLongArray())
        {
            counts[c] += 1.0 / 50;
        }

        var z = Math.Exp(0.2) + Math.Exp(-0.4) + Math.Exp(1.0);
        Close([counts[0] - (Math.Exp(0.2) / z), counts[1] - (Math.Exp(-0.4) / z), counts[2] - (Math.Exp(1.0) / z)], Tensor.FromArray(g), 1e-12);
    }

    [Fact]
    public void ADistributionCanBeReusedAcrossBackwardPasses()
    {
        var mu = Tensor.FromArray([0.1, 0.2]).RequireGrad();
        var sigma = Tensor.FromArray([1.0]).RequireGrad();
        var d = new Normal(mu, sigma);
        var x = Tensor.FromArray([0.5, -0.5]);
        d.LogProb(x).Sum().Backward();
        var first = mu.Grad!.ToDoubleArray();
        mu.ZeroGrad();
        d.LogProb(x).Sum().Backward();
        Assert.Equal(first, mu.Grad!.ToDoubleArray());
        d.Entropy().Sum().Backward();
        d.RSample(new RngKey(1)).Sum().Backward();
        Assert.NotNull(sigma.Grad);
    }

    [Fact]
    public void Float32AgreesWithFloat64()
    {
        var a = Pos(1, 4);
        var b = Pos(2, 4);
        var x = Pos(3, 4);
        var d64 = new Gamma(a, b);
        var d32 = new Gamma(a.To(DType.Float32), b.To(DType.Float32));
        Assert.Equal(DType.Float32, d32.LogProb(x.To(DType.Float32)).DType);
        TestUtil.AssertClose(d64.LogProb(x).ToDoubleArray(), d32.LogProb(x.To(DType.Float32)), 1e-5);
        TestUtil.AssertClose(d64.Entropy().ToDoubleArray(), d32.Entropy(), 1e-5);
        var key = new RngKey(4);
        TestUtil.AssertClose(d64.Sample(key, [3]).ToDoubleArray(), d32.Sample(key, [3]), 1e-5);
    }
}
