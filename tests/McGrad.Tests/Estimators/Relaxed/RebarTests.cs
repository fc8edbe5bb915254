using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Estimators;
using McGrad.Estimators.Problems;
using McGrad.Estimators.Relaxed;
using McGrad.Estimators.ScoreFunction;
using McGrad.Optim;
using McGrad.Randomness;

namespace McGrad.Tests.Estimators.RebarRelax;

public class RebarTests
{
    private const double ReinforceR2 = 1.56251e-2; // REFERENCE.md R2: Var REINFORCE(1) at p0 = 0.499, θ = 0

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));

    /// <summary>
    /// Mean and variance of one REBAR estimate on the toy b ~ Bernoulli(σ(θ)), f(b) = (b − p0)², by midpoint
    /// quadrature over (u, v) ∈ (0, 1)², written out here from the formula: z = θ + logit u, b = 1[z &gt; 0],
    /// z̃ = ±softplus(logit v + softplus(±θ)), ĝ = [f(b) − c(z̃)](b − p) + c′(z) − c′(z̃)·∂z̃/∂θ, c(z) = η f(σ(z/λ)).
    /// The grid in u puts a cell boundary at u = 1 − p only for θ = 0, where it is exact to O(1/n²).
    /// </summary>
    private static (double Mean, double Variance) RebarMoments(double theta, double p0, double eta, double lambda, int n = 1000)
    {
        var p = Sigmoid(theta);
        double F(double x) => (x - p0) * (x - p0);
        double C(double z) => eta * F(Sigmoid(z / lambda));
        double DC(double z)
        {
            var s = Sigmoid(z / lambda);
            return eta * 2 * (s - p0) * s * (1 - s) / lambda;
        }

        double m1 = 0, m2 = 0;
        for (var i = 0; i < n; i++)
        {
            var u = (i + 0.5) / n;
            var z = theta + Math.Log(u / (1 - u));
            var b = z > 0 ? 1.0 : 0.0;
            for (var j = 0; j < n; j++)
            {
                var v = (j + 0.5) / n;
                var lv = Math.Log(v / (1 - v));
                double zt, dzt;
                if (b == 1)
                {
                    var a = lv + Softplus(theta);
                    zt = Softplus(a);
                    dzt = Sigmoid(a) * p;
                }
                else
                {
                    var a = lv + Softplus(-theta);
                    zt = -Softplus(a);
                    dzt = Sigmoid(a) * (1 - p);
                }

                var g = ((F(b) - C(zt)) * (b - p)) + DC(z) - (DC(zt) * dzt);
                m1 += g;
                m2 += g * g;
            }
        }

        m1 /= (double)n * n;
        m2 /= (double)n * n;
        return (m1, m2 - (m1 * m1));
    }

    [Fact]
    public void MatchesTheReferenceVarianceAtEtaOne()
    {
        // REFERENCE.md R2: θ = 0, η = 1, λ = e^{0.5}, p0 = 0.499 gives Var ≈ 1.704e-2, no better than REINFORCE (1.5625e-2).
        // The quadrature here recomputes it from the formula; the estimator must match it within 4 standard errors.
        // Catches an uncoupled z̃ (drawn unconditionally: still unbiased, but a different variance), a wrong conditional,
        // σ(z·λ) for σ(z/λ), a missing −η∇c(z̃) (bias) and a stopgrad that lets ∂c(z̃)/∂θ into the score term (bias).
        var (mean, variance) = RebarMoments(0, 0.499, 1, Math.Exp(0.5));
        Assert.Equal(5e-4, mean, 1e-7);
        Assert.Equal(1.704e-2, variance, 5e-6);
        var result = EstimatorCheck.Run(new Rebar(eta: 1, temperature: Math.Exp(0.5)), BernoulliToy.Create(0.499, 0), new RngKey(101), 200_000);
        var s = result.Parameters[0];
        Assert.True(Math.Abs(s.Z) < 4, $"mean {s.Mean}, exact {s.Exact}, z = {s.Z:F2}");
        Assert.True(Math.Abs(s.Variance - variance) < 4 * s.VarianceStdError, $"variance {s.Variance:G5} ± {s.VarianceStdError:G3}, quadrature {variance:G5}");
        Assert.True(s.Variance > ReinforceR2 + (4 * s.VarianceStdError), "at η = 1 REBAR is worse than REINFORCE here (R2)");
    }

    [Fact]
    public void MatchesQuadratureAwayFromOneHalfAndWithKSamples()
    {
        // θ = −1, p0 = 0.45, η = 0.7, λ = 0.3; K = 4 triples divide the variance by 4.
        // Catches triples that share their noise, a sum instead of a mean, and errors that cancel at θ = 0.
        var (_, variance) = RebarMoments(-1, 0.45, 0.7, 0.3, n: 2000);
        var problem = BernoulliToy.Create(0.45, -1);
        var one = EstimatorCheck.Run(new Rebar(0.7, 0.3), problem, new RngKey(111), 100_000);
        var four = EstimatorCheck.Run(new Rebar(0.7, 0.3, samples: 4), problem, new RngKey(112), 100_000);
        Assert.True(Math.Abs(one.Parameters[0].Z) < 4 && Math.Abs(four.Parameters[0].Z) < 4, $"z = {one.Parameters[0].Z:F2}, {four.Parameters[0].Z:F2}");

        // Relative tolerance: the u-grid does not align with u = 1 − p here (O(1/n) quadrature error), 4 SE besides.
        Assert.True(Math.Abs(one.Parameters[0].Variance - variance) < (4 * one.Parameters[0].VarianceStdError) + (2e-3 * variance), $"K=1: {one.Parameters[0].Variance:G5} vs {variance:G5}");
        Assert.True(Math.Abs(four.Parameters[0].Variance - (variance / 4)) < (4 * four.Parameters[0].VarianceStdError) + (2e-3 * variance / 4), $"K=4: {four.Parameters[0].Variance:G5} vs {variance / 4:G5}");
        Assert.Equal(new EstimatorCost(12, 1), four.Cost);
        Assert.Equal("REBAR(4)", four.Estimator);
    }

    [Fact]
    public void Float32AgreesWithTheReference()
    {
        var problem = new GradientProblem("(b−p0)² float32", ["θ"], [Tensor.Scalar(0.0, DType.Float32)], p => new Bernoulli(logits: p[0]), b => (b - 0.499).Square(), [Tensor.Scalar(5e-4, DType.Float32)]);
        var s = EstimatorCheck.Run(new Rebar(1, Math.Exp(0.5)), problem, new RngKey(121), 100_000).Parameters[0];
        Assert.True(Math.Abs(s.Z) < 4, $"z = {s.Z:F2}");
        Assert.True(Math.Abs(s.Variance - 1.70399e-2) < (4 * s.VarianceStdError) + 1e-6, $"float32 variance {s.Variance:G5} ± {s.VarianceStdError:G3}");
    }

    public static TheoryData<string> UnbiasedProblems => new() { "multivariate Bernoulli", "categorical K=4", "2 categoricals K=3" };

    private static GradientProblem ProblemByName(string name) => name switch
    {
        "multivariate Bernoulli" => MultivariateBernoulli.Default(),
        "categorical K=4" => RelaxedProblems.SingleCategorical(),
        _ => RelaxedProblems.TwoCategoricals(),
    };

    [Theory]
    [MemberData(nameof(UnbiasedProblems))]
    public void IsUnbiasedOnProblemsWithExactGradients(string name)
    {
        // Non-separable f, exact gradient by enumerating every outcome; |z| < 4 for every logit. Catches a conditional
        // that is wrong in more than one dimension (z̃ from the wrong latent), a missing logsumexp in the categorical
        // maximum, and batch elements that leak into each other.
        var problem = ProblemByName(name);
        var result = EstimatorCheck.Run(new Rebar(eta: 0.8, temperature: 0.7), problem, new RngKey(131), 60_000);
        foreach (var s in result.Parameters)
        {
            Assert.True(Math.Abs(s.Z) < 4, $"REBAR on {name}, ∂{s.Parameter}: mean {s.Mean:G5}, exact {s.Exact:G5}, z = {s.Z:F2}");
        }
    }

    [Fact]
    public void TuningEtaAndTemperatureDescendsTheVariance()
    {
        // From η = 1 (Var 1.704e-2, R2) the tuner must bring the variance down to REINFORCE's 1.5625e-2 (η = 0 is
        // REINFORCE, the best this control variate reaches here). A sign error in the variance gradient would raise it.
        var rebar = new Rebar(eta: 1, temperature: Math.Exp(0.5));
        var problem = BernoulliToy.Create(0.499, 0);
        RelaxedProblems.Tune(rebar, problem, steps: 150, batch: 256, lr: 0.05, new RngKey(141));
        var s = EstimatorCheck.Run(rebar, problem, new RngKey(142), 100_000).Parameters[0];
        Assert.True(Math.Abs(s.Z) < 4, $"tuned REBAR: z = {s.Z:F2}");
        Assert.True(Math.Abs(rebar.Eta) < 0.3, $"η = {rebar.Eta}");
        Assert.True(s.Variance < 1.704e-2 - (20 * s.VarianceStdError), $"tuned variance {s.Variance:G5} ± {s.VarianceStdError:G3}");
        Assert.True(Math.Abs(s.Variance - ReinforceR2) < 0.01 * ReinforceR2, $"tuned variance {s.Variance:G6} vs REINFORCE {ReinforceR2}");
    }

    [Fact]
    public void VarianceGradientMatchesFiniteDifferences()
    {
        // ∂/∂(η, log λ) of Σ ĝ² (64 copies of the D = 4 problem, one fixed key) against central differences. Catches a
        // weight stopgrad(f(b) − c(z̃)) that also stops φ (drops ∂c(z̃)/∂φ·∇log p) and a createGraph that loses terms.
        var problem = MultivariateBernoulli.Default();
        var rebar = new Rebar(eta: 0.6, temperature: 0.8);
        var key = new RngKey(151);
        var leaves = RelaxedProblems.Expand(problem, 64);
        double Loss()
        {
            var est = rebar.Estimate(problem.CreateDistribution(leaves), problem.Objective, key);
            return VarianceTuner.VarianceLoss(est.Surrogate, leaves).Loss.Item();
        }

        var e = rebar.Estimate(problem.CreateDistribution(leaves), problem.Objective, key);
        var (loss, grads) = VarianceTuner.VarianceLoss(e.Surrogate, leaves);
        var analytic = Autograd.Grad([loss], [rebar.ControlVariate.Eta, rebar.ControlVariate.LogTemperature]);
        foreach (var (param, a) in new[] { (rebar.ControlVariate.Eta, analytic[0]!.Item()), (rebar.ControlVariate.LogTemperature, analytic[1]!.Item()) })
        {
            const double h = 1e-5;
            var x = param.Item();
            param.SetFlat(0, x + h);
            var up = Loss();
            param.SetFlat(0, x - h);
            var down = Loss();
            param.SetFlat(0, x);
            var fd = (up - down) / (2 * h);
            Assert.True(Math.Abs(fd - a) < 1e-6 * (1 + Math.Abs(fd)), $"analytic {a:G10} vs finite differences {fd:G10}");
            Assert.True(Math.Abs(a) > 1e-3, "the variance depends on η and λ here");
        }

        // Σ ĝ² is the loss, and ĝ is the surrogate's plain gradient.
        var plain = Autograd.Grad([rebar.Estimate(problem.CreateDistribution(leaves), problem.Objective, key).Surrogate], leaves)[0]!.ToDoubleArray();
        var g = grads[0]!.ToDoubleArray();
        Assert.Equal(plain, g);
        Assert.Equal(g.Sum(v => v * v), loss.Item(), 1e-12 * loss.Item());
    }

    [Fact]
    public void TunerStepUpdatesTheControlVariateAndWritesTheEstimate()
    {
        var rebar = new Rebar(eta: 1, temperature: 0.5);
        var tuner = new VarianceTuner(rebar, Transforms.Sgd(1e-3));
        var theta = Tensor.FromArray([0.3, -0.2, 1.0, 0.5], 4).RequireGrad();
        var problem = MultivariateBernoulli.Default();
        var est = rebar.Estimate(problem.CreateDistribution([theta]), problem.Objective, new RngKey(161));
        var (loss, grads) = VarianceTuner.VarianceLoss(est.Surrogate, [theta]);
        var dEta = Autograd.Grad([loss], [rebar.ControlVariate.Eta])[0]!.Item();

        est = rebar.Estimate(problem.CreateDistribution([theta]), problem.Objective, new RngKey(161));
        var step = tuner.Step(est, [theta], writeGrad: true);
        Assert.Equal(loss.Item(), step.Loss, 1e-12);
        Assert.Equal(grads[0]!.ToDoubleArray(), step.Gradients[0]!.ToDoubleArray());
        Assert.Equal(grads[0]!.ToDoubleArray(), theta.Grad!.ToDoubleArray());
        Assert.Equal(1 - (1e-3 * dEta), rebar.Eta, 1e-12); // SGD: η ← η − lr·∂/∂η Σ ĝ²
        Assert.Equal(1, tuner.Steps);
        Assert.Equal(2, tuner.Parameters.Count);

        var fixedRebar = new Rebar(tuneEta: false, tuneTemperature: false);
        Assert.Empty(fixedRebar.ControlVariate.Parameters);
        var none = new VarianceTuner(fixedRebar, Transforms.Adam(1e-2));
        var s2 = none.Step(fixedRebar.Estimate(problem.CreateDistribution([theta]), problem.Objective, new RngKey(162)), [theta]);
        Assert.Equal(0, none.Steps);
        Assert.NotNull(s2.Gradients[0]);
    }

    [Fact]
    public void GradientFlowsIntoUpstreamParameters()
    {
        // logits = 2a + 1: the estimate w.r.t. a is twice the estimate w.r.t. the logits, for the same key.
        var problem = MultivariateBernoulli.Default();
        var logits = Tensor.FromArray([-1.0, 0.5, 0.0, 1.5], 4).RequireGrad();
        var a = Tensor.FromArray([-1.0, -0.25, -0.5, 0.25], 4).RequireGrad();
        var rebar = new Rebar();
        var gl = Autograd.Grad(rebar.Estimate(problem.CreateDistribution([logits]), problem.Objective, new RngKey(171)).Surrogate, logits).ToDoubleArray();
        var ga = Autograd.Grad(rebar.Estimate(problem.CreateDistribution([(a * 2.0) + 1.0]), problem.Objective, new RngKey(171)).Surrogate, a).ToDoubleArray();
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(2 * gl[i], ga[i], 1e-12);
        }
    }

    [Fact]
    public void MisuseThrowsNamingTheEstimatorAndTheFamily()
    {
        var rebar = new Rebar();
        var key = new RngKey(1);
        var l = Tensor.FromArray([0.1, 0.2, 0.3], 3);
        var e1 = Assert.Throws<ArgumentException>(() => rebar.Estimate(new Categorical(logits: l), y => y, key));
        Assert.Contains("REBAR", e1.Message, StringComparison.Ordinal);
        Assert.Contains("OneHotCategorical", e1.Message, StringComparison.Ordinal);
        var e2 = Assert.Throws<ArgumentException>(() => rebar.Estimate(new Normal(l, l.Exp()), y => y, key));
        Assert.Contains("Normal", e2.Message, StringComparison.Ordinal);
        var e3 = Assert.Throws<ArgumentException>(() => rebar.Estimate(new Bernoulli(probs: Tensor.FromArray([0.5, 1.0], 2)), y => y, key));
        Assert.Contains("non-finite logit", e3.Message, StringComparison.Ordinal);
        var e4 = Assert.Throws<ArgumentException>(() => rebar.Estimate(new Bernoulli(logits: l), y => y.Sum(-1), key));
        Assert.Contains("[1, 3]", e4.Message, StringComparison.Ordinal);
        var e5 = Assert.Throws<ArgumentException>(() => rebar.Estimate(new Bernoulli(logits: l), y => y.To(DType.Float32), key));
        Assert.Contains("Float32", e5.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Rebar(temperature: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Rebar(eta: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Rebar(samples: 0));
        var nonLeaf = l.RequireGrad() * 2.0;
        Assert.Throws<ArgumentException>(() => new VarianceTuner([nonLeaf], Transforms.Adam(1e-2)));
        Assert.Throws<ArgumentException>(() => VarianceTuner.VarianceLoss(Tensor.Scalar(1.0, DType.Float64), []));
    }

    [Fact]
    public void TraitsDeclareAnUnbiasedEstimatorNeedingADifferentiableObjective()
    {
        var t = new Rebar().Traits;
        Assert.True(t.Unbiased);
        Assert.True(t.NeedsDifferentiableObjective);
        Assert.False(t.NeedsRSample);
        Assert.Equal(SampleSpace.Discrete, t.SampleSpace);
        Assert.Equal(new EstimatorCost(3, 1), t.Cost);
        Assert.Contains("Tucker", t.Reference, StringComparison.Ordinal);
    }

    [Fact]
    public void EtaZeroIsReinforce()
    {
        // With η = 0 the control variate vanishes and the estimate is f(b)·∇log p(b) for the b = H(z) drawn here:
        // check it against that formula draw by draw (b recovered from the same key via ConditionalRelaxation).
        var problem = BernoulliToy.Create(0.49, 0.7);
        var key = new RngKey(181);
        var leaves = RelaxedProblems.Expand(problem, 1000);
        var est = new Rebar(eta: 0).Estimate(problem.CreateDistribution(leaves), problem.Objective, key);
        var g = Autograd.Grad([est.Surrogate], leaves)[0]!.ToDoubleArray();
        var b = ConditionalRelaxation.Bernoulli(leaves[0].Detach(), key, [1]).Hard.ToDoubleArray();
        var p = Sigmoid(0.7);
        for (var i = 0; i < g.Length; i++)
        {
            Assert.Equal((b[i] - 0.49) * (b[i] - 0.49) * (b[i] - p), g[i], 1e-14);
        }
    }
}
