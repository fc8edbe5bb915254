using System.CommandLine;
using System.Globalization;
using McGrad.Randomness;
using McGrad.Rl.Differentiable;
using McGrad.Rl.Pipps;
using McGrad.Rl.Policies;

namespace McGrad.Lab.Commands;

/// <summary>
/// <c>pipps chaos</c>: the PIPPS chaos experiment. For the noisy cart-pole (swing-up under a fixed random RBF policy) and
/// the noisy logistic map (r = 3.9, additive controls θ_t), and each horizon H, --repeats independent gradient estimates
/// with --particles particles by RP, LR and TP (common random numbers: repeat i uses the same key for the three), and
/// from them the total gradient variance Σ_d Var(g_d), the mean cosine similarity between independent estimates and TP's
/// mean k_LR. Reports variance against H on a log scale, cosine against H, and a table with the factors TP/min(RP, LR)
/// and RP/TP.
/// </summary>
public sealed class PippsChaosCommand : ILabCommand
{
    private static readonly string[] Systems = ["cartpole", "logistic"];
    private readonly Option<string> _system = new("--system") { Description = "cartpole, logistic or both.", DefaultValueFactory = _ => "both" };
    private readonly Option<string> _horizons = new("--horizons") { Description = "Horizons H, comma-separated (1 … 1,000).", DefaultValueFactory = _ => "5,10,20,30,40,50,60,80,100" };
    private readonly Option<int> _particles = new("--particles") { Description = "Particles P per estimate (2 … 100,000).", DefaultValueFactory = _ => 300 };
    private readonly Option<int> _repeats = new("--repeats") { Description = "Independent estimates per (system, H, estimator) (4 … 10,000).", DefaultValueFactory = _ => 30 };
    private readonly Option<double> _noiseScale = new("--noise-scale") { Description = "Cart-pole process-noise multiplier k: σ = k·[0.01, 1°, 0.1, 10°/s] per 0.1 s step.", DefaultValueFactory = _ => 1.0 };
    private readonly Option<double> _logisticNoise = new("--logistic-noise") { Description = "Logistic-map noise σ.", DefaultValueFactory = _ => 0.01 };
    private readonly Option<string> _start = new("--start") { Description = "Cart-pole start: swingup (hanging down) or balance (upright, unstable).", DefaultValueFactory = _ => "balance" };
    private readonly Option<int> _pretrain = new("--pretrain") { Description = "TP policy-search iterations (H = 30, P = --particles) that train the cart-pole policy before it is frozen (0 … 10,000; 0: the random initial policy).", DefaultValueFactory = _ => 0 };
    private readonly Option<string> _tpWeights = new("--tp-weights") { Description = "What TP's inverse-variance weight is computed on for the cart-pole: messages (the per-particle messages for the next state's mean, no extra cost) or policy (per-particle policy-parameter gradients, two extra partial backward passes per step).", DefaultValueFactory = _ => "messages" };
    private readonly Option<int> _centres = new("--centres") { Description = "RBF centres of the cart-pole policy (1 … 1,000).", DefaultValueFactory = _ => 50 };

