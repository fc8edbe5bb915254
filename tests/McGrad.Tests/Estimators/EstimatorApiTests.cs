using McGrad.Autodiff;
using McGrad.Combinatorial;
using McGrad.Distributions;
using McGrad.Estimators;
using McGrad.Randomness;

namespace McGrad.Tests.Estimators;

/// <summary>
/// The v2 contract of every catalog estimator: f is evaluated exactly as often as CostFor says, once and recorded, and
/// the same evaluations train parameters inside f (∇φ) as well as the distribution's (∇θ), checked against closed forms.
/// </summary>
public class EstimatorApiTests
{
    private const int N = 20_000;

    /// <summary>A problem with θ (the distribution's parameter) and φ (inside f), both per batch element, with closed-form ∇θ J and ∇φ J.</summary>
    private sealed record Toy(string Name, Func<Tensor, Distribution> Distribution, Func<Tensor, Objective> Objective, double Theta, double Phi, double DTheta, double DPhi, int[] ThetaShape);

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>x ~ N(θ, 1), f = (x − φ)²: J = (θ − φ)² + 1, ∇θ J = 2(θ − φ), ∇φ J = −2(θ − φ).</summary>
    private static readonly Toy Gaussian = new(
        "N(θ, 1), (x − φ)²",
        t => new Normal(t, Tensor.Ones(t.Shape, DType.Float64)),
        phi => x => (x - phi).Square(),
        0.4, -0.3, 2 * 0.7, -2 * 0.7, [N]);

    /// <summary>b ~ Bernoulli(σ(θ)), f = (b − φ)²: ∇θ J = p(1 − p)(1 − 2φ), ∇φ J = 2(φ − p).</summary>
    private static readonly Toy Bernoulli = new(
        "Bernoulli(σ(θ)), (b − φ)²",
        t => new Bernoulli(logits: t),
        phi => b => (b - phi).Square(),
        0.3, 0.2, Sigmoid(0.3) * (1 - Sigmoid(0.3)) * (1 - 0.4), 2 * (0.2 - Sigmoid(0.3)), [N]);

    /// <summary>z = one-hot argmax(θ + Gumbel) over 3 classes (θ = (0.3, 0, 0)), f = ‖z − φ·1‖²: ∇φ J = Σ_c 2(φ − softmax(θ)_c) = 2(3φ − 1).</summary>
    private static readonly Toy PerturbedArgmax = new(
        "argmax(θ + Gumbel), ‖z − φ‖²",
        t => new PerturbAndMap(t + Tensor.FromArray([0.0, -0.3, -0.3]), new ArgMaxSolver(), PerturbationNoise.Gumbel()),
        phi => z => (z - phi.Unsqueeze(-1)).Square().Sum(-1),
        0.3, 0.25, double.NaN, 2 * ((3 * 0.25) - 1), [N, 3]);

    private static Toy ToyFor(IGradientEstimator estimator)
    {
        foreach (var toy in new[] { Gaussian, Bernoulli, PerturbedArgmax })
        {
            var theta = Tensor.Full(toy.ThetaShape, toy.Theta, DType.Float64);
            if (estimator.Supports(toy.Distribution(theta)).IsSupported)
            {
                return toy;
            }
        }

        throw new InvalidOperationException($"no toy for {estimator.Name}");
    }

    public static TheoryData<string> CatalogIds() => [.. EstimatorCatalog.All.Select(e => e.Id)];

