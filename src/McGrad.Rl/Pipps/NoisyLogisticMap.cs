using McGrad.Randomness;

namespace McGrad.Rl.Pipps;

/// <summary>
/// The noisy logistic map with additive controls θ_t: x'_{t+1} ~ N(r x_t (1 − x_t) + θ_t, σ²), reflected into [0, 1] as
/// x_{t+1} = 1 − |1 − |x'_{t+1}||, from x_0 = <see cref="Start"/>; the cost is Σ_{t=1}^{H} x_t. The parameter is the
/// control sequence θ ∈ ℝ^{<see cref="Controls"/>} (initially 0; a rollout of H steps uses θ_0 … θ_{H−1}), so
/// ∂/∂θ_t of the expected cost is the sensitivity of every later state to step t.
/// </summary>
/// <remarks>
/// At r = 3.9 the map is chaotic (Lyapunov exponent about 0.5 per step), so the pathwise derivative ∂x_H/∂x_0 — and
/// with it the variance of the RP gradient — grows about exponentially in H, while the LR gradient only sees the bounded
/// costs. The reflection keeps the state in [0, 1] and is continuous (so RP stays unbiased); the plain map would leave
/// [0, 1] after a noise kick and diverge.
/// </remarks>
public sealed class NoisyLogisticMap : IChainProblem
{
    private readonly Tensor _theta;

    /// <summary>The map x ↦ r x (1 − x) + θ with noise σ.</summary>
    /// <param name="r">The growth rate (3.9: chaotic).</param>
    /// <param name="noiseStd">σ &gt; 0.</param>
    /// <param name="start">x_0 in [0, 1].</param>
    /// <param name="controls">The length of θ, the longest horizon a rollout may have (≥ 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">σ ≤ 0, x_0 outside [0, 1] or controls &lt; 1.</exception>
    public NoisyLogisticMap(double r = 3.9, double noiseStd = 0.01, double start = 0.4, int controls = 100)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(controls, 1);
        if (!(noiseStd > 0) || !double.IsFinite(noiseStd))
        {
            throw new ArgumentOutOfRangeException(nameof(noiseStd), $"NoisyLogisticMap: noiseStd must be a finite number > 0; got {noiseStd}.");
        }

        if (!(start >= 0 && start <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"NoisyLogisticMap: start must be in [0, 1]; got {start}.");
        }

        R = r;
        NoiseStd = noiseStd;
        Start = start;
        _theta = Tensor.Zeros([controls], DType.Float64).RequireGrad();
    }

    /// <summary>The length of θ.</summary>
    public int Controls => _theta.Size;

    /// <summary>r.</summary>
    public double R { get; }

    /// <summary>σ.</summary>
    public double NoiseStd { get; }

    /// <summary>x_0.</summary>
    public double Start { get; }

    /// <inheritdoc/>
    public string Name => $"noisy logistic map (r = {R}, σ = {NoiseStd})";

    /// <inheritdoc/>
    public IReadOnlyList<Tensor> Parameters => [_theta];

    /// <inheritdoc/>
    public Tensor Rollout(StochasticChain chain, int horizon, RngKey key)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(horizon, Controls);
        var p = chain.Particles;
        var x = Tensor.Full([p, 1], Start, DType.Float64);
        var std = Tensor.Full([p, 1], NoiseStd, DType.Float64);
        for (var t = 0; t < horizon; t++)
        {
            var mean = (x * (1.0 - x) * R) + _theta.Narrow(0, t, 1);
            var raw = chain.Sample(mean, std, key.FoldIn((uint)t));
            x = 1.0 - (1.0 - raw.Abs()).Abs();
            chain.AddCost(x.Reshape(p));
        }

        return chain.Loss();
    }
}
