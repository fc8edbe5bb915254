using System.Globalization;
using McGrad.Autodiff;
using McGrad.Combinatorial;
using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators.Perturbed;

/// <summary>
/// Implicit Maximum Likelihood Estimation (I-MLE) through a perturb-and-MAP distribution. Forward: z_s = MAP(θ + ε_s),
/// ε_s ∼ ρ, s = 1…S. Backward, given g_s = ∂L/∂z_s:
/// ∇θ ≈ (1/S) Σ_s σ·[MAP(θ + ε_s) − MAP(θ − σλ_s g_s + ε_s)] (forward difference), or
/// (1/S) Σ_s σ·[MAP(θ + σλ_s g_s + ε_s) − MAP(θ − σλ_s g_s + ε_s)]/2 (central difference), each optionally divided by λ_s,
/// with the same ε_s in every MAP call and σ = +1 for maximising solvers, −1 for minimising ones.
/// </summary>
/// <remarks>
/// <para><b>Idea.</b> For p(z; θ) ∝ exp⟨z, θ⟩ on the feasible set, the gradient of the implicit maximum-likelihood loss
/// towards the target θ′ = θ − λg (a distribution with lower downstream loss) is μ(θ) − μ(θ′); I-MLE replaces both
/// marginals by perturb-and-MAP samples with shared noise (Niepert, Minervini, Franceschi 2021). Adaptive I-MLE
/// (Minervini, Franceschi, Niepert 2023) sets λ = β‖θ‖/‖g‖ per instance and adapts β to keep a target number of non-zero
/// gradient entries (<see cref="AdaptiveLambda"/>), and adds the central difference.</para>
/// <para><b>Requirements.</b> A <see cref="PerturbAndMap"/> distribution (scores θ, an <see cref="IMapSolver"/>, noise) and an
/// objective differentiable in z. The MAP solver is a black box: nothing else about it is needed.</para>
/// <para><b>Bias and variance.</b> Biased for every λ &gt; 0: with 1/λ scaling it is a finite difference (of step λ along g)
/// of the perturb-and-MAP marginals; for an objective linear in z its expectation is exactly
/// [μ(θ) − μ(θ − λg)]/λ (forward) or [μ(θ + λg) − μ(θ − λg)]/(2λ) (central), which tends to ∇θ E[f] as λ → 0, where
/// the estimate is mostly zero (high variance); a large λ gives dense, smoother but more biased gradients. Without the 1/λ
/// factor its scale is absorbed into the learning rate. The central difference has O(λ²) instead of O(λ) bias.</para>
/// <para><b>Cost.</b> S MAP calls forward, S (forward difference) or 2S (central) in the backward pass; S evaluations of f
/// and one backward pass through f.</para>
/// <para><b>As a layer.</b> <see cref="Sample(PerturbAndMap, RngKey)"/> and <see cref="Apply"/> return z with the I-MLE gradient attached
/// (a <see cref="CustomFunction"/>), so gradients flow into whatever produced θ. The backward pass reads the incoming
/// gradient of sample s as g_s and averages over samples: with a loss Σ_s f(z_s) it is exactly the formula above; with a
/// mean over samples g_s carries a 1/S factor, i.e. λ is effectively λ/S. The backward values are constants (MAP outputs):
/// differentiating them again gives nothing.</para>
/// </remarks>
public sealed class Imle : IGradientEstimator
{
    private readonly double _lambda;

    /// <summary>I-MLE with a fixed perturbation strength λ.</summary>
    /// <param name="lambda">λ &gt; 0.</param>
    /// <param name="samples">S ≥ 1, noise samples per estimate.</param>
    /// <param name="scaleByInverseLambda">Divide the difference by λ (a finite-difference derivative) instead of leaving the scale to the learning rate.</param>
    /// <param name="centralDifference">Use [MAP(θ + λg + ε) − MAP(θ − λg + ε)]/2 instead of MAP(θ + ε) − MAP(θ − λg + ε).</param>
    /// <exception cref="ArgumentOutOfRangeException">λ not finite and &gt; 0, or S &lt; 1.</exception>
    public Imle(double lambda = 1.0, int samples = 1, bool scaleByInverseLambda = false, bool centralDifference = false)
    {
        if (!double.IsFinite(lambda) || lambda <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, $"I-MLE: lambda must be finite and > 0, got {lambda}.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        _lambda = lambda;
        Samples = samples;
        ScaleByInverseLambda = scaleByInverseLambda;
        CentralDifference = centralDifference;
    }

    /// <summary>Adaptive I-MLE (AIMLE): λ = β‖θ‖/‖g‖ per instance and sample, β adapted by <paramref name="adaptive"/>.</summary>
    /// <param name="adaptive">The λ rule and its state (updated by every backward pass).</param>
    /// <param name="samples">S ≥ 1, noise samples per estimate.</param>
    /// <param name="centralDifference">Use the central difference (the symmetric perturbation of AIMLE).</param>
    /// <param name="scaleByInverseLambda">Divide by λ (the authors' AIMLE always does).</param>
    /// <exception cref="ArgumentOutOfRangeException">S &lt; 1.</exception>
    public Imle(AdaptiveLambda adaptive, int samples = 1, bool centralDifference = false, bool scaleByInverseLambda = true)
    {
        ArgumentNullException.ThrowIfNull(adaptive);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        Adaptive = adaptive;
        _lambda = double.NaN;
        Samples = samples;
        ScaleByInverseLambda = scaleByInverseLambda;
        CentralDifference = centralDifference;
    }

    /// <summary>The fixed λ, or null for adaptive I-MLE.</summary>
    public double? Lambda => Adaptive is null ? _lambda : null;

    /// <summary>The adaptive λ rule, or null for a fixed λ.</summary>
    public AdaptiveLambda? Adaptive { get; }

    /// <summary>S, noise samples per estimate.</summary>
    public int Samples { get; }

    /// <summary>Whether the difference is divided by λ.</summary>
    public bool ScaleByInverseLambda { get; }

    /// <summary>Whether the central difference is used.</summary>
    public bool CentralDifference { get; }

    /// <inheritdoc/>
    public string Name
    {
        get
        {
            var parts = new List<string>();
            if (Adaptive is null)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"λ={_lambda:G4}"));
            }

