using McGrad.Distributions;
using McGrad.Randomness;
using static McGrad.Tests.Distributions.Ref;

namespace McGrad.Tests.Distributions;

/// <summary>
/// Sample() draws against each family's Mean and Variance (themselves checked against closed forms in
/// <see cref="FamilyFormulaTests"/>): |z| &lt; 4 for the sample mean (exact standard error) and the sample variance
/// (standard error from the sample fourth moment), per batch element. Catches a sampler wired to the wrong
/// parameter (rate vs scale, swapped Beta concentrations, a missing 1/β), or a batch broadcast in the wrong order.
/// </summary>
public class SampleMomentTests
{
    private const int N = 20_000;

    private static void Check(Distribution d, ulong seed)
    {
        var x = d.Sample(new RngKey(seed), [N]);
        Assert.Equal(d.ExtendedShape([N]), x.Shape);
        Assert.False(x.RequiresGrad);
        AssertMoments(x.ToDoubleArray(), d.Mean.ToDoubleArray(), d.Variance.ToDoubleArray(), d.GetType().Name);
    }

    [Fact]
    public void ContinuousFamilies()
    {
        Check(new Normal(T(0.3, -2, 5), T(0.5, 1, 3)), 1);
        Check(new Gumbel(T(0.3, -2, 5), T(0.5, 1, 3)), 2);
        Check(new Logistic(T(0.3, -2, 5), T(0.5, 1, 3)), 3);
        Check(new Uniform(T(0.3, -2, 5), T(0.5, 1, 30)), 4);
        Check(new Exponential(T(0.5, 1, 3)), 5);
        Check(new Gamma(T(0.3, 1, 6.5), T(0.5, 2, 3)), 6);
        Check(new Beta(T(0.3, 2, 6.5), T(1.5, 2, 0.7)), 7);
        Check(new Weibull(T(0.5, 1, 3), T(0.8, 1.5, 5)), 8);
        Check(new DoubleSidedMaxwell(T(0.3, -2, 5), T(0.5, 1, 3)), 9);
        Check(new SumOfGamma([3], kappa: 2, temperature: 0.7, terms: 10, dtype: DType.Float64), 10);
        Check(new Independent(new Normal(TestUtil.Rand(1, [2, 2]), TestUtil.Rand(2, [2, 2], 0.5, 2)), 1), 11);
    }

    [Fact]
    public void Float32Sampling()
    {
        var d = new Gamma(T(0.3, 1, 6.5).To(DType.Float32), T(0.5, 2, 3).To(DType.Float32));
        var x = d.Sample(new RngKey(12), [N]);
        Assert.Equal(DType.Float32, x.DType);
        AssertMoments(x.ToDoubleArray(), d.Mean.ToDoubleArray(), d.Variance.ToDoubleArray(), "Gamma float32");
        Check(new Normal(0.5, 2.0), 13);
        Check(new Beta(2.0, 3.0), 14);
    }

    [Fact]
    public void DiscreteFamilies()
    {
        Check(new Bernoulli(logits: T(-2, 0.3, 4)), 20);
        Check(new Bernoulli(probs: T(0, 0.3, 1)), 21);
        Check(new Poisson(T(0.3, 4, 120)), 22);
        Check(new Categorical(logits: T([0.5, -1, 2, 0.1, 3, 3, -2, 0], 2, 4)), 23);
        Check(new OneHotCategorical(probs: T(0.2, 0.45, 0.35)), 24);
        var oh = new OneHotCategorical(logits: T(0.5, -1, 2)).Sample(new RngKey(25), [100]).ToDoubleArray();
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(1, oh[3 * i] + oh[(3 * i) + 1] + oh[(3 * i) + 2]);
        }
    }

    /// <summary>For every temperature, P(y &gt; ½) = σ(ℓ) (Binary Concrete) and P(argmax y = k) = softmax(ℓ)ₖ (Concrete).</summary>
    [Fact]
    public void RelaxedFamiliesKeepTheLimitingLaw()
    {
        double[] l = [-1.5, 0.2, 2.0];
        var rb = new RelaxedBernoulli(0.6, logits: T(l)).Sample(new RngKey(30), [N]).ToDoubleArray();
        for (var j = 0; j < 3; j++)
        {
            var p = Sigmoid(l[j]);
            var frac = Enumerable.Range(0, N).Count(i => rb[(3 * i) + j] > 0.5) / (double)N;
            var z = (frac - p) / Math.Sqrt(p * (1 - p) / N);
            Assert.True(Math.Abs(z) < 4, $"RelaxedBernoulli[{j}]: P(y > 1/2) = {frac}, expected {p} (z = {z})");
        }

        var ro = new RelaxedOneHotCategorical(T(1.5), logits: T(l)).Sample(new RngKey(31), [N]).ToDoubleArray();
        var probs = l.Select(v => Math.Exp(v)).ToArray();
        var total = probs.Sum();
        for (var k = 0; k < 3; k++)
        {
            var p = probs[k] / total;
            var count = 0;
            for (var i = 0; i < N; i++)
            {
                var row = ro.AsSpan(3 * i, 3);
                var arg = row[0] >= row[1] && row[0] >= row[2] ? 0 : row[1] >= row[2] ? 1 : 2;
                count += arg == k ? 1 : 0;
            }

            var frac = count / (double)N;
            var z = (frac - p) / Math.Sqrt(p * (1 - p) / N);
            Assert.True(Math.Abs(z) < 4, $"RelaxedOneHotCategorical[{k}]: P(argmax = k) = {frac}, expected {p} (z = {z})");
        }
    }

    /// <summary>Sample is RSample's value, detached; the same key gives the same draw; split keys give different draws.</summary>
    [Fact]
    public void SampleEqualsDetachedRSampleAndIsKeyDetermined()
    {
        var a = T(1.5, 0.4).RequireGrad();
        var b = T(2.0, 0.9).RequireGrad();
        Distribution[] ds = [new Normal(a, b), new Gamma(a, b), new Beta(a, b), new Weibull(a, b), new Gumbel(a, b), new RelaxedBernoulli(b, logits: a)];
        var key = new RngKey(40);
        foreach (var d in ds)
        {
            var s = d.Sample(key, [7]);
            var r = d.RSample(key, [7]);
            Assert.False(s.RequiresGrad);
            Assert.True(r.RequiresGrad);
            Assert.Equal(r.ToDoubleArray(), s.ToDoubleArray());
            Assert.Equal(s.ToDoubleArray(), d.Sample(key, [7]).ToDoubleArray());
            Assert.NotEqual(s.ToDoubleArray(), d.Sample(key.Split(2)[1], [7]).ToDoubleArray());
        }
    }
}
