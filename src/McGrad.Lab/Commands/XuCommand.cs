using System.CommandLine;
using McGrad.Data;
using McGrad.Lab.Xu;
using McGrad.Randomness;

namespace McGrad.Lab.Commands;

/// <summary>
/// <c>xu</c>: the Xu, Quiroz, Kohn and Sisson (2019) result on real data. For each --datasets model (Bayesian linear
/// regression on diabetes, logistic regression on breast_cancer, softmax regression on digits; full-data log joints,
/// prior N(0, I)), an ELBO optimisation path from q = N(0, I) gives --checkpoints mean-field Gaussians q; at each, --samples
/// one-sample estimates of ∇_{μ,ρ} E_q[f] by pathwise, score function and score function + mean baseline give
/// per-coordinate variances, compared with the closed forms (exact for linear regression; from the Taylor expansion at μ
/// otherwise). See docs/xu.md.
/// </summary>
public sealed class XuCommand : ILabCommand
{
    /// <summary>--samples when not given: estimates per estimator and checkpoint.</summary>
    public const int DefaultSamples = 20_000;

    private readonly Option<string[]> _datasets = new("--datasets", "-d") { Description = $"Datasets, comma-separated or repeated: {string.Join(", ", XuModels.Datasets)} (default diabetes,breast_cancer,digits).", AllowMultipleArgumentsPerToken = true };
    private readonly Option<string> _dataDir = new("--data-dir") { Description = $"Directory holding scikit-learn's data files (default {SklearnDatasets.DefaultDirectory}, from the Debian package {SklearnDatasets.Package}).", DefaultValueFactory = _ => SklearnDatasets.DefaultDirectory };
    private readonly Option<int> _steps = new("--steps") { Description = "Adam steps of the ELBO optimisation path (0 … 100,000; default 2,000).", DefaultValueFactory = _ => 2000 };
    private readonly Option<int> _checkpoints = new("--checkpoints") { Description = "q's measured along the path: step 0 and geometrically spaced steps up to --steps (1 … 20; default 4).", DefaultValueFactory = _ => 4 };
    private readonly Option<int> _pathSamples = new("--path-samples") { Description = "Reparameterised draws per Adam step of the path (1 … 4,096; default 16).", DefaultValueFactory = _ => 16 };
    private readonly Option<double> _lr = new("--lr") { Description = "Adam learning rate of the path, cosine-decayed to 1 % (default 0.05).", DefaultValueFactory = _ => 0.05 };
    private readonly Option<double> _noise = new("--noise-variance") { Description = "σ² of the linear regression on the standardised diabetes target (default 0.5).", DefaultValueFactory = _ => 0.5 };
    private readonly Option<int> _baselineSamples = new("--baseline-samples") { Description = "Draws for the mean baseline b ≈ E_q[f] of non-quadratic models (2 … 10,000,000; default 10,000).", DefaultValueFactory = _ => 10_000 };

    /// <summary>Creates the command's options with their validators.</summary>
    public XuCommand()
    {
        _datasets.Validators.Add(r =>
        {
            var names = CommonOptions.SplitNames(r.GetValueOrDefault<string[]>()).ToArray();
            var unknown = names.Where(n => !XuModels.Datasets.Contains(n)).ToArray();
            if (unknown.Length > 0)
            {
                r.AddError($"Unknown dataset(s) {string.Join(", ", unknown.Select(u => $"'{u}'"))} for --datasets. Valid: {string.Join(", ", XuModels.Datasets)}.");
            }
            else if (r.Tokens.Count > 0 && names.Length == 0)
            {
                r.AddError($"--datasets names no dataset; expected one or more of {string.Join(", ", XuModels.Datasets)}.");
            }
        });
        _steps.Validators.Add(r => CommonOptions.IntRange(r, _steps, 0, 100_000));
        _checkpoints.Validators.Add(r => CommonOptions.IntRange(r, _checkpoints, 1, 20));
        _pathSamples.Validators.Add(r => CommonOptions.IntRange(r, _pathSamples, 1, 4096));
        _baselineSamples.Validators.Add(r => CommonOptions.IntRange(r, _baselineSamples, 2, 10_000_000));
        _lr.Validators.Add(r => CommonOptions.Real(r, "--lr", v => v > 0 && v <= 1, "a number in (0, 1]"));
        _noise.Validators.Add(r => CommonOptions.Real(r, "--noise-variance", v => v > 0 && double.IsFinite(v), "a finite number > 0"));
        Options = [_datasets, _dataDir, _steps, _checkpoints, _pathSamples, _lr, _noise, _baselineSamples];
    }

    /// <inheritdoc/>
    public string Name => "xu";

    /// <inheritdoc/>
    public string Description => "Xu et al. (2019) on real data: per-coordinate variances of pathwise vs score-function gradients (with and without a mean baseline) under mean-field Gaussian q along an ELBO path, against closed forms (exact for Bayesian linear regression on diabetes, Taylor-predicted for logistic regression on breast_cancer and softmax regression on digits); --samples estimates per estimator and q (default 20,000). Needs python3-sklearn's data files.";

    /// <inheritdoc/>
    public int Order => 35;

    /// <inheritdoc/>
    public IReadOnlyList<Option> Options { get; }

    /// <inheritdoc/>
    public int Run(ParseResult parse, LabContext lab)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(lab);
        var datasets = CommonOptions.SplitNames(parse.GetValue(_datasets)).Distinct().ToArray();
        if (datasets.Length == 0)
        {
            datasets = ["diabetes", "breast_cancer", "digits"];
        }

        var dir = parse.GetValue(_dataDir)!;
        foreach (var d in datasets)
        {
            var missing = SklearnDatasets.FilesOf(d).Select(f => Path.Combine(dir, f)).Where(p => !File.Exists(p)).ToArray();
            if (missing.Length > 0)
            {
                throw new LabUsageException($"xu: dataset '{d}' needs {string.Join(" and ", missing)}, which {(missing.Length == 1 ? "does" : "do")} not exist; install the Debian package {SklearnDatasets.Package} (apt-get install {SklearnDatasets.Package}) or pass --data-dir.");
            }
        }

        var run = lab.NewRun(parse, Name);
        if (!CommonOptions.Given(parse, lab.Common.Samples))
        {
            run.Samples = DefaultSamples;
        }

        var config = new XuConfig(run.Samples, new ElboPathConfig(parse.GetValue(_steps), parse.GetValue(_checkpoints), parse.GetValue(_pathSamples), parse.GetValue(_lr)), parse.GetValue(_baselineSamples));
        var noise = parse.GetValue(_noise);
        var root = new RngKey(run.Seed);
        var results = new List<DatasetResult>();
        return lab.Execute(parse, run, datasets.Length * XuExperiment.Units(config), onUnit =>
        {
            for (var i = 0; i < datasets.Length && !lab.Cancel.IsCancellationRequested; i++)
            {
                var model = XuModels.Create(datasets[i], dir, noise);
                results.Add(XuExperiment.Run(datasets[i], model, XuModels.IsQuadratic(datasets[i]), config, root.FoldIn((uint)i), onUnit, lab.Cancel));
            }
        }, () => XuReport.AddTo(run, results));
    }
}
