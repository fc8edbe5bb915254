using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Estimators;
using McGrad.Estimators.ScoreFunction;
using McGrad.Randomness;

namespace McGrad.Tests.Estimators;

/// <summary>The delta-method control variate and the score-function estimator built on it, against closed forms.</summary>
public class DeltaMethodTests
{
    // A quadratic with an indefinite, non-diagonal H: f(x) = aᵀx + ½xᵀAx.
    private static readonly double[] A = [1.0, 0.4, -0.7, 0.4, -2.0, 0.3, -0.7, 0.3, 0.5];
    private static readonly double[] LinearTerm = [0.5, -1.0, 2.0];
    private static readonly double[] Mu = [0.3, -0.8, 1.1];
    private static readonly double[] Sigma = [0.6, 1.2, 0.4];

    private static Tensor Quadratic(Tensor x)
    {
        var a = Tensor.FromArray(A, 3, 3);
        return (x * Tensor.FromArray(LinearTerm)).Sum(-1) + ((x.MatMul(a) * x).Sum(-1) * 0.5);
    }

    /// <summary>f(x) = sin x₀ + exp(x₁/2) + x₀x₁x₂: not quadratic, with Gaussian expectations in closed form.</summary>
    private static Tensor Smooth(Tensor x)
    {
        Tensor C(int i) => x.Slice(-1, i, i + 1).Squeeze(-1);
        return C(0).Sin() + (C(1) * 0.5).Exp() + (C(0) * C(1) * C(2));
    }

    /// <summary>∇μ and ∇σ of E[Smooth] under N(μ, diag σ²): E sin x₀ = sin μ₀ e^{−σ₀²/2}, E e^{x₁/2} = e^{μ₁/2 + σ₁²/8}, E x₀x₁x₂ = μ₀μ₁μ₂.</summary>
    private static (double[] Mean, double[] Scale) SmoothGradient(double[] m, double[] s)
    {
        var damp = Math.Exp(-s[0] * s[0] / 2);
        var e1 = Math.Exp((m[1] / 2) + (s[1] * s[1] / 8));
        return ([(Math.Cos(m[0]) * damp) + (m[1] * m[2]), (0.5 * e1) + (m[0] * m[2]), m[0] * m[1]],
                [-s[0] * Math.Sin(m[0]) * damp, s[1] / 4 * e1, 0]);
    }

    private static GradientProblem Problem(string name, Objective f, (double[] Mean, double[] Scale) exact) => new(
        name,
        ["μ", "σ"],
        [Tensor.FromArray(Mu), Tensor.FromArray(Sigma)],
        p => new Independent(new Normal(p[0], p[1]), 1),
        f,
        [Tensor.FromArray(exact.Mean), Tensor.FromArray(exact.Scale)]);

    private static (double[] Mean, double[] Scale) QuadraticGradient()
    {
        var mean = new double[3];
        var scale = new double[3];
        for (var i = 0; i < 3; i++)
        {
            mean[i] = LinearTerm[i];
            for (var j = 0; j < 3; j++)
            {
                mean[i] += A[(i * 3) + j] * Mu[j];
            }

            scale[i] = Sigma[i] * A[(i * 3) + i];
        }

        return (mean, scale);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(25)]
    public void ForAQuadraticTheEstimateIsExactWithZeroVariance(int coefficientSamples)
    {
        // h = f, so f − c·h = 0 when c = 1 (fixed, or estimated: Cov(f s, h s)/Var(h s) = 1), and the estimate is
        // ∇E_q[h] = (a + Aμ, σᵢAᵢᵢ). A missing ½ in ½Σσᵢ²Hᵢᵢ, σ for σ², a Hessian from the wrong
        // rows or a coefficient ≠ 1 all leave a non-zero residual (variance) or a wrong value.
        var exact = QuadraticGradient();
        var result = EstimatorCheck.Run(new DeltaMethodReinforce(3, coefficientSamples), Problem("quadratic", Quadratic, exact), new RngKey(11), 500);
        var expected = exact.Mean.Concat(exact.Scale).ToArray();
        for (var i = 0; i < 6; i++)
        {
            var s = result.Parameters[i];
            Assert.True(Math.Abs(s.Mean - expected[i]) < 1e-9, $"{s.Parameter}: mean {s.Mean} vs exact {expected[i]}");
            Assert.True(s.Variance < 1e-20, $"{s.Parameter}: variance {s.Variance:G3}, expected 0 (rounding only)");
        }
    }

