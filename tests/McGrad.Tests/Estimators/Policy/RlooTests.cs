using McGrad.Autodiff;
using McGrad.Estimators.Policy;
using static McGrad.Tests.Estimators.Policy.PolicyTestHelpers;

namespace McGrad.Tests.Estimators.Policy;

public class RlooTests
{
    // Two prompts × K = 3 samples, T = 3 with ragged lengths 3, 2, 1 | 3, 3, 2 (the 5.0 entries are padding).
    private static readonly double[,] Mask = { { 1, 1, 1 }, { 1, 1, 0 }, { 1, 0, 0 }, { 1, 1, 1 }, { 1, 1, 1 }, { 1, 1, 0 } };
    private static readonly double[,] Lp = { { -0.2, -1.0, -0.7 }, { -1.5, -0.3, 5.0 }, { -0.9, 5.0, 5.0 }, { -0.4, -0.6, -2.0 }, { -1.1, -0.2, -0.5 }, { -0.8, -1.3, 5.0 } };
    private static readonly double[,] Ref = { { -0.5, -0.8, -0.7 }, { -1.0, -0.6, 5.0 }, { -1.2, 5.0, 5.0 }, { -0.3, -0.9, -1.5 }, { -1.0, -0.4, -0.4 }, { -1.0, -1.0, 5.0 } };
    private static readonly double[,] Rewards = { { 1.0, 0.0, 0.5 }, { 2.0, -1.0, 0.3 } };
    private static readonly int[] Len = [3, 2, 1, 3, 3, 2];

    private static double[] HandAdvantages(double beta, out double[] shaped, out double[] kl)
    {
        kl = new double[6];
        shaped = new double[6];
        for (var i = 0; i < 6; i++)
        {
            for (var t = 0; t < Len[i]; t++)
            {
                kl[i] += Lp[i, t] - Ref[i, t];
            }

            shaped[i] = Rewards[i / 3, i % 3] - (beta * kl[i]);
        }

        var adv = new double[6];
        for (var i = 0; i < 6; i++)
        {
            var g = i / 3 * 3;
            var others = 0.0;
            for (var j = g; j < g + 3; j++)
            {
                others += j == i ? 0 : shaped[j];
            }

            adv[i] = shaped[i] - (others / 2);
        }

        return adv;
    }

    [Fact]
    public void GoldenValuesWithKlInReward()
    {
        // Sequence 0: KL = 0.3 − 0.2 + 0 = 0.1, R' = 1 − 0.1·0.1 = 0.99. Catches a baseline that includes the sample
        // itself, a KL that is not masked, the KL added instead of subtracted, or a loss over tokens instead of sums.
        const double beta = 0.1;
        var adv = HandAdvantages(beta, out var shaped, out var kl);
        Assert.Equal(0.1, kl[0], 12);
        Assert.Equal(0.99, shaped[0], 12);
        var loss = 0.0;
        for (var i = 0; i < 6; i++)
        {
            var s = 0.0;
            for (var t = 0; t < Len[i]; t++)
            {
                s += Lp[i, t];
            }

            loss -= adv[i] * s / 6;
        }

        var res = RlooLoss.Compute(T(Lp), T(Mask), T(Rewards), new RlooOptions { KlCoefficient = beta }, T(Ref));
        Close(loss, res.Loss.Item(), what: "loss");
        Close(adv, res.Advantages.ToDoubleArray(), what: "advantages");
        Close(shaped, res.ShapedRewards.ToDoubleArray(), what: "shaped rewards");
        Close(kl, res.SequenceKl!.ToDoubleArray(), what: "sequence KL");
        Assert.Equal(new Shape(2, 3), res.Advantages.Shape);

        // Advantages of a group sum to 0 and equal K/(K − 1)·(R' − mean R').
        var a = res.Advantages.ToDoubleArray();
        Assert.Equal(0, a[0] + a[1] + a[2], 12);
        Close(1.5 * (shaped[4] - ((shaped[3] + shaped[4] + shaped[5]) / 3)), a[4]);
    }

