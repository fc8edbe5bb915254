namespace McGrad.Estimators.Policy;

/// <summary>How group-relative advantages R − mean_group(R) are scaled.</summary>
public enum AdvantageScaling
{
    /// <summary>Divide by std over the group + ε (GRPO, Shao et al. 2024).</summary>
    Group,

    /// <summary>Divide by std over the whole batch of rewards + ε (the mean stays per group).</summary>
    Batch,

    /// <summary>No division: A = R − mean_group(R) (Dr. GRPO, Liu et al. 2025, which removes the per-question difficulty bias).</summary>
    None,
}

/// <summary>How per-token losses ℓ_{i,t} (valid tokens t of sequences i = 1…B) are reduced to a scalar.</summary>
public enum LossAggregation
{
    /// <summary>(1/B)·Σ_i (1/|o_i|)·Σ_t ℓ_{i,t}: per-sequence mean, then mean over sequences (GRPO as written).</summary>
    SequenceMean,

    /// <summary>Σ_{i,t} ℓ_{i,t} / Σ_i |o_i|: token sum over token count in the batch (DAPO's token-level loss, BNPO-style).</summary>
    TokenMean,

    /// <summary>Σ_{i,t} ℓ_{i,t} / (B·C) with a constant C such as the maximum generation length (Dr. GRPO).</summary>
    ConstantNormalizer,
}

/// <summary>Where the importance ratio lives.</summary>
public enum RatioLevel
{
    /// <summary>r_{i,t} = π_θ(o_{i,t}|·)/π_old(o_{i,t}|·) per token (GRPO).</summary>
    Token,

    /// <summary>
    /// s_i = exp((1/|o_i|)·Σ_t (log π_θ − log π_old)), the length-normalised sequence ratio, applied to every token of
    /// sequence i (GSPO, Zheng et al. 2025).
    /// </summary>
    Sequence,
}

/// <summary>
/// Settings of the GRPO loss. Every value is checked when it is set (<see cref="ArgumentOutOfRangeException"/> naming
/// the setting); combinations are checked by <see cref="GrpoLoss.Compute"/>.
/// </summary>
public sealed record GrpoOptions
{
    private const string Type = nameof(GrpoOptions);

    /// <summary>ε_low ∈ [0, 1]: the ratio is clipped below at 1 − ε_low. Default 0.2.</summary>
    public double ClipLow { get; init => field = PolicyChecks.ClipLow(value, Type, nameof(ClipLow)); } = 0.2;

    /// <summary>ε_high ≥ 0 (+∞: no upper clip): clipped above at 1 + ε_high. Default 0.2 (DAPO's clip-higher uses 0.28).</summary>
    public double ClipHigh { get; init => field = PolicyChecks.ClipHigh(value, Type, nameof(ClipHigh)); } = 0.2;

    /// <summary>Dual-clip constant c &gt; 1, or null (default) for none.</summary>
    public double? DualClip { get; init => field = PolicyChecks.DualClip(value, Type, nameof(DualClip)); }

    /// <summary>How per-token losses are reduced. Default <see cref="LossAggregation.SequenceMean"/>.</summary>
    public LossAggregation Aggregation { get; init => field = PolicyChecks.Defined(value, Type, nameof(Aggregation)); } = LossAggregation.SequenceMean;

    /// <summary>The constant C &gt; 0 of <see cref="LossAggregation.ConstantNormalizer"/> (required there, and only there).</summary>
    public double? Normalizer
    {
        get;
        init => field = value is null ? null : PolicyChecks.Positive(value.Value, Type, nameof(Normalizer));
    }

    /// <summary>β ≥ 0, the weight of the KL penalty to the reference policy. Default 0 (no reference needed).</summary>
    public double KlCoefficient { get; init => field = PolicyChecks.NonNegative(value, Type, nameof(KlCoefficient)); }

