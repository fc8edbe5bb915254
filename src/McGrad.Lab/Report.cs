using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace McGrad.Lab;

/// <summary>Writes a run as results.json, results.csv and a self-contained report.html (inline SVG, no scripts).</summary>
public static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>JSON options: camelCase, indented, NaN/Infinity as strings.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The run as JSON.</summary>
    public static string ToJson(LabRun run) => JsonSerializer.Serialize(run, JsonOptions);

    /// <summary>The run as CSV: one row per problem × estimator × parameter element.</summary>
    public static string ToCsv(LabRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var sb = new StringBuilder();
        sb.Append("problem,group,estimator,name,unbiased,parameter,exact,mean,std_error,z,variance,variance_std_error,f_evals,backward_passes,efficiency,estimates,us_per_estimate\n");
        foreach (var p in run.Problems)
        {
            foreach (var e in p.Estimators)
            {
                foreach (var s in e.Parameters)
                {
                    sb.Append(Csv(p.Id)).Append(',').Append(p.Group).Append(',').Append(Csv(e.Id)).Append(',').Append(Csv(e.Name)).Append(',')
                      .Append(e.Unbiased ? "true" : "false").Append(',').Append(Csv(s.Parameter)).Append(',')
                      .Append(Num(s.Exact)).Append(',').Append(Num(s.Mean)).Append(',').Append(Num(s.StdError)).Append(',').Append(Num(s.Z)).Append(',')
                      .Append(Num(s.Variance)).Append(',').Append(Num(s.VarianceStdError)).Append(',')
                      .Append(e.Evaluations.ToString(Inv)).Append(',').Append(e.BackwardPasses.ToString(Inv)).Append(',')
                      .Append(Num(s.Efficiency)).Append(',').Append(e.Estimates.ToString(Inv)).Append(',').Append(Num(e.MicrosecondsPerEstimate)).Append('\n');
                }
            }
        }

        foreach (var set in run.Curves)
        {
            foreach (var c in set.Curves)
            {
                for (var i = 0; i < c.Steps.Count; i++)
                {
                    sb.Append("curve:").Append(Csv(set.Title)).Append(",,").Append(Csv(c.Name)).Append(",,,step,").Append(Num(c.Steps[i])).Append(',').Append(Num(c.Values[i])).Append(",,,,,,,,,\n");
                }
            }
        }

        foreach (var t in run.Tables)
        {
            foreach (var row in t.Rows)
            {
                sb.Append("table:").Append(Csv(t.Title));
                foreach (var cell in row)
                {
                    sb.Append(',').Append(Csv(cell));
                }

                sb.Append('\n');
            }
        }

        return sb.ToString();
    }

    /// <summary>Writes results.json, results.csv and report.html into <paramref name="dir"/> (created if needed).</summary>
    public static void WriteAll(LabRun run, string dir)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "results.json"), ToJson(run));
        File.WriteAllText(Path.Combine(dir, "results.csv"), ToCsv(run));
        File.WriteAllText(Path.Combine(dir, "report.html"), ToHtml(run));
    }

    /// <summary>Formats a number for tables: G4, with NaN as "—".</summary>
    public static string Fmt(double x) => double.IsNaN(x) ? "—" : x.ToString("G4", Inv);

    private static string Num(double x) => x.ToString("R", Inv);

    private static string Csv(string s) => s.Contains(',', StringComparison.Ordinal) || s.Contains('"', StringComparison.Ordinal) ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;

    private static string H(string s) => WebUtility.HtmlEncode(s);

    /// <summary>The self-contained HTML report.</summary>
    public static string ToHtml(LabRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>McGrad Lab: ").Append(H(run.Command)).Append("</title>\n<style>")
          .Append("body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}table{border-collapse:collapse;margin:1em 0}")
          .Append("th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}td.l,th.l{text-align:left}")
          .Append(".bad{color:#b00;font-weight:bold}.meta td{text-align:left}svg{display:block;margin:0.5em 0 1.5em}.skip{color:#777;font-size:90%}")
          .Append("</style></head><body>\n");
        sb.Append("<h1>McGrad Lab — ").Append(H(run.Command)).Append("</h1>\n");
        if (run.Partial)
        {
            sb.Append("<p class=\"bad\">Partial results: the run was interrupted; only finished cells are shown.</p>\n");
        }

        var m = run.Machine;
        sb.Append("<table class=\"meta\">");
        Meta(sb, "command line", "mcgrad-lab " + run.CommandLine);
        Meta(sb, "seed", run.Seed.ToString(Inv));
        Meta(sb, run.Command switch { "topk" => "training runs per method", "toy relax" => "variance estimates per point", "rl ppo" or "rl es" => "seeds", "rl eval" => "episodes", _ => "estimates per cell" }, run.Samples.ToString(Inv));
        Meta(sb, "version", run.Version);
        Meta(sb, "started (UTC)", run.Timestamp);
        Meta(sb, "wall time", run.WallSeconds.ToString("F2", Inv) + " s");
        Meta(sb, "machine", $"{m.Cores} cores (MaxThreads {m.MaxThreads}), Vector<byte>.Count = {m.VectorByteCount}, Vector256 accelerated = {m.Vector256Accelerated}, Vector512 accelerated = {m.Vector512Accelerated}");
        Meta(sb, "BLAS", $"{m.BlasLibrary ?? "none"} (core {m.BlasCore ?? "n/a"}), backend {m.BlasBackend}");
        Meta(sb, "runtime", $"{m.Runtime} on {m.Os}");
        sb.Append("</table>\n");
        if (run.Problems.Count > 0)
        {
            sb.Append("<p>Common random numbers: every estimator on a problem uses the same key. Cost = f evaluations + backward passes per estimate; efficiency = variance × cost (lower is better). |z| ≥ 4 marks a mean inconsistent with the exact gradient (expected for biased estimators).</p>\n");
        }


        var chart = 0;
        foreach (var p in run.Problems)
        {
            sb.Append("<h2 id=\"").Append(H(p.Id)).Append("\">").Append(H(p.Group)).Append(": ").Append(H(p.Name)).Append("</h2>\n<p>").Append(H(p.Description)).Append(" — id <code>").Append(H(p.Id)).Append("</code></p>\n");
            sb.Append("<table><tr><th class=\"l\">estimator</th><th>f evals</th><th>backward</th><th>µs/estimate</th>");
            foreach (var name in p.Parameters)
            {
                sb.Append("<th>∂").Append(H(name)).Append(" mean</th><th>z</th><th>variance</th><th>efficiency</th>");
            }

            sb.Append("</tr>\n<tr><td class=\"l\"><b>exact</b></td><td></td><td></td><td></td>");
            foreach (var x in p.Exact)
            {
                sb.Append("<td><b>").Append(Fmt(x)).Append("</b></td><td></td><td></td><td></td>");
            }

            sb.Append("</tr>\n");
            foreach (var e in p.Estimators)
            {
                sb.Append("<tr><td class=\"l\">").Append(H(e.Name)).Append(e.Unbiased ? "" : " (biased)").Append("</td><td>").Append(e.Evaluations.ToString(Inv)).Append("</td><td>")
                  .Append(e.BackwardPasses.ToString(Inv)).Append("</td><td>").Append(e.MicrosecondsPerEstimate.ToString("F3", Inv)).Append("</td>");
                foreach (var s in e.Parameters)
                {
                    var bad = Math.Abs(s.Z) >= 4 ? " class=\"bad\"" : "";
                    sb.Append("<td>").Append(Fmt(s.Mean)).Append("</td><td").Append(bad).Append('>').Append(s.Z.ToString("+0.0;-0.0;0.0", Inv)).Append("</td><td>")
                      .Append(Fmt(s.Variance)).Append(" ± ").Append(s.VarianceStdError.ToString("G2", Inv)).Append("</td><td>").Append(Fmt(s.Efficiency)).Append("</td>");
                }

                sb.Append("</tr>\n");
            }

            sb.Append("</table>\n");
            if (p.Skipped.Count > 0)
            {
                sb.Append("<details class=\"skip\"><summary>Not applicable: ").Append(H(string.Join(", ", p.Skipped.Select(s => s.Id)))).Append("</summary><ul>");
                foreach (var s in p.Skipped)
                {
                    sb.Append("<li><code>").Append(H(s.Id)).Append("</code>: ").Append(H(s.Reason)).Append("</li>");
                }

                sb.Append("</ul></details>\n");
            }

            for (var i = 0; i < p.Parameters.Count; i++)
            {
                var bars = p.Estimators.Select(e => (e.Name, e.Parameters[i].Variance)).ToList();
                if (bars.Count > 0)
                {
                    sb.Append(Svg.VarianceBars($"chart{chart++}", $"{p.Name}: variance of ∂{p.Parameters[i]} per estimate (log scale)", bars));
                }
            }
        }

        foreach (var set in run.Curves)
        {
            sb.Append("<h2>").Append(H(set.Title)).Append("</h2>\n");
            sb.Append(Svg.Lines($"chart{chart++}", set));
            sb.Append("<table><tr><th class=\"l\">curve</th><th>").Append(H(set.YLabel)).Append(" at start</th><th>").Append(H(set.YLabel)).Append(" at end</th><th>± s.e. at end</th><th>steps</th></tr>\n");
            foreach (var c in set.Curves.Where(c => c.Values.Count > 0))
            {
                sb.Append("<tr><td class=\"l\">").Append(H(c.Name)).Append("</td><td>").Append(Fmt(c.Values[0])).Append("</td><td><b>").Append(Fmt(c.Values[^1])).Append("</b></td><td>")
                  .Append(c.StdErrors is { Count: > 0 } se ? Fmt(se[^1]) : "").Append("</td><td>").Append(Fmt(c.Steps[^1])).Append("</td></tr>\n");
            }

            sb.Append("</table>\n");
        }

        foreach (var t in run.Tables)
        {
            sb.Append("<h2>").Append(H(t.Title)).Append("</h2>\n<table><tr>");
            foreach (var c in t.Columns)
            {
                sb.Append("<th>").Append(H(c)).Append("</th>");
            }

            sb.Append("</tr>\n");
            foreach (var row in t.Rows)
            {
                sb.Append("<tr>");
                foreach (var cell in row)
                {
                    sb.Append("<td>").Append(H(cell)).Append("</td>");
                }

                sb.Append("</tr>\n");
            }

            sb.Append("</table>\n");
        }

        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    private static void Meta(StringBuilder sb, string key, string value) => sb.Append("<tr><th class=\"l\">").Append(H(key)).Append("</th><td>").Append(H(value)).Append("</td></tr>");
}
