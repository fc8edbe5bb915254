using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Estimators;
using McGrad.Estimators.Problems;
using McGrad.Estimators.ScoreFunction;
using McGrad.Randomness;

namespace McGrad.Tests.Estimators;

public class PathwiseTests
{
    private const int N = 200_000;

    public static TheoryData<int> Rows => new(Enumerable.Range(0, ReferenceTable.R1.Length));

    [Theory]
    [MemberData(nameof(Rows))]
    public void PathwiseMatchesReferenceTable(int row)
    {
        // Catches a gradient that does not flow through x (zero), a missing ε in ∂x/∂σ (σ row off), a wrong 1/K.
        var r = ReferenceTable.R1[row];
        var result = EstimatorCheck.Run(new Pathwise(), r.Problem, new RngKey(300 + (ulong)row), N);
        ReferenceTable.AssertMatches(result, r.Pathwise);
        Assert.Equal(new EstimatorCost(1, 1), result.Cost);
    }

    [Fact]
    public void PathwiseIsWorseThanScoreFunctionForCos5x()
    {
        // R1: for cos(5x), Var pathwise = 12.5 for both μ and σ, Var SF = 0.5 and 1 — pathwise is not uniformly best.
        var r = ReferenceTable.R1[5];
        var pw = EstimatorCheck.Run(new Pathwise(), r.Problem, new RngKey(11), N);
        var sf = EstimatorCheck.Run(new Reinforce(), r.Problem, new RngKey(11), N);
        for (var p = 0; p < 2; p++)
        {
            var a = pw.Parameters[p];
            var b = sf.Parameters[p];
            Assert.True(a.Variance > (10 * b.Variance) + (4 * (a.VarianceStdError + b.VarianceStdError)), $"∂{a.Parameter}: pathwise {a.Variance}, SF {b.Variance}");
        }
    }

    [Fact]
    public void KSamplesDivideTheVarianceByK()
    {
        var r = ReferenceTable.R1[0];
        var result = EstimatorCheck.Run(new Pathwise(samples: 4), r.Problem, new RngKey(12), N);
        ReferenceTable.AssertMatches(result, [r.Pathwise[0] / 4, r.Pathwise[1] / 4]);
        Assert.Equal("Pathwise(4)", result.Estimator);
        Assert.Equal(new EstimatorCost(4, 1), result.Cost);
    }

    [Fact]
    public void QuadraticVarianceIsHSquaredSSquared()
    {
        // REFERENCE R4 (Xu et al. 2019): q = N(μ, s²), f = −(h/2)(z − m)², a = μ − m. ∂μ = −h·a with Var h²s²;
        // ∂s = −h·s with Var h²(a² + 2s²) (derived by hand: −h(a + sε)ε has variance h²(a² + 2s²)).
        double mu = 0.4, s = 0.7, h = 3, m = -1;
        var a = mu - m;
        var problem = new GradientProblem(
            "−(h/2)(z − m)²",
            ["μ", "s"],
            [Tensor.Scalar(mu, DType.Float64), Tensor.Scalar(s, DType.Float64)],
            p => new Normal(p[0], p[1]),
            z => (z - m).Square() * (-h / 2),
            [Tensor.Scalar(-h * a, DType.Float64), Tensor.Scalar(-h * s, DType.Float64)]);
        var result = EstimatorCheck.Run(new Pathwise(), problem, new RngKey(13), N);
        ReferenceTable.AssertMatches(result, [h * h * s * s, h * h * ((a * a) + (2 * s * s))]);
    }

