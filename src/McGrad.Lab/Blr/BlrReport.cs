using System.Globalization;

namespace McGrad.Lab.Blr;

/// <summary>An expected ordering of two estimators' summed variances at a checkpoint, and whether the measurement shows it.</summary>
/// <param name="Step">The checkpoint's step.</param>
/// <param name="Lower">The estimator expected to have the lower variance.</param>
/// <param name="Higher">The one expected to have the higher variance.</param>
/// <param name="Parameter">"μ" or "ρ".</param>
/// <param name="Ratio">tr Var(higher) / tr Var(lower).</param>
/// <param name="Z">(higher − lower)/√(se² + se²).</param>
public sealed record VarianceOrdering(int Step, string Lower, string Higher, string Parameter, double Ratio, double Z)
{
    /// <summary>The ordering is shown: z &gt; 4.</summary>
    public bool Holds => Z > 4;
}

/// <summary>Turns a <see cref="BlrResult"/> into the Lab report's tables and charts.</summary>
public static class BlrReport
{
    /// <summary>The relative ELBO gap the issue asks every run to end within: 0.5 %.</summary>
    public const double Tolerance = 0.005;

    /// <summary>The orderings examined: SF ≫ pathwise, SF + MA &lt; SF, delta CV &lt; SF + MA, MVD coupled &lt; uncoupled.</summary>
    public static IReadOnlyList<(string Lower, string Higher)> ExpectedOrderings { get; } =
        [("pathwise", "sf"), ("sf-ma", "sf"), ("sf-delta", "sf-ma"), ("mvd", "mvd-uncoupled")];

    /// <summary>(ELBO* − ELBO)/|ELBO*|.</summary>
    public static double RelativeGap(double elbo, double anchor) => (anchor - elbo) / Math.Abs(anchor);

    /// <summary>The expected orderings measurable in <paramref name="basket"/> (both estimators present), for μ and ρ.</summary>
    public static IReadOnlyList<VarianceOrdering> Orderings(IEnumerable<BasketCheckpoint> basket)
    {
        ArgumentNullException.ThrowIfNull(basket);
        var result = new List<VarianceOrdering>();
        foreach (var c in basket)
        {
            foreach (var (lower, higher) in ExpectedOrderings)
            {
                var lo = c.Entries.FirstOrDefault(e => e.Id == lower);
                var hi = c.Entries.FirstOrDefault(e => e.Id == higher);
                if (lo is null || hi is null)
                {
                    continue;
                }

                result.Add(Compare(c.Point.Step, lower, higher, "μ", lo.Mean, hi.Mean));
                result.Add(Compare(c.Point.Step, lower, higher, "ρ", lo.LogScale, hi.LogScale));
            }
        }

        return result;
    }

    /// <summary>Adds the tables and charts of <paramref name="result"/> to <paramref name="run"/>.</summary>
    public static void AddTo(LabRun run, BlrResult result)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(result);
        var a = result.Anchor;
        var t = result.Config.Training;
        run.Tables.Add(new SummaryTable(
            "Deterministic anchor: the optimal mean-field ELBO (full data, Gauss–Hermite with 64 nodes for E_q[log σ(sᵢxᵢᵀw)], analytic KL, MathNet L-BFGS from q = N(0, I))",
            ["ELBO*", "‖∇ELBO‖ at the optimum", "L-BFGS iterations", "exit", "median σ*", "min σ*", "max σ*"],
            [[G(a.Elbo, "G8"), G(a.GradientNorm, "G2"), I(a.Iterations), a.Status, .. Spread(a.LogScale.Select(Math.Exp))]]));
        run.Tables.Add(RunsTable(result));
        run.Tables.Add(SummaryByEstimator(result));
        if (result.Basket.Count > 0)
        {
            run.Tables.Add(BasketTable(result));
            run.Tables.Add(OrderingTable(Orderings(result.Basket)));
            run.Curves.Add(BasketChart(result, false));
            run.Curves.Add(BasketChart(result, true));
        }

        var curves = new CurveSet($"ELBO gap to the anchor, ELBO* − ELBO (full data, deterministic), SGD lr {G(t.LearningRate)}·cos(π/2·t/T), T = {I(t.Steps)}, batch {I(t.BatchSize)}, K = {I(t.Samples)}; gaps ≤ 10⁻⁶ drawn at 10⁻⁶", "step", "ELBO* − ELBO (nats)", true, []);
        foreach (var r in result.Runs)
        {
            curves.Curves.Add(new Curve($"{BlrEstimators.Label(r.Id)}, seed {r.Seed}", r.Steps, [.. r.Elbo.Select(e => Math.Max(a.Elbo - e, 1e-6))]));
        }

