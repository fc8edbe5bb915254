using McGrad.Distributions;
using McGrad.Estimators.Discrete;
using McGrad.Estimators.Evolution;
using McGrad.Estimators.MeasureValued;
using McGrad.Estimators.Perturbed;
using McGrad.Estimators.Relaxed;
using McGrad.Estimators.ScoreFunction;
using McGrad.Nn;
using McGrad.Randomness;

namespace McGrad.Estimators;

/// <summary>An estimator in the catalog: an id, a one-line description, a factory and the guide that documents it.</summary>
/// <param name="Id">A short, stable, lower-case name ("rloo4", "disarm").</param>
/// <param name="Description">One line: what it is and its settings.</param>
/// <param name="Create">Builds the estimator for a distribution (the distribution gives the event size a RELAX network needs).</param>
/// <param name="Docs">The guide under docs/ that documents it.</param>
public sealed record EstimatorEntry(string Id, string Description, Func<Distribution, IGradientEstimator> Create, string Docs)
{
    /// <summary>The traits of the estimator built for <paramref name="distribution"/>.</summary>
    public EstimatorTraits TraitsFor(Distribution distribution) => Create(distribution).Traits;
}

/// <summary>
/// The estimators McGrad ships, each with default settings, in the order reports list them. Users and the Lab share
/// this list: <c>EstimatorCatalog.Find("disarm")!.Create(distribution)</c>.
/// </summary>
public static class EstimatorCatalog
{
    /// <summary>All entries, in table order.</summary>
    public static IReadOnlyList<EstimatorEntry> All { get; } =
    [
        new("reinforce", "REINFORCE (score function), 1 sample", _ => new Reinforce(), "docs/estimators-score-function.md"),
        new("rloo4", "REINFORCE leave-one-out (RLOO), K = 4", _ => Reinforce.LeaveOneOut(4), "docs/estimators-score-function.md"),
        new("optimal-baseline4", "REINFORCE with the optimal per-parameter baseline b* estimated from K = 4 samples", _ => new OptimalBaselineReinforce(4), "docs/estimators-score-function.md"),
        new("pathwise", "Pathwise (reparameterisation), 1 sample", _ => new Pathwise(), "docs/estimators-pathwise-mvd.md"),
        new("mvd-coupled", "Measure-valued derivative, coupled (common random numbers) positive/negative parts", _ => new MeasureValuedDerivative(coupled: true), "docs/estimators-pathwise-mvd.md"),
        new("mvd-independent", "Measure-valued derivative, independent positive/negative parts", _ => new MeasureValuedDerivative(coupled: false), "docs/estimators-pathwise-mvd.md"),
        new("es", "Gaussian smoothing / evolution strategies, 1 perturbation", _ => new GaussianSmoothing(), "docs/estimators-es.md"),
        new("es-antithetic", "Gaussian smoothing, antithetic pair", _ => new GaussianSmoothing(antithetic: true), "docs/estimators-es.md"),
        new("arm", "ARM (augment-REINFORCE-merge), 1 pair", _ => new Arm(), "docs/estimators-discrete.md"),
        new("disarm", "DisARM, 1 pair", _ => new DisArm(), "docs/estimators-discrete.md"),
        new("straight-through", "Straight-through (biased)", _ => new StraightThrough(), "docs/estimators-discrete.md"),
        new("gumbel-softmax", "Gumbel-softmax / concrete relaxation, τ = 0.5 (biased)", _ => new GumbelSoftmax(0.5), "docs/estimators-discrete.md"),
        new("rebar", "REBAR with η = 1, λ = 0.5 (not tuned: tune it with VarianceTuner)", _ => new Rebar(), "docs/estimators-rebar-relax.md"),
        new("relax", "RELAX with an untrained tanh network E–16–1 (fixed key; tune it with VarianceTuner)", d => Relax.WithNetwork(new Mlp([EventSize(d), 16, 1], Activation.Tanh, new RngKey(7), dtype: d.DType)), "docs/estimators-rebar-relax.md"),
        new("st-pam", "Straight-through through perturb-and-MAP (biased)", _ => new MapStraightThrough(), "docs/estimators-imle.md"),
        new("imle", "I-MLE, λ = 0.75, gradient scaled by 1/λ (biased)", _ => new Imle(0.75, scaleByInverseLambda: true), "docs/estimators-imle.md"),
        new("aimle", "AIMLE: I-MLE with adaptive λ, β₀ = 0.3 (biased, stateful)", _ => new Imle(new AdaptiveLambda(initialBeta: 0.3)), "docs/estimators-imle.md"),
        new("aimle-central", "AIMLE with central differences, β₀ = 0.3 (biased, stateful)", _ => new Imle(new AdaptiveLambda(initialBeta: 0.3), centralDifference: true), "docs/estimators-imle.md"),
        new("vimco4", "VIMCO, K = 4 (estimates ∇E[log mean exp f], not ∇E[f])", _ => new Vimco(4), "docs/estimators-score-function.md"),
    ];

    /// <summary>The entry with this id (case-insensitive), or null.</summary>
    public static EstimatorEntry? Find(string id) => All.FirstOrDefault(e => string.Equals(e.Id, id, StringComparison.OrdinalIgnoreCase));

    /// <summary>The entries whose estimator supports <paramref name="distribution"/>.</summary>
    public static IEnumerable<EstimatorEntry> For(Distribution distribution)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return All.Where(e => e.Create(distribution).Supports(distribution).IsSupported);
    }

    /// <summary>Number of entries in one event of <paramref name="distribution"/> (1 for scalar events).</summary>
    public static int EventSize(Distribution distribution)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return Math.Max(1, distribution.EventShape.ToArray().Aggregate(1, (a, d) => a * d));
    }
}
