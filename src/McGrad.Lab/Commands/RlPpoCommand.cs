using System.CommandLine;
using System.Globalization;
using McGrad.Randomness;
using McGrad.Rl;
using McGrad.Rl.Training;

namespace McGrad.Lab.Commands;

/// <summary>
/// <c>rl ppo</c>: trains PPO on a classic-control task for --seeds seeds (seed s uses RngKey(--seed).FoldIn(s)), saves
/// each final agent as a safetensors checkpoint in the output directory, and reports the learning curve (mean ± s.e.
/// over seeds of the mean return of the last 100 episodes, against environment steps), a table of final returns and
/// steps/s.
/// </summary>
public sealed class RlPpoCommand : ILabCommand
{
    /// <summary>The named configurations (--config).</summary>
    public static IReadOnlyDictionary<string, PpoConfig> Configs { get; } = new Dictionary<string, PpoConfig>
    {
        ["cleanrl"] = PpoConfig.CleanRlDiscrete,
        ["cleanrl-continuous"] = PpoConfig.CleanRlContinuous,
    };

    private readonly Option<string> _env = new("--env") { Description = $"Environment id: {string.Join(", ", Environments.Ids)}.", DefaultValueFactory = _ => "CartPole-v1" };
    private readonly Option<long> _steps = new("--steps") { Description = "Environment steps per seed (at least one rollout; default: the configuration's)." };
    private readonly Option<int> _seeds = new("--seeds") { Description = "Independent training runs (1 … 32).", DefaultValueFactory = _ => 5 };
    private readonly Option<string> _config = new("--config") { Description = "Hyperparameters: cleanrl (CleanRL ppo.py's defaults) or cleanrl-continuous (ppo_continuous_action.py's); default: cleanrl for discrete actions, cleanrl-continuous for Box actions. Both bootstrap truncated episodes from V(final observation), see docs/rl.md." };

    /// <summary>Creates the command's options with their validators.</summary>
    public RlPpoCommand()
    {
        _env.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (!Environments.Ids.Contains(v))
            {
                r.AddError($"Unknown environment '{v}' for --env. Valid ids: {string.Join(", ", Environments.Ids)}.");
            }
        });
        _seeds.Validators.Add(r => CommonOptions.IntRange(r, _seeds, 1, 32));
        _steps.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<long>();
            if (v is < 1 or > 100_000_000)
            {
                r.AddError($"Invalid value {v} for --steps: expected 1 … 100,000,000 environment steps.");
            }
        });
        _config.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (v is not null && !Configs.ContainsKey(v))
            {
                r.AddError($"Unknown configuration '{v}' for --config. Valid: {string.Join(", ", Configs.Keys)}.");
            }
        });
        Options = [_env, _steps, _seeds, _config];
    }

    /// <inheritdoc/>
    public string Name => "rl ppo";

    /// <inheritdoc/>
    public string Description => "PPO on a classic-control environment over several seeds: learning curves (mean ± s.e. over seeds), final returns, steps/s, and a checkpoint per seed; --samples is not used.";

    /// <inheritdoc/>
    public int Order => 40;

    /// <inheritdoc/>
    public IReadOnlyList<Option> Options { get; }

    /// <summary>The configuration --config names, or the default for <paramref name="env"/>.</summary>
    public static (string Name, PpoConfig Config) ConfigFor(string env, string? name)
    {
        var discrete = Environments.Make(env).ActionSpace is DiscreteSpace;
        name ??= discrete ? "cleanrl" : "cleanrl-continuous";
        return (name, Configs[name]);
    }

    /// <inheritdoc/>
    public int Run(ParseResult parse, LabContext lab)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(lab);
        var env = parse.GetValue(_env)!;
        var seeds = parse.GetValue(_seeds);
        var (configName, config) = ConfigFor(env, parse.GetValue(_config));
        if (CommonOptions.Given(parse, _steps))
        {
            config = config with { TotalSteps = parse.GetValue(_steps) };
        }

        if (config.TotalSteps < config.BatchSize)
        {
            throw new LabUsageException($"--steps {config.TotalSteps} is less than one rollout of the '{configName}' configuration ({config.Envs} envs × {config.StepsPerRollout} steps = {config.BatchSize}).");
        }

        var run = lab.NewRun(parse, Name);
        run.Samples = seeds;
        var runs = new List<PpoRun>();
        var root = new RngKey(run.Seed);
        void Work(Action<string>? onUnit)
        {
            for (var s = 0; s < seeds && !lab.Cancel.IsCancellationRequested; s++)
            {
                var trainer = new PpoTrainer(env, config, root.FoldIn((uint)s));
                var seed = s;
                var result = trainer.Train(
                    p => onUnit?.Invoke(string.Create(CultureInfo.InvariantCulture, $"seed {seed + 1}/{seeds}, {p.Steps:N0} steps, recent return {p.RecentReturn ?? double.NaN:F1}, {p.StepsPerSecond:F0} steps/s")),
                    lab.Cancel);
                runs.Add(result);
                if (lab.OutputDirectory is { } dir)
                {
                    PolicyCheckpoint.Save(Path.Combine(dir, $"ppo-{env}-seed{s}.safetensors"), result.Agent, env, config.Hidden);
                }
            }
        }

        return lab.Execute(parse, run, seeds * config.Updates, Work, () =>
        {
            if (runs.Count == 0)
            {
                return;
            }

            var set = new CurveSet($"PPO ({configName}) on {env}: mean return of the last 100 episodes, mean ± s.e. over {runs.Count} seeds", "environment steps", "return", false, []);
            set.Curves.Add(RlCurves.MeanOverRuns(env, [.. runs.Select(r => r.Episodes)], config.TotalSteps));
            run.Curves.Add(set);
            var table = new SummaryTable($"PPO ({configName}) on {env}: final returns", ["seed", "mean return, last 100 episodes", "episodes", "steps", "steps/s"], []);
            for (var s = 0; s < runs.Count; s++)
            {
                var r = runs[s];
                table.Rows.Add([s.ToString(CultureInfo.InvariantCulture), F(r.MeanReturnOfLast(100)), r.Episodes.Count.ToString(CultureInfo.InvariantCulture), r.Steps.ToString(CultureInfo.InvariantCulture), F(r.StepsPerSecond)]);
            }

            var (mean, se) = Stats.MeanAndStdError(runs.Select(r => r.MeanReturnOfLast(100)).ToArray());
            table.Rows.Add(["mean ± s.e.", $"{F(mean)} ± {F(se)}", "", "", F(runs.Average(r => r.StepsPerSecond))]);
            run.Tables.Add(table);
        });
    }

    private static string F(double v) => double.IsNaN(v) ? "—" : v.ToString("F1", CultureInfo.InvariantCulture);
}
