namespace McGrad.Estimators.Policy;

/// <summary>Settings of the sequence-level RLOO loss (checked when set).</summary>
public sealed record RlooOptions
{
    private const string Type = nameof(RlooOptions);

    /// <summary>β ≥ 0: the KL to the reference is subtracted from each sequence's reward, R'_i = R_i − β·KL_i. Default 0.</summary>
    public double KlCoefficient { get; init => field = PolicyChecks.NonNegative(value, Type, nameof(KlCoefficient)); }

    /// <summary>The per-token KL estimator summed into KL_i. Default <see cref="KlEstimator.K1"/> (Σ_t log π − log π_ref).</summary>
    public KlEstimator KlEstimator { get; init => field = PolicyChecks.Defined(value, Type, nameof(KlEstimator)); } = KlEstimator.K1;
}

/// <summary>The RLOO loss and the quantities it was built from.</summary>
/// <param name="Loss">−(1/B)·Σ_i A_i·Σ_t log π_θ(o_{i,t}) (recorded; minimise it).</param>
/// <param name="Advantages">A_i = R'_i − mean_{j≠i} R'_j, shape [groups, K] (constant).</param>
/// <param name="ShapedRewards">R'_i = R_i − β·KL_i, shape [groups, K] (constant).</param>
/// <param name="SequenceKl">KL_i = Σ_t k(log π − log π_ref) over valid tokens, shape [groups, K] (constant), or null without a reference.</param>
public sealed record RlooResult(Tensor Loss, Tensor Advantages, Tensor ShapedRewards, Tensor? SequenceKl);

/// <summary>
/// REINFORCE Leave-One-Out for sequences (Kool et al. 2019; Ahmadian et al. 2024): K samples per prompt, each sequence
/// is one action, its advantage is its KL-shaped reward minus the mean of the other K − 1 samples' rewards, and
/// loss = −(1/B)·Σ_i A_i·Σ_t log π_θ(o_{i,t}).
/// </summary>
/// <remarks>
/// <para>Unbiased (for the KL-shaped reward): the baseline of sample i does not depend on sample i. The advantages of
/// a group sum to zero. The KL is part of the reward (a constant computed from the detached log-probabilities of the
/// sampled tokens), not a separate loss term; its gradient enters through the score function like the reward's.
/// On-policy: the sequences must have been sampled from the current π_θ (no importance ratio).</para>
/// <para>Compared with GRPO's group mean (which includes the sample itself) the leave-one-out mean gives an
/// unbiased estimate; A_i^{RLOO} = K/(K − 1)·(R'_i − mean_group R').</para>
/// </remarks>
public static class RlooLoss
{
    private const string Op = "RlooLoss";

