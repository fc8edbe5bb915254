using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Estimators;
using McGrad.Estimators.Problems;
using McGrad.Estimators.Relaxed;
using McGrad.Nn;
using McGrad.Randomness;

namespace McGrad.Tests.Estimators.RebarRelax;

public class RelaxTests
{
    private static Relax Network(int inputs, ulong seed, bool includeObjective = false)
        => Relax.WithNetwork(new Mlp([inputs, 16, 1], Activation.Tanh, new RngKey(seed), dtype: DType.Float64), temperature: 0.5, includeObjective);

    private static void AssertUnbiased(EstimatorCheckResult result, string label)
    {
        foreach (var s in result.Parameters)
        {
            Assert.True(Math.Abs(s.Z) < 4, $"{label}, ∂{s.Parameter}: mean {s.Mean:G5}, exact {s.Exact:G5}, z = {s.Z:F2}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void UntrainedNetworkIsUnbiasedOnMultivariateBernoulli(bool includeObjective)
    {
        // A random c_φ: unbiased for any φ. Catches c(z̃) evaluated on z (correction cancels, bias), a correction with
        // the wrong sign, and a network input that mixes batch elements.
        var problem = MultivariateBernoulli.Default();
        var result = EstimatorCheck.Run(Network(4, 201, includeObjective), problem, new RngKey(202), 60_000);
        AssertUnbiased(result, $"untrained RELAX (objective term: {includeObjective})");
    }

    [Fact]
    public void TrainedNetworkIsUnbiasedAndHasLowerVarianceOnMultivariateBernoulli()
    {
        // φ trained on Σ ĝ² (120 steps, 256 copies per step, Adam 1e-2): still unbiased, and the variance of every
        // element falls below that of the untrained network (measured with common random numbers).
        var problem = MultivariateBernoulli.Default();
        var relax = Network(4, 211);
        var before = EstimatorCheck.Run(relax, problem, new RngKey(212), 40_000);
        RelaxedProblems.Tune(relax, problem, steps: 120, batch: 256, lr: 1e-2, new RngKey(213));
        var after = EstimatorCheck.Run(relax, problem, new RngKey(212), 40_000);
        AssertUnbiased(after, "trained RELAX");
        for (var i = 0; i < after.Parameters.Count; i++)
        {
            var a = after.Parameters[i];
            var b = before.Parameters[i];
            Assert.True(a.Variance < b.Variance - (4 * (a.VarianceStdError + b.VarianceStdError)), $"∂{a.Parameter}: trained {a.Variance:G4} ± {a.VarianceStdError:G2}, untrained {b.Variance:G4} ± {b.VarianceStdError:G2}");
        }
    }

    [Fact]
    public void CategoricalIsUnbiasedUntrainedAndTrained()
    {
        // K = 4 categories (one OneHotCategorical) and two categoricals with K = 3 and a non-separable f (exact by
        // enumerating the 9 outcomes). Catches a conditional Gumbel sample that ignores the normaliser of the logits,
        // and gradients that do not reach the unnormalised logits through the log-softmax.
        AssertUnbiased(EstimatorCheck.Run(Network(4, 221), RelaxedProblems.SingleCategorical(), new RngKey(222), 60_000), "untrained RELAX, K = 4");
        var two = RelaxedProblems.TwoCategoricals();
        var relax = Network(6, 223);
        AssertUnbiased(EstimatorCheck.Run(relax, two, new RngKey(224), 40_000), "untrained RELAX, 2 × K = 3");
        RelaxedProblems.Tune(relax, two, steps: 80, batch: 128, lr: 1e-2, new RngKey(225));
        AssertUnbiased(EstimatorCheck.Run(relax, two, new RngKey(226), 40_000), "trained RELAX, 2 × K = 3");
    }

    [Fact]
    public void VarianceGradientMatchesFiniteDifferencesAlongARandomDirection()
    {
        // d/dε Σ ĝ²(φ + ε·d) at ε = 0 for a random direction d over every network weight, bias and log λ, against
        // central differences with one fixed key: the double backward through the network, the relaxation and log p.
        var problem = RelaxedProblems.TwoCategoricals();
        var relax = Network(6, 231, includeObjective: true);
        var phi = relax.ControlVariate.Parameters;
        Assert.Equal(6, phi.Count); // 2 × (weight, bias), log λ, η
        var leaves = RelaxedProblems.Expand(problem, 16);
        var key = new RngKey(232);
        var rng = new Random(233);
        var direction = phi.Select(p => Enumerable.Range(0, p.Size).Select(_ => rng.NextDouble() - 0.5).ToArray()).ToArray();
        var (loss, _) = VarianceTuner.VarianceLoss(relax.Estimate(problem.CreateDistribution(leaves), problem.Objective, key).Surrogate, leaves);
        var grads = Autograd.Grad([loss], phi);
        var analytic = 0.0;
        for (var i = 0; i < phi.Count; i++)
        {
            var g = grads[i]!.ToDoubleArray();
            analytic += g.Zip(direction[i], (a, b) => a * b).Sum();
        }

        double LossAt(double eps)
        {
            var saved = phi.Select(p => p.ToDoubleArray()).ToArray();
            for (var i = 0; i < phi.Count; i++)
            {
                for (var j = 0; j < phi[i].Size; j++)
                {
                    phi[i].SetFlat(j, saved[i][j] + (eps * direction[i][j]));
                }
            }

            var l = VarianceTuner.VarianceLoss(relax.Estimate(problem.CreateDistribution(leaves), problem.Objective, key).Surrogate, leaves).Loss.Item();
            for (var i = 0; i < phi.Count; i++)
            {
                for (var j = 0; j < phi[i].Size; j++)
                {
                    phi[i].SetFlat(j, saved[i][j]);
                }
            }

            return l;
        }

        const double h = 1e-5;
        var fd = (LossAt(h) - LossAt(-h)) / (2 * h);
        Assert.True(Math.Abs(fd - analytic) < 1e-6 * (1 + Math.Abs(fd)), $"analytic {analytic:G10} vs finite differences {fd:G10}");
        Assert.True(Math.Abs(analytic) > 1e-3);
    }

    [Fact]
    public void NetworkWithoutObjectiveTermWorksForABlackBoxObjective()
    {
        // f(b) = 1[w·b > 0.5] has no useful derivative (and Gt records none): RELAX with r_φ alone evaluates f only on b.
        double[] w = [1.0, -2.0, 1.5, 0.5];
        double[] theta = [-1.0, 0.5, 0.0, 1.5];
        var exact = MultivariateBernoulli.ExactGradient(theta, b => b.Zip(w, (x, y) => x * y).Sum() > 0.5 ? 1.0 : 0.0);
        var problem = new GradientProblem(
            "step",
            ["θ"],
            [Tensor.FromArray(theta, 4)],
            ps => new Independent(new Bernoulli(logits: ps[0]), 1),
            b => (b * Tensor.FromArray(w, 4)).Sum(-1).Gt(0.5),
            [Tensor.FromArray(exact, 4)]);
        var relax = Network(4, 241);
        Assert.False(relax.Traits.NeedsDifferentiableObjective);
        Assert.Equal(new EstimatorCost(1, 0), relax.Traits.Cost);
        RelaxedProblems.Tune(relax, problem, steps: 40, batch: 128, lr: 1e-2, new RngKey(242));
        AssertUnbiased(EstimatorCheck.Run(relax, problem, new RngKey(243), 40_000), "RELAX on a step function");
    }

    [Fact]
    public void NetworkMisuseThrows()
    {
        var problem = MultivariateBernoulli.Default();
        var dist = problem.CreateDistribution(problem.Parameters);
        var wide = Relax.WithNetwork(new Mlp([4, 8, 2], Activation.Tanh, new RngKey(1), dtype: DType.Float64));
        var e1 = Assert.Throws<ArgumentException>(() => wide.Estimate(dist, problem.Objective, new RngKey(2)));
        Assert.Contains("[..., 1]", e1.Message, StringComparison.Ordinal);
        var single = Relax.WithNetwork(new Mlp([4, 8, 1], Activation.Tanh, new RngKey(1)));
        var e2 = Assert.Throws<ArgumentException>(() => single.Estimate(dist, problem.Objective, new RngKey(2)));
        Assert.Contains("Float32", e2.Message, StringComparison.Ordinal);
        var narrow = Relax.WithNetwork(new Mlp([3, 8, 1], Activation.Tanh, new RngKey(1), dtype: DType.Float64));
        Assert.Throws<ArgumentException>(() => narrow.Estimate(dist, problem.Objective, new RngKey(2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Relax(new ScaledRelaxedObjective(), samples: 0));
        Assert.Equal("RELAX", new Relax(new ScaledRelaxedObjective()).Name);
        Assert.Equal("RELAX(3)", new Relax(new ScaledRelaxedObjective(), 3).Name);
    }

    [Fact]
    public void RelaxWithTheScaledObjectiveIsRebar()
    {
        // RELAX with c = η·f(σ_λ(z)) is REBAR: the same estimates for the same key.
        var problem = MultivariateBernoulli.Default();
        var a = EstimatorCheck.GradientSamples(new Rebar(0.7, 0.4), problem, new RngKey(251), 500)[0];
        var b = EstimatorCheck.GradientSamples(new Relax(new ScaledRelaxedObjective(0.7, 0.4)), problem, new RngKey(251), 500)[0];
        Assert.Equal(a, b);
    }
}
