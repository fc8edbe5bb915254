using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using McGrad.Randomness;
using McGrad.Rl.Pipps;

namespace McGrad.Lab.Commands;

/// <summary>
/// <c>pipps train</c>: PIPPS policy search on the true noisy cart-pole swing-up (<see cref="PolicySearch"/>: RBF policy,
/// one Adam step per rollout of --particles particles over --horizon steps) with RP, LR and TP, over --seeds seeds (seed s
/// uses RngKey(--seed).FoldIn(s) for all three estimators: the same initial policy and the same rollout keys). Reports the
/// learning curves (the rollout's mean total cost, mean ± s.e. over seeds) and a table of final costs.
/// </summary>
public sealed class PippsTrainCommand : ILabCommand
{
    private readonly Option<int> _iterations = new("--iterations") { Description = "Policy updates per run (1 … 100,000).", DefaultValueFactory = _ => 100 };
    private readonly Option<int> _seeds = new("--seeds") { Description = "Independent runs per estimator (1 … 32).", DefaultValueFactory = _ => 3 };
    private readonly Option<int> _particles = new("--particles") { Description = "Particles P per rollout (2 … 100,000).", DefaultValueFactory = _ => 300 };
    private readonly Option<int> _horizon = new("--horizon") { Description = "Steps H per rollout (1 … 1,000; 0.1 s each).", DefaultValueFactory = _ => 30 };
    private readonly Option<int> _centres = new("--centres") { Description = "RBF centres (1 … 1,000).", DefaultValueFactory = _ => 50 };
    private readonly Option<double> _lr = new("--lr") { Description = "Adam learning rate.", DefaultValueFactory = _ => 1e-2 };
    private readonly Option<string> _estimators = new("--estimators") { Description = "Estimators to train with, comma-separated from RP, LR, TP.", DefaultValueFactory = _ => "RP,LR,TP" };
    private readonly Option<string> _tpWeights = new("--tp-weights") { Description = "What TP's inverse-variance weight is computed on: messages (the next state's mean) or policy (per-particle policy-parameter gradients).", DefaultValueFactory = _ => "messages" };
    private readonly Option<double> _noiseScale = new("--noise-scale") { Description = "Process-noise multiplier k: σ = k·[0.01, 1°, 0.1, 10°/s] per step.", DefaultValueFactory = _ => 1.0 };

