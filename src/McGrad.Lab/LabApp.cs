using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using McGrad.Estimators.Problems;
using McGrad.Kernels;
using Spectre.Console;

namespace McGrad.Lab;

/// <summary>Exit codes of the Lab.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>A run failed with an unexpected error.</summary>
    public const int Failure = 1;

    /// <summary>Bad command line: unknown name, number out of range, unknown option.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted by Ctrl-C; the partial results were written.</summary>
    public const int Interrupted = 130;
}

/// <summary>The Lab's command line: builds the System.CommandLine tree and runs a command.</summary>
public sealed class LabApp
{
    /// <summary>Default estimates per (problem, estimator) cell: the zoo runs in well under 2 minutes on 2 cores.</summary>
    public const int DefaultSamples = 50_000;

    /// <summary>Largest accepted --samples.</summary>
    public const int MaxSamples = 10_000_000;

    /// <summary>Default root seed.</summary>
    public const ulong DefaultSeed = 2026;

    private static readonly string[] Formats = ["table", "json", "csv"];
    private static readonly string[] EstimatorColumns = ["id", "name", "unbiased", "needs ∇f", "needs rsample", "discrete", "f evals", "bwd", "reference"];
    private static readonly string[] ProblemColumns = ["id", "group", "problem", "parameters", "exact gradient"];

    private readonly TextWriter _out;
    private readonly TextWriter _err;
    private readonly bool _interactive;
    private readonly CancellationToken _cancel;
    private readonly string[] _args;

    private readonly Option<ulong> _seed = new("--seed") { Description = "Root seed of the random keys (same seed, same numbers).", DefaultValueFactory = _ => DefaultSeed, Recursive = true };
    private readonly Option<int> _samples = new("--samples", "-n") { Description = $"Independent estimates per estimator and problem (2 … {MaxSamples:N0}).", DefaultValueFactory = _ => DefaultSamples, Recursive = true };
    private readonly Option<int> _threads = new("--threads") { Description = "Threads one op may use (a Kernels.Parallelism.UseMaxThreads scope around the command; 1 … 1024; default: all cores).", Recursive = true };
    private readonly Option<string?> _outDir = new("--out", "-o") { Description = "Directory for results.json, results.csv and report.html (default: ./lab-results/<UTC timestamp>).", Recursive = true };
    private readonly Option<string> _format = new("--format", "-f") { Description = "What to print: table, json or csv (the files are always written).", DefaultValueFactory = _ => "table", Recursive = true };

    private LabApp(string[] args, TextWriter output, TextWriter error, bool interactive, CancellationToken cancel)
    {
        _args = args;
        _out = output;
        _err = error;
        _interactive = interactive;
        _cancel = cancel;
    }

    /// <summary>Runs the Lab with <paramref name="args"/>, writing to the given writers; returns the exit code.</summary>
    /// <param name="args">Command-line arguments (without the program name).</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="interactive">Show the progress bar (only when output is a terminal and the format is table).</param>
    /// <param name="cancel">Stops the run between cells; what finished is written (exit code 130).</param>
    public static int Run(string[] args, TextWriter output, TextWriter error, bool interactive = false, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var app = new LabApp(args, output, error, interactive, cancel);
        return app.Execute();
    }

