using McGrad.Randomness;
using McGrad.Rl.Pipps;

namespace McGrad.Rl.Tests.Pipps;

/// <summary>
/// The curse of chaos on the noisy logistic map (r = 3.9), small: the RP gradient's variance explodes with the horizon
/// while LR's stays moderate, and TP stays within a factor 2 of the better one. A TP whose weight ignored the variances
/// (or that mixed the wrong way round) would follow RP at H = 30; fixed keys, so the outcome is deterministic.
/// </summary>
public class ChaosTests
{
    [Fact]
    public void On_the_logistic_map_RP_variance_explodes_and_TP_tracks_the_better_estimator()
    {
        var map = new NoisyLogisticMap(controls: 30);
        ChainGradientStatistics At(PropagationMode mode, int h) => ChainGradients.Measure(map, mode, 100, h, 10, new RngKey(21).FoldIn((uint)h));
        var rp5 = At(PropagationMode.Reparameterization, 5).Variance;
        var rp30 = At(PropagationMode.Reparameterization, 30).Variance;
        var lr30 = At(PropagationMode.LikelihoodRatio, 30).Variance;
        var tp5 = At(PropagationMode.Total, 5).Variance;
        var lr5 = At(PropagationMode.LikelihoodRatio, 5).Variance;
        var tp30 = At(PropagationMode.Total, 30).Variance;
        var report = $"var RP {rp5} → {rp30}, LR {lr5} → {lr30}, TP {tp5} → {tp30}";
        Assert.True(rp30 > 1e6 * rp5, report);
        Assert.True(lr30 < 1e-6 * rp30, report);
        Assert.True(tp5 < 2 * Math.Min(rp5, lr5), report);
        Assert.True(tp30 < 2 * Math.Min(rp30, lr30), report);
    }

    [Fact]
    public void Statistics_have_exact_values_on_hand_made_estimates()
    {
        var s = ChainGradientStatistics.Of([
            new ChainGradient([1.0, 0.0], 2.0, 0.5),
            new ChainGradient([0.0, 1.0], 4.0, 0.5),
            new ChainGradient([1.0, 1.0], 0.0, 0.2),
            new ChainGradient([2.0, 2.0], 2.0, 0.2),
        ]);
        // column means 1, 1; sample variances (divisor 3): 2/3 and 2/3; cosines: 0 and 1.
        Assert.Equal(4.0 / 3.0, s.Variance, 12);
        Assert.Equal(0.5, s.MeanCosine, 12);
        Assert.Equal(Math.Sqrt(2), s.MeanNorm, 12);
        Assert.Equal(2.0, s.Loss, 12);
        Assert.Equal(0.35, s.MeanWeight, 12);
        Assert.Throws<ArgumentException>(() => ChainGradientStatistics.Of([new ChainGradient([1.0], 0, 0)]));
    }
}
