namespace McGrad.Estimators.Policy;

/// <summary>
/// Diagnostics of an importance-weighted, clipped policy update, each an average over the valid samples (or tokens).
/// Computed without gradient from the same ratios the loss uses.
/// </summary>
/// <param name="ApproxKlK1">k1 = mean(log π_old − log π), an unbiased estimate of KL(π_old ‖ π) under samples from π_old (can be negative).</param>
/// <param name="ApproxKlK3">k3 = mean((r − 1) − log r), r = π/π_old: a non-negative, lower-variance estimate of the same KL (Schulman 2020).</param>
/// <param name="ClipFraction">mean(1[r &lt; 1 − ε_low or r &gt; 1 + ε_high]): how often the ratio lies outside the clip range (with ε_low = ε_high = ε, mean(1[|r − 1| &gt; ε])).</param>
/// <param name="ClipFractionLow">mean(1[r &lt; 1 − ε_low]).</param>
/// <param name="ClipFractionHigh">mean(1[r &gt; 1 + ε_high]).</param>
/// <param name="ClippedGradientFraction">How often clipping actually zeroes the gradient: A &gt; 0 with r &gt; 1 + ε_high, A &lt; 0 with r &lt; 1 − ε_low, or (dual clip) A &lt; 0 with r &gt; c.</param>
/// <param name="DualClipFraction">mean(1[A &lt; 0 and r &gt; c]); 0 without a dual clip.</param>
/// <param name="MeanRatio">mean(r).</param>
/// <param name="Count">The number of samples (or valid tokens) averaged over.</param>
public sealed record PolicyDiagnostics(
    double ApproxKlK1,
    double ApproxKlK3,
    double ClipFraction,
    double ClipFractionLow,
    double ClipFractionHigh,
    double ClippedGradientFraction,
    double DualClipFraction,
    double MeanRatio,
    int Count);

/// <summary>
/// The PPO clipped surrogate as building blocks: the ratio r = exp(log π_θ − stopgrad(log π_old)) and the per-sample
/// objective min(r·A, clip(r, 1 − ε_low, 1 + ε_high)·A), optionally dual-clipped. Used by <see cref="PpoLoss"/> and
/// <see cref="GrpoLoss"/>; exposed for custom losses.
/// </summary>
public static class ClippedSurrogate
{
    /// <summary>
    /// r = exp(log π_θ − stopgrad(log π_old)) elementwise; ∂r/∂log π_θ = r and no gradient to <paramref name="oldLogProbs"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The tensors are not float, differ in dtype, or differ in shape.</exception>
    public static Tensor Ratio(Tensor logProbs, Tensor oldLogProbs)
    {
        const string op = "ClippedSurrogate.Ratio";
        PolicyChecks.RequireFloat(logProbs, op, nameof(logProbs));
        PolicyChecks.RequireLike(oldLogProbs, logProbs, op, nameof(oldLogProbs), nameof(logProbs));
        return (logProbs - oldLogProbs.Detach()).Exp();
    }

    /// <summary>
    /// The per-sample clipped objective (to be maximised):
    /// L = min(r·A, clip(r, 1 − ε_low, 1 + ε_high)·A), and with a dual clip c &gt; 1, L = max(L, c·A) where A &lt; 0.
    /// Gradient w.r.t. r: A where the unclipped term is selected, 0 where the clip (or the dual clip) is active.
    /// </summary>
    /// <remarks>
    /// <para>The advantages are treated as constants (detached). With r = exp(log π − log π_old), the gradient w.r.t.
    /// log π is r·A inside the clip range, and 0 once the ratio has moved beyond 1 + ε_high with A &gt; 0 or below
    /// 1 − ε_low with A &lt; 0 (the side where clipping removes the incentive to move further). On the other side the
    /// unclipped term is kept (the minimum makes the objective a pessimistic bound).</para>
    /// <para>Dual clip (Ye et al. 2020): for A &lt; 0 and a very large ratio, r·A is unbounded below; max(·, c·A)
    /// bounds it, with zero gradient once r &gt; c.</para>
    /// <para>References: Schulman et al. 2017 (PPO); Yu et al. 2025 (DAPO, separate ε_low/ε_high, "clip-higher");
    /// Ye et al. 2020 (dual clip).</para>
    /// </remarks>
    /// <exception cref="ArgumentException">Dtypes or shapes differ (no broadcasting), or a clip value is invalid.</exception>
    public static Tensor Objective(Tensor ratio, Tensor advantages, double clipLow = 0.2, double clipHigh = 0.2, double? dualClip = null)
    {
        const string op = "ClippedSurrogate.Objective";
        PolicyChecks.RequireFloat(ratio, op, nameof(ratio));
        PolicyChecks.RequireLike(advantages, ratio, op, nameof(advantages), nameof(ratio));
        PolicyChecks.ClipLow(clipLow, op, nameof(clipLow));
        PolicyChecks.ClipHigh(clipHigh, op, nameof(clipHigh));
        PolicyChecks.DualClip(dualClip, op, nameof(dualClip));
        return ObjectiveCore(ratio, advantages.Detach(), clipLow, clipHigh, dualClip);
    }

