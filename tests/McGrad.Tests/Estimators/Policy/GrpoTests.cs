using McGrad.Estimators.Policy;
using static McGrad.Tests.Estimators.Policy.PolicyTestHelpers;

namespace McGrad.Tests.Estimators.Policy;

public class GrpoTests
{
    // Three ragged sequences (lengths 4, 2, 3) padded to T = 4; the 9.0 entries are padding.
    private static readonly double[,] Mask = { { 1, 1, 1, 1 }, { 1, 1, 0, 0 }, { 1, 1, 1, 0 } };
    private static readonly double[,] Lp = { { -0.3, -1.2, -0.8, -2.0 }, { -0.5, -0.9, 9.0, 9.0 }, { -1.1, -0.4, -0.6, 9.0 } };
    private static readonly double[,] Lo = { { -0.4, -1.0, -0.8, -2.5 }, { -0.2, -1.0, 9.0, 9.0 }, { -1.0, -0.4, -0.9, 9.0 } };
    private static readonly double[,] Ref = { { -0.5, -1.1, -0.7, -2.2 }, { -0.4, -1.2, 9.0, 9.0 }, { -1.3, -0.3, -0.5, 9.0 } };
    private static readonly double[] A = [0.8, -1.1, 0.4];
    private static readonly int[] Len = [4, 2, 3];
    private const int B = 3;

    /// <summary>Hand reference of the per-token clipped objective min(r·A, clip(r)·A).</summary>
    private static double Objective(double r, double a, double lo = 0.2, double hi = 0.2)
        => Math.Min(r * a, Math.Min(Math.Max(r, 1 - lo), 1 + hi) * a);

    /// <summary>Hand reference of the three KL estimators at d = log π − log π_ref.</summary>
    private static double Kl(double d, KlEstimator k) => k switch
    {
        KlEstimator.K1 => d,
        KlEstimator.K2 => 0.5 * d * d,
        _ => Math.Exp(-d) + d - 1,
    };

    /// <summary>Aggregates per-token values v[i, t] (valid tokens only) by hand.</summary>
    private static double Aggregate(Func<int, int, double> v, LossAggregation how, double c = 0)
    {
        double total = 0, perSeq = 0;
        var tokens = 0;
        for (var i = 0; i < B; i++)
        {
            var s = 0.0;
            for (var t = 0; t < Len[i]; t++)
            {
                s += v(i, t);
            }

            total += s;
            perSeq += s / Len[i];
            tokens += Len[i];
        }

        return how switch
        {
            LossAggregation.SequenceMean => perSeq / B,
            LossAggregation.TokenMean => total / tokens,
            _ => total / (B * c),
        };
    }

    private static GrpoOptions Options(LossAggregation how) => how == LossAggregation.ConstantNormalizer
        ? new GrpoOptions { Aggregation = how, Normalizer = 5 }
        : new GrpoOptions { Aggregation = how };

    [Fact]
    public void HandCheckedTokens()
    {
        // Token (0, 3): r = e^0.5 = 1.6487, A = 0.8 > 0 → clipped to 1.2·0.8 = 0.96.
        // Token (1, 0): r = e^-0.3 = 0.7408, A = −1.1 < 0 → clipped to 0.8·(−1.1) = −0.88.
        Assert.Equal(0.96, Objective(Math.Exp(Lp[0, 3] - Lo[0, 3]), A[0]), 12);
        Assert.Equal(-0.88, Objective(Math.Exp(Lp[1, 0] - Lo[1, 0]), A[1]), 12);
        // Sequence mean = (1/3)·Σ_i mean over the i-th sequence's tokens; for one token per sequence it reduces to the
        // plain mean, for this batch the weights are 1/12, 1/6, 1/9 (not 1/9 each as for the token mean).
        var w = Aggregate((i, t) => i == 0 && t == 0 ? 1 : 0, LossAggregation.SequenceMean);
        Assert.Equal(1.0 / 12, w, 14);
    }