    /// <summary>Creates the command's options with their validators.</summary>
    public PippsTrainCommand()
    {
        _iterations.Validators.Add(r => CommonOptions.IntRange(r, _iterations, 1, 100_000));
        _seeds.Validators.Add(r => CommonOptions.IntRange(r, _seeds, 1, 32));
        _particles.Validators.Add(r => CommonOptions.IntRange(r, _particles, 2, 100_000));
        _horizon.Validators.Add(r => CommonOptions.IntRange(r, _horizon, 1, 1_000));
        _centres.Validators.Add(r => CommonOptions.IntRange(r, _centres, 1, 1_000));
        _lr.Validators.Add(r => CommonOptions.Real(r, "--lr", v => v > 0 && double.IsFinite(v), "a finite number > 0"));
        _noiseScale.Validators.Add(r => CommonOptions.Real(r, "--noise-scale", v => v > 0 && double.IsFinite(v), "a finite number > 0"));
        _estimators.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (ParseEstimators(v) is null)
            {
                r.AddError($"Invalid value '{v}' for --estimators: expected names from RP, LR, TP, comma-separated.");
            }
        });
        _tpWeights.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (v is not ("messages" or "policy"))
            {
                r.AddError($"Unknown value '{v}' for --tp-weights. Valid: messages, policy.");
            }
        });
        Options = [_iterations, _seeds, _particles, _horizon, _centres, _lr, _noiseScale, _estimators, _tpWeights];
    }

    /// <inheritdoc/>
    public string Name => "pipps train";

    /// <inheritdoc/>
    public string Description => "PIPPS policy search on the true noisy cart-pole swing-up with an RBF policy and Adam: learning curves (mean total cost, mean ± s.e. over seeds) for RP, LR and total propagation (TP), and final costs; --samples is not used.";

    /// <inheritdoc/>
    public int Order => 51;

    /// <inheritdoc/>
    public IReadOnlyList<Option> Options { get; }

    /// <inheritdoc/>
    public int Run(ParseResult parse, LabContext lab)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(lab);
        var seeds = parse.GetValue(_seeds);
        var baseConfig = new PolicySearchConfig
        {
            Iterations = parse.GetValue(_iterations),
            Particles = parse.GetValue(_particles),
            Horizon = parse.GetValue(_horizon),
            Centres = parse.GetValue(_centres),
            LearningRate = parse.GetValue(_lr),
            NoiseScale = parse.GetValue(_noiseScale),
            PerParticleWeights = parse.GetValue(_tpWeights) == "policy",
        };
        var modes = ParseEstimators(parse.GetValue(_estimators))!;
        var run = lab.NewRun(parse, Name);
        run.Samples = seeds;
        var root = new RngKey(run.Seed);
        var costs = modes.Select(_ => new List<IReadOnlyList<double>>()).ToArray();
        var seconds = new double[modes.Count];
        void Work(Action<string>? onUnit)
        {
            for (var m = 0; m < modes.Count; m++)
            {
                var config = baseConfig with { Mode = modes[m].Mode };
                for (var s = 0; s < seeds && !lab.Cancel.IsCancellationRequested; s++)
                {
                    var label = $"{modes[m].Name}, seed {s + 1}/{seeds}";
                    var clock = Stopwatch.StartNew();
                    var curve = PolicySearch.Train(config, root.FoldIn((uint)s), (i, c) => onUnit?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{label}, iteration {i + 1}/{config.Iterations}, cost {c:F2}")), lab.Cancel);
                    seconds[m] += clock.Elapsed.TotalSeconds;
                    if (curve.Count == config.Iterations)
                    {
                        costs[m].Add(curve);
                    }
                }
            }
        }

        return lab.Execute(parse, run, Math.Max(1, modes.Count * seeds * baseConfig.Iterations), Work, () =>
        {
            var weights = baseConfig.PerParticleWeights ? ", TP weighs per-particle policy gradients" : "";
            var what = $"PIPPS policy search{weights}, noisy cart-pole swing-up (noise ×{F(baseConfig.NoiseScale, "G")}), RBF policy ({baseConfig.Centres} centres), H = {baseConfig.Horizon}, P = {baseConfig.Particles}, Adam lr {F(baseConfig.LearningRate, "G")}";
            var set = new CurveSet($"{what}: expected total cost of the rollout, mean ± s.e. over seeds", "iteration", "expected cost", false, []);
            var table = new SummaryTable($"{what}: cost over the last 10% of iterations (mean ± s.e. over seeds)", ["estimator", "seeds", "initial cost", "final cost", "best iteration cost", "s per iteration"], []);
            for (var m = 0; m < modes.Count; m++)
            {
                if (costs[m].Count == 0)
                {
                    continue;
                }

                var n = costs[m][0].Count;
                var steps = new List<double>();
                var means = new List<double>();
                var errors = new List<double>();
                for (var i = 0; i < n; i++)
                {
                    var (mean, se) = Stats.MeanAndStdError([.. costs[m].Select(c => c[i])]);
                    steps.Add(i);
                    means.Add(mean);
                    errors.Add(se);
                }

                set.Curves.Add(new Curve(modes[m].Name, steps, means, errors));
                var tail = Math.Max(1, n / 10);
                var (fMean, fSe) = Stats.MeanAndStdError([.. costs[m].Select(c => c.Skip(n - tail).Average())]);
                var (iMean, _) = Stats.MeanAndStdError([.. costs[m].Select(c => c[0])]);
                table.Rows.Add([
                    modes[m].Name, costs[m].Count.ToString(CultureInfo.InvariantCulture), F(iMean), $"{F(fMean)} ± {F(fSe)}",
                    F(costs[m].Average(c => c.Min())), F(seconds[m] / (costs[m].Count * n), "F3"),
                ]);
            }

            run.Curves.Add(set);
            run.Tables.Add(table);
        });
    }

    /// <summary>The estimators named in <paramref name="text"/> (in RP, LR, TP order), or null when a name is unknown or none is given.</summary>
    private static List<(PropagationMode Mode, string Name)>? ParseEstimators(string? text)
    {
        var names = (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0 || names.Any(n => !PippsModes.All.Any(m => m.Name == n)))
        {
            return null;
        }

        return [.. PippsModes.All.Where(m => names.Contains(m.Name))];
    }

    private static string F(double v, string format = "F2") => double.IsNaN(v) ? "—" : v.ToString(format, CultureInfo.InvariantCulture);
}
