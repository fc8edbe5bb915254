using System.Globalization;
using McGrad.Estimators;

namespace McGrad.Lab.Xu;

/// <summary>Turns <see cref="DatasetResult"/>s into the Lab report's tables and charts.</summary>
public static class XuReport
{
    private static readonly string[] ScoreIds = ["sf", "sf-mean"];

    /// <summary>The estimator labels used in tables and charts.</summary>
    public static string Label(string id) => id switch
    {
        "pathwise" => "pathwise",
        "sf" => "SF (b = 0)",
        "sf-mean" => "SF + mean baseline",
        _ => id,
    };

    /// <summary>Adds the tables and charts of <paramref name="results"/> to <paramref name="run"/>.</summary>
    public static void AddTo(LabRun run, IReadOnlyList<DatasetResult> results)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(results);
        var complete = results.Select(r => r with { Checkpoints = [.. r.Checkpoints.Where(c => c.Measured.Count == XuExperiment.EstimatorIds.Count)] }).ToList();
        run.Tables.Add(PathTable(complete));
        run.Tables.Add(RatioTable(complete));
        if (complete.Any(r => r.Exact))
        {
            run.Tables.Add(ClosedFormTable(complete.Where(r => r.Exact)));
            run.Tables.Add(CoordinateTable(complete.Where(r => r.Exact)));
        }

        if (complete.Any(r => !r.Exact))
        {
            run.Tables.Add(PredictionTable(complete.Where(r => !r.Exact)));
            run.Tables.Add(ExtremesTable(complete.Where(r => !r.Exact)));
        }