    [Theory]
    [InlineData(LossAggregation.SequenceMean)]
    [InlineData(LossAggregation.TokenMean)]
    [InlineData(LossAggregation.ConstantNormalizer)]
    public void GoldenValuesForEachAggregation(LossAggregation how)
    {
        // Catches a mean over padded positions, per-sequence vs token weighting swapped, or a normaliser that ignores
        // B (Dr. GRPO divides the token sum by B·C).
        var expected = Aggregate((i, t) => -Objective(Math.Exp(Lp[i, t] - Lo[i, t]), A[i]), how, 5);
        var res = GrpoLoss.Compute(T(Lp), T(A), T(Mask), Options(how), T(Lo));
        Close(expected, res.PolicyLoss.Item(), what: $"{how} policy loss");
        Close(expected, res.Loss.Item(), what: $"{how} loss");
        Assert.Null(res.Kl);
    }

    [Fact]
    public void AggregationsDifferOnRaggedBatches()
    {
        // Guard that the three golden values above are genuinely different numbers.
        var values = Enum.GetValues<LossAggregation>().Select(h => GrpoLoss.Compute(T(Lp), T(A), T(Mask), Options(h), T(Lo)).Loss.Item()).ToArray();
        Assert.Equal(3, values.Distinct().Count());
    }

    [Theory]
    [InlineData(KlEstimator.K1, LossAggregation.SequenceMean)]
    [InlineData(KlEstimator.K2, LossAggregation.SequenceMean)]
    [InlineData(KlEstimator.K3, LossAggregation.SequenceMean)]
    [InlineData(KlEstimator.K3, LossAggregation.TokenMean)]
    [InlineData(KlEstimator.K2, LossAggregation.ConstantNormalizer)]
    public void GoldenValuesWithKlPenalty(KlEstimator k, LossAggregation how)
    {
        // Loss = policy + β·KL, the KL aggregated like the policy term, d = log π − log π_ref. Catches the reversed
        // log-ratio in k3 (exp(d) − d − 1), a missing ½ in k2, or a KL that is not masked.
        const double beta = 0.04;
        Assert.Equal(Math.Exp(-0.2) + 0.2 - 1, Kl(Lp[0, 0] - Ref[0, 0], KlEstimator.K3), 12);
        var policy = Aggregate((i, t) => -Objective(Math.Exp(Lp[i, t] - Lo[i, t]), A[i]), how, 5);
        var kl = Aggregate((i, t) => Kl(Lp[i, t] - Ref[i, t], k), how, 5);
        var options = Options(how) with { KlCoefficient = beta, KlEstimator = k };
        var res = GrpoLoss.Compute(T(Lp), T(A), T(Mask), options, T(Lo), T(Ref));
        Close(kl, res.Kl!.Item(), what: "KL");
        Close(policy, res.PolicyLoss.Item(), what: "policy");
        Close(policy + (beta * kl), res.Loss.Item(), what: "loss");

        // ∂/∂log π of the KL part: w·∂k/∂log π (1, d, 1 − e^{−d}); check on token (2, 1) with SequenceMean weight 1/(3·3).
        if (how == LossAggregation.SequenceMean)
        {
            var x = T(Lp).RequireGrad();
            var onlyKl = GrpoLoss.Compute(x, T(A), T(Mask), options, T(Lo), T(Ref)).Kl!;
            var g = Grad(onlyKl, x);
            var d = Lp[2, 1] - Ref[2, 1];
            var dk = k switch { KlEstimator.K1 => 1, KlEstimator.K2 => d, _ => 1 - Math.Exp(-d) };
            Close(dk / 9, g[(2 * 4) + 1], what: "∂KL/∂logp[2,1]");
            Assert.Equal(0, g[(1 * 4) + 2]);
        }
    }

    [Fact]
    public void KlPenaltyEstimateMatchesFormulas()
    {
        double[] lp = [-0.3, -2.0, 0.0];
        double[] rf = [-0.5, -1.0, 0.0];
        foreach (var k in Enum.GetValues<KlEstimator>())
        {
            var got = KlPenalty.Estimate(T(lp), T(rf), k).ToDoubleArray();
            Close(lp.Zip(rf, (a, b) => Kl(a - b, k)).ToArray(), got, what: k.ToString());
            Assert.Equal(0, got[2]);
        }

        Assert.True(KlPenalty.Estimate(T(lp), T(rf), KlEstimator.K1).ToDoubleArray()[1] < 0);
        Assert.True(KlPenalty.Estimate(T(lp), T(rf), KlEstimator.K3).ToDoubleArray().All(v => v >= 0));
        Assert.Throws<ArgumentException>(() => KlPenalty.Estimate(T(lp), T([1.0])));
    }

