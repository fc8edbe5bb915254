using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Combinatorial;

/// <summary>
/// The perturb-and-MAP distribution p_PM(z; θ) = P_{ε∼ρ}[z = MAP(θ + ε)] (Papandreou and Yuille 2011): a sample is
/// z = MAP(θ + ε) with ε drawn i.i.d. per entry from <see cref="Noise"/> and MAP given by <see cref="Solver"/>.
/// </summary>
/// <remarks>
/// <para><b>Shapes.</b> θ has shape batch + instance, the instance being the last <see cref="IMapSolver.InstanceRank"/>
/// dimensions: <see cref="Distribution.BatchShape"/> is the batch part and <see cref="Distribution.EventShape"/> the
/// instance. A draw with sampleShape has shape sampleShape + θ.Shape.</para>
/// <para><b>Gradients.</b> z is piecewise constant in θ, so <see cref="Distribution.Sample"/> carries no gradient and the
/// family has no density (<see cref="LogProb"/> throws). Estimate ∇θ E[f(z)] with the I-MLE estimator
/// (McGrad.Estimators.Imle), which uses this distribution's θ, solver and noise.</para>
/// </remarks>
public sealed class PerturbAndMap : Distribution
{
    /// <summary>The perturb-and-MAP distribution of scores <paramref name="theta"/> under <paramref name="solver"/> and <paramref name="noise"/>.</summary>
    /// <param name="theta">θ, of shape batch + instance (Float32 or Float64); typically produced by upstream layers.</param>
    /// <param name="solver">The MAP oracle.</param>
    /// <param name="noise">The perturbation ρ (e.g. <see cref="PerturbationNoise.Gumbel"/>).</param>
    /// <exception cref="ArgumentException">θ is not floating point or has fewer dimensions than an instance.</exception>
    public PerturbAndMap(Tensor theta, IMapSolver solver, PerturbationNoise noise)
        : base(Validate(theta, solver, noise).Batch, Validate(theta, solver, noise).Event, theta.DType)
    {
        Theta = theta;
        Solver = solver;
        Noise = noise;
    }

    private static (Shape Batch, Shape Event) Validate(Tensor theta, IMapSolver solver, PerturbationNoise noise)
    {
        ArgumentNullException.ThrowIfNull(theta);
        ArgumentNullException.ThrowIfNull(solver);
        ArgumentNullException.ThrowIfNull(noise);
        if (!theta.DType.IsFloatingPoint())
        {
            throw new ArgumentException($"PerturbAndMap: theta must be Float32 or Float64, got {theta.DType}.", nameof(theta));
        }

        var r = solver.InstanceRank;
        if (r < 1 || theta.Rank < r)
        {
            throw new ArgumentException($"PerturbAndMap: theta of shape {theta.Shape} has rank {theta.Rank}, but solver {solver.Name} needs instances of rank {r} (theta = batch + instance).", nameof(theta));
        }

        return (Shapes.Prefix(theta.Shape, theta.Rank - r), Shapes.Suffix(theta.Shape, r));
    }

    /// <summary>The scores θ, as passed.</summary>
    public Tensor Theta { get; }

    /// <summary>The MAP oracle.</summary>
    public IMapSolver Solver { get; }

    /// <summary>The perturbation noise ρ.</summary>
    public PerturbationNoise Noise { get; }

    /// <summary>ε ∼ ρ of shape sampleShape + θ.Shape in θ's dtype, drawn from <paramref name="key"/> (what <see cref="Sample"/> adds to θ).</summary>
    public Tensor Perturbation(RngKey key, Shape sampleShape = default)
        => Noise.Sample(key, Shapes.Concat(sampleShape, Theta.Shape), DType);

    /// <summary>z = MAP(θ + ε), ε = <see cref="Perturbation"/>(key, sampleShape): shape sampleShape + θ.Shape, θ's dtype, not recorded.</summary>
    public override Tensor Sample(RngKey key, Shape sampleShape = default)
    {
        var eps = Perturbation(key, sampleShape);
        using (Autograd.NoGrad())
        {
            return Map(Theta.Detach() + eps);
        }
    }

    /// <summary>MAP(<paramref name="scores"/>) with this distribution's solver, checking that the solver returned the scores' shape and dtype.</summary>
    /// <exception cref="InvalidOperationException">The solver returned null or a tensor of another shape or dtype.</exception>
    public Tensor Map(Tensor scores) => SolveChecked(Solver, scores);

    /// <summary>Not available: the perturb-and-MAP distribution is implicit (no density); use the I-MLE estimator for gradients.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override Tensor LogProb(Tensor value)
        => throw new NotSupportedException($"PerturbAndMap({Solver.Name}, {Noise.Name}): LogProb is not available: the distribution of MAP(θ + ε) is implicit. Estimate gradients with I-MLE (McGrad.Estimators.Imle), and marginals by averaging Sample draws.");

    /// <summary>Solves and checks a solver's contract (same shape and dtype as the scores).</summary>
    internal static Tensor SolveChecked(IMapSolver solver, Tensor scores)
    {
        var z = solver.Solve(scores) ?? throw new InvalidOperationException($"MAP solver {solver.Name} returned null for scores of shape {scores.Shape}.");
        if (z.Shape != scores.Shape || z.DType != scores.DType)
        {
            throw new InvalidOperationException($"MAP solver {solver.Name} returned {z.Shape} {z.DType} for scores of shape {scores.Shape} {scores.DType}; a solver must return its scores' shape and dtype.");
        }

        return z.RequiresGrad ? z.Detach() : z;
    }
}