        foreach (var r in complete)
        {
            foreach (var c in r.Checkpoints)
            {
                run.Curves.Add(r.Exact ? VarianceChart(r, c) : RatioChart(r, c));
            }

            if (!r.Exact)
            {
                run.Curves.Add(FactorChart(r));
            }
        }
    }

    /// <summary>Measured Var(SF ∂μᵢ)/Var(pathwise ∂μᵢ) (or ∂ρᵢ) per coordinate.</summary>
    public static double[] MeasuredRatio(CheckpointResult c, string scoreId, bool logScale)
    {
        ArgumentNullException.ThrowIfNull(c);
        var sf = Pick(c[scoreId], logScale);
        var pw = Pick(c["pathwise"], logScale);
        return [.. sf.Zip(pw, (a, b) => a.Variance / b.Variance)];
    }

    /// <summary>The closed-form (Taylor) prediction of the same ratio.</summary>
    public static double[] PredictedRatio(CheckpointResult c, string scoreId, bool logScale)
    {
        ArgumentNullException.ThrowIfNull(c);
        var sf = Predicted(c, scoreId, logScale);
        var pw = Predicted(c, "pathwise", logScale);
        return [.. sf.Zip(pw, (a, b) => a / b)];
    }

    private static IReadOnlyList<ParameterStatistics> Pick(MeasuredEstimator m, bool logScale) => logScale ? m.LogScale : m.Mean;

    private static double[] Predicted(CheckpointResult c, string id, bool logScale) => logScale ? c.Predicted[id].LogScale : c.Predicted[id].Mean;

    private static SummaryTable PathTable(IEnumerable<DatasetResult> results)
    {
        var table = new SummaryTable("Checkpoints of the optimisation path (Adam on the ELBO from q = N(0, I), pathwise gradients)", ["dataset", "step", "ELBO ± s.e.", "f(μ)", "median s", "min s", "max s", "‖∇f(μ)‖"], []);
        foreach (var r in results)
        {
            foreach (var c in r.Checkpoints)
            {
                var s = c.Point.Scales.Order().ToArray();
                table.Rows.Add([r.Dataset, I(c.Point.Step), $"{G(c.Point.Elbo)} ± {G(c.Point.ElboStdError, "G2")}", G(c.Taylor.Value), G(s[s.Length / 2]), G(s[0]), G(s[^1]), G(Math.Sqrt(c.Taylor.Gradient.Sum(x => x * x)))]);
            }
        }

        return table;
    }

    private static SummaryTable RatioTable(IEnumerable<DatasetResult> results)
    {
        var table = new SummaryTable(
            "Score-function / pathwise variance ratio per coordinate (Xu et al.: ≥ 1): measured (Monte Carlo) and predicted (closed form; Taylor expansion at μ where f is not quadratic)",
            ["dataset", "step", "estimator", "parameter", "coordinates", "measured ≥ 1", "measured min", "measured median", "measured max", "predicted min", "predicted median", "predicted max", "measured/predicted min", "10 %", "median", "90 %", "max", "within ×2"],
            []);
        foreach (var r in results)
        {
            foreach (var c in r.Checkpoints)
            {
                foreach (var id in ScoreIds)
                {
                    foreach (var logScale in new[] { false, true })
                    {
                        var m = MeasuredRatio(c, id, logScale);
                        var p = PredictedRatio(c, id, logScale);
                        var f = m.Zip(p, (a, b) => a / b).ToArray();
                        table.Rows.Add([r.Dataset, I(c.Point.Step), Label(id), logScale ? "ρ (log-scale)" : "μ (mean)", I(m.Length), $"{m.Count(x => x >= 1)}/{m.Length}", .. Spread(m), .. Spread(p), .. Quantiles(f), $"{f.Count(v => v is >= 0.5 and <= 2)}/{f.Length}"]);
                    }
                }
            }
        }

        return table;
    }

    private static SummaryTable ClosedFormTable(IEnumerable<DatasetResult> results)
    {
        var table = new SummaryTable(
            "Exactly quadratic log joint: Monte Carlo variance against the closed form, per coordinate (z = (MC − closed)/s.e., |z| < 4 expected); mean against the exact gradient",
            ["dataset", "step", "estimator", "parameter", "coordinates", "max |z| variance", "|z| ≥ 4", "MC/closed min", "MC/closed median", "MC/closed max", "max |z| mean"],
            []);
        foreach (var r in results)
        {
            foreach (var c in r.Checkpoints)
            {
                foreach (var id in XuExperiment.EstimatorIds)
                {
                    foreach (var logScale in new[] { false, true })
                    {
                        var stats = Pick(c[id], logScale);
                        var closed = Predicted(c, id, logScale);
                        var z = stats.Select((s, i) => VarianceZ(s, closed[i])).ToArray();
                        var ratio = stats.Select((s, i) => s.Variance / closed[i]).ToArray();
                        table.Rows.Add([r.Dataset, I(c.Point.Step), Label(id), logScale ? "ρ" : "μ", I(stats.Count), G(z.Max(Math.Abs), "F2"), I(z.Count(v => Math.Abs(v) >= 4)), .. Spread(ratio), G(stats.Max(s => Math.Abs(s.Z)), "F2")]);
                    }
                }
            }
        }

        return table;
    }

    private static SummaryTable CoordinateTable(IEnumerable<DatasetResult> results)
    {
        var table = new SummaryTable("Per coordinate (exactly quadratic log joint): closed-form variance, Monte Carlo variance ± s.e., z", ["dataset", "step", "coordinate", "parameter", "estimator", "closed form", "Monte Carlo", "± s.e.", "z"], []);
        foreach (var r in results)
        {
            foreach (var c in r.Checkpoints)
            {
                foreach (var logScale in new[] { false, true })
                {
                    for (var i = 0; i < r.CoordinateNames.Count; i++)
                    {
                        foreach (var id in XuExperiment.EstimatorIds)
                        {
                            var s = Pick(c[id], logScale)[i];
                            var closed = Predicted(c, id, logScale)[i];
                            table.Rows.Add([r.Dataset, I(c.Point.Step), r.CoordinateNames[i], logScale ? "ρ" : "μ", Label(id), G(closed), G(s.Variance), G(s.VarianceStdError, "G2"), G(VarianceZ(s, closed), "F2")]);
                        }
                    }
                }
            }
        }

        return table;
    }

    private static SummaryTable PredictionTable(IEnumerable<DatasetResult> results)
    {
        var table = new SummaryTable(
            "Not quadratic: measured variance / Taylor-predicted variance per coordinate (the closed forms applied to the second-order expansion at μ)",
            ["dataset", "step", "estimator", "parameter", "coordinates", "min", "median", "max", "within ×2", "baseline b"],
            []);
        foreach (var r in results)
        {
            foreach (var c in r.Checkpoints)
            {
                foreach (var id in XuExperiment.EstimatorIds)
                {
                    foreach (var logScale in new[] { false, true })
                    {
                        var stats = Pick(c[id], logScale);
                        var closed = Predicted(c, id, logScale);
                        var f = stats.Select((s, i) => s.Variance / closed[i]).ToArray();
                        table.Rows.Add([r.Dataset, I(c.Point.Step), Label(id), logScale ? "ρ" : "μ", I(f.Length), .. Spread(f), $"{f.Count(v => v is >= 0.5 and <= 2)}/{f.Length}", id == "sf-mean" ? $"{G(c.Baseline)} ({c.BaselineSource})" : id == "sf" ? "0" : ""]);
                    }
                }
            }
        }

        return table;
    }

    private static SummaryTable ExtremesTable(IEnumerable<DatasetResult> results)
    {
        const int Each = 3;
        var table = new SummaryTable(
            $"Not quadratic: per checkpoint, the {Each} mean coordinates with the lowest and the {Each} with the highest measured/predicted SF + mean baseline / pathwise ratio, and the {Each} with the highest measured ratio",
            ["dataset", "step", "which", "coordinate", "μ", "s", "pathwise measured", "pathwise predicted", "SF + mean measured", "SF + mean predicted", "ratio measured", "ratio predicted", "measured/predicted"],
            []);
        foreach (var r in results)
        {
            foreach (var c in r.Checkpoints)
            {
                var m = MeasuredRatio(c, "sf-mean", false);
                var p = PredictedRatio(c, "sf-mean", false);
                var byFactor = Enumerable.Range(0, m.Length).OrderBy(i => m[i] / p[i]).ToArray();
                var byRatio = Enumerable.Range(0, m.Length).OrderByDescending(i => m[i]).ToArray();
                var picks = byFactor.Take(Each).Select(i => ("lowest measured/predicted", i))
                    .Concat(byFactor.Skip(Math.Max(Each, byFactor.Length - Each)).Select(i => ("highest measured/predicted", i)))
                    .Concat(byRatio.Take(Each).Select(i => ("highest measured ratio", i)));
                foreach (var (which, i) in picks)
                {
                    table.Rows.Add([r.Dataset, I(c.Point.Step), which, r.CoordinateNames[i], G(c.Point.Mean[i]), G(c.Point.Scales[i]), G(c["pathwise"].Mean[i].Variance), G(c.Predicted["pathwise"].Mean[i]), G(c["sf-mean"].Mean[i].Variance), G(c.Predicted["sf-mean"].Mean[i]), G(m[i]), G(p[i]), G(m[i] / p[i])]);
                }
            }
        }

        return table;
    }

    private static CurveSet VarianceChart(DatasetResult r, CheckpointResult c)
    {
        var set = new CurveSet($"{r.Dataset}, step {I(c.Point.Step)}: Var ∂μᵢ per coordinate, Monte Carlo (± s.e.) and closed form", "coordinate index", "variance", true, []);
        var x = Enumerable.Range(0, r.CoordinateNames.Count).Select(i => (double)i).ToArray();
        foreach (var id in XuExperiment.EstimatorIds)
        {
            set.Curves.Add(new Curve($"{Label(id)}, Monte Carlo", x, [.. c[id].Mean.Select(s => s.Variance)], [.. c[id].Mean.Select(s => s.VarianceStdError)]));
            set.Curves.Add(new Curve($"{Label(id)}, closed form", x, c.Predicted[id].Mean));
        }

        return set;
    }

    private static CurveSet RatioChart(DatasetResult r, CheckpointResult c)
    {
        var order = MeasuredRatio(c, "sf-mean", false).Select((v, i) => (v, i)).OrderBy(t => t.v).Select(t => t.i).ToArray();
        var x = Enumerable.Range(0, order.Length).Select(i => (double)i).ToArray();
        var set = new CurveSet($"{r.Dataset}, step {I(c.Point.Step)}: Var(SF ∂μᵢ)/Var(pathwise ∂μᵢ), coordinates sorted by the measured SF + mean baseline ratio", "coordinate (sorted)", "variance ratio", true, []);
        foreach (var id in ScoreIds)
        {
            var m = MeasuredRatio(c, id, false);
            var p = PredictedRatio(c, id, false);
            set.Curves.Add(new Curve($"{Label(id)}, measured", x, [.. order.Select(i => m[i])]));
            set.Curves.Add(new Curve($"{Label(id)}, Taylor prediction", x, [.. order.Select(i => p[i])]));
        }

        set.Curves.Add(new Curve("ratio 1", [0, Math.Max(1, order.Length - 1)], [1, 1]));
        return set;
    }

    private static CurveSet FactorChart(DatasetResult r)
    {
        var set = new CurveSet($"{r.Dataset}: measured / Taylor-predicted SF/pathwise ratio of ∂μᵢ, sorted (1 = exact prediction)", "coordinate (sorted)", "measured / predicted", true, []);
        foreach (var c in r.Checkpoints)
        {
            foreach (var id in ScoreIds)
            {
                var f = MeasuredRatio(c, id, false).Zip(PredictedRatio(c, id, false), (a, b) => a / b).Order().ToArray();
                set.Curves.Add(new Curve($"step {I(c.Point.Step)}, {Label(id)}", [.. Enumerable.Range(0, f.Length).Select(i => (double)i)], f));
            }
        }

        return set;
    }

    /// <summary>(MC variance − closed form)/s.e. of the MC variance.</summary>
    public static double VarianceZ(ParameterStatistics s, double closed)
    {
        ArgumentNullException.ThrowIfNull(s);
        return (s.Variance - closed) / s.VarianceStdError;
    }

    private static string[] Spread(double[] v)
    {
        var sorted = v.Order().ToArray();
        return [G(sorted[0]), G(Median(sorted)), G(sorted[^1])];
    }

    /// <summary>Min, 10 %, median, 90 % and max (the 10 % and 90 % points by linear interpolation between order statistics).</summary>
    private static string[] Quantiles(double[] v)
    {
        var sorted = v.Order().ToArray();
        return [G(sorted[0]), G(Quantile(sorted, 0.1)), G(Median(sorted)), G(Quantile(sorted, 0.9)), G(sorted[^1])];
    }

    private static double Quantile(double[] sorted, double p)
    {
        var pos = p * (sorted.Length - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + ((pos - lo) * (sorted[hi] - sorted[lo]));
    }

    private static double Median(double[] sorted) => sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]);

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string G(double v, string format = "G4") => double.IsNaN(v) ? "—" : v.ToString(format, CultureInfo.InvariantCulture);
}