    [Fact]
    public void OtherKlEstimatorsInTheReward()
    {
        // k3 per token summed: KL_0 = Σ_t (e^{−d} + d − 1) over the 3 valid tokens.
        var d0 = new[] { 0.3, -0.2, 0.0 };
        var k3 = d0.Sum(d => Math.Exp(-d) + d - 1);
        var res = RlooLoss.Compute(T(Lp), T(Mask), T(Rewards), new RlooOptions { KlCoefficient = 0.2, KlEstimator = KlEstimator.K3 }, T(Ref));
        Close(k3, res.SequenceKl!.ToDoubleArray()[0]);
        Close(1.0 - (0.2 * k3), res.ShapedRewards.ToDoubleArray()[0]);
        var k2 = RlooLoss.Compute(T(Lp), T(Mask), T(Rewards), new RlooOptions { KlEstimator = KlEstimator.K2 }, T(Ref));
        Close(d0.Sum(d => 0.5 * d * d), k2.SequenceKl!.ToDoubleArray()[0]);
        Close(Rewards[0, 0], k2.ShapedRewards.ToDoubleArray()[0], what: "β = 0 leaves the reward alone");
    }

    [Fact]
    public void GradientIsMinusAdvantageOverBatchOnValidTokens()
    {
        // ∂loss/∂log π_{i,t} = −A_i·m_{i,t}/B: the KL in the reward is a constant (not differentiated), padding gets 0.
        var x = T(Lp).RequireGrad();
        var res = RlooLoss.Compute(x, T(Mask), T(Rewards), new RlooOptions { KlCoefficient = 0.1 }, T(Ref));
        var adv = HandAdvantages(0.1, out _, out _);
        var g = Grad(res.Loss, x);
        for (var i = 0; i < 6; i++)
        {
            for (var t = 0; t < 3; t++)
            {
                Close(t < Len[i] ? -adv[i] / 6 : 0, g[(i * 3) + t], what: $"[{i},{t}]");
            }
        }

        // With β = 0 the loss is smooth (linear) in log π, so GradCheck applies. (With β > 0 the KL-shaped reward is
        // a deliberate stop-gradient: the loss value depends on log π through it but its gradient does not.)
        TestUtil.AssertGrad(xs => RlooLoss.Compute(xs[0], T(Mask), T(Rewards)).Loss, T(Lp));
    }