    /// <summary>The per-token KL estimator. Default <see cref="Policy.KlEstimator.K3"/> (as in GRPO).</summary>
    public KlEstimator KlEstimator { get; init => field = PolicyChecks.Defined(value, Type, nameof(KlEstimator)); } = KlEstimator.K3;

    /// <summary>Token-level (GRPO) or sequence-level (GSPO) ratios. Default <see cref="RatioLevel.Token"/>.</summary>
    public RatioLevel RatioLevel { get; init => field = PolicyChecks.Defined(value, Type, nameof(RatioLevel)); } = RatioLevel.Token;
}

/// <summary>The GRPO loss and its parts.</summary>
/// <param name="Loss">The scalar to minimise: PolicyLoss + β·Kl (recorded).</param>
/// <param name="PolicyLoss">The aggregated −min(r·A, clip(r)·A) (recorded).</param>
/// <param name="Kl">The aggregated per-token KL estimate to the reference (recorded; same aggregation as the loss), or
/// null when no reference log-probabilities were given.</param>
/// <param name="Diagnostics">Approximate KL to π_old (k1, k3), clip fractions and mean ratio over the valid tokens (no gradient).</param>
public sealed record GrpoResult(Tensor Loss, Tensor PolicyLoss, Tensor? Kl, PolicyDiagnostics Diagnostics);

/// <summary>Group-normalised advantages for GRPO-style training.</summary>
public static class GrpoAdvantages
{
    /// <summary>
    /// A_{g,i} = (R_{g,i} − mean_i R_{g,i}) / (std + ε) for rewards [groups, G] (G samples per prompt); std over the group
    /// (<see cref="AdvantageScaling.Group"/>), over all rewards (<see cref="AdvantageScaling.Batch"/>), or no division
    /// (<see cref="AdvantageScaling.None"/>). The result has the rewards' shape and dtype and is a constant.
    /// </summary>
    /// <remarks>
    /// The std uses <paramref name="stdCorrection"/> (1 = Bessel's, as torch.std and the reference implementations;
    /// 0 = population). The group mean is a baseline that includes the sample's own reward, so the gradient is biased
    /// by a factor (G − 1)/G relative to the leave-one-out baseline (see <see cref="RlooLoss"/>); dividing by the std
    /// adds a further, per-prompt rescaling (the "difficulty bias" that Dr. GRPO removes with
    /// <see cref="AdvantageScaling.None"/>). Reshape to [groups·G] (prompt-major) to pass to <see cref="GrpoLoss"/>.
    /// </remarks>
    /// <param name="rewards">Float rewards [groups, G].</param>
    /// <param name="scaling">The std used, if any.</param>
    /// <param name="epsilon">ε ≥ 0 added to the std (default 1e-4). With ε = 0 a zero std throws.</param>
    /// <param name="stdCorrection">Degrees-of-freedom correction of the std (default 1).</param>
    /// <exception cref="ArgumentException">Rewards are not a float matrix, or the std is undefined (too few samples) or zero with ε = 0.</exception>
    /// <exception cref="ArgumentOutOfRangeException">ε or the correction is negative or not finite, or the scaling is unknown.</exception>
    public static Tensor Compute(Tensor rewards, AdvantageScaling scaling = AdvantageScaling.Group, double epsilon = 1e-4, double stdCorrection = 1)
    {
        const string op = "GrpoAdvantages.Compute";
        PolicyChecks.RequireFloat(rewards, op, nameof(rewards));
        if (rewards.Rank != 2)
        {
            throw new ArgumentException($"{op}: rewards has shape {rewards.Shape}; expected [groups, G] (one row per prompt, G samples each).", nameof(rewards));
        }

        PolicyChecks.Defined(scaling, op, nameof(scaling));
        PolicyChecks.NonNegative(epsilon, op, nameof(epsilon));
        PolicyChecks.NonNegative(stdCorrection, op, nameof(stdCorrection));
        int groups = rewards.Shape[0], g = rewards.Shape[1];
        var r = rewards.ToDoubleArray();
        var a = new double[r.Length];
        if (r.Length == 0)
        {
            return PolicyChecks.Constant(a, rewards.Shape, rewards.DType);
        }

        var n = scaling == AdvantageScaling.Batch ? r.Length : g;
        if (scaling != AdvantageScaling.None && n - stdCorrection <= 0)
        {
            throw new ArgumentException($"{op}: the {(scaling == AdvantageScaling.Batch ? "batch" : "group")} std of {n} reward(s) with correction {PolicyChecks.Format(stdCorrection)} is undefined; use more samples, a smaller correction, or AdvantageScaling.None.", nameof(rewards));
        }

        var batchStd = scaling == AdvantageScaling.Batch ? Std(r, 0, r.Length, stdCorrection) : 0;
        for (var k = 0; k < groups; k++)
        {
            var mean = 0.0;
            for (var i = 0; i < g; i++)
            {
                mean += r[(k * g) + i];
            }

            mean /= g;
            var scale = 1.0;
            if (scaling != AdvantageScaling.None)
            {
                var std = scaling == AdvantageScaling.Batch ? batchStd : Std(r, k * g, g, stdCorrection);
                var denominator = std + epsilon;
                if (denominator == 0)
                {
                    throw new ArgumentException($"{op}: the {(scaling == AdvantageScaling.Batch ? "batch" : $"group {k}")} rewards are all equal (std 0) and ε = 0, so (R − mean)/(std + ε) is 0/0; use ε > 0.", nameof(epsilon));
                }

                scale = 1 / denominator;
            }

            for (var i = 0; i < g; i++)
            {
                a[(k * g) + i] = (r[(k * g) + i] - mean) * scale;
            }
        }

        return PolicyChecks.Constant(a, rewards.Shape, rewards.DType);
    }

