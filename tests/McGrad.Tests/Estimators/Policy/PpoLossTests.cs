using McGrad.Estimators.Policy;
using static McGrad.Tests.Estimators.Policy.PolicyTestHelpers;

namespace McGrad.Tests.Estimators.Policy;

public class PpoLossTests
{
    // Seven samples covering every branch of the clipped objective with ε = 0.2:
    // 0: A > 0, r = e^0.2 = 1.2214 > 1.2 (clipped: objective 1.2·A, no gradient)
    // 1: A < 0, r = e^-0.2 = 0.8187 inside [0.8, 1.2]
    // 2: A > 0, r = e^-0.5 = 0.6065 < 0.8 (the minimum keeps r·A: gradient r·A)
    // 3: A < 0, r = e^0.5 = 1.6487 > 1.2 (the minimum keeps r·A: gradient r·A)
    // 4: r = 1
    // 5: A > 0 inside
    // 6: A < 0, r = e^-0.5 < 0.8 (clipped: objective 0.8·A, no gradient)
    private static readonly double[] Lp = [-0.5, -1.0, -2.0, -0.1, -0.7, -1.2, -1.0];
    private static readonly double[] Lo = [-0.7, -0.8, -1.5, -0.6, -0.7, -1.0, -0.5];
    private static readonly double[] Adv = [1.0, -2.0, 0.5, -1.5, 0.3, 2.0, -1.0];
    private static readonly bool[] Clipped = [true, false, false, false, false, false, true];

    private static readonly double[] V = [0.5, 1.0, -0.3, 2.0, 0.0, 0.7, 1.5];
    private static readonly double[] R = [1.0, 0.2, 0.1, 1.0, 0.5, 0.7, 0.0];
    private static readonly double[] VOld = [0.35, 1.5, -0.2, 1.0, 0.25, 0.6, 1.0];
    private static readonly double[] H = [1.1, 0.9, 1.3, 0.4, 0.8, 1.0, 0.6];

    /// <summary>Hand reference: min(r·A, clip(r, 1 − lo, 1 + hi)·A), dual-clipped for A &lt; 0.</summary>
    private static double Objective(double lp, double lo, double a, double clipLow = 0.2, double clipHigh = 0.2, double? dual = null)
    {
        var r = Math.Exp(lp - lo);
        var rc = Math.Min(Math.Max(r, 1 - clipLow), 1 + clipHigh);
        var o = Math.Min(r * a, rc * a);
        if (dual is double c && a < 0)
        {
            o = Math.Max(o, c * a);
        }

        return o;
    }

    [Fact]
    public void GoldenValuesWithValueClipAndEntropy()
    {
        // Catches a wrong ratio direction (π_old/π), max instead of min, a missing ½ in the value loss, the wrong
        // side of the value clip (min instead of max), or a sign error on the entropy bonus.
        Assert.Equal(1.2, Objective(Lp[0], Lo[0], Adv[0]), 12);
        Assert.Equal(-0.8, Objective(Lp[6], Lo[6], Adv[6]), 12);
        Assert.Equal(Math.Exp(0.5) * -1.5, Objective(Lp[3], Lo[3], Adv[3]), 12);

        var n = Lp.Length;
        double policy = 0, value = 0, entropy = 0;
        for (var i = 0; i < n; i++)
        {
            policy -= Objective(Lp[i], Lo[i], Adv[i]) / n;
            var unclipped = (V[i] - R[i]) * (V[i] - R[i]);
            var vc = VOld[i] + Math.Clamp(V[i] - VOld[i], -0.2, 0.2);
            var clipped = (vc - R[i]) * (vc - R[i]);
            value += 0.5 * Math.Max(unclipped, clipped) / n;
            entropy += H[i] / n;
        }

        var options = new PpoOptions { ValueClip = 0.2, ValueCoefficient = 0.5, EntropyCoefficient = 0.01 };
        var res = PpoLoss.Compute(T(Lp), T(Lo), T(Adv), options, values: T(V), returns: T(R), oldValues: T(VOld), entropy: T(H));
        Close(policy, res.PolicyLoss.Item(), what: "policy loss");
        Close(value, res.ValueLoss!.Item(), what: "value loss");
        Close(entropy, res.Entropy!.Item(), what: "entropy");
        Close(policy + (0.5 * value) - (0.01 * entropy), res.Loss.Item(), what: "loss");

        // Without a value clip: ½·mean((V − R)²).
        var plain = 0.0;
        for (var i = 0; i < n; i++)
        {
            plain += 0.5 * (V[i] - R[i]) * (V[i] - R[i]) / n;
        }

        Close(plain, PpoLoss.ValueLoss(T(V), T(R)).Item(), what: "unclipped value loss");
        Assert.NotEqual(plain, value, 6);
    }