    [Fact]
    public void TheExpansionMatchesTheHandDerivedTaylorCoefficients()
    {
        // g and H of Smooth at μ₀ by hand; a transposed or shifted Hessian row, or g taken at the wrong point, fails.
        double[] m = [0.3, -0.8, 1.1];
        var cv = DeltaMethodControlVariate.At(Smooth, Tensor.FromArray(m), 1);
        var e = Math.Exp(m[1] / 2);
        TestUtil.AssertClose([Math.Sin(m[0]) + e + (m[0] * m[1] * m[2])], cv.Value.Reshape(1), 1e-12);
        TestUtil.AssertClose([Math.Cos(m[0]) + (m[1] * m[2]), (0.5 * e) + (m[0] * m[2]), m[0] * m[1]], cv.Gradient, 1e-12);
        TestUtil.AssertClose([-Math.Sin(m[0]), m[2], m[1], m[2], 0.25 * e, m[0], m[1], m[0], 0], cv.Hessian.Reshape(9), 1e-12);
    }

    [Fact]
    public void TheAnalyticExpectationEqualsTheMonteCarloMeanOfTheControlVariate()
    {
        // E_q[h] with q = N(μ, diag σ²) centred away from the expansion point μ₀ (so the gᵀδ and ½δᵀHδ terms count),
        // against 400,000 draws of h(x): |z| < 4. Also its gradient: ∇μ = g + H(μ − μ₀), ∂σᵢ = σᵢHᵢᵢ.
        double[] m0 = [0.3, -0.8, 1.1];
        double[] mu = [0.1, -0.5, 1.4];
        double[] sigma = [0.7, 0.9, 0.5];
        var cv = DeltaMethodControlVariate.At(Smooth, Tensor.FromArray(m0), 1);
        var loc = Tensor.FromArray(mu).RequireGrad();
        var scale = Tensor.FromArray(sigma).RequireGrad();
        var expectation = cv.Expectation(loc, scale);
        var draws = new Independent(new Normal(loc.Detach(), scale.Detach()), 1).Sample(new RngKey(5), [400_000]);
        var (mean, se) = MeanAndStdError(cv.Evaluate(draws).ToDoubleArray());
        var z = (mean - expectation.Item()) / se;
        Assert.True(Math.Abs(z) < 4, $"E[h] analytic {expectation.Item():G8}, Monte Carlo {mean:G8} ± {se:G3}: z = {z:F2}");

        var grads = Autograd.Grad([expectation], [loc, scale]);
        var g = cv.Gradient.ToDoubleArray();
        var h = cv.Hessian.ToDoubleArray();
        var wantMean = new double[3];
        var wantScale = new double[3];
        for (var i = 0; i < 3; i++)
        {
            wantMean[i] = g[i];
            for (var j = 0; j < 3; j++)
            {
                wantMean[i] += h[(i * 3) + j] * (mu[j] - m0[j]);
            }

            wantScale[i] = sigma[i] * h[(i * 3) + i];
        }

        TestUtil.AssertClose(wantMean, grads[0]!, 1e-12);
        TestUtil.AssertClose(wantScale, grads[1]!, 1e-12);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(25)]
    public void UnbiasedForANonQuadraticObjective(int coefficientSamples)
    {
        // ∇E_q[f] in closed form; 20,000 one-sample estimates, |z| < 4 for all six elements. Catches a wrong sign of
        // the c·∇E[h] correction, a coefficient estimated from the estimate's own sample, and a wrong ∇E[h].
        var exact = SmoothGradient(Mu, Sigma);
        var result = EstimatorCheck.Run(new DeltaMethodReinforce(1, coefficientSamples), Problem("smooth", Smooth, exact), new RngKey(21 + (ulong)coefficientSamples), 20_000);
        Assert.All(result.Parameters, s => Assert.True(Math.Abs(s.Z) < 4, $"{s.Parameter}: mean {s.Mean:G5}, exact {s.Exact:G5}, z = {s.Z:F2}"));
    }