    /// <summary>
    /// loss = −(1/B)·Σ_i A_i·Σ_t m_{i,t}·log π_θ(o_{i,t}), A_i = R'_i − (1/(K − 1))·Σ_{j≠i, same prompt} R'_j,
    /// R'_i = R_i − β·Σ_t m_{i,t}·k(log π_θ − log π_ref). ∂loss/∂log π_θ(o_{i,t}) = −A_i·m_{i,t}/B.
    /// </summary>
    /// <param name="logProbs">log π_θ per token, float [B, T] with B = groups·K in prompt-major order (recorded).</param>
    /// <param name="mask">1 for valid tokens, 0 for padding, [B, T] (any dtype).</param>
    /// <param name="rewards">Sequence rewards [groups, K], same dtype as logProbs (constant).</param>
    /// <param name="options">KL coefficient and estimator; defaults when null.</param>
    /// <param name="referenceLogProbs">log π_ref per token [B, T] (constant); required when β &gt; 0, and when given the KL is reported.</param>
    /// <exception cref="ArgumentException">Shapes or dtypes mismatch, K &lt; 2, B ≠ groups·K, the batch is empty, the mask is not 0/1,
    /// or a reference is missing for β &gt; 0.</exception>
    public static RlooResult Compute(Tensor logProbs, Tensor mask, Tensor rewards, RlooOptions? options = null, Tensor? referenceLogProbs = null)
    {
        options ??= new RlooOptions();
        PolicyChecks.RequireFloat(logProbs, Op, nameof(logProbs));
        if (logProbs.Rank != 2)
        {
            throw new ArgumentException($"{Op}: logProbs has shape {logProbs.Shape}; expected [B, T] (sequences × padded length).", nameof(logProbs));
        }

        PolicyChecks.RequireDType(rewards, logProbs.DType, Op, nameof(rewards), nameof(logProbs));
        if (rewards.Rank != 2)
        {
            throw new ArgumentException($"{Op}: rewards has shape {rewards.Shape}; expected [groups, K] (one row per prompt, K samples each).", nameof(rewards));
        }

        int groups = rewards.Shape[0], k = rewards.Shape[1], b = logProbs.Shape[0], t = logProbs.Shape[1];
        if (k < 2)
        {
            throw new ArgumentException($"{Op}: rewards has shape {rewards.Shape}: K = {k} sample(s) per prompt; the leave-one-out baseline needs K ≥ 2.", nameof(rewards));
        }

        if (b != groups * k)
        {
            throw new ArgumentException($"{Op}: logProbs has {b} sequences (shape {logProbs.Shape}) but rewards {rewards.Shape} describe groups·K = {groups * k}.", nameof(logProbs));
        }

        if (b == 0)
        {
            throw new ArgumentException($"{Op}: the batch is empty (logProbs {logProbs.Shape}); the loss is a mean over sequences.", nameof(logProbs));
        }

        ArgumentNullException.ThrowIfNull(mask);
        PolicyChecks.RequireShape(mask, logProbs.Shape, Op, nameof(mask), "the shape of logProbs");
        if (referenceLogProbs is not null)
        {
            PolicyChecks.RequireLike(referenceLogProbs, logProbs, Op, nameof(referenceLogProbs), nameof(logProbs));
        }
        else if (options.KlCoefficient > 0)
        {
            throw new ArgumentException($"{Op}: KlCoefficient β = {PolicyChecks.Format(options.KlCoefficient)} needs referenceLogProbs (log π_ref, shape {logProbs.Shape}); pass them or set β = 0.", nameof(referenceLogProbs));
        }

        var m = PolicyChecks.MaskValues(mask, Op);
        var shaped = rewards.ToDoubleArray();
        double[]? seqKl = null;
        if (referenceLogProbs is not null)
        {
            var lp = logProbs.ToDoubleArray();
            var rf = referenceLogProbs.ToDoubleArray();
            seqKl = new double[b];
            for (var i = 0; i < b; i++)
            {
                for (var j = 0; j < t; j++)
                {
                    var idx = (i * t) + j;
                    if (m[idx] != 0)
                    {
                        seqKl[i] += KlPenalty.FromLogRatio(lp[idx] - rf[idx], options.KlEstimator);
                    }
                }

                shaped[i] -= options.KlCoefficient * seqKl[i];
            }
        }

        var adv = new double[b];
        for (var g = 0; g < groups; g++)
        {
            var sum = 0.0;
            for (var i = 0; i < k; i++)
            {
                sum += shaped[(g * k) + i];
            }

            for (var i = 0; i < k; i++)
            {
                var own = shaped[(g * k) + i];
                adv[(g * k) + i] = own - ((sum - own) / (k - 1));
            }
        }

        var dtype = logProbs.DType;
        var maskT = PolicyChecks.Constant(m, logProbs.Shape, dtype);
        var advT = PolicyChecks.Constant(adv, rewards.Shape, dtype);
        var sequenceLogProb = Tensor.Where(maskT, logProbs, 0.0).Sum(1);
        var loss = -(sequenceLogProb * advT.Reshape(b)).Mean();
        return new RlooResult(
            loss,
            advT,
            PolicyChecks.Constant(shaped, rewards.Shape, dtype),
            seqKl is null ? null : PolicyChecks.Constant(seqKl, rewards.Shape, dtype));
    }
}
