using McGrad.Distributions;
using McGrad.Estimators;
using McGrad.Estimators.Problems;
using McGrad.Estimators.ScoreFunction;
using McGrad.Randomness;

namespace McGrad.Tests.Estimators;

/// <summary>
/// Inputs that used to give NaN or an IndexOutOfRangeException deep inside a computation are rejected up front,
/// with the argument named: a GradientProblem whose names or exact gradient do not match its parameters, a
/// non-finite constant baseline, a non-finite GaussianCosts k, and VIMCO with every log-weight −∞.
/// </summary>
public class ArgumentValidationTests
{
    private static readonly Tensor[] TwoParameters = [Tensor.Scalar(0.5, DType.Float64), Tensor.FromArray([1.0, 2.0])];

    private static GradientProblem Problem(IReadOnlyList<string> names, IReadOnlyList<Tensor>? exact) => new(
        "test problem", names, TwoParameters, p => new Normal(p[0], p[1]), x => x, exact);

    [Fact]
    public void GradientProblemNeedsOneNameAndOneExactGradientPerParameter()
    {
        var names = Assert.Throws<ArgumentException>(() => Problem(["μ"], null));
        Assert.Equal("ParameterNames", names.ParamName);
        Assert.Contains("1 parameter names", names.Message);
        Assert.Contains("for 2 parameters", names.Message);

        var shortExact = Assert.Throws<ArgumentException>(() => Problem(["μ", "σ"], [Tensor.Scalar(1.0, DType.Float64)]));
        Assert.Equal("ExactGradient", shortExact.ParamName);
        Assert.Contains("1 tensors for 2 parameters", shortExact.Message);

        var smallExact = Assert.Throws<ArgumentException>(() => Problem(["μ", "σ"], [Tensor.Scalar(1.0, DType.Float64), Tensor.Scalar(1.0, DType.Float64)]));
        Assert.Equal("ExactGradient", smallExact.ParamName);
        Assert.Contains("exact gradient 1 has shape []", smallExact.Message);
        Assert.Contains("parameter 1 has shape [2]", smallExact.Message);

        // A matching problem (and one with no exact gradient) still builds and runs.
        var ok = Problem(["μ", "σ"], null);
        var result = EstimatorCheck.Run(new Pathwise(), ok, new RngKey(3), estimates: 10);
        Assert.Equal(3, result.Parameters.Count);
        Assert.Equal("σ[1]", result.Parameters[2].Parameter);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void ConstantBaselineMustBeFinite(double value)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Baselines.Constant(value));
        Assert.Equal("value", e.ParamName);
        Assert.Contains("finite", e.Message);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void GaussianCostsRejectANonFiniteK(double k)
    {
        foreach (var make in new Func<GradientProblem>[] { () => GaussianCosts.Square(k), () => GaussianCosts.ExpSquare(k), () => GaussianCosts.Cos(k) })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(make);
            Assert.Equal("k", e.ParamName);
            Assert.Contains("k must be finite", e.Message);
        }

        Assert.Equal("sigma", Assert.Throws<ArgumentOutOfRangeException>(() => GaussianCosts.Cos(1, sigma: k)).ParamName);
        Assert.Equal("mu", Assert.Throws<ArgumentOutOfRangeException>(() => GaussianCosts.Square(1, mu: k)).ParamName);
    }

    [Fact]
    public void GaussianExpSquareNeedsAFiniteExpectation()
    {
        // E[exp(−kx²)] is infinite when 1 + 2kσ² ≤ 0; the closed form would be NaN.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GaussianCosts.ExpSquare(-0.5));
        Assert.Equal("k", e.ParamName);
        Assert.Contains("1 + 2kσ² > 0", e.Message);
        Assert.True(double.IsFinite(GaussianCosts.ExpSquare(-0.4).ExactGradient![0].Item()));
    }

    [Fact]
    public void VimcoRejectsABatchElementWithAllLogWeightsMinusInfinity()
    {
        var ninf = double.NegativeInfinity;
        // [K = 3, batch = 2]: element 0 has one finite weight (fine), element 1 has none.
        var l = Tensor.FromArray([0.5, ninf, ninf, ninf, -1.0, ninf], [3, 2]);
        var e = Assert.Throws<ArgumentException>(() => Vimco.LearningSignals(l));
        Assert.Equal("logWeights", e.ParamName);
        Assert.Contains("batch element 1", e.Message);
        Assert.Contains("all K = 3 log-weights", e.Message);

        var q = new Normal(Tensor.Zeros([2], DType.Float64), Tensor.Ones([2], DType.Float64));
        var viaEstimate = Assert.Throws<ArgumentException>(() => new Vimco(3).Estimate(q, (x, _) => Tensor.Full(x.Shape, ninf, DType.Float64), new RngKey(5)));
        Assert.Contains("are −∞", viaEstimate.Message);

        // Some −∞ per element is still allowed: the signals are finite where the rest of the tuple has weight.
        var signals = Vimco.LearningSignals(Tensor.FromArray([0.5, -2.0, ninf, 1.0, 0.1, ninf], [3, 2])).ToDoubleArray();
        Assert.All(signals, s => Assert.True(double.IsFinite(s), $"signal {s}"));
    }
}