        run.Curves.Add(curves);
    }

    private static VarianceOrdering Compare(int step, string lower, string higher, string parameter, TotalVariance lo, TotalVariance hi)
        => new(step, lower, higher, parameter, hi.Value / lo.Value, (hi.Value - lo.Value) / Math.Sqrt((hi.StdError * hi.StdError) + (lo.StdError * lo.StdError)));

    private static SummaryTable RunsTable(BlrResult result)
    {
        var table = new SummaryTable(
            $"Training runs: final full-data ELBO against the anchor (target: within {G(Tolerance * 100)} %)",
            ["estimator", "seed", "steps", "final ELBO", "ELBO* − ELBO", "relative gap %", $"within {G(Tolerance * 100)} %", "seconds"],
            []);
        foreach (var r in result.Runs)
        {
            var gap = RelativeGap(r.Final, result.Anchor.Elbo);
            table.Rows.Add([BlrEstimators.Label(r.Id), I(r.Seed), I(r.StepsDone), r.Diverged ? "diverged" : G(r.Final, "G7"), G(result.Anchor.Elbo - r.Final), G(gap * 100, "G3"), gap <= Tolerance ? "yes" : "no", G(r.Seconds, "G3")]);
        }

        return table;
    }

    private static SummaryTable SummaryByEstimator(BlrResult result)
    {
        var table = new SummaryTable("Per estimator: final ELBO over the seeds", ["estimator", "runs", "mean final ELBO", "worst relative gap %", $"runs within {G(Tolerance * 100)} %", "mean seconds per run"], []);
        foreach (var g in result.Runs.GroupBy(r => r.Id))
        {
            var gaps = g.Select(r => RelativeGap(r.Final, result.Anchor.Elbo)).ToArray();
            table.Rows.Add([BlrEstimators.Label(g.Key), I(g.Count()), G(g.Average(r => r.Final), "G7"), G(gaps.Max() * 100, "G3"), $"{gaps.Count(x => x <= Tolerance)}/{gaps.Length}", G(g.Average(r => r.Seconds), "G3")]);
        }

        return table;
    }

    private static SummaryTable BasketTable(BlrResult result)
    {
        var table = new SummaryTable(
            $"Variance basket: tr Cov of the K = {I(result.Config.Training.Samples)}-sample gradient of E_q[Σᵢ log σ(sᵢxᵢᵀw)] (full data) at q of the reference run (pathwise, seed 0), ± s.e., {I(result.Config.Estimates)} estimates each; the moving-average baseline held at that run's moving average b",
            ["step", "ELBO at q", "median σ", "b (moving average)", "estimator", "Σⱼ Var ∂μⱼ", "± s.e.", "max Var ∂μⱼ", "Σⱼ Var ∂ρⱼ", "± s.e.", "max Var ∂ρⱼ", "f evaluations per estimate", "seconds"],
            []);
        foreach (var c in result.Basket)
        {
            var sigma = c.Point.LogScale.Select(Math.Exp).Order().ToArray();
            foreach (var e in c.Entries)
            {
                table.Rows.Add([I(c.Point.Step), G(c.Elbo, "G6"), G(sigma[sigma.Length / 2]), G(c.Point.MovingAverage, "G6"), BlrEstimators.Label(e.Id), G(e.Mean.Value), G(e.Mean.StdError, "G2"), G(e.MeanVariances.Max()), G(e.LogScale.Value), G(e.LogScale.StdError, "G2"), G(e.LogScaleVariances.Max()), I(e.Evaluations), G(e.Seconds, "G3")]);
            }
        }

        return table;
    }

    private static SummaryTable OrderingTable(IEnumerable<VarianceOrdering> orderings)
    {
        var table = new SummaryTable("Expected orderings of the summed variances (shown where z = (higher − lower)/s.e. > 4)", ["step", "expected", "parameter", "ratio higher/lower", "z", "shown"], []);
        foreach (var o in orderings)
        {
            table.Rows.Add([I(o.Step), $"{BlrEstimators.Label(o.Lower)} < {BlrEstimators.Label(o.Higher)}", o.Parameter, G(o.Ratio, "G3"), G(o.Z, "G3"), o.Holds ? "yes" : "no"]);
        }

        return table;
    }

    private static CurveSet BasketChart(BlrResult result, bool logScale)
    {
        var set = new CurveSet($"Σⱼ Var ∂{(logScale ? "ρ" : "μ")}ⱼ of the K = {I(result.Config.Training.Samples)}-sample estimate at the reference run's checkpoints (log scale, ± s.e.)", "step of the reference run", "summed variance", true, []);
        foreach (var id in result.Basket[0].Entries.Select(e => e.Id))
        {
            var entries = result.Basket.Select(c => (c.Point.Step, Entry: c.Entries.FirstOrDefault(e => e.Id == id))).Where(x => x.Entry is not null).ToArray();
            set.Curves.Add(new Curve(BlrEstimators.Label(id), [.. entries.Select(x => (double)x.Step)], [.. entries.Select(x => logScale ? x.Entry!.LogScale.Value : x.Entry!.Mean.Value)], [.. entries.Select(x => logScale ? x.Entry!.LogScale.StdError : x.Entry!.Mean.StdError)]));
        }

        return set;
    }

    private static string[] Spread(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return [G(sorted[sorted.Length / 2]), G(sorted[0]), G(sorted[^1])];
    }

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string G(double v, string format = "G4") => double.IsNaN(v) ? "—" : v.ToString(format, CultureInfo.InvariantCulture);
}