    [Fact]
    public void SequenceLevelRatioGspo()
    {
        // s_i = exp(mean over valid tokens of (log π − log π_old)): s = e^{0.1}, e^{−0.1}, e^{0.2/3}, all inside
        // [0.8, 1.2], so with SequenceMean the loss is −(1/3)Σ s_i·A_i and ∂/∂log π_{i,t} = −A_i·s_i/(3·|o_i|) on every
        // valid token. Catches a ratio from the sum instead of the mean, or a mean over padded positions.
        double[] s = [Math.Exp(0.1), Math.Exp(-0.1), Math.Exp(0.2 / 3)];
        for (var i = 0; i < B; i++)
        {
            var mean = 0.0;
            for (var t = 0; t < Len[i]; t++)
            {
                mean += (Lp[i, t] - Lo[i, t]) / Len[i];
            }

            Close(s[i], Math.Exp(mean), what: "hand s_i");
        }

        var options = new GrpoOptions { RatioLevel = RatioLevel.Sequence };
        var x = T(Lp).RequireGrad();
        var res = GrpoLoss.Compute(x, T(A), T(Mask), options, T(Lo));
        Close(-((s[0] * A[0]) + (s[1] * A[1]) + (s[2] * A[2])) / 3, res.Loss.Item(), what: "GSPO loss");
        var g = Grad(res.Loss, x);
        for (var i = 0; i < B; i++)
        {
            for (var t = 0; t < 4; t++)
            {
                var expected = t < Len[i] ? -A[i] * s[i] / (3 * Len[i]) : 0;
                Close(expected, g[(i * 4) + t], what: $"∂/∂logp[{i},{t}]");
            }
        }

        // With ε_high = 0.08 sequence 0 (s = 1.105, A > 0) is clipped as a whole: its tokens get no gradient;
        // sequence 2 (s = 1.069) stays inside.
        var y = T(Lp).RequireGrad();
        var clipped = GrpoLoss.Compute(y, T(A), T(Mask), options with { ClipHigh = 0.08 }, T(Lo));
        Close(-((1.08 * A[0]) + (s[1] * A[1]) + (s[2] * A[2])) / 3, clipped.Loss.Item(), what: "clipped GSPO loss");
        Assert.All(Grad(clipped.Loss, y)[..4], v => Assert.Equal(0, v));
    }

    [Fact]
    public void TokenGradientVanishesOutsideClipAndIsRatioTimesAdvantageInside()
    {
        // TokenMean weight 1/9 per token: ∂/∂log π = −r·A/9 where unclipped, 0 where clipped, 0 on padding.
        var x = T(Lp).RequireGrad();
        var g = Grad(GrpoLoss.Compute(x, T(A), T(Mask), new GrpoOptions { Aggregation = LossAggregation.TokenMean }, T(Lo)).Loss, x);
        for (var i = 0; i < B; i++)
        {
            for (var t = 0; t < 4; t++)
            {
                var r = Math.Exp(Lp[i, t] - Lo[i, t]);
                var clipped = (A[i] > 0 && r > 1.2) || (A[i] < 0 && r < 0.8);
                var expected = t >= Len[i] || clipped ? 0 : -r * A[i] / 9;
                Close(expected, g[(i * 4) + t], what: $"∂/∂logp[{i},{t}]");
            }
        }

        // Three tokens are clipped: (0, 3), (1, 0) and (2, 2).
        Assert.Equal(0, g[3]);
        Assert.Equal(0, g[4]);
        Assert.Equal(0, g[10]);
        Assert.NotEqual(0, g[0]);
    }

    [Fact]
    public void OnPolicyStepWithoutOldLogProbsIsPlainScoreFunction()
    {
        // π_old = stopgrad π_θ: r = 1, loss = −aggregate(A), gradient −w·A (REINFORCE with the group baseline).
        var x = T(Lp).RequireGrad();
        var res = GrpoLoss.Compute(x, T(A), T(Mask));
        Close(-((A[0]) + A[1] + A[2]) / 3, res.Loss.Item());
        var g = Grad(res.Loss, x);
        Close(-A[1] / (3 * 2), g[4]);
        Assert.Equal(0, res.Diagnostics.ClipFraction);
        Assert.Equal(9, res.Diagnostics.Count);
    }

