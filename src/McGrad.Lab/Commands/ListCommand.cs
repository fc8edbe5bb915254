using McGrad.Estimators;
using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace McGrad.Lab.Commands;

/// <summary><c>list</c>: the catalog's estimators (with their traits) and problems (with their exact gradients), as a table, JSON or CSV; writes no files.</summary>
public sealed class ListCommand : ILabCommand
{
    private static readonly string[] EstimatorColumns = ["id", "name", "estimates", "needs ∇f", "needs rsample", "discrete", "f evals (scalar θ)", "bwd", "reference"];
    private static readonly string[] ProblemColumns = ["id", "group", "problem", "parameters", "exact gradient"];

    /// <inheritdoc/>
    public string Name => "list";

    /// <inheritdoc/>
    public string Description => "List the estimators (with their traits) and the problems (with exact gradients).";

    /// <inheritdoc/>
    public int Order => 100;

    /// <inheritdoc/>
    public IReadOnlyList<Option> Options { get; } = [];

    /// <inheritdoc/>
    public int Run(ParseResult parse, LabContext lab)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var format = lab.Common.FormatOf(parse);
        var output = lab.Out;
        var estimators = Catalog.Estimators.Select(e =>
        {
            var est = e.Create(Catalog.Problems[0].Create());
            var t = est.Traits;
            return new { id = e.Id, name = e.Id == "reinforce-mean" ? "REINFORCE(1) − b=E f" : est.Name, description = e.Description, unbiased = t.Unbiased, needsDifferentiableObjective = t.NeedsDifferentiableObjective, needsRSample = t.NeedsRSample, supportsDiscrete = t.SampleSpace != SampleSpace.Continuous, target = t.Target.ToString(), stateful = t.Stateful, fEvals = t.Cost.Evaluations, backwardPasses = t.Cost.BackwardPasses, reference = t.Reference, comparableToExact = t.Target != EstimateTarget.GradientOfLogMeanExp };
        }).ToList();
        var problems = Catalog.Problems.Select(e =>
        {
            var pr = e.Create();
            return new { id = e.Id, group = e.Group, name = pr.Name, description = e.Description, parameters = pr.ParameterNames, exactGradient = pr.ExactGradient?.SelectMany(g => g.ToDoubleArray()).ToArray() };
        }).ToList();
        if (format == "json")
        {
            output.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { estimators, problems }, Report.JsonOptions));
            return ExitCodes.Ok;
        }

        if (format == "csv")
        {
            output.WriteLine("kind,id,name,unbiased,needs_differentiable_f,needs_rsample,discrete,f_evals,backward_passes,reference");
            foreach (var e in estimators)
            {
                output.WriteLine($"estimator,{e.id},\"{e.name}\",{e.unbiased},{e.needsDifferentiableObjective},{e.needsRSample},{e.supportsDiscrete},{e.fEvals},{e.backwardPasses},\"{e.reference}\"");
            }

            foreach (var pr in problems)
            {
                output.WriteLine($"problem,{pr.id},\"{pr.name}\",,,,,,,{pr.group}");
            }

            return ExitCodes.Ok;
        }

        var console = lab.Console();
        console.Profile.Width = Math.Max(console.Profile.Width, 160);
        var et = new Table().Title("Estimators");
        foreach (var c in EstimatorColumns)
        {
            et.AddColumn(c);
        }

        foreach (var e in estimators)
        {
            et.AddRow(Markup.Escape(e.id), Markup.Escape(e.name), Markup.Escape(Target(e.target)), Yes(e.needsDifferentiableObjective), Yes(e.needsRSample), Yes(e.supportsDiscrete), e.fEvals.ToString(CultureInfo.InvariantCulture), e.backwardPasses.ToString(CultureInfo.InvariantCulture), Markup.Escape(e.reference));
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

    /// <summary>"∇E[f]", "∇ log mean exp f" or "biased" for the list table.</summary>
    private static string Target(string target) => target switch
    {
        nameof(EstimateTarget.GradientOfExpectation) => "∇E[f]",
        nameof(EstimateTarget.GradientOfLogMeanExp) => "∇ log mean exp f",
        _ => "biased",
    };
}
