using McGrad.Autodiff;
using McGrad.Combinatorial;
using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators.Perturbed;

/// <summary>
/// Straight-through perturb-and-MAP: forward z_s = MAP(θ + ε_s), backward the identity ∇θ ≈ (1/S) Σ_s σ·g_s with
/// g_s = ∂L/∂z_s (σ = +1 for maximising solvers, −1 for minimising ones, whose solutions shrink as θ grows).
/// </summary>
/// <remarks>
/// The baseline I-MLE is compared against (Bengio, Léonard, Courville 2013; the "STE PaM" of Niepert et al. 2021).
/// Biased: it treats MAP as the identity, so its fixed points are where E[∂f/∂z] = 0, not where ∇θ E[f] = 0 — e.g. for
/// f(z) = ‖z − b‖² it drives the marginals towards b even when b is not a feasible structure. Needs f differentiable in z.
/// Cost: S MAP calls, S evaluations of f, one backward pass.
/// </remarks>
public sealed class MapStraightThrough : IGradientEstimator
{
    /// <summary>Straight-through with <paramref name="samples"/> noise samples per estimate.</summary>
    /// <exception cref="ArgumentOutOfRangeException">samples &lt; 1.</exception>
    public MapStraightThrough(int samples = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        Samples = samples;
    }

    /// <summary>S, noise samples per estimate.</summary>
    public int Samples { get; }

    /// <inheritdoc/>
    public string Name => Samples == 1 ? "ST-PaM" : $"ST-PaM(S={Samples})";

    /// <inheritdoc/>
    public EstimatorTraits Traits => PerturbAndMapEstimation.Traits(Samples, stateful: false, "Bengio, Léonard, Courville 2013");

    /// <inheritdoc/>
    public SupportCheck Supports(Distribution distribution) => PerturbAndMapEstimation.Supports(distribution, Name);

    /// <summary>z_s = MAP(θ + ε_s), shape [S, *θ.Shape], ε = distribution.Perturbation(key, [S]), with the identity gradient.</summary>
    public Tensor Sample(PerturbAndMap distribution, RngKey key)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        var eps = distribution.Perturbation(key, [Samples]);
        var sigma = distribution.Solver.Sense == MapSense.Maximize ? 1.0 : -1.0;
        return CustomFunction.Apply(
            Name,
            [distribution.Theta],
            xs => distribution.Map(xs[0].Detach() + eps),
            (xs, z, g) => [xs[0].RequiresGrad ? g.Mean(0) * sigma : null]);
    }

    /// <summary>The straight-through layer: <see cref="Sample"/> of <c>new PerturbAndMap(theta, solver, noise)</c>.</summary>
    public Tensor Apply(Tensor theta, IMapSolver solver, PerturbationNoise noise, RngKey key) => Sample(new PerturbAndMap(theta, solver, noise), key);

    /// <summary>z = <see cref="Sample"/>(distribution, key); surrogate Σ_s Σ_batch f(z_s) (gradient (1/S) Σ_s σ∇f(z_s)); value its mean over s.</summary>
    /// <exception cref="ArgumentException">The distribution is not a <see cref="PerturbAndMap"/>.</exception>
    public GradientEstimate Estimate(Distribution distribution, Objective objective, RngKey key, EstimatorState? state = null)
    {
        var pm = PerturbAndMapEstimation.Require(distribution, Name);
        ArgumentNullException.ThrowIfNull(objective);
        return PerturbAndMapEstimation.Estimate(Sample(pm, key), objective, Samples);
    }
}