    /// <summary>
    /// Diagnostics (<see cref="PolicyDiagnostics"/>) from log-ratios log r = log π − log π_old and advantages, over the
    /// elements where <paramref name="mask"/> is 1 (all when null). Computed without gradient.
    /// </summary>
    /// <exception cref="ArgumentException">Dtypes or shapes differ, the mask holds values other than 0/1, or a clip value is invalid.</exception>
    public static PolicyDiagnostics Diagnose(Tensor logRatio, Tensor advantages, double clipLow = 0.2, double clipHigh = 0.2, double? dualClip = null, Tensor? mask = null)
    {
        const string op = "ClippedSurrogate.Diagnose";
        PolicyChecks.RequireFloat(logRatio, op, nameof(logRatio));
        PolicyChecks.RequireLike(advantages, logRatio, op, nameof(advantages), nameof(logRatio));
        PolicyChecks.ClipLow(clipLow, op, nameof(clipLow));
        PolicyChecks.ClipHigh(clipHigh, op, nameof(clipHigh));
        PolicyChecks.DualClip(dualClip, op, nameof(dualClip));
        double[]? m = null;
        if (mask is not null)
        {
            PolicyChecks.RequireShape(mask, logRatio.Shape, op, nameof(mask), "the shape of logRatio");
            m = PolicyChecks.MaskValues(mask, op);
        }

        return DiagnoseCore(logRatio.ToDoubleArray(), advantages.ToDoubleArray(), 1, m, clipLow, clipHigh, dualClip);
    }

    /// <summary>The objective without validation; <paramref name="advantages"/> is constant and may broadcast against the ratio.</summary>
    internal static Tensor ObjectiveCore(Tensor ratio, Tensor advantages, double clipLow, double clipHigh, double? dualClip)
    {
        var unclipped = ratio * advantages;
        var clipped = ratio.Clamp(1 - clipLow, double.IsPositiveInfinity(clipHigh) ? null : 1 + clipHigh) * advantages;
        var objective = Tensor.Minimum(unclipped, clipped);
        if (dualClip is double c)
        {
            objective = Tensor.Where(advantages.Lt(0.0), Tensor.Maximum(objective, advantages * c), objective);
        }

        return objective;
    }

    /// <summary>
    /// Diagnostics over flat arrays: <paramref name="logRatio"/> has one entry per element, <paramref name="advantages"/>
    /// one per run of <paramref name="advantageRepeat"/> consecutive elements (per-sequence advantages over tokens).
    /// </summary>
    internal static PolicyDiagnostics DiagnoseCore(double[] logRatio, double[] advantages, int advantageRepeat, double[]? mask, double clipLow, double clipHigh, double? dualClip)
    {
        double k1 = 0, k3 = 0, ratioSum = 0;
        int count = 0, low = 0, high = 0, zeroed = 0, dual = 0;
        var lo = 1 - clipLow;
        var hi = 1 + clipHigh;
        for (var i = 0; i < logRatio.Length; i++)
        {
            if (mask is not null && mask[i] == 0)
            {
                continue;
            }

            var lr = logRatio[i];
            var r = Math.Exp(lr);
            var a = advantages[i / advantageRepeat];
            count++;
            ratioSum += r;
            k1 -= lr;
            k3 += r - 1 - lr;
            var isLow = r < lo;
            var isHigh = r > hi;
            low += isLow ? 1 : 0;
            high += isHigh ? 1 : 0;
            var isDual = dualClip is double c && a < 0 && r > c;
            dual += isDual ? 1 : 0;
            zeroed += (a > 0 && isHigh) || (a < 0 && isLow) || isDual ? 1 : 0;
        }

        if (count == 0)
        {
            return new PolicyDiagnostics(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0);
        }

        double n = count;
        return new PolicyDiagnostics(k1 / n, k3 / n, (low + high) / n, low / n, high / n, zeroed / n, dual / n, ratioSum / n, count);
    }
}