    /// <summary>Creates the command's options with their validators.</summary>
    public PippsChaosCommand()
    {
        _system.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (v != "both" && !Systems.Contains(v))
            {
                r.AddError($"Unknown system '{v}' for --system. Valid: cartpole, logistic, both.");
            }
        });
        _horizons.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (ParseHorizons(v) is null)
            {
                r.AddError($"Invalid value '{v}' for --horizons: expected comma-separated integers from 1 to 1,000 (e.g. 5,10,20).");
            }
        });
        _particles.Validators.Add(r => CommonOptions.IntRange(r, _particles, 2, 100_000));
        _repeats.Validators.Add(r => CommonOptions.IntRange(r, _repeats, 4, 10_000));
        _centres.Validators.Add(r => CommonOptions.IntRange(r, _centres, 1, 1_000));
        _pretrain.Validators.Add(r => CommonOptions.IntRange(r, _pretrain, 0, 10_000));
        _tpWeights.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (v is not ("messages" or "policy"))
            {
                r.AddError($"Unknown value '{v}' for --tp-weights. Valid: messages, policy.");
            }
        });
        _start.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (v is not ("swingup" or "balance"))
            {
                r.AddError($"Unknown start '{v}' for --start. Valid: swingup, balance.");
            }
        });
        _noiseScale.Validators.Add(r => CommonOptions.Real(r, "--noise-scale", v => v > 0 && double.IsFinite(v), "a finite number > 0"));
        _logisticNoise.Validators.Add(r => CommonOptions.Real(r, "--logistic-noise", v => v > 0 && double.IsFinite(v), "a finite number > 0"));
        Options = [_system, _horizons, _particles, _repeats, _noiseScale, _logisticNoise, _start, _pretrain, _tpWeights, _centres];
    }

    /// <inheritdoc/>
    public string Name => "pipps chaos";

    /// <inheritdoc/>
    public string Description => "PIPPS chaos experiment: gradient variance and cosine similarity between independent estimates against the horizon for RP, LR and total propagation (TP) on the noisy cart-pole and the noisy logistic map (r = 3.9); --samples is not used (see --repeats).";

    /// <inheritdoc/>
    public int Order => 50;

    /// <inheritdoc/>
    public IReadOnlyList<Option> Options { get; }

    /// <inheritdoc/>
    public int Run(ParseResult parse, LabContext lab)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(lab);
        var system = parse.GetValue(_system)!;
        var horizons = ParseHorizons(parse.GetValue(_horizons))!;
        var particles = parse.GetValue(_particles);
        var repeats = parse.GetValue(_repeats);
        var run = lab.NewRun(parse, Name);
        run.Samples = repeats;
        var root = new RngKey(run.Seed);
        var systems = system == "both" ? Systems : [system];
        var problems = new List<IChainProblem>();
        foreach (var s in systems)
        {
            problems.Add(s == "cartpole"
                ? CartPole(parse, particles, root.FoldIn(1_000))
                : new NoisyLogisticMap(noiseStd: parse.GetValue(_logisticNoise), controls: horizons.Max()));
        }

        // results[problem][horizon index][mode index]
        var results = problems.Select(_ => new List<ChainGradientStatistics[]>()).ToList();
        void Work(Action<string>? onUnit)
        {
            for (var p = 0; p < problems.Count; p++)
            {
                for (var h = 0; h < horizons.Length && !lab.Cancel.IsCancellationRequested; h++)
                {
                    var row = new ChainGradientStatistics[PippsModes.All.Count];
                    var key = root.FoldIn((uint)p).FoldIn((uint)horizons[h]);
                    for (var m = 0; m < row.Length && !lab.Cancel.IsCancellationRequested; m++)
                    {
                        onUnit?.Invoke($"{systems[p]}, H = {horizons[h]}, {PippsModes.All[m].Name}");
                        row[m] = ChainGradients.Measure(problems[p], PippsModes.All[m].Mode, particles, horizons[h], repeats, key, lab.Cancel);
                    }

                    if (!lab.Cancel.IsCancellationRequested)
                    {
                        results[p].Add(row);
                    }
                }
            }
        }

        return lab.Execute(parse, run, Math.Max(1, problems.Count * horizons.Length * PippsModes.All.Count), Work, () =>
        {
            for (var p = 0; p < problems.Count; p++)
            {
                if (results[p].Count == 0)
                {
                    continue;
                }

                var hs = horizons.Take(results[p].Count).Select(h => (double)h).ToArray();
                var what = $"{problems[p].Name}, P = {particles}, {repeats} estimates per point";
                var variance = new CurveSet($"{what}: total gradient variance Σ_d Var(g_d) against horizon", "horizon H", "gradient variance", true, []);
                var cosine = new CurveSet($"{what}: mean cosine similarity between independent estimates against horizon", "horizon H", "cosine similarity", false, []);
                for (var m = 0; m < PippsModes.All.Count; m++)
                {
                    variance.Curves.Add(new Curve(PippsModes.All[m].Name, hs, [.. results[p].Select(r => r[m].Variance)]));
                    cosine.Curves.Add(new Curve(PippsModes.All[m].Name, hs, [.. results[p].Select(r => r[m].MeanCosine)]));
                }

                run.Curves.Add(variance);
                run.Curves.Add(cosine);
                var table = new SummaryTable($"{what}: variances, factors and cosines", ["H", "var RP", "var LR", "var TP", "TP / min(RP, LR)", "RP / TP", "cos RP", "cos LR", "cos TP", "TP mean k_LR", "E[L]"], []);
                for (var h = 0; h < results[p].Count; h++)
                {
                    var r = results[p][h];
                    table.Rows.Add([
                        horizons[h].ToString(CultureInfo.InvariantCulture), G(r[0].Variance), G(r[1].Variance), G(r[2].Variance),
                        G(r[2].Variance / Math.Min(r[0].Variance, r[1].Variance)), G(r[0].Variance / r[2].Variance),
                        F(r[0].MeanCosine), F(r[1].MeanCosine), F(r[2].MeanCosine), F(r[2].MeanWeight), F(r[0].Loss),
                    ]);
                }

                run.Tables.Add(table);
            }
        });
    }

    /// <summary>The cart-pole chain with its frozen policy: the random initial RBF policy, trained by --pretrain TP iterations when asked.</summary>
    private CartPoleChain CartPole(ParseResult parse, int particles, RngKey key)
    {
        var config = new PolicySearchConfig
        {
            Balance = parse.GetValue(_start) == "balance",
            NoiseScale = parse.GetValue(_noiseScale),
            Centres = parse.GetValue(_centres),
            Particles = particles,
            Iterations = parse.GetValue(_pretrain),
        };
        var policy = PolicySearch.Train(config, key, out _);
        return new CartPoleChain(new PippsCartPole(config.Balance, config.NoiseScale), policy, parse.GetValue(_tpWeights) == "policy");
    }

    /// <summary>Comma-separated horizons 1 … 1000, or null when malformed.</summary>
    private static int[]? ParseHorizons(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var hs = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out hs[i]) || hs[i] is < 1 or > 1000)
            {
                return null;
            }
        }

        return hs.Length == 0 ? null : hs;
    }

    private static string G(double v) => double.IsNaN(v) ? "—" : v.ToString("G3", CultureInfo.InvariantCulture);

    private static string F(double v) => double.IsNaN(v) ? "—" : v.ToString("F3", CultureInfo.InvariantCulture);
}
