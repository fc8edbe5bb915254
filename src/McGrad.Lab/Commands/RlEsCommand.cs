using System.CommandLine;
using System.Globalization;
using McGrad.Kernels;
using McGrad.Randomness;
using McGrad.Rl;
using McGrad.Rl.Training;

namespace McGrad.Lab.Commands;

/// <summary>
/// <c>rl es</c>: evolution strategies (antithetic pairs, centred ranks, Adam; <see cref="EsTrainer"/>) on a
/// classic-control task with a linear or MLP policy, for --seeds seeds (seed s uses RngKey(--seed).FoldIn(s)). Reports
/// the learning curve of the un-perturbed policy's return (mean ± s.e. over seeds) against generations and against
/// candidate environment steps, a table of final returns, generations to --target and steps/s. The population is
/// evaluated on --threads workers (default: all cores); the results do not depend on it.
/// </summary>
public sealed class RlEsCommand : ILabCommand
{
    private readonly Option<string> _env = new("--env") { Description = $"Environment id: {string.Join(", ", Environments.Ids)}.", DefaultValueFactory = _ => "CartPole-v1" };
    private readonly Option<string> _policy = new("--policy") { Description = "Policy: linear (argmax/clip of W s + b) or mlp (tanh hidden layers, see --hidden).", DefaultValueFactory = _ => "linear" };
    private readonly Option<string> _hidden = new("--hidden") { Description = "Hidden widths of the MLP policy, comma-separated (default 16,16)." };
    private readonly Option<int> _generations = new("--generations") { Description = "Generations (ask/tell steps) per seed (0 … 100,000; default 100)." };
    private readonly Option<int> _pairs = new("--pairs") { Description = "Antithetic pairs per generation; the population is twice this (1 … 100,000; default 50)." };
    private readonly Option<double> _sigma = new("--sigma") { Description = "Noise scale σ (default 0.1)." };
    private readonly Option<double> _lr = new("--lr") { Description = "Adam learning rate (default 0.05)." };
    private readonly Option<int> _episodes = new("--episodes") { Description = "Episodes per candidate (1 … 1,000; default 1)." };
    private readonly Option<int> _evalEpisodes = new("--eval-episodes") { Description = "Episodes of the un-perturbed policy after each generation (1 … 1,000; default 10)." };
    private readonly Option<double> _target = new("--target") { Description = "Return whose first generation is reported (default: 500 for CartPole-v1, −100 Acrobot-v1, −110 MountainCar-v0, 90 MountainCarContinuous-v0, −250 Pendulum-v1)." };
    private readonly Option<int> _seeds = new("--seeds") { Description = "Independent runs (1 … 32).", DefaultValueFactory = _ => 5 };

