using System.CommandLine;
using System.Globalization;
using McGrad.Randomness;
using McGrad.Rl.Differentiable;
using McGrad.Rl.Training.Analytic;

namespace McGrad.Lab.Commands;

/// <summary>
/// <c>gippo</c>: policy learning on differentiable environments with LR, RP, LR+RP, PPO and GI-PPO
/// (<see cref="AnalyticTrainer"/>), each with the per-task learning rates of GI-PPO's configs, for --seeds seeds (seed s
/// uses RngKey(--seed).FoldIn(s)). Reports mean-return curves (mean ± s.e. over seeds), GI-PPO's α and out-of-range
/// ratio curves, a table of final returns, and the paper's claims checked against the measured numbers.
/// </summary>
public sealed class GiPpoCommand : ILabCommand
{
    private static readonly Dictionary<string, AnalyticMethod> MethodNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["lr"] = AnalyticMethod.Lr,
        ["rp"] = AnalyticMethod.Rp,
        ["lr+rp"] = AnalyticMethod.LrRp,
        ["lrp"] = AnalyticMethod.LrRp,
        ["ppo"] = AnalyticMethod.Ppo,
        ["gi-ppo"] = AnalyticMethod.GiPpo,
        ["gippo"] = AnalyticMethod.GiPpo,
    };

    private readonly Option<string[]> _task = new("--task") { Description = $"Tasks, comma-separated: {string.Join(", ", DifferentiableEnvironments.Ids)} (dejong-<d>, ackley-<d> for any d), or all (the four paper tasks).", DefaultValueFactory = _ => ["ackley-64"], AllowMultipleArgumentsPerToken = true };
    private readonly Option<string[]> _method = new("--method") { Description = "Methods, comma-separated: lr, rp, lr+rp, ppo, gi-ppo, or all.", DefaultValueFactory = _ => ["all"], AllowMultipleArgumentsPerToken = true };
    private readonly Option<int> _epochs = new("--epochs") { Description = "Epochs per run (1 … 100,000; default 2000, the paper's).", DefaultValueFactory = _ => 2000 };
    private readonly Option<int> _horizon = new("--horizon") { Description = "Rollout steps per epoch (1 … 1,000; default: the episode length up to 32, i.e. 1 for the one-step tasks, 32 for pendulum, 30 for the cart-pole)." };
    private readonly Option<int> _seeds = new("--seeds") { Description = "Independent runs (1 … 32).", DefaultValueFactory = _ => 5 };

    /// <summary>Creates the command's options with their validators.</summary>
    public GiPpoCommand()
    {
        _task.Validators.Add(r =>
        {
            foreach (var t in CommonOptions.SplitNames(r.GetValueOrDefault<string[]>()))
            {
                if (t != "all" && !IsTask(t))
                {
                    r.AddError($"Unknown task '{t}' for --task. Valid: {string.Join(", ", DifferentiableEnvironments.Ids)} (dejong-<d>, ackley-<d> for any d ≥ 1), all.");
                }
            }
        });
        _method.Validators.Add(r =>
        {
            foreach (var m in CommonOptions.SplitNames(r.GetValueOrDefault<string[]>()))
            {
                if (m != "all" && !MethodNames.ContainsKey(m))
                {
                    r.AddError($"Unknown method '{m}' for --method. Valid: lr, rp, lr+rp, ppo, gi-ppo, all.");
                }
            }
        });
        _epochs.Validators.Add(r => CommonOptions.IntRange(r, _epochs, 1, 100_000));
        _horizon.Validators.Add(r => CommonOptions.IntRange(r, _horizon, 1, 1_000));
        _seeds.Validators.Add(r => CommonOptions.IntRange(r, _seeds, 1, 32));
        Options = [_task, _method, _epochs, _horizon, _seeds];
    }

    /// <inheritdoc/>
    public string Name => "gippo";

    /// <inheritdoc/>
    public string Description => "GI-PPO's study on differentiable environments (De Jong and Ackley function optimisation, 1-D and 64-D; a differentiable pendulum; the PIPPS cart-pole): LR, RP, LR+RP, PPO and GI-PPO with the paper's configs over several seeds; mean-return curves, α and out-of-range-ratio curves, final returns (mean ± s.e.) and the paper's claims beside ours; --samples is not used.";

    /// <inheritdoc/>
    public int Order => 52;

    /// <inheritdoc/>
    public IReadOnlyList<Option> Options { get; }

    /// <summary>The display name of a method.</summary>
    public static string Label(AnalyticMethod method) => method switch
    {
        AnalyticMethod.Lr => "LR",
        AnalyticMethod.Rp => "RP",
        AnalyticMethod.LrRp => "LR+RP",
        AnalyticMethod.Ppo => "PPO",
        _ => "GI-PPO",
    };

    /// <inheritdoc/>
    public int Run(ParseResult parse, LabContext lab)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(lab);
        var taskNames = CommonOptions.SplitNames(parse.GetValue(_task)).ToList();
        var tasks = taskNames.Contains("all") ? [.. AnalyticConfig.PaperTasks] : taskNames.Distinct().ToList();
        var methodNames = CommonOptions.SplitNames(parse.GetValue(_method)).ToList();
        var methods = methodNames.Contains("all") ? [.. Enum.GetValues<AnalyticMethod>()] : methodNames.Select(m => MethodNames[m]).Distinct().OrderBy(m => m).ToList();
        var epochs = parse.GetValue(_epochs);
        var seeds = parse.GetValue(_seeds);
        var run = lab.NewRun(parse, Name);
        run.Samples = seeds;
        var root = new RngKey(run.Seed);
        var results = new List<(string Task, AnalyticMethod Method, List<AnalyticRun> Runs)>();
        void Work(Action<string>? onUnit)
        {
            foreach (var task in tasks)
            {
                foreach (var method in methods)
                {
                    var runs = new List<AnalyticRun>();
                    results.Add((task, method, runs));
                    for (var s = 0; s < seeds && !lab.Cancel.IsCancellationRequested; s++)
                    {
                        var config = ConfigFor(task, method, parse) with { Epochs = epochs };
                        var trainer = new AnalyticTrainer(DifferentiableEnvironments.Make(task), config, root.FoldIn((uint)s));
                        var seed = s;
                        runs.Add(trainer.Train(
                            p => onUnit?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{task} {Label(method)} seed {seed + 1}/{seeds}, epoch {p.Epoch}/{p.Epochs}, return {p.Record.MeanReturn:G4}")),
                            lab.Cancel));
                    }
                }
            }
        }

        return lab.Execute(parse, run, Math.Max(1, tasks.Count * methods.Count * seeds * epochs), Work, () => Report(run, results.Where(r => r.Runs.Count > 0).ToList()));
    }

    private AnalyticConfig ConfigFor(string task, AnalyticMethod method, ParseResult parse)
    {
        var config = AnalyticConfig.PaperTasks.Contains(task) ? AnalyticConfig.Paper(task, method) : new AnalyticConfig { Method = method };
        var horizon = CommonOptions.Given(parse, _horizon) ? parse.GetValue(_horizon) : Math.Min(DifferentiableEnvironments.Make(task).EpisodeLength, 32);
        return config with { Horizon = horizon };
    }

    private static bool IsTask(string id) => DifferentiableEnvironments.TryMake(id) is not null;

    private static void Report(LabRun run, List<(string Task, AnalyticMethod Method, List<AnalyticRun> Runs)> results)
    {
        foreach (var task in results.Select(r => r.Task).Distinct())
        {
            var perTask = results.Where(r => r.Task == task).ToList();
            var returns = new CurveSet($"{task}: mean return of the last 100 episodes against epoch, mean ± s.e. over seeds", "epoch", "return", false, []);
            foreach (var (_, method, runs) in perTask)
            {
                returns.Curves.Add(Series(Label(method), runs, e => e.MeanReturn));
            }

            run.Curves.Add(returns);
            if (perTask.FirstOrDefault(r => r.Method == AnalyticMethod.GiPpo) is { Runs: { } giRuns })
            {
                run.Curves.Add(new CurveSet($"{task}: GI-PPO's α against epoch, mean ± s.e. over seeds (log scale)", "epoch", "α", true, [Series("α", giRuns, e => e.Alpha)]));
                run.Curves.Add(new CurveSet($"{task}: GI-PPO's out-of-range ratio and estimated α-policy improvement sign, mean over seeds", "epoch", "fraction", false,
                    [Series("out-of-range ratio", giRuns, e => e.OutOfRangeRatio), Series("P(estimated improvement > 0)", giRuns, e => e.EstimatedImprovement > 0 ? 1 : 0)]));
            }
        }

        var table = new SummaryTable("Final mean return (last 100 episodes) per task and method, mean ± s.e. over seeds", ["task", "method", "seeds", "final return", "best seed", "worst seed", "final α (GI-PPO)", "s/run"], []);
        foreach (var (task, method, runs) in results)
        {
            var (m, se) = Stats.MeanAndStdError([.. runs.Select(r => r.FinalReturn)]);
            var alpha = method == AnalyticMethod.GiPpo ? F(runs.Average(r => r.Epochs[^1].Alpha), "G3") : "—";
            table.Rows.Add([task, Label(method), runs.Count.ToString(CultureInfo.InvariantCulture), $"{F(m)} ± {F(se)}", F(runs.Max(r => r.FinalReturn)), F(runs.Min(r => r.FinalReturn)), alpha, F(runs.Average(r => r.Seconds), "F1")]);
        }

        run.Tables.Add(table);
        run.Tables.Add(GiPpoClaims.Check(results));
    }

    /// <summary>Mean ± s.e. over runs of a per-epoch quantity, at up to 100 evenly spaced epochs.</summary>
    private static Curve Series(string name, List<AnalyticRun> runs, Func<AnalyticEpoch, double> value) =>
        RlCurves.MeanByIndex(name, [.. runs.Select(r => (IReadOnlyList<double>)[.. r.Epochs.Select(value)])], firstX: 1, stride: Math.Max(1, runs.Min(r => r.Epochs.Count) / 100));

    internal static string F(double v, string format = "G4") => double.IsNaN(v) ? "—" : v.ToString(format, CultureInfo.InvariantCulture);
}
