using System.CommandLine;
using System.Globalization;
using McGrad.Data;
using McGrad.Lab.Blr;
using McGrad.Randomness;

namespace McGrad.Lab.Commands;

/// <summary>
/// <c>blr</c>: Bayesian logistic regression on breast_cancer with a mean-field Gaussian q (Mohamed et al. 2020;
/// mc_gradients' config): the deterministic optimum of the ELBO (Gauss–Hermite + L-BFGS) as the anchor, SGD training
/// runs per estimator and seed (final ELBO against the anchor), and the variance basket at checkpoints of a reference
/// run. See docs/blr.md.
/// </summary>
public sealed class BlrCommand : ILabCommand
{
    private readonly Option<string[]> _estimators = new("--estimators", "-e") { Description = $"Estimators, comma-separated or repeated: {string.Join(", ", BlrEstimators.Ids)} (default all).", AllowMultipleArgumentsPerToken = true };
    private readonly Option<string> _dataDir = new("--data-dir") { Description = $"Directory holding scikit-learn's data files (default {SklearnDatasets.DefaultDirectory}, from the Debian package {SklearnDatasets.Package}).", DefaultValueFactory = _ => SklearnDatasets.DefaultDirectory };
    private readonly Option<int> _steps = new("--steps") { Description = "SGD steps T, also the cosine decay's horizon (1 … 100,000; default 5,000 as mc_gradients).", DefaultValueFactory = _ => 5000 };
    private readonly Option<int> _seeds = new("--seeds") { Description = "Training runs per estimator (0 … 100; default 3).", DefaultValueFactory = _ => 3 };
    private readonly Option<int> _batch = new("--batch") { Description = "Minibatch rows B (1 … 569; default 32).", DefaultValueFactory = _ => 32 };
    private readonly Option<int> _posterior = new("--posterior-samples") { Description = "Posterior samples K per step and per estimate (1 … 1,000; default 50).", DefaultValueFactory = _ => 50 };
    private readonly Option<double> _lr = new("--lr") { Description = "Initial SGD learning rate, multiplied by cos(π/2·t/T) (default 0.001).", DefaultValueFactory = _ => 1e-3 };
    private readonly Option<int> _coefficient = new("--cv-samples") { Description = "Fresh samples for the delta-method coefficient (0: c = 1; else 2 … 1,000; default 25).", DefaultValueFactory = _ => 25 };
    private readonly Option<int> _estimates = new("--estimates") { Description = "K-sample estimates per estimator and checkpoint in the variance basket (0: no basket; else 2 … 1,000,000; default 1,000).", DefaultValueFactory = _ => 1000 };
    private readonly Option<int[]> _checkpoints = new("--checkpoints") { Description = "Steps of the reference run (pathwise, seed 0) where the basket is measured, comma-separated (default 0, T/10, T).", AllowMultipleArgumentsPerToken = true };
    private readonly Option<int> _evalEvery = new("--eval-every") { Description = "Steps between recorded ELBO values (1 … 100,000; default 50).", DefaultValueFactory = _ => 50 };

