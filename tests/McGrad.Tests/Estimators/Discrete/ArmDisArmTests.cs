using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Estimators;
using McGrad.Estimators.Discrete;
using McGrad.Estimators.Problems;
using McGrad.Nn;
using McGrad.Randomness;

namespace McGrad.Tests.Estimators.Discrete;

public class ArmDisArmTests
{
    private const int N = 200_000;

    public static TheoryData<int> Rows => new(Enumerable.Range(0, BernoulliReferenceTable.R2.Length));

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Theory]
    [MemberData(nameof(Rows))]
    public void ReinforceAndRlooMatchReferenceTable(int row)
    {
        // The reference columns: checks the table and the problem (exact gradient, objective) against REINFORCE.
        var r = BernoulliReferenceTable.R2[row];
        var rf = EstimatorCheck.Run(new McGrad.Estimators.ScoreFunction.Reinforce(), r.Problem, new RngKey(300 + (ulong)row), N);
        ReferenceTable.AssertMatches(rf, [r.Reinforce]);
        var rloo = EstimatorCheck.Run(BernoulliReferenceTable.Rloo(2), r.Problem, new RngKey(400 + (ulong)row), N);
        ReferenceTable.AssertMatches(rloo, [r.Rloo2]);
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void ArmMatchesReferenceTable(int row)
    {
        // Catches a wrong threshold (σ(θ) for both samples), a missing (u − ½) weight, the wrong sign or a factor.
        var r = BernoulliReferenceTable.R2[row];
        var result = EstimatorCheck.Run(new Arm(), r.Problem, new RngKey(500 + (ulong)row), N);
        Assert.Equal(r.Exact, result.Parameters[0].Exact, 1e-5 * r.Exact);
        ReferenceTable.AssertMatches(result, [r.Arm]);
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void DisArmMatchesReferenceTable(int row)
    {
        // Catches σ(θ) in place of σ(|θ|), a dropped ½, the (−1)^b̃ sign on the wrong sample.
        var r = BernoulliReferenceTable.R2[row];
        if (r.DisArm == 0)
        {
            // Variance exactly 0: every estimate is the exact gradient (up to the rounding of f(1) − f(0)).
            var g = EstimatorCheck.GradientSamples(new DisArm(), r.Problem, new RngKey(600 + (ulong)row), 10_000)[0];
            Assert.All(g, v => Assert.Equal(g[0], v));
            Assert.Equal(r.Exact, g[0], 1e-15);
        }
        else
        {
            var result = EstimatorCheck.Run(new DisArm(), r.Problem, new RngKey(600 + (ulong)row), N);
            ReferenceTable.AssertMatches(result, [r.DisArm]);
        }
    }

    [Fact]
    public void DisArmIsExactAtOneHalfForAnyObjectiveInOneDimension()
    {
        // At θ = 0 the pair is always (1, 0) or (0, 1), and both give ¼(f(1) − f(0)) = the exact gradient.
        var problem = new GradientProblem("e^{3b}", ["θ"], [Tensor.Scalar(0.0, DType.Float64)], p => new Bernoulli(logits: p[0]), b => (b * 3.0).Exp(), null);
        var g = EstimatorCheck.GradientSamples(new DisArm(), problem, new RngKey(1), 1000)[0];
        var exact = 0.25 * (Math.Exp(3) - 1);
        Assert.All(g, v => Assert.Equal(exact, v, 1e-14));
        Assert.All(g, v => Assert.Equal(g[0], v));
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void OrderingDisArmArmRlooReinforceWhereTheTableSupportsIt(int row)
    {
        // Table: DisARM ≤ ARM < RLOO(2) ≪ REINFORCE on every row. ARM and DisARM share their pairs with one key, so
        // Var ARM − Var DisARM = E[(ARM − DisARM)²] (DisARM = E[ARM | pair]) is measured directly and checked too.
        var r = BernoulliReferenceTable.R2[row];
        var key = new RngKey(700 + (ulong)row);
        const int n = 100_000;
        var arm = EstimatorCheck.GradientSamples(new Arm(), r.Problem, key, n)[0];
        var dis = EstimatorCheck.GradientSamples(new DisArm(), r.Problem, key, n)[0];
        var rloo = EstimatorCheck.Run(BernoulliReferenceTable.Rloo(2), r.Problem, key.FoldIn(1), n).Parameters[0];
        var rf = EstimatorCheck.Run(new McGrad.Estimators.ScoreFunction.Reinforce(), r.Problem, key.FoldIn(2), n).Parameters[0];
        var va = EstimatorCheck.Summarise("arm", arm, r.Exact);
        var vd = EstimatorCheck.Summarise("disarm", dis, r.Exact);

        var diff = arm.Zip(dis, (a, d) => a - d).ToArray();
        var diffSq = EstimatorCheck.Summarise("(arm−disarm)²", diff.Select(x => x * x).ToArray(), r.Arm - r.DisArm);
        Assert.True(Math.Abs(EstimatorCheck.Summarise("arm−disarm", diff, 0).Z) < 4, "ARM − DisARM must have mean 0 (same pair)");
        Assert.True(Math.Abs(diffSq.Z) < 4, $"E[(ARM − DisARM)²] = {diffSq.Mean:G5} ± {diffSq.StdError:G3}, table Var ARM − Var DisARM = {r.Arm - r.DisArm:G5}");
        var cross = EstimatorCheck.Summarise("(arm−disarm)·disarm", diff.Zip(dis, (x, d) => x * (d - r.Exact)).ToArray(), 0);
        Assert.True(Math.Abs(cross.Z) < 4, $"ARM − DisARM must be uncorrelated with DisARM: {cross.Mean:G3} ± {cross.StdError:G3}");

        Assert.True(vd.Variance < va.Variance, $"DisARM {vd.Variance:G5} < ARM {va.Variance:G5}");
        Assert.True(va.Variance < rloo.Variance - (4 * (va.VarianceStdError + rloo.VarianceStdError)), $"ARM {va.Variance:G5} < RLOO(2) {rloo.Variance:G5}");
        Assert.True(rf.Variance > 100 * rloo.Variance, $"REINFORCE {rf.Variance:G5} ≫ RLOO(2) {rloo.Variance:G5}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MultiplePairsDivideTheVarianceByThePairCount(bool disarm)
    {
        // K independent pairs: Var/K. Catches pairs that share their uniforms, or a sum instead of a mean.
        var r = BernoulliReferenceTable.R2[0];
        IGradientEstimator est = disarm ? new DisArm(pairs: 4) : new Arm(pairs: 4);
        var result = EstimatorCheck.Run(est, r.Problem, new RngKey(800), N);
        ReferenceTable.AssertMatches(result, [(disarm ? r.DisArm : r.Arm) / 4]);
        Assert.Equal(8, result.Cost.Evaluations);
    }

    public static TheoryData<string> MultivariateEstimators => new() { "ARM", "DisARM", "ARM3", "DisARM3" };

    private static IGradientEstimator Make(string name) => name switch
    {
        "ARM" => new Arm(),
        "DisARM" => new DisArm(),
        "ARM3" => new Arm(pairs: 3),
        _ => new DisArm(pairs: 3),
    };

    [Theory]
    [MemberData(nameof(MultivariateEstimators))]
    public void UnbiasedOnTheMultivariateProblem(string name)
    {
        // Exact gradient by enumerating the 16 outcomes. Catches per-latent differences taken from the wrong batch
        // element, event dimensions treated as batch (f(b) differences per coordinate), a wrong per-latent sign.
        var problem = MultivariateBernoulli.Default();
        var est = Make(name);
        var result = EstimatorCheck.Run(est, problem, new RngKey(900 + (ulong)name.Length), 100_000);
        foreach (var s in result.Parameters)
        {
            Assert.True(Math.Abs(s.Z) < 4, $"{est.Name}, ∂{s.Parameter}: mean {s.Mean:G5}, exact {s.Exact:G5}, z = {s.Z:F2}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MultivariatePairsAreIndependent(bool disarm)
    {
        // Var(3 pairs)·3 = Var(1 pair), element by element, within 4 standard errors.
        var problem = MultivariateBernoulli.Default();
        var one = EstimatorCheck.Run(disarm ? new DisArm() : new Arm(), problem, new RngKey(21), 100_000);
        var three = EstimatorCheck.Run(disarm ? new DisArm(pairs: 3) : new Arm(pairs: 3), problem, new RngKey(22), 100_000);
        for (var i = 0; i < one.Parameters.Count; i++)
        {
            var a = one.Parameters[i];
            var b = three.Parameters[i];
            Assert.True(Math.Abs(a.Variance - (3 * b.Variance)) < 4 * (a.VarianceStdError + (3 * b.VarianceStdError)), $"{a.Parameter}: {a.Variance:G5} vs 3×{b.Variance:G5}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PerLatentEstimatesFollowTheFormulaExactly(bool disarm)
    {
        // Batch [2] of events [4], K = 2 pairs: rebuild u from the documented Sampler.Uniform(key, [K, *latent],
        // Float64), the pair, f of each whole event, and the per-latent weights by hand.
        double[] theta = [-1.0, 0.5, 0.0, 1.5, 2.0, -0.3, 0.7, -2.5];
        double[] w = [1.0, -2.0, 1.5, 0.5];
        const double c = 0.7;
        var logits = Tensor.FromArray(theta, 2, 4).RequireGrad();
        var key = new RngKey(77);
        var f = MultivariateBernoulli.Create([0, 0, 0, 0], w, c).Objective;
        IGradientEstimator est = disarm ? new DisArm(pairs: 2) : new Arm(pairs: 2);
        var estimate = est.Estimate(new Independent(new Bernoulli(logits: logits), 1), f, key);
        var grad = Autograd.Grad(estimate.Surrogate, logits).ToDoubleArray();

        var u = Sampler.Uniform(key, [2, 2, 4], DType.Float64).ToDoubleArray();
        var expected = new double[8];
        var value = 0.0;
        for (var k = 0; k < 2; k++)
        {
            for (var row = 0; row < 2; row++)
            {
                var b1 = new double[4];
                var b2 = new double[4];
                for (var i = 0; i < 4; i++)
                {
                    var ui = u[(k * 8) + (row * 4) + i];
                    var t = theta[(row * 4) + i];
                    b1[i] = ui > Sigmoid(-t) ? 1 : 0;
                    b2[i] = ui < Sigmoid(t) ? 1 : 0;
                }

                var f1 = MultivariateBernoulli.Evaluate(b1, w, c);
                var f2 = MultivariateBernoulli.Evaluate(b2, w, c);
                value += (f1 + f2) / 4;
                for (var i = 0; i < 4; i++)
                {
                    var t = theta[(row * 4) + i];
                    var ui = u[(k * 8) + (row * 4) + i];
                    var g = disarm
                        ? 0.5 * (f1 - f2) * (b2[i] == 1 ? -1 : 1) * (b1[i] != b2[i] ? 1 : 0) * Sigmoid(Math.Abs(t))
                        : (f1 - f2) * (ui - 0.5);
                    expected[(row * 4) + i] += g / 2;
                }
            }
        }

        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(expected[i], grad[i], 1e-13);
        }

        Assert.Equal(value, estimate.Value.Item(), 1e-12);
        Assert.Contains(expected, g => g != 0);
    }

    [Fact]
    public void ScalarBatchLatentsUseTheirOwnDifference()
    {
        // A plain Bernoulli batch [3] (no Independent): latent j's weight uses f(b¹ⱼ) − f(b²ⱼ) only.
        double[] theta = [-0.4, 0.9, 2.2];
        var logits = Tensor.FromArray(theta, 3).RequireGrad();
        var key = new RngKey(5);
        var est = new Arm().Estimate(new Bernoulli(logits: logits), b => (b - 0.3).Square() * 2.0, key);
        var grad = Autograd.Grad(est.Surrogate, logits).ToDoubleArray();
        var u = Sampler.Uniform(key, [1, 3], DType.Float64).ToDoubleArray();
        for (var j = 0; j < 3; j++)
        {
            double F(double b) => 2 * (b - 0.3) * (b - 0.3);
            var b1 = u[j] > Sigmoid(-theta[j]) ? 1.0 : 0.0;
            var b2 = u[j] < Sigmoid(theta[j]) ? 1.0 : 0.0;
            Assert.Equal((F(b1) - F(b2)) * (u[j] - 0.5), grad[j], 1e-14);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GradientReachesAnUpstreamLinearLayerByTheChainRule(bool disarm)
    {
        // logits = x·Wᵀ + b from an Nn.Linear: ∂/∂W = Gᵀx and ∂/∂b = Σ_rows G, with G the per-latent estimates
        // (obtained with the same key from a leaf holding the same logits).
        var layer = new Linear(3, 4, new RngKey(11), dtype: DType.Float64);
        var x = TestUtil.Rand(12, [5, 3], -2, 2);
        var logits = layer.Forward(x);
        var problem = MultivariateBernoulli.Default();
        var key = new RngKey(13);
        IGradientEstimator est = disarm ? new DisArm(pairs: 2) : new Arm(pairs: 2);
        var estimate = est.Estimate(new Independent(new Bernoulli(logits: logits), 1), problem.Objective, key);
        var grads = Autograd.Grad([estimate.Surrogate], [layer.Weight, layer.Bias!]);

        var leaf = logits.Detach().RequireGrad();
        var g = Autograd.Grad(est.Estimate(new Independent(new Bernoulli(logits: leaf), 1), problem.Objective, key).Surrogate, leaf).ToDoubleArray();
        var xs = x.ToDoubleArray();
        var gw = grads[0]!.ToDoubleArray();
        var gb = grads[1]!.ToDoubleArray();
        for (var o = 0; o < 4; o++)
        {
            var sb = 0.0;
            for (var r = 0; r < 5; r++)
            {
                sb += g[(r * 4) + o];
            }

            Assert.Equal(sb, gb[o], 1e-12);
            for (var i = 0; i < 3; i++)
            {
                var sw = 0.0;
                for (var r = 0; r < 5; r++)
                {
                    sw += g[(r * 4) + o] * xs[(r * 3) + i];
                }

                Assert.Equal(sw, gw[(o * 3) + i], 1e-12);
            }
        }

        Assert.Contains(g, v => v != 0);
    }

    [Fact]
    public void ProbsParameterisationGivesTheChainRuleThroughTheLogit()
    {
        // Same draws as the logit form; ∂/∂p = ĝ/(p(1 − p)).
        var theta = Tensor.FromArray(new[] { -0.7, 0.2, 1.1 }, 3);
        var key = new RngKey(31);
        var p = theta.Sigmoid().Detach().RequireGrad();
        var l = theta.Detach().RequireGrad();
        Objective f = b => (b - 0.25).Square();
        var gp = Autograd.Grad(new DisArm().Estimate(new Bernoulli(probs: p), f, key).Surrogate, p).ToDoubleArray();
        var gl = Autograd.Grad(new DisArm().Estimate(new Bernoulli(logits: l), f, key).Surrogate, l).ToDoubleArray();
        var pv = p.ToDoubleArray();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(gl[i] / (pv[i] * (1 - pv[i])), gp[i], 1e-10);
        }

        var ex = Assert.Throws<ArgumentException>(() => new Arm().Estimate(new Bernoulli(probs: Tensor.FromArray(new[] { 0.5, 1.0 }, 2)), f, key));
        Assert.Contains("ARM", ex.Message, StringComparison.Ordinal);
        Assert.Contains("element 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Float32AgreesWithFloat64()
    {
        var problem = MultivariateBernoulli.Default();
        var key = new RngKey(41);
        var t64 = Tensor.FromArray(new[] { -1.0, 0.5, 0.0, 1.5, 0.25, -0.5, 2.0, -1.5 }, 2, 4).RequireGrad();
        var t32 = t64.Detach().To(DType.Float32).RequireGrad();
        var g64 = Autograd.Grad(new DisArm(2).Estimate(new Independent(new Bernoulli(logits: t64), 1), problem.Objective, key).Surrogate, t64).ToDoubleArray();
        var e32 = new DisArm(2).Estimate(new Independent(new Bernoulli(logits: t32), 1), problem.Objective, key);
        var g32 = Autograd.Grad(e32.Surrogate, t32);
        Assert.Equal(DType.Float32, g32.DType);
        TestUtil.AssertClose(g64, g32, 1e-5);
    }

    [Fact]
    public void WrongFamilyObjectiveAndArgumentsGiveClearErrors()
    {
        Objective f = x => x.Square();
        var normal = new Normal(Tensor.Scalar(0.0, DType.Float64), Tensor.Scalar(1.0, DType.Float64));
        var e1 = Assert.Throws<ArgumentException>(() => new Arm().Estimate(normal, f, new RngKey(1)));
        Assert.Contains("ARM", e1.Message, StringComparison.Ordinal);
        Assert.Contains("Normal", e1.Message, StringComparison.Ordinal);

        var indep = new Independent(new Normal(Tensor.Zeros([3], DType.Float64), Tensor.Ones([3], DType.Float64)), 1);
        var e2 = Assert.Throws<ArgumentException>(() => new DisArm(2).Estimate(indep, f, new RngKey(1)));
        Assert.Contains("DisARM(2 pairs)", e2.Message, StringComparison.Ordinal);
        Assert.Contains("Independent(Normal)", e2.Message, StringComparison.Ordinal);

        var cat = new OneHotCategorical(logits: Tensor.Zeros([3], DType.Float64));
        Assert.Contains("OneHotCategorical", Assert.Throws<ArgumentException>(() => new DisArm().Estimate(cat, f, new RngKey(1))).Message, StringComparison.Ordinal);

        // An objective that sums over the batch (wrong shape) is caught instead of broadcasting silently.
        var bern = new Bernoulli(logits: Tensor.Zeros([4], DType.Float64));
        var e3 = Assert.Throws<ArgumentException>(() => new Arm().Estimate(bern, b => b.Sum(-1), new RngKey(1)));
        Assert.Contains("[2, 1, 4]", e3.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(() => new Arm(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DisArm(-1));
    }

    [Fact]
    public void TraitsDeclareUnbiasedBlackBoxDiscreteEstimators()
    {
        foreach (IGradientEstimator e in new IGradientEstimator[] { new Arm(3), new DisArm(3) })
        {
            Assert.True(e.Traits.Unbiased);
            Assert.False(e.Traits.NeedsDifferentiableObjective);
            Assert.False(e.Traits.NeedsRSample);
            Assert.Equal(SampleSpace.Discrete, e.Traits.SampleSpace);
            Assert.Equal(new EstimatorCost(6, 0), e.Traits.Cost);
        }
    }
}
