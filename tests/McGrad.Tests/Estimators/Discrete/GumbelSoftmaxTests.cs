using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Estimators;
using McGrad.Estimators.Discrete;
using McGrad.Randomness;

namespace McGrad.Tests.Estimators.Discrete;

public class GumbelSoftmaxTests
{
    private static readonly double[] Logits4 = [0.5, -0.3, 1.2, 0.0];

    [Fact]
    public void RelaxedSampleIsSoftmaxOfPerturbedLogitsOverTemperature()
    {
        // y = softmax((ℓ + g)/τ) with g the documented Gumbel draws; computed by hand.
        var key = new RngKey(2);
        const double tau = 0.7;
        var y = Relaxation.GumbelSoftmax(Tensor.FromArray(Logits4, 4), tau, key, sampleShape: [3]).ToDoubleArray();
        var g = Sampler.Gumbel(key, [3, 4], DType.Float64).ToDoubleArray();
        for (var s = 0; s < 3; s++)
        {
            var e = Enumerable.Range(0, 4).Select(k => Math.Exp((Logits4[k] + g[(s * 4) + k]) / tau)).ToArray();
            for (var k = 0; k < 4; k++)
            {
                Assert.Equal(e[k] / e.Sum(), y[(s * 4) + k], 1e-12);
            }
        }
    }

    [Fact]
    public void RelaxedSamplesApproachOneHotAsTemperatureFallsToZero()
    {
        // Mean of the largest entry → 1 as τ → 0 (and → 1/K as τ grows).
        var logits = Tensor.FromArray(Logits4, 4);
        var previous = 0.0;
        foreach (var tau in new[] { 10.0, 1.0, 0.1, 0.01, 0.001 })
        {
            var y = Relaxation.GumbelSoftmax(logits, tau, new RngKey(4), sampleShape: [4000]);
            var meanMax = y.Max(-1).Values.Mean().Item();
            Assert.True(meanMax > previous, $"τ = {tau}: mean max {meanMax} should exceed {previous}");
            previous = meanMax;
            if (tau == 10.0)
            {
                Assert.True(meanMax < 0.4, $"τ = 10: mean max {meanMax} should be near 1/4");
            }
        }

        Assert.True(previous > 0.999, $"τ = 0.001: mean max {previous}");
    }

    [Fact]
    public void GumbelSigmoidApproachesZeroOrOneAsTemperatureFallsToZero()
    {
        var logits = Tensor.FromArray(new[] { -0.8, 0.3 }, 2);
        var y = Relaxation.GumbelSigmoid(logits, 0.001, new RngKey(6), sampleShape: [4000]).ToDoubleArray();
        var distance = y.Select(v => Math.Min(v, 1 - v)).Average();
        Assert.True(distance < 1e-3, $"mean distance to {{0, 1}}: {distance}");
        var y1 = Relaxation.GumbelSigmoid(logits, 1.0, new RngKey(6), sampleShape: [4000]).ToDoubleArray();
        Assert.True(y1.Select(v => Math.Min(v, 1 - v)).Average() > 0.1);
    }

    [Fact]
    public void HardGumbelSoftmaxIsExactlyOneHotWithTheSoftGradient()
    {
        // Forward: the one-hot of argmax y, exactly; backward: J_yᵀ·∂f/∂z(z_hard), checked against the soft sample's
        // gradient of (∂f/∂z(z_hard)·y) with the same key. f(z) = Σ cₖzₖ² + Σ dₖzₖ is nonlinear in z.
        var logits = Tensor.FromArray(new[] { 0.5, -0.3, 1.2, 0.0, -1.0, 0.2, 0.4, 2.0 }, 2, 4).RequireGrad();
        var c = Tensor.FromArray(new[] { 1.0, -2.0, 0.5, 3.0 }, 4);
        var d = Tensor.FromArray(new[] { 0.3, 1.5, -1.0, 2.0 }, 4);
        var key = new RngKey(8);
        const double tau = 0.5;
        var z = Relaxation.GumbelSoftmax(logits, tau, key, hard: true, sampleShape: [5]);
        var soft = Relaxation.GumbelSoftmax(logits, tau, key, sampleShape: [5]);
        var zv = z.ToDoubleArray();
        var sv = soft.ToDoubleArray();
        for (var r = 0; r < 10; r++)
        {
            var row = zv.Skip(r * 4).Take(4).ToArray();
            Assert.All(row, v => Assert.True(v is 0 or 1));
            Assert.Equal(1.0, row.Sum());
            var softRow = sv.Skip(r * 4).Take(4).ToArray();
            Assert.Equal(Array.IndexOf(softRow, softRow.Max()), Array.IndexOf(row, 1.0));
        }

        var gHard = Autograd.Grad(((c * z.Square()) + (d * z)).Sum(), logits).ToDoubleArray();
        var dfdz = (c * z.Detach() * 2.0) + d;
        var gSoft = Autograd.Grad((dfdz * soft).Sum(), logits).ToDoubleArray();
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(gSoft[i], gHard[i], 1e-12);
        }