            if (CentralDifference)
            {
                parts.Add("central");
            }

            if (ScaleByInverseLambda != (Adaptive is not null))
            {
                parts.Add(ScaleByInverseLambda ? "1/λ" : "unscaled");
            }

            if (Samples > 1)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"S={Samples}"));
            }

            var name = Adaptive is null ? "I-MLE" : "AIMLE";
            return parts.Count == 0 ? name : $"{name}({string.Join(", ", parts)})";
        }
    }

    /// <inheritdoc/>
    public EstimatorTraits Traits => PerturbAndMapEstimation.Traits(Samples, Adaptive is not null, Adaptive is null ? "Niepert, Minervini, Franceschi 2021" : "Minervini, Franceschi, Niepert 2023");

    /// <summary>For AIMLE, the adaptive λ's state (β and the running non-zero count); null for fixed λ.</summary>
    public EstimatorState? InitialState => Adaptive?.InitialState;

    /// <inheritdoc/>
    public SupportCheck Supports(Distribution distribution) => PerturbAndMapEstimation.Supports(distribution, Name);

    /// <summary>
    /// S perturb-and-MAP samples z_s = MAP(θ + ε_s), shape [S, *θ.Shape], with ε = distribution.Perturbation(key, [S])
    /// (so the values equal distribution.Sample(key, [S])), carrying the I-MLE gradient into distribution.Theta.
    /// </summary>
    public Tensor Sample(PerturbAndMap distribution, RngKey key) => Sample(distribution, key, null, out _);

    /// <summary>
    /// <see cref="Sample(PerturbAndMap, RngKey)"/> with AIMLE's state: λ uses the β of <paramref name="state"/> (null: the
    /// initial state), and <paramref name="nextState"/> returns the state after the backward pass through z (it throws
    /// before that pass; a second backward pass through the same z replaces it). For fixed λ both are null.
    /// </summary>
    public Tensor Sample(PerturbAndMap distribution, RngKey key, EstimatorState? state, out Func<EstimatorState?> nextState)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        var current = Adaptive is null ? null : EstimatorState.Expect(state, Adaptive.InitialState, Name);
        AdaptiveLambdaState? after = null;
        var name = Name;
        nextState = () => current is null ? null
            : after ?? throw new InvalidOperationException($"{name}: the next adaptive-λ state is known only after the backward pass through the sample (β is updated from that pass's gradient).");
        var eps = distribution.Perturbation(key, [Samples]);
        return CustomFunction.Apply(
            Name,
            [distribution.Theta],
            xs => distribution.Map(xs[0].Detach() + eps),
            (xs, z, g) =>
            {
                if (!xs[0].RequiresGrad)
                {
                    return [null];
                }

                var (gradient, nonZeros) = Backward(distribution, xs[0], z, g, eps, current);
                if (current is not null && Adaptive is not null && nonZeros is double nnz)
                {
                    after = Adaptive.Next(current, nnz);
                }

                return [gradient];
            });
    }

    /// <summary>The I-MLE layer: <see cref="Sample(PerturbAndMap, RngKey)"/> of <c>new PerturbAndMap(theta, solver, noise)</c>, shape [S, *θ.Shape].</summary>
    public Tensor Apply(Tensor theta, IMapSolver solver, PerturbationNoise noise, RngKey key) => Sample(new PerturbAndMap(theta, solver, noise), key);

    /// <summary>
    /// z = <see cref="Sample(PerturbAndMap, RngKey)"/>(distribution, key); the surrogate has value Ĵ = (1/S) Σ_s Σ_batch f(z_s)
    /// and gradient the I-MLE estimate (1/S) Σ_s Δ_s with g_s = ∇f(z_s) for θ, and (1/S) Σ_s ∇φ f(z_s) for parameters inside f.
    /// For AIMLE, <see cref="GradientEstimate.NextState"/> is the adaptive-λ state after the backward pass.
    /// </summary>
    /// <exception cref="ArgumentException">The distribution is not a <see cref="PerturbAndMap"/>.</exception>
    public GradientEstimate Estimate(Distribution distribution, Objective objective, RngKey key, EstimatorState? state = null)
    {
        var pm = PerturbAndMapEstimation.Require(distribution, Name);
        ArgumentNullException.ThrowIfNull(objective);
        var z = Sample(pm, key, state, out var next);
        return PerturbAndMapEstimation.Estimate(z, objective, Samples, Adaptive is null ? null : next);
    }

    private (Tensor Gradient, double? MeanNonZeros) Backward(PerturbAndMap pm, Tensor theta, Tensor z, Tensor g, Tensor eps, AdaptiveLambdaState? state)
    {
        using var scope = Autograd.NoGrad();
        theta = theta.Detach();
        g = g.Detach();
        var sigma = pm.Solver.Sense == MapSense.Maximize ? 1.0 : -1.0;
        var r = pm.Solver.InstanceRank;
        Tensor lambda;
        if (Adaptive is null)
        {
            lambda = Tensor.Scalar(_lambda, theta.DType);
        }
        else
        {
            var thetaNorm = theta.Square().Sum(Tail(theta.Rank, r), keepDim: true).Sqrt();
            var gNorm = g.Square().Sum(Tail(g.Rank, r), keepDim: true).Sqrt();
            var positive = gNorm.Gt(0.0);
            lambda = Tensor.Where(positive, thetaNorm * state!.Beta / Tensor.Where(positive, gNorm, 1.0), 0.0);
        }

        var step = g * lambda * sigma;
        Tensor delta;
        if (CentralDifference)
        {
            delta = (pm.Map(theta + step + eps) - pm.Map(theta - step + eps)) * (sigma / 2);
        }
        else
        {
            delta = (z - pm.Map(theta - step + eps)) * sigma;
        }

        double? nonZeros = null;
        if (Adaptive is not null)
        {
            var instances = z.Rank == r ? 1 : z.Shape.ToArray()[..(z.Rank - r)].Aggregate(1, (a, d) => a * d);
            if (instances > 0)
            {
                nonZeros = delta.Ne(0.0).Sum().Item() / instances;
            }
        }

        if (ScaleByInverseLambda)
        {
            delta /= Tensor.Where(lambda.Gt(0.0), lambda, 1.0);
        }

        return (delta.Mean(0).Detach(), nonZeros);
    }

    private static int[] Tail(int rank, int count)
    {
        var axes = new int[count];
        for (var i = 0; i < count; i++)
        {
            axes[i] = rank - count + i;
        }

        return axes;
    }
}