    private static double Std(double[] x, int start, int count, double correction)
    {
        var mean = 0.0;
        for (var i = 0; i < count; i++)
        {
            mean += x[start + i];
        }

        mean /= count;
        var ss = 0.0;
        for (var i = 0; i < count; i++)
        {
            var d = x[start + i] - mean;
            ss += d * d;
        }

        return Math.Sqrt(ss / (count - correction));
    }
}

/// <summary>
/// Group Relative Policy Optimization loss (Shao et al. 2024) over ragged token sequences:
/// per-token ℓ_{i,t} = −min(r_{i,t}·A_i, clip(r_{i,t}, 1 − ε_low, 1 + ε_high)·A_i) + β·KL_{i,t}, reduced over the valid
/// tokens by the chosen <see cref="LossAggregation"/>.
/// </summary>
/// <remarks>
/// <para>GRPO is importance-weighted REINFORCE with a group baseline instead of a critic: with A_i from
/// <see cref="GrpoAdvantages"/>, the unclipped gradient is (1/B)Σ_i (1/|o_i|)Σ_t A_i·r_{i,t}·∇log π_θ(o_{i,t}|q, o_{i,&lt;t}).
/// Clipping and the KL penalty are as in PPO; the reduction decides how tokens are weighted: the per-sequence mean
/// weights every sequence equally (so tokens of short sequences weigh more, a length bias), the token mean weights
/// every token equally, and a constant normaliser (Dr. GRPO) makes the gradient an unnormalised token sum.</para>
/// <para>Variants: DAPO (Yu et al. 2025) = token mean + ClipHigh &gt; ClipLow; Dr. GRPO (Liu et al. 2025) = no std
/// scaling + constant normaliser; GSPO (Zheng et al. 2025) = <see cref="RatioLevel.Sequence"/>.</para>
/// <para>Padding: tokens where the mask is 0 contribute neither value nor gradient, whatever their log-probabilities
/// (even NaN or ±∞): they are selected away before any exponential. π_old, π_ref and the advantages are constants.</para>
/// </remarks>
public static class GrpoLoss
{
    private const string Op = "GrpoLoss";

