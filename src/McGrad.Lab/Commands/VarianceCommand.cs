using System.CommandLine;

namespace McGrad.Lab.Commands;

/// <summary><c>variance</c>: bias and variance of chosen estimators (--estimators, default all) on one problem (--problem).</summary>
public sealed class VarianceCommand : ILabCommand
{
    private readonly Option<string> _problem = new("--problem", "-p") { Description = "Problem id (see `list`).", DefaultValueFactory = _ => "gauss-square-k0" };
    private readonly Option<string[]> _estimators = new("--estimators", "-e") { Description = "Estimator ids, space- or comma-separated (default: all that apply; see `list`).", AllowMultipleArgumentsPerToken = true };

    /// <summary>Creates the command's options (--problem, --estimators) with validators that list the valid ids.</summary>
    public VarianceCommand()
    {
        _problem.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (Catalog.FindProblem(v) is null)
            {
                r.AddError($"Unknown problem '{v}' for --problem. Valid problems: {string.Join(", ", Catalog.Problems.Select(x => x.Id))}.");
            }
        });
        _estimators.Validators.Add(r =>
        {
            foreach (var name in CommonOptions.SplitNames(r.GetValueOrDefault<string[]>()))
            {
                if (Catalog.FindEstimator(name) is null)
                {
                    r.AddError($"Unknown estimator '{name}' for --estimators. Valid estimators: {string.Join(", ", Catalog.Estimators.Select(x => x.Id))}.");
                }
            }
        });
        Options = [_problem, _estimators];
    }

    /// <inheritdoc/>
    public string Name => "variance";

    /// <inheritdoc/>
    public string Description => "Bias and variance of chosen estimators on one problem, with a sample budget (--samples estimates each).";

    /// <inheritdoc/>
    public int Order => 10;

    /// <inheritdoc/>
    public IReadOnlyList<Option> Options { get; }

    /// <inheritdoc/>
    public int Run(ParseResult parse, LabContext lab)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(lab);
        var estimatorIds = CommonOptions.SplitNames(parse.GetValue(_estimators)).ToList();
        var run = lab.NewRun(parse, Name);
        var problem = Catalog.FindProblem(parse.GetValue(_problem)!)!;
        var chosen = estimatorIds.Count == 0 ? Catalog.Estimators.ToList() : estimatorIds.Select(id => Catalog.FindEstimator(id)!).Distinct().ToList();
        return lab.Measure(parse, run, [problem], chosen);
    }
}
