using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Estimators;
using McGrad.Estimators.Discrete;
using McGrad.Randomness;

namespace McGrad.Tests.Estimators.Discrete;

public class StraightThroughTests
{
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Theory]
    [InlineData(StraightThroughGradient.Identity)]
    [InlineData(StraightThroughGradient.ActivationDerivative)]
    public void BernoulliHandComputedCase(StraightThroughGradient variant)
    {
        // f(b) = a·b² + c·b per latent, ∂f/∂b = 2ab + c at the hard sample. Identity: ∂/∂ℓ = 2ab + c;
        // sigmoid derivative: (2ab + c)·σ(ℓ)(1 − σ(ℓ)). Catches the two variants swapped, a soft forward value.
        double[] l = [0.3, -1.2, 2.0];
        double[] a = [2.0, -1.0, 0.5];
        double[] c = [0.5, 3.0, -1.0];
        var logits = Tensor.FromArray(l, 3).RequireGrad();
        var at = Tensor.FromArray(a, 3);
        var ct = Tensor.FromArray(c, 3);
        var key = new RngKey(17);
        Tensor? seen = null;
        var est = new StraightThrough(variant, samples: 2).Estimate(new Bernoulli(logits: logits), z =>
        {
            seen = z.Detach();
            return (at * z.Square()) + (ct * z);
        }, key);
        var grad = Autograd.Grad(est.Surrogate, logits).ToDoubleArray();

        var hard = new Bernoulli(logits: logits.Detach()).Sample(key, [2]).ToDoubleArray();
        Assert.Equal(hard, seen!.ToDoubleArray());
        Assert.All(hard, v => Assert.True(v is 0 or 1));
        for (var i = 0; i < 3; i++)
        {
            var g = 0.0;
            for (var k = 0; k < 2; k++)
            {
                g += ((2 * a[i] * hard[(k * 3) + i]) + c[i]) / 2;
            }

            var s = Sigmoid(l[i]);
            var expected = variant == StraightThroughGradient.Identity ? g : g * s * (1 - s);
            Assert.Equal(expected, grad[i], 1e-14);
        }
    }

    [Theory]
    [InlineData(StraightThroughGradient.Identity)]
    [InlineData(StraightThroughGradient.ActivationDerivative)]
    public void OneHotCategoricalHandComputedCase(StraightThroughGradient variant)
    {
        // f(z) = Σ cₖzₖ² + (Σ dₖzₖ)², g = ∂f/∂z = 2cz + 2d(d·z). Identity through log softmax: ∂/∂ℓ = g − p·Σg;
        // softmax derivative: p ⊙ (g − p·g).
        double[] l = [0.4, -0.2, 1.0, 0.1];
        double[] c = [1.0, -2.0, 0.5, 3.0];
        double[] d = [0.3, 1.5, -1.0, 2.0];
        var logits = Tensor.FromArray(l, 4).RequireGrad();
        var ct = Tensor.FromArray(c, 4);
        var dt = Tensor.FromArray(d, 4);
        var key = new RngKey(23);
        Tensor? seen = null;
        var est = new StraightThrough(variant).Estimate(new OneHotCategorical(logits: logits), z =>
        {
            seen = z.Detach();
            return (ct * z.Square()).Sum(-1) + (dt * z).Sum(-1).Square();
        }, key);
        var grad = Autograd.Grad(est.Surrogate, logits).ToDoubleArray();

        var z = seen!.ToDoubleArray();
        Assert.Equal(1.0, z.Sum());
        Assert.All(z, v => Assert.True(v is 0 or 1));
        var dz = z.Zip(d, (zi, di) => zi * di).Sum();
        var g = Enumerable.Range(0, 4).Select(k => (2 * c[k] * z[k]) + (2 * d[k] * dz)).ToArray();
        var m = l.Max();
        var p = l.Select(v => Math.Exp(v - m)).ToArray();
        var sum = p.Sum();
        p = p.Select(v => v / sum).ToArray();
        var sumG = g.Sum();
        var pg = p.Zip(g, (pi, gi) => pi * gi).Sum();
        for (var k = 0; k < 4; k++)
        {
            var expected = variant == StraightThroughGradient.Identity ? g[k] - (p[k] * sumG) : p[k] * (g[k] - pg);
            Assert.Equal(expected, grad[k], 1e-14);
        }
    }

    [Fact]
    public void SigmoidDerivativeVariantIsExactForLinearObjectives()
    {
        // f(b) = 3b: ĝ = 3σ′(ℓ) for every draw, which is ∂E f/∂ℓ.
        var theta = Tensor.FromArray(new[] { -0.5, 1.5 }, 2).RequireGrad();
        var g = Autograd.Grad(new StraightThrough(samples: 4).Estimate(new Bernoulli(logits: theta), b => b * 3.0, new RngKey(3)).Surrogate, theta).ToDoubleArray();
        Assert.Equal(3 * Sigmoid(-0.5) * (1 - Sigmoid(-0.5)), g[0], 1e-15);
        Assert.Equal(3 * Sigmoid(1.5) * (1 - Sigmoid(1.5)), g[1], 1e-15);
    }

    [Fact]
    public void StraightThroughCombinatorKeepsTheHardValueExactly()
    {
        var soft = Tensor.FromArray(new[] { 0.1234567, 0.7, 1e-9, 0.3333333333 }, 4).RequireGrad();
        var hard = Tensor.FromArray(new[] { 0.0, 1.0, 1.0, 0.0 }, 4);
        var z = Relaxation.StraightThrough(hard, soft);
        Assert.Equal(hard.ToDoubleArray(), z.ToDoubleArray());
        var g = Autograd.Grad((z * Tensor.FromArray(new[] { 1.0, 2.0, 3.0, 4.0 }, 4)).Sum(), soft).ToDoubleArray();
        Assert.Equal(new[] { 1.0, 2.0, 3.0, 4.0 }, g);

        Assert.Throws<ArgumentException>(() => Relaxation.StraightThrough(hard, soft.Detach().To(DType.Float32)));
        Assert.Throws<ArgumentException>(() => Relaxation.StraightThrough(hard, Tensor.Zeros([3], DType.Float64)));
        Assert.Throws<ArgumentException>(() => Relaxation.StraightThrough(hard, Tensor.Full([4], double.NegativeInfinity, DType.Float64)));
    }

    [Fact]
    public void ErrorsNameTheEstimatorAndTheFamily()
    {
        Objective f = x => x.Sum(-1);
        var cat = new Categorical(logits: Tensor.Zeros([3], DType.Float64));
        var e = Assert.Throws<ArgumentException>(() => new StraightThrough().Estimate(cat, f, new RngKey(1)));
        Assert.Contains("ST(", e.Message, StringComparison.Ordinal);
        Assert.Contains("Categorical", e.Message, StringComparison.Ordinal);
        Assert.Contains("OneHotCategorical", e.Message, StringComparison.Ordinal);

        var normal = new Normal(Tensor.Zeros([2], DType.Float64), Tensor.Ones([2], DType.Float64));
        Assert.Contains("Normal", Assert.Throws<ArgumentException>(() => new StraightThrough().Estimate(normal, x => x, new RngKey(1))).Message, StringComparison.Ordinal);

        var certain = new Bernoulli(probs: Tensor.FromArray(new[] { 0.5, 1.0 }, 2));
        var e2 = Assert.Throws<ArgumentException>(() => new StraightThrough(StraightThroughGradient.Identity).Estimate(certain, x => x, new RngKey(1)));
        Assert.Contains("ActivationDerivative", e2.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(() => new StraightThrough(samples: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StraightThrough((StraightThroughGradient)7));
        Assert.False(new StraightThrough().Traits.Unbiased);
        Assert.True(new StraightThrough().Traits.NeedsDifferentiableObjective);
    }
}
