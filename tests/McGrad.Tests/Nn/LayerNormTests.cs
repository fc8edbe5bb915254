using McGrad.Autodiff;
using McGrad.Nn;
using McGrad.Randomness;

namespace McGrad.Tests.Nn;

public class LayerNormTests
{
    [Fact]
    public void NormalisesEachRowWithTheBiasedVarianceThenScalesAndShifts()
    {
        // Row (1, 2, 3, 6): mean 3, biased variance (4 + 1 + 0 + 9)/4 = 3.5; y = (x − 3)/√(3.5 + 1e-5)·γ + β.
        // The unbiased variance (14/3) would give other values: this catches the wrong divisor.
        var norm = new LayerNorm(4, dtype: DType.Float64);
        Init.ConstantInPlace(norm.Weight, 2.0);
        Init.ConstantInPlace(norm.Bias, 0.5);
        var y = norm.Forward(Tensor.FromArray([1.0, 2.0, 3.0, 6.0], 1, 4)).ToDoubleArray();
        var s = Math.Sqrt(3.5 + 1e-5);
        double[] expected = [(-2 / s * 2) + 0.5, (-1 / s * 2) + 0.5, 0.5, (3 / s * 2) + 0.5];
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(expected[i], y[i], 12);
        }
    }

    [Fact]
    public void GradientsOfInputAndParametersMatchFiniteDifferences()
    {
        var x = Sampler.Normal(new RngKey(1), [3, 5], DType.Float64);
        var weight = Sampler.Normal(new RngKey(2), [5], DType.Float64);
        var bias = Sampler.Normal(new RngKey(3), [5], DType.Float64);
        var norm = new LayerNorm(5, dtype: DType.Float64);
        GradCheck.Assert(t => norm.ForwardWith(new Dictionary<string, Tensor> { ["weight"] = t[1], ["bias"] = t[2] }, t[0]).Tanh().Sum(), x, weight, bias);
    }

    [Fact]
    public void RejectsAWrongLastDimensionAndBadSettings()
    {
        var e = Assert.Throws<ArgumentException>(() => new LayerNorm(4).Forward(Tensor.Zeros([2, 3])));
        Assert.Contains("[2, 3]", e.Message, StringComparison.Ordinal);
        Assert.Contains("4", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LayerNorm(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LayerNorm(3, epsilon: 0));
    }
}