    /// <summary>Builds the root command (exposed for tests of the help text).</summary>
    internal RootCommand BuildRoot()
    {
        _samples.Validators.Add(r => Range(r, _samples, 2, MaxSamples));
        _threads.Validators.Add(r => Range(r, _threads, 1, 1024));
        _format.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (!Formats.Contains(v, StringComparer.OrdinalIgnoreCase))
            {
                r.AddError($"Invalid value '{v}' for --format: expected one of {string.Join(", ", Formats)}.");
            }
        });

        var root = new RootCommand(
            "McGrad Lab: Monte Carlo gradient estimators side by side on problems with exact gradients.\n" +
            "With no command it runs the estimator zoo (every estimator on every canonical problem; see docs/lab.md) and writes\n" +
            "results.json, results.csv and an offline report.html under --out.")
        {
            _seed, _samples, _threads, _outDir, _format,
        };
        root.SetAction(p => RunZoo(p, "zoo"));

        var zoo = new Command("zoo", "Every estimator on every canonical problem (R1 Gaussian costs, R2 Bernoulli toy, R3 ES quadratic, multivariate Bernoulli, top-k synthetic), common random numbers per problem; the default command.");
        zoo.SetAction(p => RunZoo(p, "zoo"));
        root.Subcommands.Add(zoo);

        var problem = new Option<string>("--problem", "-p") { Description = "Problem id (see `list`).", DefaultValueFactory = _ => "gauss-square-k0" };
        problem.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (Catalog.FindProblem(v) is null)
            {
                r.AddError($"Unknown problem '{v}' for --problem. Valid problems: {string.Join(", ", Catalog.Problems.Select(x => x.Id))}.");
            }
        });
        var estimators = new Option<string[]>("--estimators", "-e") { Description = "Estimator ids, space- or comma-separated (default: all that apply; see `list`).", AllowMultipleArgumentsPerToken = true };
        estimators.Validators.Add(r =>
        {
            foreach (var name in SplitNames(r.GetValueOrDefault<string[]>()))
            {
                if (Catalog.FindEstimator(name) is null)
                {
                    r.AddError($"Unknown estimator '{name}' for --estimators. Valid estimators: {string.Join(", ", Catalog.Estimators.Select(x => x.Id))}.");
                }
            }
        });
        var variance = new Command("variance", "Bias and variance of chosen estimators on one problem, with a sample budget (--samples estimates each).") { problem, estimators };
        variance.SetAction(p => RunVariance(p, p.GetValue(problem)!, SplitNames(p.GetValue(estimators)).ToList()));
        root.Subcommands.Add(variance);

        var runs = new Option<int>("--runs") { Description = "Independent training runs per method (1 … 1,000); the curves are their mean.", DefaultValueFactory = _ => 20 };
        runs.Validators.Add(r => Range(r, runs, 1, 1000));
        var steps = new Option<int>("--steps") { Description = "SGD steps per run (5 … 10,000).", DefaultValueFactory = _ => 100 };
        steps.Validators.Add(r => Range(r, steps, 5, 10_000));
        var target = new Option<string>("--target") { Description = "paper: b = |N(0, I)| (infeasible, the papers' setting); subset: b = a random 5-subset (feasible, optimum 0).", DefaultValueFactory = _ => "paper" };
        target.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (v is not ("paper" or "subset"))
            {
                r.AddError($"Invalid value '{v}' for --target: expected one of paper, subset.");
            }
        });
        var topk = new Command("topk", "The I-MLE top-k synthetic experiment (n = 10, k = 5, ‖z − b‖², SGD momentum 0.9): exact optimality-gap curves of straight-through, I-MLE, AIMLE and AIMLE central with tuned hyperparameters; --samples is not used.") { runs, steps, target };
        topk.SetAction(p => RunTopK(p, p.GetValue(runs), p.GetValue(steps), p.GetValue(target) == "subset"));
        root.Subcommands.Add(topk);

        var toySteps = new Option<int>("--steps") { Description = "Adam steps on θ (10 … 100,000).", DefaultValueFactory = _ => 3000 };
        toySteps.Validators.Add(r => Range(r, toySteps, 10, 100_000));
        var toyTarget = new Option<double>("--target") { Description = "t in f(b) = (b − t)², strictly between 0 and 1 (the RELAX paper: 0.499).", DefaultValueFactory = _ => 0.499 };
        toyTarget.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && (!double.TryParse(r.Tokens[0].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !(v > 0 && v < 1)))
            {
                r.AddError($"Invalid value '{r.Tokens[0].Value}' for --target: expected a number strictly between 0 and 1.");
            }
        });
        var toyLr = new Option<double>("--lr") { Description = "Adam learning rate for θ and for the control variates' parameters, in (0, 1].", DefaultValueFactory = _ => 0.01 };
        toyLr.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && (!double.TryParse(r.Tokens[0].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !(v > 0 && v <= 1)))
            {
                r.AddError($"Invalid value '{r.Tokens[0].Value}' for --lr: expected a number in (0, 1].");
            }
        });
        var relaxToy = new Command("relax", "The RELAX toy (Grathwohl et al. 2018, Fig. 1): minimise E[(b − t)²], b ~ Bernoulli(σ(θ)), with REINFORCE, DisARM, REBAR and RELAX (control variates tuned online); curves of the exact loss and of the gradient variance (--samples estimates per checkpoint, default 2,000).") { toySteps, toyTarget, toyLr };
        relaxToy.SetAction(p => RunRelaxToy(p, p.GetValue(toySteps), p.GetValue(toyTarget), p.GetValue(toyLr)));
        var toy = new Command("toy", "Toy training problems with exact losses.") { relaxToy };
        root.Subcommands.Add(toy);

        var list = new Command("list", "List the estimators (with their traits) and the problems (with exact gradients).");
        list.SetAction(RunList);
        root.Subcommands.Add(list);

        return root;
    }

    private static void Range(OptionResult r, Option<int> option, int lo, int hi)
    {
        if (r.Tokens.Count == 0)
        {
            return;
        }

        var text = r.Tokens[0].Value;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < lo || v > hi)
        {
            r.AddError($"Invalid value '{text}' for {option.Name}: expected an integer from {lo.ToString("N0", CultureInfo.InvariantCulture)} to {hi.ToString("N0", CultureInfo.InvariantCulture)}.");
        }
    }

    private static IEnumerable<string> SplitNames(string[]? values)
        => (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private int Execute()
    {
        var root = BuildRoot();
        var parse = root.Parse(_args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                _err.WriteLine($"error: {e.Message}");
            }

            _err.WriteLine("Run with --help for usage.");
            return ExitCodes.Usage;
        }

        var config = new InvocationConfiguration { Output = _out, Error = _err, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        var threads = parse.GetResult(_threads) is { Implicit: false } ? parse.GetValue(_threads) : (int?)null;
        using var threadScope = threads is int t ? Parallelism.UseMaxThreads(t) : null; // --threads holds for the whole command
        try
        {
            return parse.Invoke(config);
        }
        catch (UsageException ex)
        {
            _err.WriteLine($"error: {ex.Message}");
            return ExitCodes.Usage;
        }
    }

    private sealed class UsageException(string message) : Exception(message);

    private LabRun NewRun(ParseResult p, string command)
    {
        return new LabRun
        {
            Command = command,
            CommandLine = string.Join(' ', _args.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a)),
            Seed = p.GetValue(_seed),
            Samples = p.GetValue(_samples),
            Version = Version(),
            Timestamp = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            Machine = Machine(),
        };
    }

    /// <summary>"Lab 1.2.3, McGrad 1.2.3".</summary>
    public static string Version()
    {
        static string V(Assembly a) => a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? a.GetName().Version?.ToString() ?? "?";
        return $"McGrad.Lab {V(typeof(LabApp).Assembly)}, McGrad {V(typeof(Tensor).Assembly)}";
    }

    /// <summary>Facts about this machine for the report.</summary>
    public static MachineInfo Machine()
    {
        string backend;
        try
        {
            backend = Gemm.EffectiveBackend.ToString();
        }
        catch (InvalidOperationException ex)
        {
            backend = "unavailable: " + ex.Message;
        }

        return new MachineInfo(Environment.ProcessorCount, Parallelism.MaxThreads, Vector<byte>.Count, Vector256.IsHardwareAccelerated, Vector512.IsHardwareAccelerated,
            Gemm.NativeLibraryName is { } lib ? $"{lib}, {Gemm.NativeLibraryKind}" : null, Gemm.NativeCoreName, backend, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription);
    }

    private int RunZoo(ParseResult p, string command)
    {
        var run = NewRun(p, command);
        return Measure(p, run, Catalog.Problems, Catalog.Estimators);
    }

    private int RunVariance(ParseResult p, string problemId, List<string> estimatorIds)
    {
        var run = NewRun(p, "variance");
        var problem = Catalog.FindProblem(problemId)!;
        var chosen = estimatorIds.Count == 0 ? Catalog.Estimators.ToList() : estimatorIds.Select(id => Catalog.FindEstimator(id)!).Distinct().ToList();
        return Measure(p, run, [problem], chosen);
    }

    private int RunRelaxToy(ParseResult p, int steps, double target, double lr)
    {
        var run = NewRun(p, "toy relax");
        if (p.GetResult(_samples) is null or { Implicit: true })
        {
            run.Samples = 2000; // variance estimates per checkpoint; the zoo's default would make this command slow
        }

        var every = Math.Max(1, steps / 50);
        var methods = RelaxToy.Methods;
        var traces = new List<(string Name, RelaxToy.Trace Trace)>();
        var key = new Randomness.RngKey(run.Seed);
        return Execute(p, run, methods.Count, onUnit =>
        {
            foreach (var m in methods)
            {
                if (_cancel.IsCancellationRequested)
                {
                    break;
                }

                onUnit?.Invoke(m.Name);
                traces.Add((m.Name, RelaxToy.Train(m, target, steps, every, run.Samples, lr, key, _cancel)));
            }
        }, () =>
        {
            var minimum = Math.Min(target * target, (1 - target) * (1 - target));
            run.Curves.Add(new CurveSet($"RELAX toy, t = {target.ToString("G4", CultureInfo.InvariantCulture)}: exact loss E[(b − t)²] − min", "Adam step", "loss − min", true,
                [.. traces.Select(t => new Curve(t.Name, t.Trace.Steps, t.Trace.Loss.Select(l => l - minimum).ToArray()))]));
            run.Curves.Add(new CurveSet($"RELAX toy: variance of the gradient estimate ({run.Samples} estimates per point)", "Adam step", "variance", true,
                [.. traces.Select(t => new Curve(t.Name, t.Trace.Steps, t.Trace.Variance))]));
            run.Curves.Add(new CurveSet("RELAX toy: σ(θ) (the optimum is 0 for t < ½)", "Adam step", "σ(θ)", false,
                [.. traces.Select(t => new Curve(t.Name, t.Trace.Steps, t.Trace.Theta.Select(th => 1 / (1 + Math.Exp(-th))).ToArray()))]));
        });
    }

    private int RunTopK(ParseResult p, int runs, int steps, bool subset)
    {
        var run = NewRun(p, "topk");
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
            for (var r = 0; r < runs && !_cancel.IsCancellationRequested; r++)
            {
                onRun?.Invoke($"run {r + 1}/{runs}");
                var key = root.FoldIn((uint)r); // common random numbers: every method sees the same noise in run r
                for (var m = 0; m < methods.Count; m++)
                {
                    results[m].Add(TopKTraining.Train(methods[m], b, key, steps, every));
                }
            }
        }

        return Execute(p, run, runs, Work, () =>
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
                    var xs = done.Select(g => g[j]).ToArray();
                    mean[j] = xs.Average();
                    se[j] = xs.Length > 1 ? Math.Sqrt(xs.Sum(x => (x - mean[j]) * (x - mean[j])) / (xs.Length - 1) / xs.Length) : double.NaN;
                }

                set.Curves.Add(new Curve(methods[m].Name, stepAxis, mean, se));
            }

            run.Curves.Add(set);
        });
    }

    private int Measure(ParseResult p, LabRun run, IReadOnlyList<ProblemEntry> problems, IReadOnlyList<EstimatorEntry> estimators)
        => Execute(p, run, problems.Count * estimators.Count, onCell => Runner.Run(run, problems, estimators, run.Samples, onCell, _cancel), null);

    /// <summary>Runs <paramref name="work"/> (with a progress bar of <paramref name="units"/> steps when interactive), then writes and prints the results.</summary>
    private int Execute(ParseResult p, LabRun run, int units, Action<Action<string>?> work, Action? finish)
    {
        var format = p.GetValue(_format)!.ToLowerInvariant();
        var dir = p.GetValue(_outDir) ?? Path.Combine("lab-results", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        var clock = Stopwatch.StartNew();
        if (_interactive && format == "table")
        {
            AnsiConsole.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(run.Command, maxValue: units);
                    var started = false;
                    work(unit =>
                    {
                        if (started)
                        {
                            task.Increment(1);
                        }

                        started = true;
                        task.Description = Markup.Escape($"{run.Command}: {unit}");
                    });
                    task.Value = task.MaxValue;
                });
        }
        else
        {
            work(null);
        }

        finish?.Invoke();
        run.Partial = _cancel.IsCancellationRequested;
        run.WallSeconds = clock.Elapsed.TotalSeconds;
        Report.WriteAll(run, dir);
        var full = Path.GetFullPath(dir);
        switch (format)
        {
            case "json":
                _out.Write(Report.ToJson(run));
                _out.WriteLine();
                _err.WriteLine($"wrote {Path.Combine(full, "report.html")}");
                break;
            case "csv":
                _out.Write(Report.ToCsv(run));
                _err.WriteLine($"wrote {Path.Combine(full, "report.html")}");
                break;
            default:
                Tables(run);
                _out.WriteLine($"Wall time {run.WallSeconds:F1} s. Wrote {Path.Combine(full, "results.json")}, results.csv and report.html.");
                break;
        }

        if (run.Partial)
        {
            _err.WriteLine("Interrupted: partial results written.");
            return ExitCodes.Interrupted;
        }

        return ExitCodes.Ok;
    }

    private IAnsiConsole Console()
        => _interactive ? AnsiConsole.Console : AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No, Out = new AnsiConsoleOutput(_out) });

    private void Tables(LabRun run)
    {
        var console = Console();
        console.Profile.Width = Math.Max(console.Profile.Width, 160);
        foreach (var pr in run.Problems)
        {
            var table = new Table().Title($"{Markup.Escape(pr.Group)}: {Markup.Escape(pr.Name)}  [grey]({Markup.Escape(pr.Id)})[/]");
            table.AddColumn("estimator");
            table.AddColumn("∂");
            table.AddColumn(new TableColumn("exact").RightAligned());
            table.AddColumn(new TableColumn("mean").RightAligned());
            table.AddColumn(new TableColumn("z").RightAligned());
            table.AddColumn(new TableColumn("variance").RightAligned());
            table.AddColumn(new TableColumn("var × cost").RightAligned());
            table.AddColumn(new TableColumn("f evals").RightAligned());
            table.AddColumn(new TableColumn("bwd").RightAligned());
            table.AddColumn(new TableColumn("µs/estimate").RightAligned());
            foreach (var e in pr.Estimators)
            {
                for (var i = 0; i < e.Parameters.Count; i++)
                {
                    var s = e.Parameters[i];
                    var z = s.Z.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture);
                    var first = i == 0;
                    table.AddRow(
                        first ? Markup.Escape(e.Name) + (e.Unbiased ? "" : " [grey](biased)[/]") : "",
                        Markup.Escape(s.Parameter),
                        Report.Fmt(s.Exact),
                        Report.Fmt(s.Mean),
                        Math.Abs(s.Z) >= 4 ? $"[red]{z}[/]" : z,
                        $"{Report.Fmt(s.Variance)} ± {s.VarianceStdError.ToString("G2", CultureInfo.InvariantCulture)}",
                        Report.Fmt(s.Efficiency),
                        first ? e.Evaluations.ToString(CultureInfo.InvariantCulture) : "",
                        first ? e.BackwardPasses.ToString(CultureInfo.InvariantCulture) : "",
                        first ? e.MicrosecondsPerEstimate.ToString("F2", CultureInfo.InvariantCulture) : "");
                }
            }

            console.Write(table);
            if (pr.Skipped.Count > 0)
            {
                console.MarkupLine($"[grey]not applicable: {Markup.Escape(string.Join(", ", pr.Skipped.Select(s => s.Id)))}[/]");
            }

            console.WriteLine();
        }

        foreach (var set in run.Curves)
        {
            var table = new Table().Title(Markup.Escape(set.Title));
            table.AddColumn("method");
            table.AddColumn(new TableColumn($"{Markup.Escape(set.YLabel)} at start").RightAligned());
            foreach (var c in new[] { 0.25, 0.5, 0.75, 1.0 })
            {
                table.AddColumn(new TableColumn($"at {c:P0}").RightAligned());
            }

            table.AddColumn(new TableColumn("± s.e. at end").RightAligned());
            foreach (var c in set.Curves)
            {
                var row = new List<string> { Markup.Escape(c.Name), Report.Fmt(c.Values[0]) };
                foreach (var f in new[] { 0.25, 0.5, 0.75, 1.0 })
                {
                    row.Add(Report.Fmt(c.Values[(int)Math.Round(f * (c.Values.Count - 1))]));
                }

                row.Add(c.StdErrors is { Count: > 0 } se ? Report.Fmt(se[^1]) : "");
                table.AddRow(row.ToArray());
            }

            console.Write(table);
        }
    }

    private int RunList(ParseResult p)
    {
        var format = p.GetValue(_format)!.ToLowerInvariant();
        var estimators = Catalog.Estimators.Select(e =>
        {
            var est = e.Create(Catalog.Problems[0].Create());
            var t = est.Traits;
            return new { id = e.Id, name = e.Id == "reinforce-mean" ? "REINFORCE(1) − b=E f" : est.Name, description = e.Description, unbiased = t.Unbiased, needsDifferentiableObjective = t.NeedsDifferentiableObjective, needsRSample = t.NeedsRSample, supportsDiscrete = t.SupportsDiscrete, fEvals = t.Cost.Evaluations, backwardPasses = t.Cost.BackwardPasses, reference = t.Reference, comparableToExact = e.ComparableToExact };
        }).ToList();
        var problems = Catalog.Problems.Select(e =>
        {
            var pr = e.Create();
            return new { id = e.Id, group = e.Group, name = pr.Name, description = e.Description, parameters = pr.ParameterNames, exactGradient = pr.ExactGradient?.SelectMany(g => g.ToDoubleArray()).ToArray() };
        }).ToList();
        if (format == "json")
        {
            _out.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { estimators, problems }, Report.JsonOptions));
            return ExitCodes.Ok;
        }

        if (format == "csv")
        {
            _out.WriteLine("kind,id,name,unbiased,needs_differentiable_f,needs_rsample,discrete,f_evals,backward_passes,reference");
            foreach (var e in estimators)
            {
                _out.WriteLine($"estimator,{e.id},\"{e.name}\",{e.unbiased},{e.needsDifferentiableObjective},{e.needsRSample},{e.supportsDiscrete},{e.fEvals},{e.backwardPasses},\"{e.reference}\"");
            }

            foreach (var pr in problems)
            {
                _out.WriteLine($"problem,{pr.id},\"{pr.name}\",,,,,,,{pr.group}");
            }

            return ExitCodes.Ok;
        }

        var console = Console();
        console.Profile.Width = Math.Max(console.Profile.Width, 160);
        var et = new Table().Title("Estimators");
        foreach (var c in EstimatorColumns)
        {
            et.AddColumn(c);
        }

        foreach (var e in estimators)
        {
            et.AddRow(Markup.Escape(e.id), Markup.Escape(e.name), Yes(e.unbiased), Yes(e.needsDifferentiableObjective), Yes(e.needsRSample), Yes(e.supportsDiscrete), e.fEvals.ToString(CultureInfo.InvariantCulture), e.backwardPasses.ToString(CultureInfo.InvariantCulture), Markup.Escape(e.reference));
        }

        console.Write(et);
        var pt = new Table().Title("Problems");
        foreach (var c in ProblemColumns)
        {
            pt.AddColumn(c);
        }

        foreach (var pr in problems)
        {
            pt.AddRow(Markup.Escape(pr.id), pr.group, Markup.Escape(pr.name + " — " + pr.description), Markup.Escape(string.Join(", ", pr.parameters)), Markup.Escape(string.Join(", ", (pr.exactGradient ?? []).Select(Report.Fmt))));
        }

        console.Write(pt);
        return ExitCodes.Ok;
    }

    private static string Yes(bool b) => b ? "yes" : "no";
}
