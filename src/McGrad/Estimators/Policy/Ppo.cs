namespace McGrad.Estimators.Policy;

/// <summary>
/// Settings of the PPO loss. Every value is checked when it is set (an out-of-range value throws
/// <see cref="ArgumentOutOfRangeException"/> naming the setting).
/// </summary>
public sealed record PpoOptions
{
    private const string Type = nameof(PpoOptions);

    /// <summary>ε_low ∈ [0, 1]: the ratio is clipped below at 1 − ε_low. Default 0.2.</summary>
    public double ClipLow { get; init => field = PolicyChecks.ClipLow(value, Type, nameof(ClipLow)); } = 0.2;

    /// <summary>ε_high ≥ 0 (+∞: no upper clip): the ratio is clipped above at 1 + ε_high. Default 0.2.</summary>
    public double ClipHigh { get; init => field = PolicyChecks.ClipHigh(value, Type, nameof(ClipHigh)); } = 0.2;

    /// <summary>Dual-clip constant c &gt; 1 (Ye et al. 2020; 3 in their paper), or null (default) for none.</summary>
    public double? DualClip { get; init => field = PolicyChecks.DualClip(value, Type, nameof(DualClip)); }

    /// <summary>ε_v &gt; 0 for the clipped value loss, or null (default) for the plain ½(V − R)².</summary>
    public double? ValueClip
    {
        get;
        init => field = value is null ? null : PolicyChecks.Positive(value.Value, Type, nameof(ValueClip));
    }

    /// <summary>c_v ≥ 0, the weight of the value loss (used when values are given). Default 0.5.</summary>
    public double ValueCoefficient { get; init => field = PolicyChecks.NonNegative(value, Type, nameof(ValueCoefficient)); } = 0.5;

    /// <summary>c_e ≥ 0, the weight of the entropy bonus (used when entropies are given). Default 0.</summary>
    public double EntropyCoefficient { get; init => field = PolicyChecks.NonNegative(value, Type, nameof(EntropyCoefficient)); }
}

/// <summary>The PPO loss and its parts.</summary>
/// <param name="Loss">The scalar to minimise: PolicyLoss + c_v·ValueLoss − c_e·Entropy (recorded; call Backward on it).</param>
/// <param name="PolicyLoss">−mean(objective), the clipped surrogate's part (recorded).</param>
/// <param name="ValueLoss">The (clipped) value loss, or null when no values were given (recorded).</param>
/// <param name="Entropy">mean(entropy), or null when no entropies were given (recorded).</param>
/// <param name="Diagnostics">Approximate KL (k1, k3), clip fractions and mean ratio (no gradient).</param>
public sealed record PpoResult(Tensor Loss, Tensor PolicyLoss, Tensor? ValueLoss, Tensor? Entropy, PolicyDiagnostics Diagnostics);

/// <summary>
/// Proximal Policy Optimization loss (Schulman et al. 2017):
/// loss = −mean(min(r·A, clip(r, 1 − ε_low, 1 + ε_high)·A)) + c_v·L_V − c_e·mean(H), r = exp(log π_θ − log π_old).
/// </summary>
/// <remarks>
/// <para>PPO is importance-weighted REINFORCE: inside the clip range ∇θ(r·A) = A·r·∇θ log π_θ, the score-function
/// estimator for samples drawn from π_old. The clip removes the incentive to move r beyond the range (its gradient is
/// 0 there), which biases the estimate but bounds each update.</para>
/// <para>Inputs are per sample (any shape, one element per sampled action; for multi-dimensional actions pass the
/// summed log-probability). π_old's log-probabilities, the advantages, the returns and the old values are treated
/// as constants (detached). Gradients flow into <c>logProbs</c>, <c>values</c> and <c>entropy</c>, and from them
/// into whatever network produced them.</para>
/// <para>Value loss: L_V = ½·mean((V − R)²), or with <see cref="PpoOptions.ValueClip"/> ε_v,
/// L_V = ½·mean(max((V − R)², (V_old + clip(V − V_old, −ε_v, ε_v) − R)²)).</para>
/// <para>Returns and advantages usually come from <see cref="Gae"/>.</para>
/// </remarks>
public static class PpoLoss
{
    /// <summary>
    /// loss = −mean(L) + c_v·L_V − c_e·mean(H) with the per-sample clipped objective L of
    /// <see cref="ClippedSurrogate.Objective"/>; ∂loss/∂log π = −r·A/N inside the clip range, 0 where the clip is active.
    /// </summary>
    /// <param name="logProbs">log π_θ(a|s) per sample (recorded).</param>
    /// <param name="oldLogProbs">log π_old(a|s) from the rollout, same shape and dtype (detached).</param>
    /// <param name="advantages">Advantage estimates, same shape (detached).</param>
    /// <param name="options">Clip ranges and coefficients; defaults when null.</param>
    /// <param name="values">V_θ(s) per sample (recorded), or null for no value loss.</param>
    /// <param name="returns">Value targets R, same shape as values (detached); required with values.</param>
    /// <param name="oldValues">V_old(s) from the rollout, same shape as values (detached); required with a value clip.</param>
    /// <param name="entropy">Per-sample policy entropy H (recorded), same shape as logProbs, or null for no bonus.</param>
    /// <exception cref="ArgumentException">Shapes or dtypes differ, the batch is empty, or a required tensor is missing.</exception>
    public static PpoResult Compute(
        Tensor logProbs,
        Tensor oldLogProbs,
        Tensor advantages,
        PpoOptions? options = null,
        Tensor? values = null,
        Tensor? returns = null,
        Tensor? oldValues = null,
        Tensor? entropy = null)
    {
        const string op = "PpoLoss";
        options ??= new PpoOptions();
        PolicyChecks.RequireFloat(logProbs, op, nameof(logProbs));
        PolicyChecks.RequireLike(oldLogProbs, logProbs, op, nameof(oldLogProbs), nameof(logProbs));
        PolicyChecks.RequireLike(advantages, logProbs, op, nameof(advantages), nameof(logProbs));
        if (logProbs.Size == 0)
        {
            throw new ArgumentException($"{op}: logProbs has shape {logProbs.Shape} with no elements; the loss is a mean over samples and needs at least one.", nameof(logProbs));
        }

        if (entropy is not null)
        {
            PolicyChecks.RequireLike(entropy, logProbs, op, nameof(entropy), nameof(logProbs));
        }

        if (values is null && (returns is not null || oldValues is not null))
        {
            throw new ArgumentException($"{op}: {(returns is not null ? nameof(returns) : nameof(oldValues))} was given without values; pass values to get a value loss.", nameof(values));
        }

        if (values is not null)
        {
            ValidateValues(op, logProbs.DType, values, returns, oldValues, options.ValueClip);
        }

        var logRatio = logProbs - oldLogProbs.Detach();
        var ratio = logRatio.Exp();
        var adv = advantages.Detach();
        var objective = ClippedSurrogate.ObjectiveCore(ratio, adv, options.ClipLow, options.ClipHigh, options.DualClip);
        var policyLoss = -objective.Mean();
        var loss = policyLoss;

        Tensor? valueLoss = null;
        if (values is not null)
        {
            valueLoss = ValueLossCore(values, returns!.Detach(), oldValues?.Detach(), options.ValueClip);
            loss = loss + (valueLoss * options.ValueCoefficient);
        }

        Tensor? meanEntropy = null;
        if (entropy is not null)
        {
            meanEntropy = entropy.Mean();
            loss = loss - (meanEntropy * options.EntropyCoefficient);
        }

        var diagnostics = ClippedSurrogate.DiagnoseCore(logRatio.ToDoubleArray(), adv.ToDoubleArray(), 1, null, options.ClipLow, options.ClipHigh, options.DualClip);
        return new PpoResult(loss, policyLoss, valueLoss, meanEntropy, diagnostics);
    }