    /// <summary>
    /// The GRPO loss for B sequences padded to length T. ∂Loss/∂log π_θ(o_{i,t}) = −w_{i,t}·r_{i,t}·A_i + β·w_{i,t}·∂k/∂log π
    /// inside the clip range (w_{i,t} the aggregation weight of the token: 1/(B·|o_i|), 1/Σ|o|, or 1/(B·C)), 0 on padding.
    /// </summary>
    /// <param name="logProbs">log π_θ per token, float [B, T] (recorded).</param>
    /// <param name="advantages">A per sequence [B] (e.g. <see cref="GrpoAdvantages.Compute"/> reshaped to [groups·G]), or per token [B, T]; detached.</param>
    /// <param name="mask">1 for valid tokens, 0 for padding, [B, T] (any dtype).</param>
    /// <param name="options">Clip, aggregation, KL and ratio settings; defaults when null.</param>
    /// <param name="oldLogProbs">log π_old per token [B, T] (detached), or null for a single on-policy step (π_old = stopgrad π_θ, r = 1).</param>
    /// <param name="referenceLogProbs">log π_ref per token [B, T] (detached); required when β &gt; 0, and when given the KL is reported.</param>
    /// <exception cref="ArgumentException">Shapes or dtypes mismatch, the mask is not 0/1, a sequence (or the batch) has no valid
    /// token where the aggregation divides by it, a reference is missing for β &gt; 0, or the normaliser setting does not fit the aggregation.</exception>
    public static GrpoResult Compute(Tensor logProbs, Tensor advantages, Tensor mask, GrpoOptions? options = null, Tensor? oldLogProbs = null, Tensor? referenceLogProbs = null)
    {
        options ??= new GrpoOptions();
        PolicyChecks.RequireFloat(logProbs, Op, nameof(logProbs));
        if (logProbs.Rank != 2)
        {
            throw new ArgumentException($"{Op}: logProbs has shape {logProbs.Shape}; expected [B, T] (sequences × padded length).", nameof(logProbs));
        }

        int b = logProbs.Shape[0], t = logProbs.Shape[1];
        PolicyChecks.RequireDType(advantages, logProbs.DType, Op, nameof(advantages), nameof(logProbs));
        var perToken = advantages.Shape == logProbs.Shape;
        if (!perToken && advantages.Shape != new Shape(b))
        {
            throw new ArgumentException($"{Op}: advantages has shape {advantages.Shape}; expected [{b}] (one per sequence) or [{b}, {t}] (one per token).", nameof(advantages));
        }

        ArgumentNullException.ThrowIfNull(mask);
        PolicyChecks.RequireShape(mask, logProbs.Shape, Op, nameof(mask), "the shape of logProbs");
        if (oldLogProbs is not null)
        {
            PolicyChecks.RequireLike(oldLogProbs, logProbs, Op, nameof(oldLogProbs), nameof(logProbs));
        }

        if (referenceLogProbs is not null)
        {
            PolicyChecks.RequireLike(referenceLogProbs, logProbs, Op, nameof(referenceLogProbs), nameof(logProbs));
        }
        else if (options.KlCoefficient > 0)
        {
            throw new ArgumentException($"{Op}: KlCoefficient β = {PolicyChecks.Format(options.KlCoefficient)} needs referenceLogProbs (log π_ref, shape {logProbs.Shape}); pass them or set β = 0.", nameof(referenceLogProbs));
        }

        ValidateNormalizer(options);
        var m = PolicyChecks.MaskValues(mask, Op);
        var counts = new double[b];
        var total = 0.0;
        for (var i = 0; i < b; i++)
        {
            for (var j = 0; j < t; j++)
            {
                counts[i] += m[(i * t) + j];
            }

            total += counts[i];
            if (counts[i] == 0 && (options.Aggregation == LossAggregation.SequenceMean || options.RatioLevel == RatioLevel.Sequence))
            {
                throw new ArgumentException($"{Op}: sequence {i} has no valid token (its mask row is all 0), but {(options.RatioLevel == RatioLevel.Sequence ? "the sequence-level ratio" : "the per-sequence mean")} divides by its length; drop the sequence or use TokenMean/ConstantNormalizer.", nameof(mask));
            }
        }

        if (b == 0 || (total == 0 && options.Aggregation == LossAggregation.TokenMean))
        {
            throw new ArgumentException($"{Op}: the batch (logProbs {logProbs.Shape}) has no valid token; the loss would be 0/0.", nameof(mask));
        }

        var dtype = logProbs.DType;
        var maskT = PolicyChecks.Constant(m, logProbs.Shape, dtype);
        var adv = perToken ? advantages.Detach() : advantages.Detach().Reshape(b, 1);

        // Log-ratios with padding selected away before exp, so garbage there never reaches a value or a gradient.
        var logRatio = oldLogProbs is null
            ? Tensor.Where(maskT, logProbs - logProbs.Detach(), 0.0)
            : Tensor.Where(maskT, logProbs - oldLogProbs.Detach(), 0.0);
        Tensor? countsT = null;
        if (options.RatioLevel == RatioLevel.Sequence || options.Aggregation == LossAggregation.SequenceMean)
        {
            countsT = PolicyChecks.Constant(counts, new Shape(b, 1), dtype);
        }

        if (options.RatioLevel == RatioLevel.Sequence)
        {
            logRatio = Tensor.Where(maskT, (logRatio.Sum(1, keepDim: true) / countsT!).BroadcastTo(logProbs.Shape), 0.0);
        }

        var ratio = logRatio.Exp();
        var objective = ClippedSurrogate.ObjectiveCore(ratio, adv, options.ClipLow, options.ClipHigh, options.DualClip);
        var policyLoss = Aggregate(Tensor.Where(maskT, objective.Neg(), 0.0), options, countsT, total, b);
        var loss = policyLoss;
        Tensor? kl = null;
        if (referenceLogProbs is not null)
        {
            var d = Tensor.Where(maskT, logProbs - referenceLogProbs.Detach(), 0.0);
            kl = Aggregate(Tensor.Where(maskT, KlPenalty.FromLogRatio(d, options.KlEstimator), 0.0), options, countsT, total, b);
            if (options.KlCoefficient > 0)
            {
                loss = loss + (kl * options.KlCoefficient);
            }
        }

        var diagnostics = ClippedSurrogate.DiagnoseCore(logRatio.ToDoubleArray(), advantages.ToDoubleArray(), perToken ? 1 : Math.Max(t, 1), m, options.ClipLow, options.ClipHigh, options.DualClip);
        return new GrpoResult(loss, policyLoss, kl, diagnostics);
    }

