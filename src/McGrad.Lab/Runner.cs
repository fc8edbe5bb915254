using McGrad.Estimators;
using McGrad.Randomness;

namespace McGrad.Lab;

/// <summary>Runs estimators on problems with EstimatorCheck, one key per problem shared by every estimator (common random numbers).</summary>
public static class Runner
{
    /// <summary>Estimates used to warm up the JIT before timing (at most the run's own count).</summary>
    public const int ProbeEstimates = 1000;

    /// <summary>The key of a problem: the root key folded with the problem's catalog index, so a problem gets the same key in every command.</summary>
    public static RngKey ProblemKey(ulong seed, ProblemEntry problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var index = Catalog.Problems.ToList().IndexOf(problem);
        return new RngKey(seed).FoldIn((uint)index);
    }

    /// <summary>
    /// Fills <paramref name="run"/> with one <see cref="ProblemResult"/> per problem, stopping between cells when
    /// <paramref name="cancel"/> fires (the finished cells stay). <paramref name="onCell"/> is called after each cell.
    /// </summary>
    public static void Run(LabRun run, IReadOnlyList<ProblemEntry> problems, IReadOnlyList<EstimatorEntry> estimators, int samples, Action<string>? onCell, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentNullException.ThrowIfNull(estimators);
        foreach (var entry in problems)
        {
            if (cancel.IsCancellationRequested)
            {
                return;
            }

            var problem = entry.Create();
            var key = ProblemKey(run.Seed, entry);
            var names = new List<string>();
            var exact = new List<double>();
            for (var p = 0; p < problem.Parameters.Count; p++)
            {
                var size = problem.Parameters[p].Size;
                var values = problem.ExactGradient?[p].ToDoubleArray();
                for (var e = 0; e < size; e++)
                {
                    names.Add(size == 1 ? problem.ParameterNames[p] : $"{problem.ParameterNames[p]}[{e}]");
                    exact.Add(values?[e] ?? double.NaN);
                }
            }

            var result = new ProblemResult(entry.Id, entry.Group, problem.Name, entry.Description, names, exact, [], []);
            run.Problems.Add(result);
            foreach (var est in estimators)
            {
                if (cancel.IsCancellationRequested)
                {
                    return;
                }

                onCell?.Invoke($"{entry.Id} · {est.Id}");
                var estimator = est.Create(problem);
                // As EstimatorCheck builds it: every problem parameter is a leaf that requires gradients.
                var distribution = problem.CreateDistribution([.. problem.Parameters.Select(t => t.Detach().RequireGrad())]);
                if (estimator.Traits.Target == EstimateTarget.GradientOfLogMeanExp)
                {
                    result.Skipped.Add(new SkippedEstimator(est.Id, "estimates the gradient of a different objective (∇E[log mean exp f]); not comparable with the exact ∇E[f]"));
                    continue;
                }

                var support = estimator.Supports(distribution);
                if (!support.IsSupported)
                {
                    result.Skipped.Add(new SkippedEstimator(est.Id, FirstLine(support.Reason ?? "not supported")));
                    continue;
                }

                // Warm-up (JIT) on the run's own key; a stateful estimator is measured at its initial state, so the warm-up changes nothing.
                EstimatorCheck.Run(estimator, problem, key, Math.Min(ProbeEstimates, samples));
                var check = EstimatorCheck.Run(estimator, problem, key, samples);
                var cost = check.Cost.Total;
                var stats = check.Parameters.Select(s => new ParameterResult(s.Parameter, s.Exact, s.Mean, s.StdError, s.Z, s.Variance, s.VarianceStdError, s.Variance * cost)).ToList();
                result.Estimators.Add(new EstimatorResult(est.Id, estimator.Name, estimator.Traits.Unbiased, check.Cost.Evaluations, check.Cost.BackwardPasses, samples, stats, check.MicrosecondsPerEstimate));
            }
        }
    }

    private static string FirstLine(string message)
    {
        var i = message.IndexOf('\n', StringComparison.Ordinal);
        return (i < 0 ? message : message[..i]).Trim();
    }
}