    [Fact]
    public void ReducesTheScoreFunctionVarianceOnTheSmoothObjective()
    {
        // Measured here (not a table): with σ ≤ 1.2 the expansion captures most of f; every coordinate's variance is
        // below plain REINFORCE's by more than 4 standard errors of each (measured ratios 4–12×: σ₀ 7.4 ± 1.8 vs
        // 28.8 ± 2.6 is the closest); an estimator that drops the control variate (or uses c = 0) fails.
        var exact = SmoothGradient(Mu, Sigma);
        var problem = Problem("smooth", Smooth, exact);
        var delta = EstimatorCheck.Run(new DeltaMethodReinforce(1, 25), problem, new RngKey(31), 20_000);
        var plain = EstimatorCheck.Run(new Reinforce(1), problem, new RngKey(31), 20_000);
        for (var i = 0; i < 6; i++)
        {
            var d = delta.Parameters[i];
            var p = plain.Parameters[i];
            Assert.True(d.Variance + (4 * d.VarianceStdError) < p.Variance - (4 * p.VarianceStdError), $"{d.Parameter}: delta {d.Variance:G4} ± {d.VarianceStdError:G2}, REINFORCE {p.Variance:G4} ± {p.VarianceStdError:G2}");
        }
    }

    [Fact]
    public void TheCoefficientDrawsAreFreshAndTheCostIsCounted()
    {
        // Three calls of f: the K samples, the expansion point, the M coefficient draws (independent of the K samples).
        var q = new Independent(new Normal(Tensor.FromArray(Mu), Tensor.FromArray(Sigma)), 1);
        var estimator = new DeltaMethodReinforce(4, 6);
        var estimate = estimator.Estimate(q, Smooth, new RngKey(3));
        Assert.Equal(3, estimate.Evaluations.Count);
        Assert.Equal([4, 3], estimate.Evaluations[0].Samples.Shape.ToArray());
        Assert.Equal([3], estimate.Evaluations[1].Samples.Shape.ToArray());
        Assert.Equal([6, 3], estimate.Evaluations[2].Samples.Shape.ToArray());
        var first = estimate.Evaluations[0].Samples.ToDoubleArray();
        Assert.DoesNotContain(estimate.Evaluations[2].Samples.ToDoubleArray(), first.Contains);
        Assert.Equal(new EstimatorCost(11, 4), estimator.CostFor(q));
        Assert.Equal(Smooth(estimate.Evaluations[0].Samples).Mean().Item(), estimate.Value.Item(), 12);
    }

    [Fact]
    public void RejectsWhatItCannotHandle()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new DeltaMethodReinforce(2, 1));
        Assert.Contains("coefficientSamples", e.Message, StringComparison.Ordinal);
        var estimator = new DeltaMethodReinforce();
        var check = estimator.Supports(new Bernoulli(probs: Tensor.FromArray([0.3])));
        Assert.False(check.IsSupported);
        Assert.Contains("Bernoulli", check.Reason, StringComparison.Ordinal);
        Assert.True(estimator.Supports(new Normal(0.0, 1.0, DType.Float64)).IsSupported);
    }

    [Fact]
    public void AScalarNormalBatchIsExpandedPerElement()
    {
        // Event rank 0: f(x) = x² − 3x per batch element is quadratic, so each element's estimate is exact:
        // ∂μ = 2μ − 3, ∂σ = 2σ.
        var mu = Tensor.FromArray([0.5, -1.0]).RequireGrad();
        var sigma = Tensor.FromArray([0.3, 2.0]).RequireGrad();
        var estimate = new DeltaMethodReinforce(5).Estimate(new Normal(mu, sigma), x => x.Square() - (x * 3), new RngKey(9));
        var g = Autograd.Grad([estimate.Surrogate], [mu, sigma]);
        TestUtil.AssertClose([-2.0, -5.0], g[0]!, 1e-9);
        TestUtil.AssertClose([0.6, 4.0], g[1]!, 1e-9);
    }

    private static (double Mean, double StdError) MeanAndStdError(double[] x)
    {
        var mean = x.Average();
        var variance = x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1);
        return (mean, Math.Sqrt(variance / x.Length));
    }
}