    [Fact]
    public void PerTokenAdvantages()
    {
        // Advantages [B, T]: the same values repeated per token reproduce the per-sequence loss; distinct values are
        // used token by token.
        var rep = new double[B, 4];
        var tok = new double[B, 4];
        for (var i = 0; i < B; i++)
        {
            for (var t = 0; t < 4; t++)
            {
                rep[i, t] = A[i];
                tok[i, t] = A[i] * (1 + (0.1 * t));
            }
        }

        var opts = new GrpoOptions { Aggregation = LossAggregation.TokenMean };
        Close(GrpoLoss.Compute(T(Lp), T(A), T(Mask), opts, T(Lo)).Loss.Item(), GrpoLoss.Compute(T(Lp), T(rep), T(Mask), opts, T(Lo)).Loss.Item());
        var expected = Aggregate((i, t) => -Objective(Math.Exp(Lp[i, t] - Lo[i, t]), tok[i, t]), LossAggregation.TokenMean);
        Close(expected, GrpoLoss.Compute(T(Lp), T(tok), T(Mask), opts, T(Lo)).Loss.Item());
    }

    public static TheoryData<LossAggregation, KlEstimator, RatioLevel> PaddingCases => new()
    {
        { LossAggregation.SequenceMean, KlEstimator.K3, RatioLevel.Token },
        { LossAggregation.TokenMean, KlEstimator.K1, RatioLevel.Token },
        { LossAggregation.ConstantNormalizer, KlEstimator.K2, RatioLevel.Token },
        { LossAggregation.SequenceMean, KlEstimator.K3, RatioLevel.Sequence },
        { LossAggregation.TokenMean, KlEstimator.K2, RatioLevel.Sequence },
    };

    [Theory]
    [MemberData(nameof(PaddingCases))]
    public void PaddingWithGarbageChangesNothing(LossAggregation how, KlEstimator k, RatioLevel level)
    {
        // Append two padding columns and overwrite every existing padding position with NaN/±∞/huge values in
        // log π, log π_old and log π_ref: the loss, the KL and the gradient on valid tokens must be unchanged and the
        // gradient on padding exactly 0 (not NaN). Catches masking by multiplication after exp (0·∞ = NaN), means
        // over padded positions, and a normaliser that uses the padded length.
        var options = Options(how) with { KlCoefficient = 0.1, KlEstimator = k, RatioLevel = level };
        var x = T(Lp).RequireGrad();
        var baseRes = GrpoLoss.Compute(x, T(A), T(Mask), options, T(Lo), T(Ref));
        var baseGrad = Grad(baseRes.Loss, x);

        double[] garbage = [double.NaN, double.PositiveInfinity, 1e300, double.NegativeInfinity, -7e5];
        var mask = Pad(Mask, 2, [0.0]);
        var lp = Scramble(Pad(Lp, 2, garbage), mask, garbage);
        var lo = Scramble(Pad(Lo, 2, garbage), mask, [.. garbage.Reverse()]);
        var rf = Scramble(Pad(Ref, 2, garbage), mask, [1e308, double.NaN]);
        var y = T(lp).RequireGrad();
        var padded = GrpoLoss.Compute(y, T(A), T(mask), options, T(lo), T(rf));
        Close(baseRes.Loss.Item(), padded.Loss.Item(), 1e-13, "loss");
        Close(baseRes.Kl!.Item(), padded.Kl!.Item(), 1e-13, "KL");
        var g = Grad(padded.Loss, y);
        Close(baseGrad, FirstColumns(g, B, 6, 4), 1e-13, "grad on the first 4 columns");
        for (var i = 0; i < B; i++)
        {
            for (var t = Len[i]; t < 6; t++)
            {
                Assert.Equal(0.0, g[(i * 6) + t]);
            }
        }

        Assert.Equal(baseRes.Diagnostics, padded.Diagnostics);
    }

    public static TheoryData<LossAggregation, KlEstimator, RatioLevel, double?> GradCheckCases => new()
    {
        { LossAggregation.SequenceMean, KlEstimator.K1, RatioLevel.Token, null },
        { LossAggregation.TokenMean, KlEstimator.K2, RatioLevel.Token, null },
        { LossAggregation.ConstantNormalizer, KlEstimator.K3, RatioLevel.Token, 3.0 },
        { LossAggregation.SequenceMean, KlEstimator.K3, RatioLevel.Sequence, null },
    };

