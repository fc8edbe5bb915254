namespace McGrad.Lab;

/// <summary>Summary statistics the Lab's reports share.</summary>
public static class Stats
{
    /// <summary>The mean x̄ and its standard error √(Σ(x − x̄)²/(n − 1)/n) (NaN for fewer than two values).</summary>
    /// <exception cref="ArgumentException">No values.</exception>
    public static (double Mean, double StdError) MeanAndStdError(IReadOnlyCollection<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("Stats.MeanAndStdError: needs at least one value.", nameof(values));
        }

        var mean = values.Average();
        var n = values.Count;
        return (mean, n > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (n - 1) / n) : double.NaN);
    }
}