/// <summary>Shared checks and surrogate for perturb-and-MAP estimators.</summary>
internal static class PerturbAndMapEstimation
{
    public static SupportCheck Supports(Distribution distribution, string estimator)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return distribution is PerturbAndMap
            ? SupportCheck.Yes
            : SupportCheck.No(
                $"{estimator}: needs a PerturbAndMap distribution (scores θ, a MAP solver and perturbation noise), got {distribution.GetType().Name}. " +
                "For other discrete families use a score-function estimator (REINFORCE) or a relaxation.");
    }

    public static PerturbAndMap Require(Distribution distribution, string estimator)
    {
        Supports(distribution, estimator).ThrowIfUnsupported(nameof(distribution));
        return (PerturbAndMap)distribution;
    }

    /// <summary>
    /// The traits I-MLE, AIMLE and straight-through perturb-and-MAP share: biased, f differentiable in z, one MAP call and
    /// one evaluation of f per sample, one backward pass.
    /// </summary>
    public static EstimatorTraits Traits(int samples, bool stateful, string reference) => new()
    {
        Target = EstimateTarget.BiasedSurrogate,
        NeedsDifferentiableObjective = true,
        SampleSpace = SampleSpace.Discrete,
        Families = ["PerturbAndMap"],
        Stateful = stateful,
        Cost = new EstimatorCost(samples, 1),
        Reference = reference,
    };

    /// <summary>
    /// Ĵ = (1/S) Σ_s f(z_s) recorded, with f seeing z through a gradient scaling by S, so the perturb-and-MAP layer still
    /// receives the per-sample ∂f(z_s)/∂z_s (it averages over s itself) while parameters inside f get (1/S) Σ_s ∇φ f(z_s).
    /// </summary>
    public static GradientEstimate Estimate(Tensor z, Objective objective, int samples, Func<EstimatorState?>? nextState = null)
    {
        var scaled = CustomFunction.Apply("perturb-and-MAP per-sample gradient", [z], xs => xs[0], (_, _, g) => [g * samples]);
        var values = objective(scaled) ?? throw new InvalidOperationException("perturb-and-MAP: the objective returned null.");
        return Surrogates.Mean(z, values, samples, nextState);
    }
}