    [Fact]
    public void PaddingWithGarbageChangesNothing()
    {
        var options = new RlooOptions { KlCoefficient = 0.1, KlEstimator = KlEstimator.K3 };
        var x = T(Lp).RequireGrad();
        var baseRes = RlooLoss.Compute(x, T(Mask), T(Rewards), options, T(Ref));
        var baseGrad = Grad(baseRes.Loss, x);
        double[] garbage = [double.NaN, double.PositiveInfinity, -1e300];
        var mask = Pad(Mask, 2, [0.0]);
        var y = T(Scramble(Pad(Lp, 2, garbage), mask, garbage)).RequireGrad();
        var rf = T(Scramble(Pad(Ref, 2, garbage), mask, [double.NegativeInfinity]));
        var padded = RlooLoss.Compute(y, T(mask), T(Rewards), options, rf);
        Close(baseRes.Loss.Item(), padded.Loss.Item(), 1e-13, "loss");
        var g = Grad(padded.Loss, y);
        Close(baseGrad, FirstColumns(g, 6, 5, 3), 1e-13, "grad");
        Assert.All(g, v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void ArgumentsAreValidated()
    {
        var ex = Assert.Throws<ArgumentException>(() => RlooLoss.Compute(T(Lp), T(Mask), T(new double[6, 1])));
        Assert.Contains("K ≥ 2", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => RlooLoss.Compute(T(Lp), T(Mask), T(new double[3, 3])));
        ex = Assert.Throws<ArgumentException>(() => RlooLoss.Compute(T(Lp), T(Mask), T(Rewards), new RlooOptions { KlCoefficient = 0.1 }));
        Assert.Contains("referenceLogProbs", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => RlooLoss.Compute(T(Lp), T(Mask), T(Rewards).To(DType.Float32)));
        Assert.Throws<ArgumentException>(() => RlooLoss.Compute(T(Lp), T(new double[6, 2]), T(Rewards)));
        Assert.Throws<ArgumentException>(() => RlooLoss.Compute(T(Lp), T(Mask), T([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RlooOptions { KlCoefficient = double.PositiveInfinity });
    }

    // ---- Unbiasedness on a tabular sequence policy (exact gradient by enumeration) ----

    private const int Vocab = 3;
    private const int Steps = 2;
    private static readonly double[] Theta = [0.2, -0.5, 0.1, 0.4, 0.0, -0.3];
    private static readonly double[] RefTheta = [0.0, 0.0, 0.0, 0.1, -0.1, 0.0];
    private static readonly double[,] Reward = { { 1.0, 0.0, 2.0 }, { -1.0, 0.5, 0.0 }, { 3.0, 1.0, -2.0 } };

    private static double[] Softmax(double[] logits, int t)
    {
        var m = new double[Vocab];
        var z = 0.0;
        for (var v = 0; v < Vocab; v++)
        {
            m[v] = Math.Exp(logits[(t * Vocab) + v]);
            z += m[v];
        }

        return [.. m.Select(e => e / z)];
    }

    /// <summary>J(θ) = Σ_o p(o)·(R(o) − β·log(p(o)/p_ref(o))) by enumeration of the 9 sequences, in plain doubles.</summary>
    private static double Objective(double[] theta, double beta)
    {
        var p0 = Softmax(theta, 0);
        var p1 = Softmax(theta, 1);
        var r0 = Softmax(RefTheta, 0);
        var r1 = Softmax(RefTheta, 1);
        var j = 0.0;
        for (var a = 0; a < Vocab; a++)
        {
            for (var b = 0; b < Vocab; b++)
            {
                var p = p0[a] * p1[b];
                j += p * (Reward[a, b] - (beta * Math.Log(p / (r0[a] * r1[b]))));
            }
        }

        return j;
    }

    private static double[] ExactGradient(double beta)
    {
        var g = new double[Theta.Length];
        const double h = 1e-6;
        for (var i = 0; i < g.Length; i++)
        {
            var up = (double[])Theta.Clone();
            var dn = (double[])Theta.Clone();
            up[i] += h;
            dn[i] -= h;
            g[i] = (Objective(up, beta) - Objective(dn, beta)) / (2 * h);
        }

        return g;
    }

    /// <summary>
    /// Samples groups × K sequences from the tabular policy and returns per-group parameter leaves [groups, 1, T, V]
    /// (so each group's gradient lands in its own slice), log π and log π_ref [B, T], and rewards [groups, K].
    /// </summary>
    private static (Tensor Leaf, Tensor LogProbs, Tensor RefLogProbs, Tensor Rewards) Sample(int groups, int k, int seed)
    {
        var rng = new Random(seed);
        var probs = new[] { Softmax(Theta, 0), Softmax(Theta, 1) };
        var tokens = new long[groups * k * Steps];
        var rewards = new double[groups * k];
        for (var i = 0; i < groups * k; i++)
        {
            var o = new int[Steps];
            for (var t = 0; t < Steps; t++)
            {
                var u = rng.NextDouble();
                var v = 0;
                while (v < Vocab - 1 && u >= probs[t][v])
                {
                    u -= probs[t][v];
                    v++;
                }

                o[t] = v;
                tokens[(i * Steps) + t] = v;
            }

            rewards[i] = Reward[o[0], o[1]];
        }

        var idx = Tensor.FromArray(tokens, groups, k, Steps, 1);
        var leafData = new double[groups * Steps * Vocab];
        for (var g = 0; g < groups; g++)
        {
            Array.Copy(Theta, 0, leafData, g * Theta.Length, Theta.Length);
        }

        var leaf = Tensor.FromArray(leafData, groups, 1, Steps, Vocab).RequireGrad();
        var logp = leaf.BroadcastTo(new Shape(groups, k, Steps, Vocab)).LogSoftmax(-1).Gather(-1, idx).Reshape(groups * k, Steps);
        var refLogits = T(RefTheta, 1, 1, Steps, Vocab).BroadcastTo(new Shape(groups, k, Steps, Vocab));
        var refLogp = refLogits.LogSoftmax(-1).Gather(-1, idx).Reshape(groups * k, Steps);
        return (leaf, logp, refLogp, T(rewards, groups, k));
    }

    /// <summary>z-scores of the per-group estimates (rows of <paramref name="estimates"/>) against <paramref name="exact"/>, scaled by <paramref name="scale"/>.</summary>
    private static double[] ZScores(double[] estimates, int groups, double[] exact, double scale)
    {
        var z = new double[exact.Length];
        for (var p = 0; p < exact.Length; p++)
        {
            double mean = 0, sq = 0;
            for (var g = 0; g < groups; g++)
            {
                var e = estimates[(g * exact.Length) + p] * scale;
                mean += e;
                sq += e * e;
            }

            mean /= groups;
            var sd = Math.Sqrt((sq / groups) - (mean * mean));
            z[p] = (mean - exact[p]) / (sd / Math.Sqrt(groups));
        }

        return z;
    }

    [Fact]
    public void RlooIsUnbiasedForTheKlRegularisedObjective()
    {
        // 20 000 independent groups of K = 4 sequences; each group's estimate (1/K)Σ A_i ∇log π(o_i) is
        // −groups·∂loss/∂θ_g. Exact: ∇ of J = E[R − β·log(π/π_ref)] by central differences of the enumerated J.
        // |z| < 4 for all 6 parameters. Catches a baseline that includes its own sample (biased by (K − 1)/K), a KL
        // with the wrong sign, or a loss with the wrong sign.
        const int groups = 20_000, k = 4;
        const double beta = 0.3;
        var (leaf, logp, refLogp, rewards) = Sample(groups, k, 11);
        var res = RlooLoss.Compute(logp, Tensor.OnesLike(logp), rewards, new RlooOptions { KlCoefficient = beta }, refLogp);
        var grad = Autograd.Grad(res.Loss, leaf).ToDoubleArray();
        var z = ZScores(grad, groups, ExactGradient(beta), -groups);
        Assert.All(z, v => Assert.True(Math.Abs(v) < 4, $"z = {v}; all: {string.Join(", ", z)}"));
    }

    [Fact]
    public void GrpoWithoutStdScalingIsRlooScaledByGMinusOneOverG()
    {
        // A_i = R_i − mean_group R = (G − 1)/G·(R_i − mean of the others), so on-policy GRPO (no std scaling, equal
        // lengths, TokenMean) estimates (G − 1)/G·∇E[R]: after multiplying by G/(G − 1) it is unbiased, and without
        // the factor the largest component is clearly off. Structural check of the documented bias.
        const int groups = 20_000, g = 4;
        var (leaf, logp, _, rewards) = Sample(groups, g, 12);
        var adv = GrpoAdvantages.Compute(rewards, AdvantageScaling.None).Reshape(groups * g);
        var res = GrpoLoss.Compute(logp, adv, Tensor.OnesLike(logp), new GrpoOptions { Aggregation = LossAggregation.TokenMean });
        var grad = Autograd.Grad(res.Loss, leaf).ToDoubleArray();
        var exact = ExactGradient(0);

        // Group estimate (1/G)Σ_i A_i ∇log π(o_i) = −(B·T/G)·∂loss/∂θ_g = −groups·T·∂loss/∂θ_g.
        var corrected = ZScores(grad, groups, exact, -groups * Steps * g / (g - 1.0));
        Assert.All(corrected, v => Assert.True(Math.Abs(v) < 4, $"z = {v}; all: {string.Join(", ", corrected)}"));
        var raw = ZScores(grad, groups, exact, -groups * Steps);
        var largest = Array.IndexOf(exact, exact.MaxBy(Math.Abs));
        Assert.True(Math.Abs(raw[largest]) > 8, $"uncorrected z = {raw[largest]} for the largest component");
    }
}
