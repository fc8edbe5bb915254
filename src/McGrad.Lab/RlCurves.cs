using McGrad.Rl.Training;

namespace McGrad.Lab;

/// <summary>Learning curves of RL runs on a common grid of environment steps.</summary>
public static class RlCurves
{
    /// <summary>
    /// The mean return of the last (up to) <paramref name="window"/> episodes finished by each grid step, per run; then
    /// the mean and standard error over runs at each grid point where every run has finished an episode.
    /// </summary>
    public static Curve MeanOverRuns(string name, IReadOnlyList<IReadOnlyList<EpisodeRecord>> runs, long totalSteps, int points = 50, int window = 100)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var grid = Enumerable.Range(1, points).Select(i => (double)(totalSteps * i / points)).ToList();
        var steps = new List<double>();
        var means = new List<double>();
        var errors = new List<double>();
        foreach (var g in grid)
        {
            var values = new List<double>();
            foreach (var episodes in runs)
            {
                var done = episodes.Where(e => e.Step <= g).ToList();
                if (done.Count > 0)
                {
                    values.Add(done.Skip(Math.Max(0, done.Count - window)).Average(e => e.Return));
                }
            }

            if (values.Count == runs.Count && values.Count > 0)
            {
                var m = values.Average();
                steps.Add(g);
                means.Add(m);
                errors.Add(values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - m) * (v - m)) / (values.Count - 1) / values.Count) : double.NaN);
            }
        }

        return new Curve(name, steps, means, errors);
    }
}