    [Fact]
    public void GradientIsRatioTimesAdvantageInsideAndZeroWhereClipped()
    {
        // The key property of PPO: ∂(−mean L)/∂log π = −r·A/N where the unclipped term is selected, 0 where the clip
        // is active. Catches a clip applied to both sides, a missing ratio factor, or clipping with the wrong sign of A.
        var lp = T(Lp).RequireGrad();
        var res = PpoLoss.Compute(lp, T(Lo), T(Adv));
        var g = Grad(res.Loss, lp);
        var n = Lp.Length;
        for (var i = 0; i < n; i++)
        {
            var expected = Clipped[i] ? 0.0 : -Math.Exp(Lp[i] - Lo[i]) * Adv[i] / n;
            Close(expected, g[i], what: $"∂loss/∂logp[{i}]");
        }

        // No gradient reaches π_old or the advantages (they are detached).
        var lo = T(Lo).RequireGrad();
        var adv = T(Adv).RequireGrad();
        var res2 = PpoLoss.Compute(T(Lp).RequireGrad(), lo, adv);
        var unused = McGrad.Autodiff.Autograd.Grad([res2.Loss], [lo, adv], allowUnused: true);
        Assert.All(unused, x => Assert.True(x is null || x.ToDoubleArray().All(v => v == 0)));
    }

    [Fact]
    public void AsymmetricClipUsesSeparateBounds()
    {
        // ε_low = 0.1, ε_high = 0.3: r = 1.25 with A > 0 is inside (clipped with symmetric 0.2), r = 0.85 with A < 0 is
        // clipped at 0.9. Catches swapped ε_low/ε_high.
        double[] lp = [Math.Log(1.25), Math.Log(0.85), Math.Log(1.35)];
        double[] lo = [0, 0, 0];
        double[] adv = [2.0, -1.0, 1.0];
        var options = new PpoOptions { ClipLow = 0.1, ClipHigh = 0.3 };
        var x = T(lp).RequireGrad();
        var res = PpoLoss.Compute(x, T(lo), T(adv), options);
        var expected = -((1.25 * 2.0) + (0.9 * -1.0) + (1.3 * 1.0)) / 3;
        Close(expected, res.PolicyLoss.Item());
        Close([-1.25 * 2.0 / 3, 0, 0], Grad(res.Loss, x), what: "grad");
        Close(1.0 / 3, res.Diagnostics.ClipFractionLow);
        Close(1.0 / 3, res.Diagnostics.ClipFractionHigh);
        Close(2.0 / 3, res.Diagnostics.ClippedGradientFraction);
    }

