using McGrad.Autodiff;

namespace McGrad.Rl.Pipps;

/// <summary>
/// The inverse-variance weight of total propagation: k_LR = var_RP / (var_LR + var_RP), clipped to [0, 1], where each
/// variance is Σ_d Var_i(m_{i,d}), the per-element variance across particles i (axis 0) summed over every element d of
/// every message tensor.
/// </summary>
/// <remarks>
/// Mixing two unbiased estimates as k·LR + (1 − k)·RP minimises the variance of the mix at this k when the two are
/// uncorrelated (Parmas et al. 2018, "PIPPS", eq. 8). When both variances are 0 (every particle sends the same message)
/// the weight is ½, as proppo does; a NaN (∞/∞) is also mapped to ½.
/// </remarks>
public static class InverseVarianceWeighting
{
    /// <summary>Σ over the messages and their elements of the variance across particles (axis 0, divisor P).</summary>
    /// <param name="messages">Per-particle messages, each [P, …] with the same P.</param>
    /// <exception cref="ArgumentException">No messages, a message of rank 0, or two messages with different P.</exception>
    public static double SummedVariance(IReadOnlyList<Tensor> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            throw new ArgumentException("InverseVarianceWeighting.SummedVariance: needs at least one message tensor.", nameof(messages));
        }

        var total = 0.0;
        using (Autograd.NoGrad())
        {
            foreach (var m in messages)
            {
                if (m.Rank == 0 || m.Shape[0] != messages[0].Shape[0])
                {
                    throw new ArgumentException($"InverseVarianceWeighting.SummedVariance: messages must be [P, …] with one P; got {m.Shape} and {messages[0].Shape}.", nameof(messages));
                }

                total += m.Var(0, correction: 0).Sum().Item();
            }
        }

        return total;
    }

    /// <summary>k_LR = var_RP / (var_LR + var_RP) clipped to [0, 1]; ½ when both are 0 or the ratio is NaN.</summary>
    /// <param name="likelihoodRatioVariance">var_LR ≥ 0.</param>
    /// <param name="reparameterizationVariance">var_RP ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A variance is negative.</exception>
    public static double Weight(double likelihoodRatioVariance, double reparameterizationVariance)
    {
        if (likelihoodRatioVariance < 0 || reparameterizationVariance < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(likelihoodRatioVariance), $"InverseVarianceWeighting.Weight: variances must be ≥ 0; got var_LR = {likelihoodRatioVariance}, var_RP = {reparameterizationVariance}.");
        }

        var k = reparameterizationVariance / (likelihoodRatioVariance + reparameterizationVariance);
        return double.IsNaN(k) ? 0.5 : Math.Clamp(k, 0.0, 1.0);
    }

    /// <summary>k_LR for two sets of per-particle messages: <see cref="Weight(double, double)"/> of their <see cref="SummedVariance"/>s.</summary>
    public static double Weight(IReadOnlyList<Tensor> likelihoodRatio, IReadOnlyList<Tensor> reparameterization)
        => Weight(SummedVariance(likelihoodRatio), SummedVariance(reparameterization));
}
