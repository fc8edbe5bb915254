using McGrad.Estimators;
using McGrad.Estimators.MeasureValued;
using McGrad.Estimators.ScoreFunction;

namespace McGrad.Lab.Blr;

/// <summary>The estimators of the BLR workload, by id, all from the library.</summary>
public static class BlrEstimators
{
    /// <summary>sf, sf-ma (moving-average baseline), sf-delta (delta-method control variate), pathwise, mvd (coupled), mvd-uncoupled.</summary>
    public static IReadOnlyList<string> Ids { get; } = ["sf", "sf-ma", "sf-delta", "pathwise", "mvd", "mvd-uncoupled"];

    /// <summary>A label for tables and charts.</summary>
    public static string Label(string id) => id switch
    {
        "sf" => "score function",
        "sf-ma" => "SF + moving average",
        "sf-delta" => "SF + delta-method CV",
        "pathwise" => "pathwise",
        "mvd" => "MVD coupled",
        "mvd-uncoupled" => "MVD uncoupled",
        _ => id,
    };

    /// <summary>The estimator <paramref name="id"/> with K = config.Samples samples per estimate.</summary>
    /// <exception cref="ArgumentException">An unknown id.</exception>
    public static IGradientEstimator Create(string id, BlrConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return id switch
        {
            "sf" => new Reinforce(config.Samples),
            "sf-ma" => new Reinforce(config.Samples, Baselines.MovingAverage(config.MovingAverageDecay)),
            "sf-delta" => new DeltaMethodReinforce(config.Samples, config.CoefficientSamples),
            "pathwise" => new Pathwise(config.Samples),
            "mvd" => new MeasureValuedDerivative(config.Samples, coupled: true),
            "mvd-uncoupled" => new MeasureValuedDerivative(config.Samples, coupled: false),
            _ => throw new ArgumentException($"BlrEstimators: unknown estimator '{id}'; expected one of {string.Join(", ", Ids)}.", nameof(id)),
        };
    }
}