    [Fact]
    public void DualClipBoundsLargeRatiosForNegativeAdvantages()
    {
        // Ye et al. 2020, c = 3: for A < 0, max(min(rA, clip(r)A), 3A). r = 4 → 3A with zero gradient; r = 2 → rA with
        // gradient rA; A > 0 with r = 4 is untouched (1.2A, zero gradient). Catches a dual clip applied to A > 0 or
        // min/max swapped.
        double[] lp = [Math.Log(4), Math.Log(2), Math.Log(4), Math.Log(0.5)];
        double[] lo = [0, 0, 0, 0];
        double[] adv = [-1.0, -1.0, 1.0, -2.0];
        var x = T(lp).RequireGrad();
        var res = PpoLoss.Compute(x, T(lo), T(adv), new PpoOptions { DualClip = 3 });
        double[] obj = [-3.0, -2.0, 1.2, -1.6];
        for (var i = 0; i < 4; i++)
        {
            Close(obj[i], Objective(lp[i], 0, adv[i], dual: 3), what: "hand objective");
        }

        Close(-obj.Sum() / 4, res.PolicyLoss.Item(), what: "dual-clipped loss");
        Close([0, 2.0 / 4, 0, 0], Grad(res.Loss, x), what: "grad");
        Close(0.25, res.Diagnostics.DualClipFraction);

        var plain = PpoLoss.Compute(T(lp), T(lo), T(adv));
        Close(-((-4.0) + (-2.0) + 1.2 + (-1.6)) / 4, plain.PolicyLoss.Item(), what: "without dual clip");

        // The public building block agrees.
        var objective = ClippedSurrogate.Objective(ClippedSurrogate.Ratio(T(lp), T(lo)), T(adv), 0.2, 0.2, 3);
        Close(obj, objective.ToDoubleArray(), what: "ClippedSurrogate.Objective");
    }

    [Fact]
    public void DiagnosticsMatchHandComputation()
    {
        // k1 = mean(log π_old − log π), k3 = mean((r − 1) − log r), clip fraction = mean(1[|r − 1| > ε]).
        double k1 = 0, k3 = 0, clip = 0, low = 0, high = 0, zeroed = 0, ratio = 0;
        var n = Lp.Length;
        for (var i = 0; i < n; i++)
        {
            var lr = Lp[i] - Lo[i];
            var r = Math.Exp(lr);
            k1 += -lr / n;
            k3 += (r - 1 - lr) / n;
            clip += Math.Abs(r - 1) > 0.2 ? 1.0 / n : 0;
            low += r < 0.8 ? 1.0 / n : 0;
            high += r > 1.2 ? 1.0 / n : 0;
            zeroed += Clipped[i] ? 1.0 / n : 0;
            ratio += r / n;
        }

        var d = PpoLoss.Compute(T(Lp), T(Lo), T(Adv)).Diagnostics;
        Close(k1, d.ApproxKlK1);
        Close(k3, d.ApproxKlK3);
        Close(clip, d.ClipFraction);
        Close(low, d.ClipFractionLow);
        Close(high, d.ClipFractionHigh);
        Close(zeroed, d.ClippedGradientFraction);
        Close(ratio, d.MeanRatio);
        Assert.Equal(n, d.Count);
        Assert.Equal(0, d.DualClipFraction);
        Assert.True(d.ApproxKlK3 >= 0);

        var viaDiagnose = ClippedSurrogate.Diagnose(T(Lp) - T(Lo), T(Adv));
        Assert.Equal(d, viaDiagnose);
    }

    [Fact]
    public void ValueLossGradientFollowsTheSelectedBranch()
    {
        // ε_v = 0.2. Element 0: V − V_old = 0.5 > ε_v and the clipped term (0.5 − 1)² = 0.25 > (0.8 − 1)² = 0.04 → max
        // picks the clipped branch whose V is clamped: gradient 0. Element 1: the unclipped term is larger → (V − R)/N.
        // Element 2: inside the clip range → (V − R)/N.
        double[] v = [0.8, 3.0, 0.1];
        double[] vOld = [0.3, 2.0, 0.0];
        double[] ret = [1.0, 0.0, 1.0];
        var x = T(v).RequireGrad();
        var loss = PpoLoss.ValueLoss(x, T(ret), T(vOld), 0.2);
        var expected = 0.5 * (0.25 + 9.0 + 0.81) / 3;
        Close(expected, loss.Item());
        Close([0, 3.0 / 3, (0.1 - 1.0) / 3], Grad(loss, x), what: "∂L_V/∂V");
    }

