using McGrad.Distributions;
using McGrad.Randomness;
using static McGrad.Tests.Distributions.Ref;

namespace McGrad.Tests.Distributions;

/// <summary>Bad parameters and values give clear errors naming the family, the argument and the offending value.</summary>
public class ValidationTests
{
    private static void Throws(Func<object> create, string param, params string[] fragments)
    {
        var e = Assert.ThrowsAny<ArgumentException>(create);
        Assert.Equal(param, e.ParamName);
        foreach (var f in fragments)
        {
            Assert.Contains(f, e.Message);
        }
    }

    [Fact]
    public void ParameterValues()
    {
        Throws(() => new Normal(T(0, 0, 0, 0), T(1, 2, 0.5, -0.5)), "scale", "Normal: scale must be finite and > 0; element 3 is -0.5");
        Throws(() => new Normal(T(double.NaN), T(1.0)), "loc", "Normal: loc must be finite", "NaN");
        Throws(() => Bernoulli.FromProbs(1.5, DType.Float64), "probs", "Bernoulli: probs must be in [0, 1]; element 0 is 1.5");
        Throws(() => new Bernoulli(logits: T(double.NaN)), "logits", "Bernoulli", "NaN");
        Throws(() => new Categorical(probs: T(0.5, -0.1)), "probs", "Categorical: probs must be finite and >= 0; element 1 is -0.1");
        Throws(() => new Categorical(probs: T([1, 1, 0, 0], 2, 2)), "probs", "row 1 sums to 0");
        Throws(() => new Categorical(logits: T([0, 1, double.NegativeInfinity, double.NegativeInfinity], 2, 2)), "logits", "row 1", "−∞");
        Throws(() => new Categorical(logits: Tensor.Scalar(1.0, DType.Float64)), "logits", "last (category) axis");
        Throws(() => new Uniform(T(0, 2), T(1, 1)), "high", "Uniform: low must be < high; element 1 has low = 2, high = 1");
        Throws(() => new Exponential(T(1, 0)), "rate", "Exponential: rate must be finite and > 0; element 1 is 0");
        Throws(() => new Gamma(T(-1.0), T(1.0)), "concentration", "Gamma: concentration");
        Throws(() => new Gamma(T(1.0), T(double.PositiveInfinity)), "rate", "Gamma: rate");
        Throws(() => new Beta(T(1.0), T(0.0)), "concentration0", "Beta: concentration0");
        Throws(() => new Weibull(T(1.0), T(-2.0)), "concentration", "Weibull: concentration");
        Throws(() => new Poisson(T(-0.1)), "rate", "Poisson: rate must be finite and >= 0; element 0 is -0.1");
        Throws(() => new Gumbel(T(0.0), T(0.0)), "scale", "Gumbel: scale");
        Throws(() => new Logistic(T(0.0), T(-1.0)), "scale", "Logistic: scale");
        Throws(() => new DoubleSidedMaxwell(T(0.0), T(-1.0)), "scale", "DoubleSidedMaxwell: scale");
        Throws(() => new RelaxedBernoulli(0.0, logits: T(0.0)), "temperature", "RelaxedBernoulli: temperature");
        Throws(() => new RelaxedOneHotCategorical(-1.0, logits: T(0.0, 1.0)), "temperature", "RelaxedOneHotCategorical: temperature");
        Throws(() => new SumOfGamma([2], kappa: 0), "kappa", "SumOfGamma: kappa");
        Throws(() => new SumOfGamma([2], kappa: 1, terms: 0), "terms", "SumOfGamma: terms");
    }