    [Theory]
    [MemberData(nameof(CatalogIds))]
    public void ObjectiveIsEvaluatedExactlyAsOftenAsTheDeclaredCost(string id)
    {
        // Counts every value f returns (per batch element) across all calls, including any made during backward.
        // Catches an estimator that evaluates f twice (once detached, once recorded), or traits that under-count.
        foreach (var batch in new[] { 1, 5 })
        {
            var toy = ToyFor(EstimatorCatalog.Find(id)!.Create(Gaussian.Distribution(Tensor.Zeros([1], DType.Float64))));
            var shape = (int[])toy.ThetaShape.Clone();
            shape[0] = batch;
            var theta = Tensor.Full(shape, toy.Theta, DType.Float64).RequireGrad();
            var phi = Tensor.Full([batch], toy.Phi, DType.Float64).RequireGrad();
            var distribution = toy.Distribution(theta);
            var estimator = EstimatorCatalog.Find(id)!.Create(distribution);
            long values = 0;
            var calls = 0;
            var inner = toy.Objective(phi);
            Objective counting = x =>
            {
                var v = inner(x);
                values += v.Size;
                calls++;
                return v;
            };

            var estimate = estimator.Estimate(distribution, counting, new RngKey(3));
            estimate.Surrogate.Backward();
            var cost = estimator.CostFor(distribution);
            Assert.True(calls > 0);
            Assert.Equal((long)cost.Evaluations * batch, values);
            Assert.Equal(estimate.Evaluations.Count, calls);
            Assert.Equal(values, estimate.Evaluations.Sum(e => (long)e.Values.Size));
            Assert.Equal(estimate.Value.Item(), estimate.Surrogate.Item(), 10);
        }
    }

    [Theory]
    [MemberData(nameof(CatalogIds))]
    public void OneEstimateTrainsTheDistributionAndTheParametersInsideF(string id)
    {
        // N independent estimates in one backward: θ and φ are [N] leaves, batch element i sees θ_i and φ_i only.
        // ∇θ is z-tested for the unbiased estimators of ∇E[f]; ∇φ for every estimator whose f sees exact samples (all
        // but the soft Gumbel-softmax relaxation and VIMCO, which targets ∇ log mean exp f). |z| < 4.
        // Catches: f evaluated under NoGrad (∇φ = 0), φ weighted by Σ instead of the mean over samples (I-MLE's ×S),
        // a pair member dropped (ARM/DisARM), or the score term leaking into φ.
        var probe = EstimatorCatalog.Find(id)!.Create(Gaussian.Distribution(Tensor.Zeros([1], DType.Float64)));
        var toy = ToyFor(probe);
        var theta = Tensor.Full(toy.ThetaShape, toy.Theta, DType.Float64).RequireGrad();
        var phi = Tensor.Full([N], toy.Phi, DType.Float64).RequireGrad();
        var distribution = toy.Distribution(theta);
        var estimator = EstimatorCatalog.Find(id)!.Create(distribution);
        var estimate = estimator.Estimate(distribution, toy.Objective(phi), new RngKey(11).FoldIn((uint)id.Length));
        var grads = Autograd.Grad([estimate.Surrogate], [theta, phi], allowUnused: true);

        var checkTheta = estimator.Traits.Target == EstimateTarget.GradientOfExpectation && !double.IsNaN(toy.DTheta);
        if (checkTheta)
        {
            var s = EstimatorCheck.Summarise("θ", grads[0]!.ToDoubleArray(), toy.DTheta);
            Assert.True(Math.Abs(s.Z) < 4, $"{estimator.Name} on {toy.Name}: ∇θ mean {s.Mean} vs exact {toy.DTheta}, z = {s.Z}");
        }

        var checkPhi = id is not ("gumbel-softmax" or "vimco4");
        if (checkPhi)
        {
            Assert.NotNull(grads[1]);
            var s = EstimatorCheck.Summarise("φ", grads[1]!.ToDoubleArray(), toy.DPhi);
            Assert.True(Math.Abs(s.Z) < 4, $"{estimator.Name} on {toy.Name}: ∇φ mean {s.Mean} vs exact {toy.DPhi}, z = {s.Z}");
        }

        if (!checkTheta && !checkPhi)
        {
            // No closed form for a relaxed objective or the VIMCO bound here: the gradient must still reach φ.
            Assert.True(grads[1] is { } g && g.Abs().Sum().Item() > 0, $"{estimator.Name}: no gradient reached φ");
        }
    }

