using System.CommandLine;
using McGrad.Estimators.Problems;

namespace McGrad.Lab.Commands;

/// <summary>
/// <c>topk</c>: the I-MLE top-k synthetic experiment; curves of the exact optimality gap (mean ± s.e. over --runs runs
/// of --steps SGD steps) per tuned method, with common random numbers per run.
/// </summary>
public sealed class TopKCommand : ILabCommand
{
    private readonly Option<int> _runs = new("--runs") { Description = "Independent training runs per method (1 … 1,000); the curves are their mean.", DefaultValueFactory = _ => 20 };
    private readonly Option<int> _steps = new("--steps") { Description = "SGD steps per run (5 … 10,000).", DefaultValueFactory = _ => 100 };
    private readonly Option<string> _target = new("--target") { Description = "paper: b = |N(0, I)| (infeasible, the papers' setting); subset: b = a random 5-subset (feasible, optimum 0).", DefaultValueFactory = _ => "paper" };

    /// <summary>Creates the command's options (--runs, --steps, --target) with their validators.</summary>
    public TopKCommand()
    {
        _runs.Validators.Add(r => CommonOptions.IntRange(r, _runs, 1, 1000));
        _steps.Validators.Add(r => CommonOptions.IntRange(r, _steps, 5, 10_000));
        _target.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (v is not ("paper" or "subset"))
            {
                r.AddError($"Invalid value '{v}' for --target: expected one of paper, subset.");
            }
        });
        Options = [_runs, _steps, _target];
    }

    /// <inheritdoc/>
    public string Name => "topk";

    /// <inheritdoc/>
    public string Description => "The I-MLE top-k synthetic experiment (n = 10, k = 5, ‖z − b‖², SGD momentum 0.9): exact optimality-gap curves of straight-through, I-MLE, AIMLE and AIMLE central with tuned hyperparameters; --samples is not used.";

    /// <inheritdoc/>
    public int Order => 20;

    /// <inheritdoc/>
    public IReadOnlyList<Option> Options { get; }

    /// <inheritdoc/>
    public int Run(ParseResult parse, LabContext lab)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(lab);
        var runs = parse.GetValue(_runs);
        var steps = parse.GetValue(_steps);
        var subset = parse.GetValue(_target) == "subset";
        var run = lab.NewRun(parse, Name);
        run.Samples = runs;
        var methods = TopKTraining.TunedMethods(subset);
        var b = subset ? TopKSynthetic.SubsetTarget() : TopKSynthetic.PaperTarget();
        var every = Math.Max(1, steps / 20);
        var stepAxis = new List<double> { 0 };
        for (var t = every; t <= steps; t += every)
        {
            stepAxis.Add(t);
        }

        var results = methods.Select(_ => new List<double[]>()).ToArray();
        var root = new Randomness.RngKey(run.Seed);
        void Work(Action<string>? onRun)
        {
            for (var r = 0; r < runs && !lab.Cancel.IsCancellationRequested; r++)
            {
                onRun?.Invoke($"run {r + 1}/{runs}");
                var key = root.FoldIn((uint)r); // common random numbers: every method sees the same noise in run r
                for (var m = 0; m < methods.Count; m++)
                {
                    results[m].Add(TopKTraining.Train(methods[m], b, key, steps, every));
                }
            }
        }

        return lab.Execute(parse, run, runs, Work, () =>
        {
            var set = new CurveSet($"Top-k synthetic ({(subset ? "subset" : "paper")} target): exact optimality gap, mean of {results[0].Count} runs", "SGD step", "optimality gap", !subset, []);
            for (var m = 0; m < methods.Count; m++)
            {
                var done = results[m];
                if (done.Count == 0)
                {
                    continue;
                }

                var mean = new double[stepAxis.Count];
                var se = new double[stepAxis.Count];
                for (var j = 0; j < stepAxis.Count; j++)
                {
                    (mean[j], se[j]) = Stats.MeanAndStdError(done.Select(g => g[j]).ToArray());
                }

                set.Curves.Add(new Curve(methods[m].Name, stepAxis, mean, se));
            }

            run.Curves.Add(set);
        });
    }
}