    [Fact]
    public void GradCheckAwayFromClipBoundaries()
    {
        // Smooth everywhere except at the clip boundaries; every ratio here is at least 0.018 from 1 ± ε, every
        // |V − V_old| at least 0.05 from ε_v, and the two value branches differ.
        var options = new PpoOptions { ValueClip = 0.2, EntropyCoefficient = 0.01, DualClip = 3 };
        TestUtil.AssertGrad(
            xs => PpoLoss.Compute(xs[0], T(Lo), T(Adv), options, values: xs[1], returns: T(R), oldValues: T(VOld), entropy: xs[2]).Loss,
            T(Lp),
            T(V),
            T(H));
        TestUtil.AssertGrad(xs => ClippedSurrogate.Objective(ClippedSurrogate.Ratio(xs[0], T(Lo)), T(Adv)), T(Lp));
    }

    [Fact]
    public void Float32AgreesWithFloat64()
    {
        var options = new PpoOptions { ValueClip = 0.2, EntropyCoefficient = 0.01 };
        Tensor F(double[] x) => T(x).To(DType.Float32);
        var r64 = PpoLoss.Compute(T(Lp), T(Lo), T(Adv), options, T(V), T(R), T(VOld), T(H));
        var r32 = PpoLoss.Compute(F(Lp), F(Lo), F(Adv), options, F(V), F(R), F(VOld), F(H));
        Assert.Equal(DType.Float32, r32.Loss.DType);
        Close(r64.Loss.Item(), r32.Loss.Item(), 1e-6);
    }

    [Fact]
    public void ArgumentsAreValidated()
    {
        var ex = Assert.Throws<ArgumentException>(() => PpoLoss.Compute(T(Lp), T([1.0, 2.0]), T(Adv)));
        Assert.Contains("oldLogProbs", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[7]", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => PpoLoss.Compute(T(Lp), T(Lo), T(Adv).To(DType.Float32)));
        Assert.Throws<ArgumentException>(() => PpoLoss.Compute(T([]), T([]), T([])));
        ex = Assert.Throws<ArgumentException>(() => PpoLoss.Compute(T(Lp), T(Lo), T(Adv), values: T(V)));
        Assert.Contains("returns", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => PpoLoss.Compute(T(Lp), T(Lo), T(Adv), new PpoOptions { ValueClip = 0.2 }, values: T(V), returns: T(R)));
        Assert.Contains("oldValues", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => PpoLoss.Compute(T(Lp), T(Lo), T(Adv), values: T(V), returns: T(R), oldValues: T(VOld)));
        Assert.Throws<ArgumentException>(() => PpoLoss.Compute(T(Lp), T(Lo), T(Adv), returns: T(R)));
        Assert.Throws<ArgumentException>(() => PpoLoss.Compute(T(Lp), T(Lo), T(Adv), entropy: T([1.0])));

        var o = Assert.Throws<ArgumentOutOfRangeException>(() => new PpoOptions { ClipLow = -0.1 });
        Assert.Contains("ClipLow", o.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PpoOptions { ClipLow = 1.5 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PpoOptions { ClipHigh = -0.2 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PpoOptions { ClipHigh = double.NaN });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PpoOptions { DualClip = 1.0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PpoOptions { ValueClip = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PpoOptions { ValueCoefficient = double.NaN });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PpoOptions { EntropyCoefficient = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PpoOptions() with { ClipLow = 2 });
        Assert.Throws<ArgumentOutOfRangeException>(() => ClippedSurrogate.Objective(T(Lp), T(Adv), clipLow: -1));
        Assert.Throws<ArgumentException>(() => ClippedSurrogate.Objective(T(Lp), T([1.0])));

        // +∞ is a valid ε_high (no upper clip): the gradient at r = e^0.2, A > 0 is then r·A, not 0.
        var x = T(Lp).RequireGrad();
        var g = Grad(PpoLoss.Compute(x, T(Lo), T(Adv), new PpoOptions { ClipHigh = double.PositiveInfinity }).Loss, x);
        Close(-Math.Exp(0.2) / 7, g[0]);
    }
}
