using McGrad.Rl.Training.Analytic;

namespace McGrad.Lab.Commands;

/// <summary>
/// The GI-PPO paper's claims on function optimisation (Son et al. 2023), checked against measured runs: on De Jong, RP
/// and GI-PPO approach 0 and are at least as good as LR and PPO; on Ackley-64D, GI-PPO is at least as good as PPO and
/// better than RP; α grows on De Jong and falls on Ackley.
/// </summary>
/// <remarks>
/// Thresholds (ours, stated in the table): "approaches 0" = mean final return ≥ −0.1; "at least as good as" = mean
/// difference ≥ −2 combined standard errors; "better than" = mean difference &gt; 2 combined standard errors; "α grows" =
/// final α above the initial α; "α falls" = final α at most half its peak. A claim whose runs are missing is not listed.
/// </remarks>
internal static class GiPpoClaims
{
    public static SummaryTable Check(IReadOnlyList<(string Task, AnalyticMethod Method, List<AnalyticRun> Runs)> results)
    {
        var table = new SummaryTable("The paper's claims beside our measurements (thresholds: see docs/gippo.md)", ["claim", "measured", "holds"], []);
        (double Mean, double Se)? Final(string task, AnalyticMethod method)
        {
            var runs = results.FirstOrDefault(r => r.Task == task && r.Method == method).Runs;
            return runs is { Count: > 0 } ? Stats.MeanAndStdError([.. runs.Select(r => r.FinalReturn)]) : null;
        }

        void Compare(string task, AnalyticMethod a, AnalyticMethod b, bool strictly)
        {
            if (Final(task, a) is not { } x || Final(task, b) is not { } y)
            {
                return;
            }

            var se = Math.Sqrt((Sq(x.Se) + Sq(y.Se)) is var v && double.IsFinite(v) ? v : 0);
            var diff = x.Mean - y.Mean;
            var holds = strictly ? diff > 2 * se : diff >= -2 * se;
            table.Rows.Add([$"{task}: {GiPpoCommand.Label(a)} {(strictly ? "better than" : "at least as good as")} {GiPpoCommand.Label(b)}", $"{GiPpoCommand.F(x.Mean)} ± {GiPpoCommand.F(x.Se)} vs {GiPpoCommand.F(y.Mean)} ± {GiPpoCommand.F(y.Se)}", holds ? "yes" : "no"]);
        }

        foreach (var task in new[] { "dejong-1", "dejong-64" })
        {
            foreach (var m in new[] { AnalyticMethod.Rp, AnalyticMethod.GiPpo })
            {
                if (Final(task, m) is { } f)
                {
                    table.Rows.Add([$"{task}: {GiPpoCommand.Label(m)} approaches 0 (≥ −0.1)", $"{GiPpoCommand.F(f.Mean)} ± {GiPpoCommand.F(f.Se)}", f.Mean >= -0.1 ? "yes" : "no"]);
                }

                Compare(task, m, AnalyticMethod.Lr, strictly: false);
                Compare(task, m, AnalyticMethod.Ppo, strictly: false);
            }
        }

        Compare("ackley-64", AnalyticMethod.GiPpo, AnalyticMethod.Ppo, strictly: false);
        Compare("ackley-64", AnalyticMethod.GiPpo, AnalyticMethod.Rp, strictly: true);
        foreach (var (task, method, runs) in results)
        {
            if (method != AnalyticMethod.GiPpo || runs.Count == 0 || !(task.StartsWith("dejong", StringComparison.Ordinal) || task.StartsWith("ackley", StringComparison.Ordinal)))
            {
                continue;
            }

            var initial = runs[0].Config.InitialAlpha;
            var final = runs.Average(r => r.Epochs[^1].Alpha);
            var peak = runs.Average(r => r.Epochs.Max(e => e.Alpha));
            var grows = task.StartsWith("dejong", StringComparison.Ordinal);
            var holds = grows ? final > initial : final <= peak / 2;
            table.Rows.Add([$"{task}: α {(grows ? "grows" : "falls")}", $"initial {GiPpoCommand.F(initial, "G3")}, peak {GiPpoCommand.F(peak, "G3")}, final {GiPpoCommand.F(final, "G3")} (mean over seeds)", holds ? "yes" : "no"]);
        }

        return table;
    }

    private static double Sq(double x) => x * x;
}
