using McGrad.Estimators;
using McGrad.Estimators.Evolution;
using McGrad.Estimators.Problems;
using McGrad.Estimators.ScoreFunction;
using McGrad.Randomness;

namespace McGrad.Lab;

/// <summary>An estimator the Lab knows: a command-line id, a factory (given the problem, for baselines that need it) and a note.</summary>
/// <param name="Id">Command-line name, e.g. "rloo4".</param>
/// <param name="Description">One line for <c>list</c>.</param>
/// <param name="Create">Builds the estimator for a problem.</param>
public sealed record EstimatorEntry(string Id, string Description, Func<GradientProblem, IGradientEstimator> Create);

/// <summary>A problem the Lab knows: id, group (R1, R2, …) and factory.</summary>
public sealed record ProblemEntry(string Id, string Group, string Description, Func<GradientProblem> Create);

/// <summary>The estimators and problems of the Lab.</summary>
public static class Catalog
{
    /// <summary>
    /// All estimators, in table order: the library's <see cref="EstimatorCatalog"/>, with the Lab-only oracle row
    /// "reinforce-mean" (the constant baseline b = E f, which needs the problem's f) after REINFORCE.
    /// </summary>
    public static IReadOnlyList<EstimatorEntry> Estimators { get; } =
    [
        .. EstimatorCatalog.All.SelectMany(e => e.Id == "reinforce"
            ? new[] { FromLibrary(e), new EstimatorEntry("reinforce-mean", "REINFORCE with the constant baseline b = E f (E f from a 10^5-sample pilot draw)", p => new Reinforce(baseline: Baselines.Constant(MeanOfF(p)))) }
            : [FromLibrary(e)]),
    ];

    /// <summary>All problems, in table order.</summary>
    public static IReadOnlyList<ProblemEntry> Problems { get; } =
    [
        new("gauss-square-k-3", "R1", "x ~ N(1,1), f = (x+3)²", () => GaussianCosts.Square(-3)),
        new("gauss-square-k0", "R1", "x ~ N(1,1), f = x²", () => GaussianCosts.Square(0)),
        new("gauss-square-k1", "R1", "x ~ N(1,1), f = (x−1)²", () => GaussianCosts.Square(1)),
        new("gauss-expsquare-k1", "R1", "x ~ N(1,1), f = exp(−x²)", () => GaussianCosts.ExpSquare(1)),
        new("gauss-cos-k1", "R1", "x ~ N(1,1), f = cos(x)", () => GaussianCosts.Cos(1)),
        new("gauss-cos-k5", "R1", "x ~ N(1,1), f = cos(5x)", () => GaussianCosts.Cos(5)),
        new("bernoulli-0.49-theta-2", "R2", "b ~ Bernoulli(σ(−2)), f = (b − 0.49)²", () => BernoulliToy.Create(0.49, -2)),
        new("bernoulli-0.49-theta-1", "R2", "b ~ Bernoulli(σ(−1)), f = (b − 0.49)²", () => BernoulliToy.Create(0.49, -1)),
        new("bernoulli-0.49-theta0", "R2", "b ~ Bernoulli(σ(0)), f = (b − 0.49)²", () => BernoulliToy.Create(0.49, 0)),
        new("bernoulli-0.499-theta0", "R2", "b ~ Bernoulli(σ(0)), f = (b − 0.499)²", () => BernoulliToy.Create(0.499, 0)),
        new("bernoulli-0.499-theta1", "R2", "b ~ Bernoulli(σ(1)), f = (b − 0.499)²", () => BernoulliToy.Create(0.499, 1)),
        new("es-quadratic", "R3", "x ~ N(θ, 0.1²I), θ = (1, −0.5, 2), F = −‖x‖²", () => EvolutionProblems.NegativeSquaredNorm([1, -0.5, 2], 0.1)),
        new("topk-synthetic", "TopK", "z = top-5(θ + Gumbel) of n = 10 scores, f = ‖z − b‖², θ₀ and b = |N(0, I)| from fixed keys; exact gradient from the closed-form subset probabilities", TopKSynthetic.Problem),
        new("multi-bernoulli", "MVB", "b ~ 4 independent Bernoullis, θ = (−1, 0.5, 0, 1.5), w = (1, −2, 1.5, 0.5), c = 0.7", MultivariateBernoulli.Default),
    ];

    /// <summary>Number of entries in one event of the problem's distribution (1 for scalar events).</summary>
    public static int EventSize(GradientProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return EstimatorCatalog.EventSize(problem.CreateDistribution(problem.Parameters));
    }

    private static EstimatorEntry FromLibrary(McGrad.Estimators.EstimatorEntry entry)
        => new(entry.Id, entry.Description, p => entry.Create(p.CreateDistribution(p.Parameters)));

    /// <summary>Finds an estimator by id (case-insensitive).</summary>
    public static EstimatorEntry? FindEstimator(string id) => Estimators.FirstOrDefault(e => string.Equals(e.Id, id, StringComparison.OrdinalIgnoreCase));

    /// <summary>Finds a problem by id (case-insensitive).</summary>
    public static ProblemEntry? FindProblem(string id) => Problems.FirstOrDefault(p => string.Equals(p.Id, id, StringComparison.OrdinalIgnoreCase));

    /// <summary>E f under the problem's distribution from a fixed-key 10⁵-sample draw (for the constant baseline).</summary>
    public static double MeanOfF(GradientProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        using (McGrad.Autodiff.Autograd.NoGrad())
        {
            var d = problem.CreateDistribution(problem.Parameters.Select(t => t.Detach()).ToList());
            var x = d.Sample(new RngKey(99), [100_000]);
            return problem.Objective(x).Mean().Item();
        }
    }
}