    [Fact]
    public void QuadraticVarianceInThreeDimensionsIsSumOfHSquaredSSquared()
    {
        // REFERENCE R4 in d = 3: f = −½(z − m)ᵀH(z − m), z ∼ N(μ, diag s²): ∂μ = −H(μ − m), Var ∂μ_i = Σ_j H_ij² s_j².
        // Catches mixing coordinates (an Independent event treated as separate problems would give H_ii² s_i²).
        double[,] hm = { { 2, 0.5, -1 }, { 0.5, 1, 0.3 }, { -1, 0.3, 3 } };
        double[] mu = [0.2, -0.5, 1], s = [0.5, 1, 2], m = [1, 0, -1];
        var variances = new double[3];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                variances[i] += hm[i, j] * hm[i, j] * s[j] * s[j];
            }
        }

        var problem = GaussianQuadratic.Create(mu, s, hm, m);
        var result = EstimatorCheck.Run(new Pathwise(), problem, new RngKey(14), N);
        for (var i = 0; i < 6; i++)
        {
            var st = result.Parameters[i];
            Assert.True(Math.Abs(st.Z) < 4, $"∂{st.Parameter}: mean {st.Mean}, exact {st.Exact}, z = {st.Z:F2}");
        }

        for (var i = 0; i < 3; i++)
        {
            var st = result.Parameters[i];
            Assert.True(Math.Abs(st.Variance - variances[i]) <= 4 * st.VarianceStdError, $"∂{st.Parameter}: variance {st.Variance} ± {st.VarianceStdError}, exact {variances[i]}");
        }
    }

    [Fact]
    public void RelaxedBernoulliGradientIsTheDerivativeOfTheCommonRandomNumbersEstimate()
    {
        // With the key fixed, the estimate J_K(ℓ, τ) = (1/K) Σ_k f(σ((ℓ + L_k)/τ)) is a smooth function of (ℓ, τ);
        // the pathwise gradient must equal its derivative, checked by central differences. Catches a detached
        // sample, a wrong 1/K, or noise redrawn between calls.
        var logits = Tensor.FromArray([-1.0, 0.3, 2.0]);
        var tau = Tensor.Scalar(0.7, DType.Float64);
        var target = Tensor.FromArray([0.2, 0.9, 0.5]);
        Objective f = y => (y - target).Square() + (y * 3).Sin();
        var key = new RngKey(21);
        AssertMatchesFiniteDifferences(new Pathwise(16), logits, tau, (l, t) => new RelaxedBernoulli(t, logits: l), f, key);
    }

    [Fact]
    public void RelaxedOneHotCategoricalGradientIsTheDerivativeOfTheCommonRandomNumbersEstimate()
    {
        var logits = Tensor.FromArray(new double[,] { { 0.1, -0.4, 1.2, 0.0 }, { 2.0, 0.5, -1.0, 0.3 } });
        var tau = Tensor.Scalar(0.5, DType.Float64);
        var w = Tensor.FromArray([1.0, -2.0, 0.5, 3.0]);
        Objective f = y => (y * w).Sum(-1).Square() + y.Narrow(-1, 0, 1).Squeeze(-1);
        var key = new RngKey(22);
        AssertMatchesFiniteDifferences(new Pathwise(8), logits, tau, (l, t) => new RelaxedOneHotCategorical(t, logits: l), f, key);
    }

    private static void AssertMatchesFiniteDifferences(Pathwise estimator, Tensor logits, Tensor tau, Func<Tensor, Tensor, Distribution> create, Objective f, RngKey key)
    {
        double J(Tensor lv, Tensor tv) => estimator.Estimate(create(lv, tv), f, key).Value.Item();
        var l = logits.Detach().RequireGrad();
        var t = tau.Detach().RequireGrad();
        var estimate = estimator.Estimate(create(l, t), f, key);
        Assert.Equal(estimate.Surrogate.Item(), estimate.Value.Item(), 12);
        var grads = Autograd.Grad([estimate.Surrogate], [l, t]);
        const double h = 1e-6;
        var gl = grads[0]!.ToDoubleArray();
        for (var i = 0; i < logits.Size; i++)
        {
            var up = logits.ToDoubleArray();
            var down = logits.ToDoubleArray();
            up[i] += h;
            down[i] -= h;
            var fd = (J(Tensor.FromArray(up).Reshape(logits.Shape.ToArray()), tau) - J(Tensor.FromArray(down).Reshape(logits.Shape.ToArray()), tau)) / (2 * h);
            Assert.True(Math.Abs(fd - gl[i]) < 1e-6 * (1 + Math.Abs(fd)), $"logit {i}: pathwise {gl[i]}, finite difference {fd}");
        }

        var fdTau = (J(logits, Tensor.Scalar(tau.Item() + h, DType.Float64)) - J(logits, Tensor.Scalar(tau.Item() - h, DType.Float64))) / (2 * h);
        Assert.True(Math.Abs(fdTau - grads[1]!.Item()) < 1e-6 * (1 + Math.Abs(fdTau)), $"temperature: pathwise {grads[1]!.Item()}, finite difference {fdTau}");
    }

    [Theory]
    [InlineData("Bernoulli")]
    [InlineData("Poisson")]
    [InlineData("Categorical")]
    [InlineData("Independent(Bernoulli)")]
    public void FamiliesWithoutRSampleAreRejected(string family)
    {
        // Catches silently returning a zero gradient for a discrete family.
        Distribution d = family switch
        {
            "Bernoulli" => Bernoulli.FromProbs(0.3, DType.Float64),
            "Poisson" => new Poisson(2.0, DType.Float64),
            "Categorical" => Categorical.FromProbs([0.2, 0.8], DType.Float64),
            _ => new Independent(new Bernoulli(probs: Tensor.FromArray([0.2, 0.5])), 1),
        };
        var e = Assert.Throws<ArgumentException>(() => new Pathwise().Estimate(d, x => x.To(DType.Float64), new RngKey(1)));
        Assert.Contains("Pathwise", e.Message, StringComparison.Ordinal);
        Assert.Contains(family, e.Message, StringComparison.Ordinal);
        Assert.Contains("REINFORCE", e.Message, StringComparison.Ordinal);
        Assert.Contains("Relaxed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SurrogateGradientFlowsIntoUpstreamParametersAndValueIsTheMeanOfF()
    {
        // μ = c·w, σ = exp(v): ∂/∂w = c·∂/∂μ and ∂/∂v = σ·∂/∂σ sample by sample with common keys.
        var w = Tensor.Scalar(0.5, DType.Float64).RequireGrad();
        var v = Tensor.Scalar(0.2, DType.Float64).RequireGrad();
        const double c = 2.0;
        Objective f = x => (x * 1.3).Cos() + x.Square();
        var est = new Pathwise(8).Estimate(new Normal(w * c, v.Exp()), f, new RngKey(5));
        var g = Autograd.Grad([est.Surrogate], [w, v]);

        var mu = Tensor.Scalar(1.0, DType.Float64).RequireGrad();
        var sigma = Tensor.Scalar(Math.Exp(0.2), DType.Float64).RequireGrad();
        var est2 = new Pathwise(8).Estimate(new Normal(mu, sigma), f, new RngKey(5));
        var g2 = Autograd.Grad([est2.Surrogate], [mu, sigma]);
        Assert.Equal(c * g2[0]!.Item(), g[0]!.Item(), 12);
        Assert.Equal(Math.Exp(0.2) * g2[1]!.Item(), g[1]!.Item(), 12);

        var x = new Normal(1.0, Math.Exp(0.2), DType.Float64).Sample(new RngKey(5), [8]).ToDoubleArray();
        Assert.Equal(x.Average(xi => Math.Cos(1.3 * xi) + (xi * xi)), est2.Value.Item(), 12);
    }

    [Fact]
    public void TraitsDeclareRequirements()
    {
        var t = new Pathwise(3).Traits;
        Assert.True(t.Unbiased);
        Assert.True(t.NeedsDifferentiableObjective);
        Assert.True(t.NeedsRSample);
        Assert.Equal(SampleSpace.Continuous, t.SampleSpace);
        Assert.Equal(new EstimatorCost(3, 1), t.Cost);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Pathwise(0));
    }
}