    [Fact]
    public void PerturbAndMapEstimatorsAverageTheGradientInsideFOverTheirSamples()
    {
        // S = 4 samples: ∇φ must be (1/S) Σ_s ∇φ f(z_s), not Σ_s (the perturb-and-MAP layer itself wants the per-sample
        // ∂f/∂z_s, so a surrogate of Σ_s f would be 4× too large for φ: z ≈ 4·mean/se, far beyond 4).
        foreach (var estimator in new IGradientEstimator[] { new McGrad.Estimators.Perturbed.Imle(1.0, samples: 4), new McGrad.Estimators.Perturbed.MapStraightThrough(samples: 4) })
        {
            var theta = Tensor.Full(PerturbedArgmax.ThetaShape, PerturbedArgmax.Theta, DType.Float64).RequireGrad();
            var phi = Tensor.Full([N], PerturbedArgmax.Phi, DType.Float64).RequireGrad();
            var estimate = estimator.Estimate(PerturbedArgmax.Distribution(theta), PerturbedArgmax.Objective(phi), new RngKey(21));
            var g = Autograd.Grad(estimate.Surrogate, phi).ToDoubleArray();
            var s = EstimatorCheck.Summarise("φ", g, PerturbedArgmax.DPhi);
            Assert.True(Math.Abs(s.Z) < 4, $"{estimator.Name}: ∇φ mean {s.Mean} vs exact {PerturbedArgmax.DPhi}, z = {s.Z}");
        }
    }

    [Fact]
    public void SupportsGivesTheReasonInsteadOfThrowing()
    {
        var normal = Gaussian.Distribution(Tensor.Zeros([2], DType.Float64));
        var bernoulli = Bernoulli.Distribution(Tensor.Zeros([2], DType.Float64));
        var disarm = EstimatorCatalog.Find("disarm")!.Create(normal);
        var no = disarm.Supports(normal);
        Assert.False(no.IsSupported);
        Assert.Contains("Bernoulli", no.Reason!, StringComparison.Ordinal);
        Assert.Contains("Normal", no.Reason!, StringComparison.Ordinal);
        Assert.True(disarm.Supports(bernoulli).IsSupported);
        var thrown = Assert.Throws<ArgumentException>(() => disarm.Estimate(normal, x => x, new RngKey(1)));
        Assert.Contains(no.Reason!, thrown.Message, StringComparison.Ordinal);
        Assert.False(EstimatorCatalog.Find("pathwise")!.Create(bernoulli).Supports(bernoulli).IsSupported);
        Assert.Contains(EstimatorCatalog.For(bernoulli), e => e.Id == "disarm");
        Assert.DoesNotContain(EstimatorCatalog.For(bernoulli), e => e.Id == "pathwise");
    }

    [Fact]
    public void MeasureValuedCostCountsEveryParameterElement()
    {
        // Normal(μ, σ): 2 elements × 2K; 4 independent Bernoullis: 4 × 2K. The traits state the per-element 2K.
        var mvd = EstimatorCatalog.Find("mvd-coupled")!.Create(Gaussian.Distribution(Tensor.Zeros([1], DType.Float64)));
        Assert.Equal(new EstimatorCost(2, 0), mvd.Traits.Cost);
        Assert.Equal(new EstimatorCost(4, 0), mvd.CostFor(new Normal(0.0, 1.0, DType.Float64)));
        Assert.Equal(new EstimatorCost(8, 0), mvd.CostFor(new Independent(new Bernoulli(logits: Tensor.Zeros([4], DType.Float64)), 1)));
    }

    [Fact]
    public void EveryCatalogEntryDeclaresNamedTraitsAndADocument()
    {
        var root = TestUtil.RepositoryRoot();
        foreach (var entry in EstimatorCatalog.All)
        {
            var t = entry.TraitsFor(Gaussian.Distribution(Tensor.Zeros([1], DType.Float64)));
            Assert.False(string.IsNullOrWhiteSpace(t.Reference), entry.Id);
            Assert.True(t.Cost.Evaluations >= 1, entry.Id);
            Assert.True(File.Exists(Path.Combine(root, entry.Docs)), $"{entry.Id}: {entry.Docs} missing");
        }

        Assert.Equal(EstimateTarget.GradientOfLogMeanExp, EstimatorCatalog.Find("vimco4")!.TraitsFor(Gaussian.Distribution(Tensor.Zeros([1], DType.Float64))).Target);
        Assert.True(EstimatorCatalog.Find("aimle")!.TraitsFor(Gaussian.Distribution(Tensor.Zeros([1], DType.Float64))).Stateful);
        Assert.Equal(EstimatorCatalog.All.Count, EstimatorCatalog.All.Select(e => e.Id).Distinct().Count());
    }
}
