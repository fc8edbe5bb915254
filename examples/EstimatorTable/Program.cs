// Measures estimators with EstimatorCheck on problems with exact gradients and prints Markdown tables
// (the tables in docs/estimators.md come from this program):
//   dotnet run -c Release --project examples/EstimatorTable [-- estimates]
using System.Globalization;
using McGrad;
using McGrad.Estimators;
using McGrad.Estimators.Discrete;
using McGrad.Estimators.Evolution;
using McGrad.Estimators.MeasureValued;
using McGrad.Estimators.Problems;
using McGrad.Estimators.Relaxed;
using McGrad.Estimators.ScoreFunction;
using McGrad.Randomness;

var estimates = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var key = new RngKey(2026);
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

Console.WriteLine($"## Gaussian costs (REFERENCE R1): x ∼ N(1, 1), {estimates:N0} estimates each, one sample per estimate\n");
foreach (var problem in GaussianCosts.All())
{
    var meanOfF = MeanOfF(problem);
    IGradientEstimator[] estimators =
    [
        new Reinforce(),
        new Reinforce(baseline: Baselines.Constant(meanOfF)),
        Reinforce.LeaveOneOut(4),
        new OptimalBaselineReinforce(4),
        new Pathwise(),
        new MeasureValuedDerivative(coupled: true),
        new MeasureValuedDerivative(coupled: false),
    ];
    Print(problem, estimators.Select((e, i) => Measure(e, problem, key.FoldIn((uint)i), estimates)).ToList(), i => i == 1 ? "REINFORCE − E[f]" : null);
}

Console.WriteLine($"## Bernoulli toy (REFERENCE R2): b ∼ Bernoulli(σ(θ)), f = (b − p0)², {estimates:N0} estimates each\n");
foreach (var problem in BernoulliToy.ReferenceRows())
{
    IGradientEstimator[] estimators = [new Reinforce(), Reinforce.LeaveOneOut(2), new Arm(), new DisArm(), new Rebar(eta: 1, temperature: Math.Exp(0.5)), new StraightThrough(), new GumbelSoftmax(0.5)];
    Print(problem, estimators.Select((e, i) => Measure(e, problem, key.FoldIn(50 + (uint)i), estimates)).ToList(), i => i switch { 4 => "REBAR (η = 1, λ = e^½, untuned)", 6 => "Gumbel-Softmax (τ = 0.5)", _ => null });
}

var es = EvolutionProblems.NegativeSquaredNorm([1, -0.5, 2], 0.1);
Console.WriteLine($"## Evolution strategies (REFERENCE R3): F = −‖x‖², θ = (1, −0.5, 2), σ = 0.1, {estimates:N0} estimates\n");
Print(es, [Measure(new GaussianSmoothing(), es, key.FoldIn(100), estimates), Measure(new GaussianSmoothing(antithetic: true), es, key.FoldIn(101), estimates)], i => i == 0 ? "ES plain" : "ES antithetic");

// A short warm-up run first, so the timing column does not include JIT compilation.
static EstimatorCheckResult Measure(IGradientEstimator estimator, GradientProblem problem, RngKey key, int estimates)
{
    EstimatorCheck.Run(estimator, problem, key, 1000);
    return EstimatorCheck.Run(estimator, problem, key, estimates);
}

static void Print(GradientProblem problem, IReadOnlyList<EstimatorCheckResult> results, Func<int, string?> rename)
{
    var stats = results[0].Parameters;
    Console.WriteLine($"### {problem.Name}\n");
    Console.WriteLine("| estimator | f evals | " + string.Join(" | ", stats.Select(s => $"∂{s.Parameter}: mean (z) | ∂{s.Parameter}: variance")) + " | µs/estimate |");
    Console.WriteLine("|---|---|" + string.Concat(Enumerable.Repeat("---|---|", stats.Count)) + "---|");
    Console.WriteLine("| exact | | " + string.Join(" | ", stats.Select(s => $"{s.Exact:G5} | ")) + " | |");
    for (var i = 0; i < results.Count; i++)
    {
        var r = results[i];
        var cells = r.Parameters.Select(s => $"{s.Mean:G5} ({s.Z:+0.0;-0.0;0.0}) | {s.Variance:G4} ± {s.VarianceStdError:G2}");
        Console.WriteLine($"| {rename(i) ?? r.Estimator} | {r.Cost.Evaluations} | {string.Join(" | ", cells)} | {r.MicrosecondsPerEstimate:F2} |");
    }

    Console.WriteLine();
}

// E[f] under N(1, 1) for the baseline column, from a large pathwise-free Monte Carlo draw (not from the table).
static double MeanOfF(GradientProblem problem)
{
    var x = Sampler.Normal(new RngKey(99), [1_000_000], DType.Float64, 1, 1);
    return problem.Objective(x).Mean().Item();
}
