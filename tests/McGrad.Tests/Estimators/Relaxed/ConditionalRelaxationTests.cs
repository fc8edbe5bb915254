using McGrad.Estimators.Relaxed;
using McGrad.Randomness;

namespace McGrad.Tests.Estimators.RebarRelax;

/// <summary>
/// Structural checks of the conditional relaxed sampling of REBAR/RELAX: H(z̃) = b for every draw, z̃'s law equals
/// p(z | b) (against the exact conditional CDF for Bernoulli, against rejection sampling for categorical), z̃ is
/// independent of z given b, and the pathwise gradients of z̃ pass first- and second-order GradCheck.
/// </summary>
public class ConditionalRelaxationTests
{
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Theory]
    [InlineData(DType.Float64)]
    [InlineData(DType.Float32)]
    public void BernoulliConditionalSampleHasTheSameHardValueForEveryDraw(DType dtype)
    {
        // Catches a conditional on the wrong side of 0 (swapped branches, a wrong sign) for any logit, extremes included.
        var logits = Tensor.FromArray([-12.0, -4, -1, -0.1, 0, 0.3, 2, 6, 12], 9).To(dtype);
        var draw = ConditionalRelaxation.Bernoulli(logits, new RngKey(11), [20_000]);
        var z = draw.Z.ToDoubleArray();
        var b = draw.Hard.ToDoubleArray();
        var zt = draw.ZTilde.ToDoubleArray();
        Assert.Equal(new Shape(20_000, 9), draw.ZTilde.Shape);
        Assert.Equal(dtype, draw.ZTilde.DType);
        for (var i = 0; i < z.Length; i++)
        {
            if (b[i] != (z[i] > 0 ? 1.0 : 0.0) || zt[i] > 0 != (b[i] == 1) || !double.IsFinite(zt[i]))
            {
                Assert.Fail($"draw {i}: z = {z[i]}, b = {b[i]}, z̃ = {zt[i]}");
            }
        }
    }

    [Theory]
    [InlineData(0.7)]
    [InlineData(-2.5)]
    public void BernoulliConditionalLawMatchesTheExactConditionalDistribution(double logit)
    {
        // For each b, ten bins with equal exact probability under p(z | b), from the logistic CDF F(t) = σ(t − ℓ):
        // for b = 1 the quantiles are ℓ + logit(1 − p + q·p), for b = 0 they are ℓ + logit(q·(1 − p)). Every bin count
        // must be within 4 standard deviations of n_b/10. Catches u′ = v·p for b = 1 (wrong conditional), a missing
        // softplus(ℓ) shift, z̃ that reuses z's noise (then z̃ = z, also caught by the independence check).
        const int n = 200_000;
        var p = Sigmoid(logit);
        var draw = ConditionalRelaxation.Bernoulli(Tensor.Scalar(logit, DType.Float64), new RngKey(21), [n]);
        var z = draw.Z.ToDoubleArray();
        var b = draw.Hard.ToDoubleArray();
        var zt = draw.ZTilde.ToDoubleArray();

        var ones = b.Sum();
        var zOnes = (ones - (n * p)) / Math.Sqrt(n * p * (1 - p));
        Assert.True(Math.Abs(zOnes) < 4, $"P(b = 1): {ones / n} vs p = {p}, z = {zOnes:F2}");

        foreach (var hard in new[] { 0.0, 1.0 })
        {
            var sel = Enumerable.Range(0, n).Where(i => b[i] == hard).ToArray();
            var edges = new double[11];
            edges[0] = double.NegativeInfinity;
            edges[10] = double.PositiveInfinity;
            for (var q = 1; q < 10; q++)
            {
                var u = hard == 1 ? 1 - p + (q / 10.0 * p) : q / 10.0 * (1 - p);
                edges[q] = logit + Math.Log(u / (1 - u));
            }

            var counts = new int[10];
            foreach (var i in sel)
            {
                var k = 0;
                while (zt[i] > edges[k + 1])
                {
                    k++;
                }

                counts[k]++;
            }

            for (var k = 0; k < 10; k++)
            {
                var zk = (counts[k] - (sel.Length / 10.0)) / Math.Sqrt(sel.Length * 0.1 * 0.9);
                Assert.True(Math.Abs(zk) < 4, $"b = {hard}, bin {k} [{edges[k]:F3}, {edges[k + 1]:F3}): {counts[k]} of {sel.Length}, z = {zk:F2}");
            }

            // z̃ is independent of z given b: the sample correlation is O(1/√n).
            var corr = Correlation(sel.Select(i => z[i]).ToArray(), sel.Select(i => zt[i]).ToArray());
            Assert.True(Math.Abs(corr * Math.Sqrt(sel.Length)) < 4, $"b = {hard}: corr(z, z̃) = {corr:G3}");
        }
    }

    [Fact]
    public void BernoulliConditionalGradientIsTheClosedFormAndPassesGradCheck()
    {
        // ∂z̃/∂ℓ = σ(L′ + softplus ℓ)·σ(ℓ) for b = 1 and σ(L′ + softplus(−ℓ))·σ(−ℓ) for b = 0, with L′ recovered from z̃.
        var logits = Tensor.FromArray([-1.3, 0.4, 2.0, -0.2, 0.9, -3.0], 6).RequireGrad();
        var hard = Tensor.FromArray([1.0, 0, 1, 1, 0, 0], 6);
        var key = new RngKey(5);
        var zt = ConditionalRelaxation.BernoulliConditional(logits, hard, key);
        var g = McGrad.Autodiff.Autograd.Grad(zt.Sum(), logits).ToDoubleArray();
        var l = logits.ToDoubleArray();
        var v = zt.ToDoubleArray();
        for (var i = 0; i < 6; i++)
        {
            var a = InverseSoftplus(Math.Abs(v[i])); // L′ + s
            var expected = Sigmoid(a) * (hard.GetFlat(i) == 1 ? Sigmoid(l[i]) : Sigmoid(-l[i]));
            Assert.Equal(expected, g[i], 1e-10);
        }

        TestUtil.AssertGrad(x => ConditionalRelaxation.BernoulliConditional(x[0], hard.Reshape(1, 6).BroadcastTo(new Shape(2, 6)).Detach(), key), logits.Detach());
        TestUtil.AssertGradGrad(x => ConditionalRelaxation.BernoulliConditional(x[0], hard, key), logits.Detach());
    }

    [Theory]
    [InlineData(DType.Float64)]
    [InlineData(DType.Float32)]
    public void CategoricalConditionalSampleHasTheSameArgmaxAndItsMaximumAtTheSampledCategory(DType dtype)
    {
        // Catches z̃_b ≠ max (e.g. G′_b without the logsumexp), the truncation at the wrong value, or b from the wrong axis.
        var logits = Tensor.FromArray(new double[,] { { 0.3, -0.5, 1.1, 0.0 }, { -6, 4, 0.2, 9 }, { 0, 0, 0, 0 } }).To(dtype);
        var draw = ConditionalRelaxation.Categorical(logits, new RngKey(31), [5000]);
        Assert.Equal(new Shape(5000, 3, 4), draw.ZTilde.Shape);
        var b = draw.Hard.ToDoubleArray();
        var zt = draw.ZTilde.ToDoubleArray();
        var z = draw.Z.ToDoubleArray();
        for (var r = 0; r < b.Length / 4; r++)
        {
            var bi = Array.IndexOf(b, 1.0, r * 4, 4) - (r * 4);
            if (bi < 0 || b[r * 4] + b[(r * 4) + 1] + b[(r * 4) + 2] + b[(r * 4) + 3] != 1 || bi != ArgMax(z, r * 4))
            {
                Assert.Fail($"row {r}: b is not the one-hot argmax of z");
            }

            var top = zt[(r * 4) + bi];
            for (var j = 0; j < 4; j++)
            {
                var v = zt[(r * 4) + j];
                if (!double.IsFinite(v) || !(j == bi || v < top || (dtype == DType.Float32 && v == top)))
                {
                    Assert.Fail($"row {r}: z̃[{j}] = {v} is not below z̃[b = {bi}] = {top}");
                }
            }

            if (dtype == DType.Float64 && ArgMax(zt, r * 4) != bi)
            {
                Assert.Fail($"row {r}: argmax z̃ is not b = {bi}");
            }
        }
    }

    [Fact]
    public void CategoricalConditionalLawMatchesRejectionSampling()
    {
        // For every category k: the first two moments of each component of z̃ given b = k agree with those of z among
        // unconditional draws whose argmax is k (an independent sampler of p(z | b = k)), by a two-sample z-test, and
        // the maximum is Gumbel(logsumexp ℓ) (mean logsumexp ℓ + γ, variance π²/6) whatever k. Catches a truncation at
        // the wrong value, the maximum shifted by the wrong normaliser, or components not truncated at all.
        double[] l = [0.3, -0.5, 1.1, 0.0];
        var logits = Tensor.FromArray(l, 4);
        const int n = 200_000;
        var cond = ConditionalRelaxation.Categorical(logits, new RngKey(41), [n]);
        var reference = ConditionalRelaxation.Categorical(logits, new RngKey(42), [n]);
        var zt = cond.ZTilde.ToDoubleArray();
        var bt = cond.Hard.ToDoubleArray();
        var zr = reference.Z.ToDoubleArray();
        var br = reference.Hard.ToDoubleArray();
        for (var k = 0; k < 4; k++)
        {
            var rowsT = Enumerable.Range(0, n).Where(r => bt[(r * 4) + k] == 1).ToArray();
            var rowsR = Enumerable.Range(0, n).Where(r => br[(r * 4) + k] == 1).ToArray();
            for (var j = 0; j < 4; j++)
            {
                for (var power = 1; power <= 2; power++)
                {
                    var a = rowsT.Select(r => Math.Pow(zt[(r * 4) + j], power)).ToArray();
                    var c = rowsR.Select(r => Math.Pow(zr[(r * 4) + j], power)).ToArray();
                    var zs = (a.Average() - c.Average()) / Math.Sqrt((Var(a) / a.Length) + (Var(c) / c.Length));
                    Assert.True(Math.Abs(zs) < 4, $"b = {k}, component {j}, moment {power}: conditional {a.Average():G5} vs rejection {c.Average():G5}, z = {zs:F2}");
                }
            }
        }

        var lse = Math.Log(l.Sum(Math.Exp));
        var max = Enumerable.Range(0, n).Select(r => zt[(r * 4) + Array.IndexOf(bt, 1.0, r * 4, 4) - (r * 4)]).ToArray();
        var zMean = (max.Average() - (lse + 0.5772156649015329)) / Math.Sqrt(Math.PI * Math.PI / 6 / n);
        Assert.True(Math.Abs(zMean) < 4, $"mean of the maximum {max.Average()} vs logsumexp + γ = {lse + 0.5772156649015329}, z = {zMean:F2}");
        Assert.Equal(Math.PI * Math.PI / 6, Var(max), 0.04); // ≈ 4 standard errors (excess kurtosis 5.4)
    }

    [Fact]
    public void CategoricalConditionalPassesFirstAndSecondOrderGradCheck()
    {
        var logits = TestUtil.Rand(7, [2, 3], -1, 1);
        var hard = Tensor.FromArray(new double[,] { { 0, 1, 0 }, { 0, 0, 1 } });
        var key = new RngKey(9);
        TestUtil.AssertGrad(x => ConditionalRelaxation.CategoricalConditional(x[0], hard, key), logits);
        TestUtil.AssertGradGrad(x => ConditionalRelaxation.CategoricalConditional(x[0], hard, key), logits);
    }

    [Fact]
    public void BadInputsThrowNamingTheProblem()
    {
        var key = new RngKey(1);
        var l = Tensor.FromArray([0.5, double.PositiveInfinity], 2);
        Assert.Contains("finite", Assert.Throws<ArgumentException>(() => ConditionalRelaxation.Bernoulli(l, key)).Message, StringComparison.Ordinal);
        var good = Tensor.FromArray([0.5, -0.5], 2);
        Assert.Contains("0/1", Assert.Throws<ArgumentException>(() => ConditionalRelaxation.BernoulliConditional(good, Tensor.FromArray([0.5, 1.0], 2), key)).Message, StringComparison.Ordinal);
        Assert.Contains("sampleShape + logits.shape", Assert.Throws<ArgumentException>(() => ConditionalRelaxation.BernoulliConditional(good, Tensor.FromArray([1.0, 0, 1], 3), key)).Message, StringComparison.Ordinal);
        Assert.Contains("Float32", Assert.Throws<ArgumentException>(() => ConditionalRelaxation.BernoulliConditional(good, Tensor.FromArray([1.0, 0], 2).To(DType.Float32), key)).Message, StringComparison.Ordinal);
        var cat = Tensor.FromArray([0.1, 0.2, 0.3], 3);
        Assert.Contains("2 ones", Assert.Throws<ArgumentException>(() => ConditionalRelaxation.CategoricalConditional(cat, Tensor.FromArray([1.0, 1, 0], 3), key)).Message, StringComparison.Ordinal);
        Assert.Contains("last (category) axis", Assert.Throws<ArgumentException>(() => ConditionalRelaxation.Categorical(Tensor.Scalar(0.0, DType.Float64), key)).Message, StringComparison.Ordinal);
        Assert.Contains("Int64", Assert.Throws<ArgumentException>(() => ConditionalRelaxation.Bernoulli(Tensor.FromArray([1L], 1), key)).Message, StringComparison.Ordinal);
    }

    private static double InverseSoftplus(double y) => y + Math.Log(1 - Math.Exp(-y));

    private static int ArgMax(double[] x, int offset)
    {
        var best = 0;
        for (var j = 1; j < 4; j++)
        {
            if (x[offset + j] > x[offset + best])
            {
                best = j;
            }
        }

        return best;
    }

    private static double Var(double[] x)
    {
        var m = x.Average();
        return x.Sum(v => (v - m) * (v - m)) / (x.Length - 1);
    }

    private static double Correlation(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }

        return sxy / Math.Sqrt(sxx * syy);
    }
}