        Assert.Contains(gHard, v => Math.Abs(v) > 1e-6);
    }

    [Fact]
    public void HardGumbelSigmoidIsExactlyBinaryWithTheSoftGradient()
    {
        var logits = Tensor.FromArray(new[] { -0.8, 0.3, 1.4 }, 3).RequireGrad();
        var key = new RngKey(9);
        var z = Relaxation.GumbelSigmoid(logits, 0.4, key, hard: true, sampleShape: [6]);
        var soft = Relaxation.GumbelSigmoid(logits, 0.4, key, sampleShape: [6]);
        var zv = z.ToDoubleArray();
        var sv = soft.ToDoubleArray();
        for (var i = 0; i < zv.Length; i++)
        {
            Assert.Equal(sv[i] > 0.5 ? 1.0 : 0.0, zv[i]);
        }

        var w = Tensor.FromArray(new[] { 1.0, -2.0, 0.5 }, 3);
        var gHard = Autograd.Grad((w * z).Sum(), logits).ToDoubleArray();
        var gSoft = Autograd.Grad((w * soft).Sum(), logits).ToDoubleArray();
        Assert.Equal(gSoft, gHard);
    }

    [Fact]
    public void HardSamplesHaveTheDiscreteLaw()
    {
        // P(argmax = k) = softmax(ℓ)ₖ and P(hard bit = 1) = σ(ℓ) for any τ; binomial |z| < 4.
        const int n = 20_000;
        var z = Relaxation.GumbelSoftmax(Tensor.FromArray(Logits4, 4), 2.0, new RngKey(10), hard: true, sampleShape: [n]).ToDoubleArray();
        var m = Logits4.Max();
        var e = Logits4.Select(v => Math.Exp(v - m)).ToArray();
        for (var k = 0; k < 4; k++)
        {
            var p = e[k] / e.Sum();
            var count = Enumerable.Range(0, n).Count(s => z[(s * 4) + k] == 1);
            var zscore = (count - (n * p)) / Math.Sqrt(n * p * (1 - p));
            Assert.True(Math.Abs(zscore) < 4, $"category {k}: {count} of {n}, p = {p}, z = {zscore:F2}");
        }

        var b = Relaxation.GumbelSigmoid(Tensor.Scalar(0.7, DType.Float64), 3.0, new RngKey(11), hard: true, sampleShape: [n]).ToDoubleArray();
        var q = 1 / (1 + Math.Exp(-0.7));
        var zb = (b.Sum() - (n * q)) / Math.Sqrt(n * q * (1 - q));
        Assert.True(Math.Abs(zb) < 4, $"Gumbel-Sigmoid ones: {b.Sum()} of {n}, p = {q}, z = {zb:F2}");
    }

    [Fact]
    public void TemperatureScheduleValues()
    {
        var s = TemperatureSchedule.Exponential(rate: 1e-4);
        Assert.Equal(1.0, s.ValueAt(0));
        Assert.Equal(Math.Exp(-0.1), s.ValueAt(1000), 1e-15);
        Assert.Equal(Math.Exp(-0.5), s.ValueAt(5000), 1e-15);
        Assert.Equal(0.5, s.ValueAt(10_000));
        Assert.Equal(0.5, s.ValueAt(1_000_000));

        var stepped = TemperatureSchedule.Exponential(rate: 1e-4, minimum: 0.5, initial: 2.0, every: 500);
        Assert.Equal(2.0, stepped.ValueAt(499));
        Assert.Equal(2 * Math.Exp(-0.05), stepped.ValueAt(500), 1e-15);
        Assert.Equal(2 * Math.Exp(-0.05), stepped.ValueAt(999), 1e-15);
        Assert.Equal(2 * Math.Exp(-0.1), stepped.ValueAt(1000), 1e-15);

        TemperatureSchedule constant = 0.3;
        Assert.Equal(0.3, constant.ValueAt(12345));
        Assert.Equal(0.25, TemperatureSchedule.FromFunc(t => 1.0 / (t + 1)).ValueAt(3));

        Assert.Throws<ArgumentOutOfRangeException>(() => s.ValueAt(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TemperatureSchedule.Constant(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TemperatureSchedule.Exponential(rate: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TemperatureSchedule.Exponential(rate: 1, minimum: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TemperatureSchedule.Exponential(rate: 1, every: 0));
        var bad = TemperatureSchedule.FromFunc(t => 1.0 - t, "1 − t");
        Assert.Contains("1 − t", Assert.Throws<InvalidOperationException>(() => bad.ValueAt(1)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EstimatorReadsTheScheduleAtItsStepAndIsThePathwiseGradientOfTheRelaxation(bool hard)
    {
        // Independent(Bernoulli) latents [2, 3]: the surrogate's gradient is that of (1/K) Σ f(y) built by hand
        // from Relaxation.GumbelSigmoid with the same key and τ(step).
        var est = new GumbelSoftmax(TemperatureSchedule.Exponential(rate: 0.1, minimum: 0.2), hard, samples: 3);
        Assert.True(est.Traits.Stateful);
        Assert.Equal(new TemperatureState(0), est.InitialState);
        Assert.Equal(Math.Exp(-0.5), est.TemperatureAt(new TemperatureState(5)), 1e-15);
        var state = new TemperatureState(6);
        var tau = est.TemperatureAt(state);
        var logits = Tensor.FromArray(new[] { 0.2, -1.0, 0.8, 1.5, 0.0, -0.4 }, 2, 3).RequireGrad();
        var key = new RngKey(12);
        Objective f = b => ((b - 0.3).Square().Sum(-1) * 2.0) + (b.Narrow(-1, 0, 1).Squeeze(-1) * b.Narrow(-1, 2, 1).Squeeze(-1));
        Tensor? seen = null;
        var e = est.Estimate(new Independent(new Bernoulli(logits: logits), 1), b =>
        {
            seen = b.Detach();
            return f(b);
        }, key, state);
        Assert.Equal(new TemperatureState(7), e.NextState);
        var g = Autograd.Grad(e.Surrogate, logits).ToDoubleArray();
        var y = Relaxation.GumbelSigmoid(logits, tau, key, hard, [3]);
        var expected = Autograd.Grad(f(y).Sum() / 3.0, logits).ToDoubleArray();
        TestUtil.AssertClose(expected, Tensor.FromArray(g, 6), 1e-13);
        Assert.Equal(y.Detach().ToDoubleArray(), seen!.ToDoubleArray());
        if (hard)
        {
            Assert.All(seen!.ToDoubleArray(), v => Assert.True(v is 0 or 1));
            Assert.StartsWith("ST Gumbel-Softmax", est.Name, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EstimatorOnOneHotCategoricalUsesGumbelSoftmax()
    {
        var logits = Tensor.FromArray(Logits4, 4).RequireGrad();
        var key = new RngKey(14);
        var c = Tensor.FromArray(new[] { 1.0, -2.0, 0.5, 3.0 }, 4);
        var e = new GumbelSoftmax(0.5, hard: true).Estimate(new OneHotCategorical(logits: logits), z => (c * z).Sum(-1).Square(), key);
        var g = Autograd.Grad(e.Surrogate, logits).ToDoubleArray();
        var z = Relaxation.GumbelSoftmax(logits, 0.5, key, hard: true, sampleShape: [1]);
        var expected = Autograd.Grad((c * z).Sum(-1).Square().Sum(), logits).ToDoubleArray();
        TestUtil.AssertClose(expected, Tensor.FromArray(g, 4), 1e-13);
    }

    [Fact]
    public void ErrorsNameTheEstimatorAndTheFamily()
    {
        var cat = new Categorical(logits: Tensor.Zeros([3], DType.Float64));
        var e = Assert.Throws<ArgumentException>(() => new GumbelSoftmax(0.5).Estimate(cat, x => x, new RngKey(1)));
        Assert.Contains("Gumbel-Softmax", e.Message, StringComparison.Ordinal);
        Assert.Contains("Categorical", e.Message, StringComparison.Ordinal);
        var normal = new Normal(Tensor.Zeros([2], DType.Float64), Tensor.Ones([2], DType.Float64));
        Assert.Contains("Normal", Assert.Throws<ArgumentException>(() => new GumbelSoftmax(0.5).Estimate(normal, x => x, new RngKey(1))).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Relaxation.GumbelSoftmax(Tensor.Zeros([3], DType.Float64), 0.0, new RngKey(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Relaxation.GumbelSigmoid(Tensor.Zeros([3], DType.Float64), double.NaN, new RngKey(1)));
        Assert.Throws<ArgumentException>(() => Relaxation.GumbelSoftmax(Tensor.Scalar(1.0, DType.Float64), 1.0, new RngKey(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GumbelSoftmax(TemperatureSchedule.Exponential(0.1)).TemperatureAt(new TemperatureState(-1)));
        Assert.False(new GumbelSoftmax(0.5).Traits.Stateful);
        Assert.Null(new GumbelSoftmax(0.5).InitialState);
        Assert.Throws<ArgumentOutOfRangeException>(() => new GumbelSoftmax(0.5, samples: 0));
        Assert.False(new GumbelSoftmax(0.5).Traits.Unbiased);
    }
}