    /// <summary>
    /// The value loss alone: ½·mean((V − R)²), or with a clip ε_v,
    /// ½·mean(max((V − R)², (V_old + clip(V − V_old, −ε_v, ε_v) − R)²)); ∂/∂V = (V − R)/N where the unclipped term is
    /// the larger, (V_clipped − R)/N where the clipped one is and |V − V_old| &lt; ε_v, 0 where it is clipped.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes or dtypes differ, values is empty, oldValues is missing with a clip, or valueClip ≤ 0.</exception>
    public static Tensor ValueLoss(Tensor values, Tensor returns, Tensor? oldValues = null, double? valueClip = null)
    {
        const string op = "PpoLoss.ValueLoss";
        PolicyChecks.RequireFloat(values, op, nameof(values));
        if (valueClip is double c)
        {
            PolicyChecks.Positive(c, op, nameof(valueClip));
        }

        ValidateValues(op, values.DType, values, returns, oldValues, valueClip);
        return ValueLossCore(values, returns.Detach(), oldValues?.Detach(), valueClip);
    }

    private static void ValidateValues(string op, DType dtype, Tensor values, Tensor? returns, Tensor? oldValues, double? valueClip)
    {
        PolicyChecks.RequireDType(values, dtype, op, nameof(values), "logProbs");
        if (values.Size == 0)
        {
            throw new ArgumentException($"{op}: values has shape {values.Shape} with no elements; the value loss is a mean and needs at least one.", nameof(values));
        }

        if (returns is null)
        {
            throw new ArgumentException($"{op}: values were given without returns; the value loss needs targets R of shape {values.Shape}.", nameof(returns));
        }

        PolicyChecks.RequireLike(returns, values, op, nameof(returns), nameof(values));
        if (valueClip is not null && oldValues is null)
        {
            throw new ArgumentException($"{op}: the value clip ε_v = {PolicyChecks.Format(valueClip.Value)} needs oldValues (V_old of shape {values.Shape}); pass them or set ValueClip = null.", nameof(oldValues));
        }

        if (oldValues is not null)
        {
            if (valueClip is null)
            {
                throw new ArgumentException($"{op}: oldValues were given but no value clip is set; set ValueClip (ε_v) or leave oldValues null.", nameof(oldValues));
            }

            PolicyChecks.RequireLike(oldValues, values, op, nameof(oldValues), nameof(values));
        }
    }

    private static Tensor ValueLossCore(Tensor values, Tensor returns, Tensor? oldValues, double? valueClip)
    {
        var unclipped = (values - returns).Square();
        if (valueClip is not double eps)
        {
            return unclipped.Mean() * 0.5;
        }

        var clippedValues = oldValues! + (values - oldValues!).Clamp(-eps, eps);
        var clipped = (clippedValues - returns).Square();
        return Tensor.Maximum(unclipped, clipped).Mean() * 0.5;
    }
}
