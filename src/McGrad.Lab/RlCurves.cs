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
                var (m, se) = Stats.MeanAndStdError(values);
                steps.Add(g);
                means.Add(m);
                errors.Add(se);
            }
        }

        return new Curve(name, steps, means, errors);
    }

    /// <summary>
    /// Runs given as series of (x, y) points with ascending x (e.g. environment steps and the return of the policy
    /// there): on the grid x_k = maxX·k/points (k = 1 … points) each run's value is the y of its last point with x ≤ x_k;
    /// the curve is the mean and standard error over runs at each grid point where every run has a point.
    /// </summary>
    public static Curve MeanOverSeries(string name, IReadOnlyList<IReadOnlyList<(double X, double Y)>> runs, double maxX, int points = 50)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var steps = new List<double>();
        var means = new List<double>();
        var errors = new List<double>();
        for (var k = 1; k <= points; k++)
        {
            var g = maxX * k / points;
            var values = new List<double>();
            foreach (var series in runs)
            {
                var last = series.LastOrDefault(p => p.X <= g, (X: double.NaN, Y: double.NaN));
                if (!double.IsNaN(last.X))
                {
                    values.Add(last.Y);
                }
            }

            if (values.Count == runs.Count && values.Count > 0)
            {
                var (m, se) = Stats.MeanAndStdError(values);
                steps.Add(g);
                means.Add(m);
                errors.Add(se);
            }
        }

        return new Curve(name, steps, means, errors);
    }

    /// <summary>
    /// Runs given as per-index series (generation, epoch): at every <paramref name="stride"/>-th index that every run
    /// reached, the mean and standard error over the runs' finite values there (indices with none are left out);
    /// the x of index i is <paramref name="firstX"/> + i.
    /// </summary>
    public static Curve MeanByIndex(string name, IReadOnlyList<IReadOnlyList<double>> runs, int firstX = 0, int stride = 1)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        var count = runs.Min(r => r.Count);
        var steps = new List<double>();
        var means = new List<double>();
        var errors = new List<double>();
        for (var i = stride - 1; i < count; i += stride)
        {
            var values = runs.Select(r => r[i]).Where(double.IsFinite).ToArray();
            if (values.Length == 0)
            {
                continue;
            }

            var (m, se) = Stats.MeanAndStdError(values);
            steps.Add(firstX + i);
            means.Add(m);
            errors.Add(se);
        }

        return new Curve(name, steps, means, errors);
    }
}