    private static void ValidateNormalizer(GrpoOptions options)
    {
        if (options.Aggregation == LossAggregation.ConstantNormalizer && options.Normalizer is null)
        {
            throw new ArgumentException($"{Op}: Aggregation = ConstantNormalizer needs GrpoOptions.Normalizer (the constant C, e.g. the maximum generation length); it is null.", nameof(options));
        }

        if (options.Aggregation != LossAggregation.ConstantNormalizer && options.Normalizer is not null)
        {
            throw new ArgumentException($"{Op}: GrpoOptions.Normalizer = {PolicyChecks.Format(options.Normalizer.Value)} is only used with Aggregation = ConstantNormalizer, but Aggregation = {options.Aggregation}; set it to null or change the aggregation.", nameof(options));
        }
    }

    /// <summary>Reduces masked (already zero on padding) per-token values [B, T] to a scalar.</summary>
    private static Tensor Aggregate(Tensor perToken, GrpoOptions options, Tensor? counts, double total, int b) => options.Aggregation switch
    {
        LossAggregation.SequenceMean => (perToken.Sum(1, keepDim: true) / counts!).Mean(),
        LossAggregation.TokenMean => perToken.Sum() / total,
        _ => perToken.Sum() / (b * options.Normalizer!.Value),
    };
}
