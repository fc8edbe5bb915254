using System.Globalization;
using Spectre.Console;

namespace McGrad.Lab.Commands;

/// <summary>Prints a run as Spectre.Console tables: one per problem (estimators × parameter elements), one per set of curves.</summary>
public static class ResultTables
{
    /// <summary>
    /// Writes one table per problem (exact, mean, z flagged red at |z| ≥ 4, variance ± s.e., variance × cost, f evals,
    /// backward passes, µs per estimate) with the estimators that did not apply, then one table per curve set
    /// (the value at the start, at 25/50/75/100 % of the curve, and the standard error at the end).
    /// </summary>
    public static void Write(IAnsiConsole console, LabRun run)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(run);
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

        foreach (var t in run.Tables)
        {
            var table = new Table().Title(Markup.Escape(t.Title));
            foreach (var c in t.Columns)
            {
                table.AddColumn(new TableColumn(Markup.Escape(c)).RightAligned());
            }

            foreach (var row in t.Rows)
            {
                table.AddRow(row.Select(Markup.Escape).ToArray());
            }

            console.Write(table);
        }
    }
}