    /// <summary>Creates the command's options with their validators.</summary>
    public BlrCommand()
    {
        _estimators.Validators.Add(r =>
        {
            var unknown = CommonOptions.SplitNames(r.GetValueOrDefault<string[]>()).Where(n => !BlrEstimators.Ids.Contains(n)).ToArray();
            if (unknown.Length > 0)
            {
                r.AddError($"Unknown estimator(s) {string.Join(", ", unknown.Select(u => $"'{u}'"))} for --estimators. Valid: {string.Join(", ", BlrEstimators.Ids)}.");
            }
        });
        _steps.Validators.Add(r => CommonOptions.IntRange(r, _steps, 1, 100_000));
        _seeds.Validators.Add(r => CommonOptions.IntRange(r, _seeds, 0, 100));
        _batch.Validators.Add(r => CommonOptions.IntRange(r, _batch, 1, 569));
        _posterior.Validators.Add(r => CommonOptions.IntRange(r, _posterior, 1, 1000));
        _evalEvery.Validators.Add(r => CommonOptions.IntRange(r, _evalEvery, 1, 100_000));
        _coefficient.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<int>();
            if (v is < 0 or 1 or > 1000)
            {
                r.AddError($"--cv-samples must be 0 or an integer in [2, 1000], got {v}.");
            }
        });
        _estimates.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<int>();
            if (v is < 0 or 1 or > 1_000_000)
            {
                r.AddError($"--estimates must be 0 or an integer in [2, 1000000], got {v}.");
            }
        });
        _lr.Validators.Add(r => CommonOptions.Real(r, "--lr", v => v > 0 && v <= 1, "a number in (0, 1]"));
        Options = [_estimators, _dataDir, _steps, _seeds, _batch, _posterior, _lr, _coefficient, _estimates, _checkpoints, _evalEvery];
    }

    /// <inheritdoc/>
    public string Name => "blr";

    /// <inheritdoc/>
    public string Description => "Bayesian logistic regression on breast_cancer (Mohamed et al. 2020, mc_gradients' config: batch 32, K = 50, SGD 1e-3 with cosine decay over 5,000 steps): the optimal mean-field ELBO by Gauss–Hermite + L-BFGS as the anchor, training runs per estimator (score function, + moving average, + delta-method CV, pathwise, MVD coupled and uncoupled) and seed against it, and gradient variances at fixed checkpoints. Needs python3-sklearn's data files.";

    /// <inheritdoc/>
    public int Order => 36;

    /// <inheritdoc/>
    public IReadOnlyList<Option> Options { get; }

    /// <inheritdoc/>
    public int Run(ParseResult parse, LabContext lab)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(lab);
        var dir = parse.GetValue(_dataDir)!;
        var missing = SklearnDatasets.FilesOf("breast_cancer").Select(f => Path.Combine(dir, f)).Where(p => !File.Exists(p)).ToArray();
        if (missing.Length > 0)
        {
            throw new LabUsageException($"blr: needs {string.Join(" and ", missing)}, which does not exist; install the Debian package {SklearnDatasets.Package} (apt-get install {SklearnDatasets.Package}) or pass --data-dir.");
        }

        var estimators = CommonOptions.SplitNames(parse.GetValue(_estimators)).Distinct().ToArray();
        var steps = parse.GetValue(_steps);
        var checkpoints = (parse.GetValue(_checkpoints) ?? []).Distinct().Order().ToArray();
        if (checkpoints.Length == 0)
        {
            checkpoints = [.. new[] { 0, steps / 10, steps }.Distinct()];
        }

        var outside = checkpoints.Where(c => c < 0 || c > steps).ToArray();
        if (outside.Length > 0)
        {
            throw new LabUsageException($"blr: --checkpoints {string.Join(", ", outside.Select(c => c.ToString(CultureInfo.InvariantCulture)))} outside [0, --steps = {steps}].");
        }

        var training = new BlrConfig(steps, parse.GetValue(_batch), parse.GetValue(_posterior), parse.GetValue(_lr), parse.GetValue(_coefficient), EvalEvery: parse.GetValue(_evalEvery));
        var config = new BlrExperimentConfig(training, parse.GetValue(_seeds), estimators.Length == 0 ? BlrEstimators.Ids : estimators, parse.GetValue(_estimates), checkpoints);
        var run = lab.NewRun(parse, Name);
        run.Samples = training.Samples;
        var data = BlrData.Load(dir);
        BlrResult? result = null;
        return lab.Execute(parse, run, config.Units, onUnit => result = BlrExperiment.Run(data, config, new RngKey(run.Seed), onUnit, lab.Cancel), () =>
        {
            if (result is not null)
            {
                BlrReport.AddTo(run, result);
            }
        });
    }
}