    [Fact]
    public void ParameterShapesAndDtypes()
    {
        Throws(() => new Normal(T(0.0).To(DType.Float32), T(1.0)), "scale", "loc is Float32 but scale is Float64");
        Throws(() => new Normal(TestUtil.Rand(1, [3]), TestUtil.Rand(2, [4], 1, 2)), "scale", "do not broadcast", "loc [3]", "scale [4]");
        Throws(() => new Exponential(Tensor.FromArray(new long[] { 1 })), "rate", "floating-point", "Int64");
        Throws(() => new Bernoulli(), "probs", "exactly one of probs or logits", "neither");
        Throws(() => new Bernoulli(T(0.5), T(0.0)), "probs", "both");
        Throws(() => new Categorical(probs: T(0.5, 0.5), logits: T(0.0, 0.0)), "probs", "both");
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Independent(new Normal(TestUtil.Rand(1, [2, 3]), T(1.0)), 3));
        Assert.Contains("[0, 2]", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Independent(new Normal(0.0, 1.0), -1));
    }

    [Fact]
    public void LogProbValues()
    {
        Throws(() => Bernoulli.FromProbs(0.3, DType.Float64).LogProb(T(1, 0.5)), "value", "Bernoulli.LogProb: value must lie in the support {0, 1}; element 1 is 0.5");
        Throws(() => Bernoulli.FromLogits(0.3, DType.Float64).LogProb(T(2.0)), "value", "{0, 1}");
        Throws(() => Categorical.FromProbs([0.5, 0.5], DType.Float64).LogProb(Tensor.FromArray(new long[] { 0, 2 })), "value", "element 1 is 2");
        Throws(() => Categorical.FromProbs([0.5, 0.5], DType.Float64).LogProb(Tensor.FromArray(new long[] { -1 })), "value", "element 0 is -1");
        Throws(() => Categorical.FromProbs([0.5, 0.5], DType.Float64).LogProb(T(1.0)), "value", "Int64");
        Throws(() => new OneHotCategorical(probs: T(0.5, 0.5)).LogProb(T(1.0, 1.0)), "value", "one-hot", "2 ones");
        Throws(() => new OneHotCategorical(probs: T(0.5, 0.5)).LogProb(T(0.5, 0.5)), "value", "one-hot", "0.5");
        Throws(() => new Uniform(0.0, 1.0, DType.Float64).LogProb(T(0.5, 1.5)), "value", "Uniform.LogProb", "element 1 is 1.5");
        Throws(() => new Exponential(1.0, DType.Float64).LogProb(T(-1.0)), "value", "Exponential.LogProb", "[0, ∞)");
        Throws(() => new Gamma(1.0, 1.0, DType.Float64).LogProb(T(0.0)), "value", "Gamma.LogProb");
        Throws(() => new Beta(1.0, 1.0, DType.Float64).LogProb(T(1.0)), "value", "Beta.LogProb");
        Throws(() => new Weibull(1.0, 1.0, DType.Float64).LogProb(T(0.0)), "value", "Weibull.LogProb");
        Throws(() => new Poisson(1.0, DType.Float64).LogProb(T(1.5)), "value", "Poisson.LogProb", "element 0 is 1.5");
        Throws(() => new RelaxedBernoulli(0.5, logits: T(0.0)).LogProb(T(1.0)), "value", "RelaxedBernoulli.LogProb", "raise the temperature");
        Throws(() => new RelaxedOneHotCategorical(0.5, logits: T(0.0, 0.0)).LogProb(T(0.3, 0.3)), "value", "sum to 1");
    }

    [Fact]
    public void LogProbShapesAndDtypes()
    {
        var d = new Normal(TestUtil.Rand(1, [3]), T(1.0));
        Throws(() => d.LogProb(TestUtil.Rand(2, [4])), "value", "Normal.LogProb", "[4]", "batch shape [3]");
        Throws(() => d.LogProb(TestUtil.Rand(2, [3]).To(DType.Float32)), "value", "Float32", "Float64");
        var oh = new OneHotCategorical(probs: T(0.2, 0.3, 0.5));
        Throws(() => oh.LogProb(T(1.0)), "value", "event shape [3]");
    }

    [Fact]
    public void NoClosedFormMessagesNameTheFamily()
    {
        var e = Assert.Throws<NotSupportedException>(() => new RelaxedOneHotCategorical(1.0, logits: T(0.0, 1.0)).Variance);
        Assert.Contains("RelaxedOneHotCategorical", e.Message);
        Assert.Contains("Monte Carlo", e.Message);
        var r = Assert.Throws<NotSupportedException>(() => new Poisson(1.0).RSample(new RngKey(1)));
        Assert.Contains("Poisson", r.Message);
    }
}