    /// <summary>Creates the command's options with their validators.</summary>
    public RlEsCommand()
    {
        _env.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (!Environments.Ids.Contains(v))
            {
                r.AddError($"Unknown environment '{v}' for --env. Valid ids: {string.Join(", ", Environments.Ids)}.");
            }
        });
        _policy.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (v is null || (!v.Equals("linear", StringComparison.OrdinalIgnoreCase) && !v.Equals("mlp", StringComparison.OrdinalIgnoreCase)))
            {
                r.AddError($"Unknown policy '{v}' for --policy. Valid: linear, mlp.");
            }
        });
        _hidden.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (v is not null && ParseHidden(v) is null)
            {
                r.AddError($"Invalid value '{v}' for --hidden: expected comma-separated widths from 1 to 4,096 (e.g. 16,16).");
            }
        });
        _generations.Validators.Add(r => CommonOptions.IntRange(r, _generations, 0, 100_000));
        _pairs.Validators.Add(r => CommonOptions.IntRange(r, _pairs, 1, 100_000));
        _episodes.Validators.Add(r => CommonOptions.IntRange(r, _episodes, 1, 1_000));
        _evalEpisodes.Validators.Add(r => CommonOptions.IntRange(r, _evalEpisodes, 1, 1_000));
        _seeds.Validators.Add(r => CommonOptions.IntRange(r, _seeds, 1, 32));
        _sigma.Validators.Add(r => CommonOptions.Real(r, "--sigma", v => v > 0 && double.IsFinite(v), "a finite number > 0"));
        _lr.Validators.Add(r => CommonOptions.Real(r, "--lr", v => v >= 0 && double.IsFinite(v), "a finite number ≥ 0"));
        _target.Validators.Add(r => CommonOptions.Real(r, "--target", double.IsFinite, "a finite return"));
        Options = [_env, _policy, _hidden, _generations, _pairs, _sigma, _lr, _episodes, _evalEpisodes, _target, _seeds];
    }

    /// <inheritdoc/>
    public string Name => "rl es";

    /// <inheritdoc/>
    public string Description => "Evolution strategies (antithetic pairs, centred ranks, Adam) with a linear or MLP policy on a classic-control environment over several seeds: learning curves of the un-perturbed policy (mean ± s.e. over seeds) against generations and environment steps, final returns, generations to the target, steps/s; --samples is not used.";

    /// <inheritdoc/>
    public int Order => 41;

    /// <inheritdoc/>
    public IReadOnlyList<Option> Options { get; }

    /// <summary>The default --target of <paramref name="env"/> (the issue's targets; MountainCar's are Gymnasium's reward thresholds).</summary>
    public static double DefaultTarget(string env) => env switch
    {
        "CartPole-v1" => 500,
        "Acrobot-v1" => -100,
        "MountainCar-v0" => -110,
        "MountainCarContinuous-v0" => 90,
        _ => -250,
    };

    /// <inheritdoc/>
    public int Run(ParseResult parse, LabContext lab)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(lab);
        var env = parse.GetValue(_env)!;
        var seeds = parse.GetValue(_seeds);
        var config = new EsConfig { Policy = EsPolicy.ParseKind(parse.GetValue(_policy)!) };
        if (parse.GetValue(_hidden) is { } hidden)
        {
            config = config with { Hidden = ParseHidden(hidden)! };
        }

        if (CommonOptions.Given(parse, _generations))
        {
            config = config with { Generations = parse.GetValue(_generations) };
        }

        if (CommonOptions.Given(parse, _pairs))
        {
            config = config with { Pairs = parse.GetValue(_pairs) };
        }

        if (CommonOptions.Given(parse, _sigma))
        {
            config = config with { Sigma = parse.GetValue(_sigma) };
        }

        if (CommonOptions.Given(parse, _lr))
        {
            config = config with { LearningRate = parse.GetValue(_lr) };
        }

        if (CommonOptions.Given(parse, _episodes))
        {
            config = config with { EpisodesPerCandidate = parse.GetValue(_episodes) };
        }

        if (CommonOptions.Given(parse, _evalEpisodes))
        {
            config = config with { EvaluationEpisodes = parse.GetValue(_evalEpisodes) };
        }

        var target = CommonOptions.Given(parse, _target) ? parse.GetValue(_target) : DefaultTarget(env);
        var run = lab.NewRun(parse, Name);
        run.Samples = seeds;
        var threads = Parallelism.MaxThreads;
        var runs = new List<EsRun>();
        var root = new RngKey(run.Seed);
        var policyName = config.Policy == EsPolicyKind.Linear ? "linear" : $"MLP [{string.Join(", ", config.Hidden)}]";
        void Work(Action<string>? onUnit)
        {
            for (var s = 0; s < seeds && !lab.Cancel.IsCancellationRequested; s++)
            {
                var trainer = new EsTrainer(env, config, root.FoldIn((uint)s), threads);
                var seed = s;
                var result = trainer.Train(
                    g =>
                    {
                        if (g.Generation < config.Generations)
                        {
                            onUnit?.Invoke(string.Create(CultureInfo.InvariantCulture, $"seed {seed + 1}/{seeds}, generation {g.Generation + 1}/{config.Generations}, return {g.Return:F1}, {(g.Steps + g.EvaluationSteps) / Math.Max(g.Seconds, 1e-9):F0} steps/s"));
                        }
                    },
                    lab.Cancel);
                runs.Add(result);
            }
        }

        return lab.Execute(parse, run, Math.Max(1, seeds * config.Generations), Work, () =>
        {
            if (runs.Count == 0)
            {
                return;
            }

            var what = $"ES ({policyName}, {config.Pairs} antithetic pairs, σ = {F(config.Sigma, "G")}, Adam lr {F(config.LearningRate, "G")}) on {env}";
            var byGeneration = new CurveSet($"{what}: return of the un-perturbed policy ({config.EvaluationEpisodes} episodes), mean ± s.e. over {runs.Count} seeds", "generation", "return", false, []);
            byGeneration.Curves.Add(RlCurves.MeanByIndex(env, [.. runs.Select(r => (IReadOnlyList<double>)[.. r.Generations.Select(g => g.Return)])]));
            run.Curves.Add(byGeneration);
            var bySteps = new CurveSet($"{what}: return of the un-perturbed policy against candidate environment steps, mean ± s.e. over {runs.Count} seeds", "environment steps", "return", false, []);
            bySteps.Curves.Add(RlCurves.MeanOverSeries(env, [.. runs.Select(r => (IReadOnlyList<(double X, double Y)>)[.. r.Generations.Select(g => ((double)g.Steps, g.Return))])], runs.Max(r => (double)r.Generations[^1].Steps)));
            run.Curves.Add(bySteps);

            var table = new SummaryTable($"{what}: final returns and generations to {F(target, "G")}", ["seed", "final return", $"first generation ≥ {F(target, "G")}", "best return", "candidate steps", "steps/s"], []);
            for (var s = 0; s < runs.Count; s++)
            {
                var r = runs[s];
                table.Rows.Add([s.ToString(CultureInfo.InvariantCulture), $"{F(r.FinalReturn)} ± {F(r.Generations[^1].ReturnStdError)}", r.GenerationsTo(target)?.ToString(CultureInfo.InvariantCulture) ?? "not reached", F(r.Generations.Max(g => g.Return)), r.Generations[^1].Steps.ToString(CultureInfo.InvariantCulture), F(r.StepsPerSecond, "F0")]);
            }

            var (mean, se) = Stats.MeanAndStdError([.. runs.Select(r => r.FinalReturn)]);
            var reached = runs.Select(r => r.GenerationsTo(target)).Where(g => g is not null).Select(g => (double)g!.Value).ToArray();
            var (gMean, gSe) = reached.Length > 0 ? Stats.MeanAndStdError(reached) : (double.NaN, double.NaN);
            table.Rows.Add([
                "mean ± s.e.",
                $"{F(mean)} ± {F(se)}",
                reached.Length == 0 ? $"0/{runs.Count} reached" : $"{F(gMean)} ± {F(gSe)} ({reached.Length}/{runs.Count} reached)",
                F(runs.Average(r => r.Generations.Max(g => g.Return))),
                F(runs.Average(r => (double)r.Generations[^1].Steps), "F0"),
                F(runs.Average(r => r.StepsPerSecond), "F0"),
            ]);
            run.Tables.Add(table);
        });
    }

    /// <summary>Comma-separated widths 1 … 4096, or null when malformed.</summary>
    private static int[]? ParseHidden(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var widths = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out widths[i]) || widths[i] is < 1 or > 4096)
            {
                return null;
            }
        }

        return widths.Length == 0 ? null : widths;
    }

    private static string F(double v, string format = "F1") => double.IsNaN(v) ? "—" : v.ToString(format, CultureInfo.InvariantCulture);
}