    [Theory]
    [MemberData(nameof(GradCheckCases))]
    public void GradCheckWithRespectToLogProbs(LossAggregation how, KlEstimator k, RatioLevel level, double? dual)
    {
        // Every token ratio is ≥ 0.018 from 1 ± ε (and the GSPO sequence ratios well inside), so the loss is smooth.
        var options = Options(how) with { KlCoefficient = 0.05, KlEstimator = k, RatioLevel = level, DualClip = dual };
        TestUtil.AssertGrad(xs => GrpoLoss.Compute(xs[0], T(A), T(Mask), options, T(Lo), T(Ref)).Loss, T(Lp));
    }

    [Fact]
    public void Float32AgreesWithFloat64()
    {
        var options = new GrpoOptions { KlCoefficient = 0.04, Aggregation = LossAggregation.TokenMean };
        Tensor F(double[,] x) => T(x).To(DType.Float32);
        var r64 = GrpoLoss.Compute(T(Lp), T(A), T(Mask), options, T(Lo), T(Ref));
        var r32 = GrpoLoss.Compute(F(Lp), T(A).To(DType.Float32), T(Mask), options, F(Lo), F(Ref));
        Assert.Equal(DType.Float32, r32.Loss.DType);
        Close(r64.Loss.Item(), r32.Loss.Item(), 1e-6);
    }

    [Fact]
    public void DiagnosticsCountValidTokensOnly()
    {
        // 9 valid tokens; ratios outside [0.8, 1.2]: (0,3) = 1.65, (1,0) = 0.74, (2,2) = 1.35 → 3/9, low 1/9, high 2/9.
        // All three are on the side where the clip zeroes the gradient (A > 0 high, A < 0 low, A > 0 high): 3/9.
        // Padding positions (ratio e^0 = 1 after masking, but garbage before) must not be counted.
        var d = GrpoLoss.Compute(T(Lp), T(A), T(Mask), null, T(Lo)).Diagnostics;
        Assert.Equal(9, d.Count);
        Close(3.0 / 9, d.ClipFraction);
        Close(1.0 / 9, d.ClipFractionLow);
        Close(2.0 / 9, d.ClipFractionHigh);
        Close(3.0 / 9, d.ClippedGradientFraction);
        double k1 = 0, k3 = 0;
        for (var i = 0; i < B; i++)
        {
            for (var t = 0; t < Len[i]; t++)
            {
                var lr = Lp[i, t] - Lo[i, t];
                k1 -= lr / 9;
                k3 += (Math.Exp(lr) - 1 - lr) / 9;
            }
        }

        Close(k1, d.ApproxKlK1);
        Close(k3, d.ApproxKlK3);
    }

    [Fact]
    public void GroupNormalisedAdvantages()
    {
        // rewards [2 groups, 4]. Group 0: mean 0.5, Bessel std √(4·0.25/3) = √(1/3). Group 1: mean 1.25,
        // deviations −0.75, 0.75, 0.25, −0.25 → std √((0.5625·2 + 0.0625·2)/3) = √(1.25/3).
        double[] r = [1, 0, 0, 1, 0.5, 2, 1.5, 1];
        const double eps = 1e-4;
        var s0 = Math.Sqrt(1.0 / 3);
        var s1 = Math.Sqrt(1.25 / 3);
        double[] group = [0.5 / (s0 + eps), -0.5 / (s0 + eps), -0.5 / (s0 + eps), 0.5 / (s0 + eps), -0.75 / (s1 + eps), 0.75 / (s1 + eps), 0.25 / (s1 + eps), -0.25 / (s1 + eps)];
        Close(group, GrpoAdvantages.Compute(T(r, 2, 4)).ToDoubleArray(), what: "group");

        // Batch: the mean stays per group, the std is over all 8 rewards (mean 0.875).
        var ss = r.Sum(v => (v - 0.875) * (v - 0.875));
        var sb = Math.Sqrt(ss / 7);
        double[] dev = [0.5, -0.5, -0.5, 0.5, -0.75, 0.75, 0.25, -0.25];
        Close([.. dev.Select(v => v / (sb + eps))], GrpoAdvantages.Compute(T(r, 2, 4), AdvantageScaling.Batch).ToDoubleArray(), what: "batch");

        // None (Dr. GRPO): R − mean.
        Close(dev, GrpoAdvantages.Compute(T(r, 2, 4), AdvantageScaling.None).ToDoubleArray(), what: "none");

        // Population std and a larger ε.
        var p0 = 0.5;
        Close(0.5 / (p0 + 0.01), GrpoAdvantages.Compute(T(r, 2, 4), AdvantageScaling.Group, 0.01, 0).ToDoubleArray()[0], what: "population std");

        // Equal rewards: 0/(0 + ε) = 0; with ε = 0 a clear error instead of NaN.
        Assert.All(GrpoAdvantages.Compute(T([1.0, 1.0, 1.0], 1, 3)).ToDoubleArray(), v => Assert.Equal(0, v));
        var ex = Assert.Throws<ArgumentException>(() => GrpoAdvantages.Compute(T([1.0, 1.0, 1.0], 1, 3), AdvantageScaling.Group, 0));
        Assert.Contains("ε", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => GrpoAdvantages.Compute(T([1.0, 2.0], 2, 1)));
        Assert.Equal(new double[2], GrpoAdvantages.Compute(T([1.0, 2.0], 2, 1), AdvantageScaling.None).ToDoubleArray());
        Assert.Throws<ArgumentException>(() => GrpoAdvantages.Compute(T(r)));
        Assert.Throws<ArgumentOutOfRangeException>(() => GrpoAdvantages.Compute(T(r, 2, 4), epsilon: -1));
        Assert.Equal(DType.Float32, GrpoAdvantages.Compute(T(r, 2, 4).To(DType.Float32)).DType);
    }

    [Fact]
    public void ArgumentsAreValidated()
    {
        var ex = Assert.Throws<ArgumentException>(() => GrpoLoss.Compute(T(Lp), T(A), T(Mask), new GrpoOptions { KlCoefficient = 0.1 }, T(Lo)));
        Assert.Contains("referenceLogProbs", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => GrpoLoss.Compute(T(Lp), T(A), T(Mask), new GrpoOptions { Aggregation = LossAggregation.ConstantNormalizer }));
        Assert.Contains("Normalizer", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => GrpoLoss.Compute(T(Lp), T(A), T(Mask), new GrpoOptions { Normalizer = 4 }));
        var emptyRow = (double[,])Mask.Clone();
        emptyRow[1, 0] = emptyRow[1, 1] = 0;
        ex = Assert.Throws<ArgumentException>(() => GrpoLoss.Compute(T(Lp), T(A), T(emptyRow)));
        Assert.Contains("sequence 1", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => GrpoLoss.Compute(T(Lp), T(A), T(emptyRow), new GrpoOptions { RatioLevel = RatioLevel.Sequence, Aggregation = LossAggregation.TokenMean }));
        _ = GrpoLoss.Compute(T(Lp), T(A), T(emptyRow), new GrpoOptions { Aggregation = LossAggregation.TokenMean });
        Assert.Throws<ArgumentException>(() => GrpoLoss.Compute(T(Lp), T(A), T(new double[3, 4]), new GrpoOptions { Aggregation = LossAggregation.TokenMean }));
        var half = (double[,])Mask.Clone();
        half[0, 0] = 0.5;
        Assert.Throws<ArgumentException>(() => GrpoLoss.Compute(T(Lp), T(A), T(half)));
        Assert.Throws<ArgumentException>(() => GrpoLoss.Compute(T(Lp), T([1.0, 2.0]), T(Mask)));
        Assert.Throws<ArgumentException>(() => GrpoLoss.Compute(T(Lp), T(A), T(new double[3, 3])));
        Assert.Throws<ArgumentException>(() => GrpoLoss.Compute(T(Lp), T(A).To(DType.Float32), T(Mask)));
        Assert.Throws<ArgumentException>(() => GrpoLoss.Compute(T(Lp), T(A), T(Mask), null, T(Lo).To(DType.Float32)));
        Assert.Throws<ArgumentException>(() => GrpoLoss.Compute(T([1.0, 2.0, 3.0]), T(A), T(Mask)));

        Assert.Throws<ArgumentOutOfRangeException>(() => new GrpoOptions { KlCoefficient = -0.1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new GrpoOptions { Normalizer = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new GrpoOptions { Aggregation = (LossAggregation)7 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new GrpoOptions { KlEstimator = (KlEstimator)(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new GrpoOptions { ClipLow = double.NaN });
        Assert.Throws<ArgumentOutOfRangeException>(() => new GrpoOptions { DualClip = 0.5 });
    }
}
