using McGrad.Distributions;
using static McGrad.Tests.Distributions.Ref;

namespace McGrad.Tests.Distributions;

/// <summary>
/// LogProb, Entropy, Mean and Variance of every family against closed forms computed here in plain doubles
/// (Math.* and LogGamma), and, for the less familiar entropies, against quadrature of the density. Parameters are
/// batches of 3 (float64); values are [2, 3] (a sample dimension of 2), so broadcasting is exercised throughout.
/// </summary>
public class FamilyFormulaTests
{
    private const double HalfLog2Pi = 0.91893853320467274178;

    /// <summary>expected[i] = f(values[i], i mod batch) for a row-major [S, batch] array.</summary>
    private static double[] Each(double[] values, int batch, Func<double, int, double> f)
        => values.Select((v, i) => f(v, i % batch)).ToArray();

    private static double[] Per(int batch, Func<int, double> f) => Enumerable.Range(0, batch).Select(f).ToArray();

    [Fact]
    public void Normal()
    {
        double[] mu = [0.3, -1.2, 2.0], sd = [0.5, 1.5, 2.5];
        double[] x = [0.1, 0.4, -3, 2.2, -1.2, 5.5];
        var d = new Normal(T(mu), T(sd));
        Assert.Equal(new Shape(3), d.BatchShape);
        Assert.Equal(Shape.Scalar, d.EventShape);
        var lp = d.LogProb(T(x, 2, 3));
        Assert.Equal(new Shape(2, 3), lp.Shape);
        Close(Each(x, 3, (v, j) => (-0.5 * Math.Pow((v - mu[j]) / sd[j], 2)) - Math.Log(sd[j]) - (0.5 * Math.Log(2 * Math.PI))), lp);
        Close(Per(3, j => 0.5 * Math.Log(2 * Math.PI * Math.E * sd[j] * sd[j])), d.Entropy());
        Close(mu, d.Mean);
        Close(Per(3, j => sd[j] * sd[j]), d.Variance);
        Close(sd, d.StdDev);
    }

    [Fact]
    public void NormalBroadcastsParametersAndValues()
    {
        var d = new Normal(TestUtil.Rand(1, [3, 1]), TestUtil.Rand(2, [4], 0.5, 2));
        Assert.Equal(new Shape(3, 4), d.BatchShape);
        Assert.Equal(new Shape(3, 4), d.LogProb(TestUtil.Rand(3, [4])).Shape);
        Assert.Equal(new Shape(2, 3, 4), d.LogProb(TestUtil.Rand(3, [2, 1, 1])).Shape);
        Assert.Equal(new Shape(3, 4), d.Entropy().Shape);
        Assert.Equal(new Shape(3, 4), d.Mean.Shape);
        Assert.Equal(new Shape(5, 3, 4), d.Sample(new McGrad.Randomness.RngKey(1), [5]).Shape);
        Assert.Equal(new Shape(3, 4), d.Sample(new McGrad.Randomness.RngKey(1)).Shape);
        var s = new Normal(0.0, 1.0, DType.Float64);
        Assert.Equal(Shape.Scalar, s.BatchShape);
        Assert.Equal(new Shape(2, 5), s.Sample(new McGrad.Randomness.RngKey(1), [2, 5]).Shape);
    }

    [Fact]
    public void BernoulliWithLogits()
    {
        double[] l = [-2, 0.3, 4];
        double[] x = [0, 1, 1, 1, 0, 0];
        var d = new Bernoulli(logits: T(l));
        Close(Each(x, 3, (v, j) => v == 1 ? Math.Log(Sigmoid(l[j])) : Math.Log(1 - Sigmoid(l[j]))), d.LogProb(T(x, 2, 3)));
        Close(Per(3, j => { var p = Sigmoid(l[j]); return -(p * Math.Log(p)) - ((1 - p) * Math.Log(1 - p)); }), d.Entropy());
        Close(Per(3, j => Sigmoid(l[j])), d.Mean);
        Close(Per(3, j => Sigmoid(l[j]) * (1 - Sigmoid(l[j]))), d.Variance);
        Close(l, d.Logits);
    }

    [Fact]
    public void BernoulliWithProbsIncludingZeroAndOne()
    {
        double[] p = [0, 0.3, 1];
        double[] x = [0, 1, 1, 0, 0, 1];
        var d = new Bernoulli(probs: T(p));
        Close(Each(x, 3, (v, j) => Math.Log(v == 1 ? p[j] : 1 - p[j])), d.LogProb(T(x, 2, 3)));
        var h = d.Entropy().ToDoubleArray();
        Assert.Equal(0, h[0]);
        Assert.Equal(0, h[2]);
        Close(-(0.3 * Math.Log(0.3)) - (0.7 * Math.Log(0.7)), h[1], 1e-14, "entropy");
        Close(p, d.Mean);
        Close(Per(3, j => p[j] * (1 - p[j])), d.Variance);
        Assert.Equal(double.NegativeInfinity, d.LogProb(T(1.0)).ToDoubleArray()[0]);
        // Stable logits: p = σ(−40) keeps its tiny mass instead of rounding to 0.
        var far = new Bernoulli(logits: T(-40.0));
        Close(-40 - Math.Log(1 + Math.Exp(-40)), far.LogProb(T(1.0)).Item(), 1e-14, "log σ(−40)");
    }

    private static double LogSumExp(double[] v)
    {
        var m = v.Max();
        return m + Math.Log(v.Sum(t => Math.Exp(t - m)));
    }

    [Fact]
    public void Categorical()
    {
        double[][] rows = [[0.5, -1, 2, 0.1], [3, 3, -2, 0]];
        var d = new Categorical(logits: T(rows.SelectMany(r => r).ToArray(), 2, 4));
        Assert.Equal(new Shape(2), d.BatchShape);
        Assert.Equal(4, d.NumCategories);
        long[] k = [2, 0, 3, 1, 0, 2];
        var lp = d.LogProb(Tensor.FromArray(k, 3, 2));
        Assert.Equal(new Shape(3, 2), lp.Shape);
        Close(k.Select((c, i) => rows[i % 2][c] - LogSumExp(rows[i % 2])).ToArray(), lp);
        double P(int j, int c) => Math.Exp(rows[j][c] - LogSumExp(rows[j]));
        Close(Per(2, j => -Enumerable.Range(0, 4).Sum(c => P(j, c) * Math.Log(P(j, c)))), d.Entropy());
        Close(Per(2, j => Enumerable.Range(0, 4).Sum(c => c * P(j, c))), d.Mean);
        Close(Per(2, j => Enumerable.Range(0, 4).Sum(c => c * c * P(j, c)) - Math.Pow(Enumerable.Range(0, 4).Sum(c => c * P(j, c)), 2)), d.Variance);
        Close(rows.SelectMany((r, j) => r.Select((_, c) => P(j, c))).ToArray(), d.Probs);
    }

    [Fact]
    public void CategoricalWithProbsAndImpossibleCategories()
    {
        var d = Distributions_Categorical(probs: [2, 0, 6]); // normalised to [0.25, 0, 0.75]
        Close([Math.Log(0.25), Math.Log(0.75)], d.LogProb(Tensor.FromArray(new long[] { 0, 2 })));
        Assert.Equal(double.NegativeInfinity, d.LogProb(Tensor.FromArray(new long[] { 1 })).Item());
        Close(-(0.25 * Math.Log(0.25)) - (0.75 * Math.Log(0.75)), d.Entropy().Item(), 1e-14, "entropy");
        Close(1.5, d.Mean.Item(), 1e-14, "mean");
        var masked = new Categorical(logits: T(1.0, double.NegativeInfinity, 1.0));
        Close(Math.Log(2), masked.Entropy().Item(), 1e-14, "entropy with a −∞ logit");
    }

    private static McGrad.Distributions.Categorical Distributions_Categorical(double[] probs) => McGrad.Distributions.Categorical.FromProbs(probs, DType.Float64);

    [Fact]
    public void OneHotCategorical()
    {
        double[] l = [0.2, -0.7, 1.1];
        var d = new OneHotCategorical(logits: T(l));
        Assert.Equal(new Shape(3), d.EventShape);
        Assert.Equal(Shape.Scalar, d.BatchShape);
        var lp = d.LogProb(T([0, 1, 0, 0, 0, 1], 2, 3));
        Assert.Equal(new Shape(2), lp.Shape);
        Close([l[1] - LogSumExp(l), l[2] - LogSumExp(l)], lp);
        var p = l.Select(v => Math.Exp(v - LogSumExp(l))).ToArray();
        Close(-p.Sum(v => v * Math.Log(v)), d.Entropy().Item(), 1e-14, "entropy");
        Close(p, d.Mean);
        Close(p.Select(v => v * (1 - v)).ToArray(), d.Variance);
    }

    [Fact]
    public void RelaxedBernoulli()
    {
        double[] tau = [0.5, 1.0, 2.0], l = [0.4, -1.3, 2.0];
        double[] y = [0.2, 0.7, 0.99, 0.001, 0.5, 0.35];
        var d = new RelaxedBernoulli(T(tau), logits: T(l));
        // p(y) = τ α y^{−τ−1}(1 − y)^{−τ−1} / (α y^{−τ} + (1 − y)^{−τ})², α = e^ℓ  (Maddison et al. 2017, eq. 21)
        Close(Each(y, 3, (v, j) => Math.Log(tau[j]) + l[j] - ((tau[j] + 1) * (Math.Log(v) + Math.Log(1 - v)))
            - (2 * Math.Log((Math.Exp(l[j]) * Math.Pow(v, -tau[j])) + Math.Pow(1 - v, -tau[j])))), d.LogProb(T(y, 2, 3)), 1e-11);
        Assert.Throws<NotSupportedException>(() => d.Mean);
        Assert.Throws<NotSupportedException>(() => d.Variance);
        var e = Assert.Throws<NotSupportedException>(() => d.Entropy());
        Assert.Contains("RelaxedBernoulli", e.Message);
        // The density integrates to 1 (integrated in logit space, where it is smooth).
        var single = new RelaxedBernoulli(0.8, logits: T(0.6));
        var mass = Simpson(t => { var v = Sigmoid(t); return Math.Exp(single.LogProb(T(v)).Item()) * v * (1 - v); }, -30, 30, 4000);
        Close(1, mass, 1e-4, "mass");
    }

    [Fact]
    public void RelaxedOneHotCategorical()
    {
        const double tau = 0.7;
        double[][] l = [[0.3, -0.2, 1.0], [2.0, 0.0, -1.0]];
        double[][] y = [[0.2, 0.3, 0.5], [0.9, 0.05, 0.05]];
        var d = new RelaxedOneHotCategorical(tau, logits: T(l.SelectMany(r => r).ToArray(), 2, 3));
        Assert.Equal(new Shape(2), d.BatchShape);
        Assert.Equal(new Shape(3), d.EventShape);
        // log p(y) = ln((K−1)!) + (K−1) ln τ + Σ(ln αₖ − (τ+1) ln yₖ) − K ln Σ αₖ yₖ^{−τ}
        double Expected(int j)
        {
            const int K = 3;
            var s = Math.Log(2) + ((K - 1) * Math.Log(tau));
            var denom = 0.0;
            for (var k = 0; k < K; k++)
            {
                s += l[j][k] - ((tau + 1) * Math.Log(y[j][k]));
                denom += Math.Exp(l[j][k]) * Math.Pow(y[j][k], -tau);
            }

            return s - (K * Math.Log(denom));
        }

        Close([Expected(0), Expected(1)], d.LogProb(T(y.SelectMany(r => r).ToArray(), 2, 3)), 1e-12);
        Assert.Throws<NotSupportedException>(() => d.Mean);
        Assert.Throws<NotSupportedException>(() => d.Entropy());
        // K = 2 reduces to the Binary Concrete on the first coordinate.
        var two = new RelaxedOneHotCategorical(tau, logits: T(0.8, 0.0));
        var bin = new RelaxedBernoulli(tau, logits: T(0.8));
        Close(bin.LogProb(T(0.3)).Item(), two.LogProb(T(0.3, 0.7)).Item(), 1e-12, "K = 2");
    }

    [Fact]
    public void Gumbel()
    {
        double[] mu = [0.0, -1.0, 3.0], b = [1.0, 0.5, 2.0];
        double[] x = [0.1, -2, 4, 3, 0.5, -1];
        var d = new Gumbel(T(mu), T(b));
        Close(Each(x, 3, (v, j) => { var z = (v - mu[j]) / b[j]; return -z - Math.Exp(-z) - Math.Log(b[j]); }), d.LogProb(T(x, 2, 3)));
        Close(Per(3, j => Math.Log(b[j]) + EulerGamma + 1), d.Entropy());
        Close(Per(3, j => mu[j] + (b[j] * EulerGamma)), d.Mean);
        Close(Per(3, j => Math.PI * Math.PI * b[j] * b[j] / 6), d.Variance);
        var q = Quadrature(v => new Gumbel(0.5, 1.5, DType.Float64).LogProb(T(v)).Item(), -12, 60);
        Close(new Gumbel(0.5, 1.5, DType.Float64).Entropy().Item(), q.Entropy, 1e-7, "entropy by quadrature");
    }

    [Fact]
    public void Logistic()
    {
        double[] mu = [0.0, -1.0, 3.0], s = [1.0, 0.5, 2.0];
        double[] x = [0.1, -2, 40, 3, 0.5, -1];
        var d = new Logistic(T(mu), T(s));
        Close(Each(x, 3, (v, j) => { var z = (v - mu[j]) / s[j]; return -z - (2 * Math.Log(1 + Math.Exp(-z))) - Math.Log(s[j]); }), d.LogProb(T(x, 2, 3)));
        Close(Per(3, j => Math.Log(s[j]) + 2), d.Entropy());
        Close(mu, d.Mean);
        Close(Per(3, j => Math.PI * Math.PI * s[j] * s[j] / 3), d.Variance);
        Close(-1000 - Math.Log(1.0), new Logistic(0.0, 1.0, DType.Float64).LogProb(T(1000.0)).Item(), 1e-14, "far tail");
    }

    [Fact]
    public void Uniform()
    {
        double[] lo = [0.0, -1.0, 2.0], hi = [1.0, 3.0, 2.5];
        double[] x = [0.5, 0, 2.1, 1, 3, 2.5];
        var d = new Uniform(T(lo), T(hi));
        Close(Each(x, 3, (_, j) => -Math.Log(hi[j] - lo[j])), d.LogProb(T(x, 2, 3)));
        Close(Per(3, j => Math.Log(hi[j] - lo[j])), d.Entropy());
        Close(Per(3, j => (lo[j] + hi[j]) / 2), d.Mean);
        Close(Per(3, j => Math.Pow(hi[j] - lo[j], 2) / 12), d.Variance);
    }

    [Fact]
    public void Exponential()
    {
        double[] r = [0.5, 1.0, 4.0];
        double[] x = [0, 1.5, 0.01, 3, 0.2, 2];
        var d = new Exponential(T(r));
        Close(Each(x, 3, (v, j) => Math.Log(r[j]) - (r[j] * v)), d.LogProb(T(x, 2, 3)));
        Close(Per(3, j => 1 - Math.Log(r[j])), d.Entropy());
        Close(Per(3, j => 1 / r[j]), d.Mean);
        Close(Per(3, j => 1 / (r[j] * r[j])), d.Variance);
    }

    [Fact]
    public void Gamma()
    {
        double[] a = [0.5, 2.0, 7.5], b = [1.0, 0.5, 3.0];
        double[] x = [0.1, 3, 2, 1.7, 0.4, 4];
        var d = new Gamma(T(a), T(b));
        Close(Each(x, 3, (v, j) => (a[j] * Math.Log(b[j])) + ((a[j] - 1) * Math.Log(v)) - (b[j] * v) - LogGamma(a[j])), d.LogProb(T(x, 2, 3)));
        Close(Per(3, j => a[j] - Math.Log(b[j]) + LogGamma(a[j]) + ((1 - a[j]) * Digamma(a[j]))), d.Entropy(), 1e-8);
        Close(Per(3, j => a[j] / b[j]), d.Mean);
        Close(Per(3, j => a[j] / (b[j] * b[j])), d.Variance);
        var g = new Gamma(2.5, 1.5, DType.Float64);
        var q = Quadrature(v => ((2.5 * Math.Log(1.5)) + (1.5 * Math.Log(v)) - (1.5 * v) - LogGamma(2.5)), 1e-12, 40);
        Close(g.Entropy().Item(), q.Entropy, 1e-7, "entropy by quadrature");
        Close(g.Mean.Item(), q.Mean, 1e-7, "mean by quadrature");
        Close(g.Variance.Item(), q.Var, 1e-7, "variance by quadrature");
    }

    [Fact]
    public void Beta()
    {
        double[] a = [0.5, 2.0, 7.5], b = [1.5, 2.0, 0.8];
        double[] x = [0.1, 0.5, 0.9, 0.77, 0.02, 0.999];
        var d = new Beta(T(a), T(b));
        double LogB(int j) => LogGamma(a[j]) + LogGamma(b[j]) - LogGamma(a[j] + b[j]);
        Close(Each(x, 3, (v, j) => ((a[j] - 1) * Math.Log(v)) + ((b[j] - 1) * Math.Log(1 - v)) - LogB(j)), d.LogProb(T(x, 2, 3)), 1e-11);
        Close(Per(3, j => LogB(j) - ((a[j] - 1) * Digamma(a[j])) - ((b[j] - 1) * Digamma(b[j])) + ((a[j] + b[j] - 2) * Digamma(a[j] + b[j]))), d.Entropy(), 1e-8);
        Close(Per(3, j => a[j] / (a[j] + b[j])), d.Mean);
        Close(Per(3, j => a[j] * b[j] / (Math.Pow(a[j] + b[j], 2) * (a[j] + b[j] + 1))), d.Variance);
        var beta = new Beta(2.5, 3.5, DType.Float64);
        var q = Quadrature(v => (1.5 * Math.Log(v)) + (2.5 * Math.Log(1 - v)) - (LogGamma(2.5) + LogGamma(3.5) - LogGamma(6)), 1e-12, 1 - 1e-12);
        Close(beta.Entropy().Item(), q.Entropy, 1e-7, "entropy by quadrature");
    }

    [Fact]
    public void Poisson()
    {
        double[] r = [0.3, 4.0, 120.0];
        double[] k = [0, 2, 100, 3, 7, 131];
        var d = new Poisson(T(r));
        Close(Each(k, 3, (v, j) => (v * Math.Log(r[j])) - r[j] - LogGamma(v + 1)), d.LogProb(T(k, 2, 3)));
        double Entropy(double lambda)
        {
            var h = 0.0;
            for (var n = 0; n < 1000; n++)
            {
                var lp = (n * Math.Log(lambda)) - lambda - LogGamma(n + 1);
                h -= Math.Exp(lp) * lp;
            }

            return h;
        }

        Close(Per(3, j => Entropy(r[j])), d.Entropy(), 1e-11);
        Close(r, d.Mean);
        Close(r, d.Variance);
        var zero = new Poisson(T(0.0, 2.0));
        Close([0, Math.Log(2) - 2], zero.LogProb(T(0.0, 1.0)));
        Assert.Equal(double.NegativeInfinity, zero.LogProb(T(1.0, 1.0)).ToDoubleArray()[0]);
        Close(0, zero.Entropy().ToDoubleArray()[0], 1e-14, "entropy of Poisson(0)");
    }

    [Fact]
    public void Weibull()
    {
        double[] lam = [1.0, 2.0, 0.5], k = [0.7, 1.5, 4.0];
        double[] x = [0.3, 2, 0.5, 1.2, 0.01, 0.6];
        var d = new Weibull(T(lam), T(k));
        Close(Each(x, 3, (v, j) => Math.Log(k[j] / lam[j]) + ((k[j] - 1) * Math.Log(v / lam[j])) - Math.Pow(v / lam[j], k[j])), d.LogProb(T(x, 2, 3)));
        Close(Per(3, j => (EulerGamma * (1 - (1 / k[j]))) + Math.Log(lam[j] / k[j]) + 1), d.Entropy());
        Close(Per(3, j => lam[j] * Ref.Gamma(1 + (1 / k[j]))), d.Mean);
        Close(Per(3, j => lam[j] * lam[j] * (Ref.Gamma(1 + (2 / k[j])) - Math.Pow(Ref.Gamma(1 + (1 / k[j])), 2))), d.Variance);
        var w = new Weibull(1.5, 2.5, DType.Float64);
        var q = Quadrature(v => Math.Log(2.5 / 1.5) + (1.5 * Math.Log(v / 1.5)) - Math.Pow(v / 1.5, 2.5), 1e-12, 12);
        Close(w.Entropy().Item(), q.Entropy, 1e-7, "entropy by quadrature");
        Close(w.Mean.Item(), q.Mean, 1e-7, "mean by quadrature");
        Close(w.Variance.Item(), q.Var, 1e-7, "variance by quadrature");
    }

    [Fact]
    public void DoubleSidedMaxwell()
    {
        double[] mu = [0.0, 1.0, -2.0], s = [1.0, 0.5, 3.0];
        double[] x = [0.5, 2, -7, -1.5, 1.1, 0];
        var d = new DoubleSidedMaxwell(T(mu), T(s));
        // p(x) = z² e^{−z²/2} / (σ√(2π)), z = (x − μ)/σ
        Close(Each(x, 3, (v, j) => { var z = (v - mu[j]) / s[j]; return Math.Log(z * z * Math.Exp(-z * z / 2) / (s[j] * Math.Sqrt(2 * Math.PI))); }), d.LogProb(T(x, 2, 3)));
        Close(mu, d.Mean);
        Close(Per(3, j => 3 * s[j] * s[j]), d.Variance);
        foreach (var j in new[] { 0, 2 })
        {
            var one = new DoubleSidedMaxwell(mu[j], s[j], DType.Float64);
            var q = Quadrature(v => { var z = (v - mu[j]) / s[j]; return (2 * Math.Log(Math.Abs(z))) - (z * z / 2) - Math.Log(s[j]) - HalfLog2Pi; }, mu[j] - (14 * s[j]), mu[j] + (14 * s[j]) + 1e-9);
            Close(q.Entropy, d.Entropy().ToDoubleArray()[j], 1e-7, $"entropy by quadrature [{j}]");
            Close(q.Var, one.Variance.Item(), 1e-7, $"variance by quadrature [{j}]");
        }
    }

    [Fact]
    public void SumOfGamma()
    {
        var d = new SumOfGamma([4, 2], kappa: 3, temperature: 0.5, terms: 10, dtype: DType.Float64);
        Assert.Equal(new Shape(4, 2), d.BatchShape);
        var h = Enumerable.Range(1, 10).Sum(i => 1.0 / i);
        var h2 = Enumerable.Range(1, 10).Sum(i => 1.0 / (i * i));
        Close(Enumerable.Repeat(0.5 / 3 * (h - Math.Log(10)), 8).ToArray(), d.Mean);
        // Var Gamma(1/κ, scale κ/i) = (1/κ)(κ/i)² = κ/i², times (τ/κ)².
        Close(Enumerable.Repeat(0.25 / 9 * 3 * h2, 8).ToArray(), d.Variance);
        var e = Assert.Throws<NotSupportedException>(() => d.LogProb(Tensor.Zeros([4, 2], DType.Float64)));
        Assert.Contains("SumOfGamma", e.Message);
        Assert.Throws<NotSupportedException>(() => d.RSample(new McGrad.Randomness.RngKey(1)));
        Assert.Throws<NotSupportedException>(() => d.Entropy());
        Assert.False(d.HasRSample);
    }

    [Fact]
    public void IndependentSumsReinterpretedDimensions()
    {
        var mu = TestUtil.Rand(4, [2, 3]);
        var sd = TestUtil.Rand(5, [2, 3], 0.5, 2);
        var x = TestUtil.Rand(6, [5, 2, 3]);
        var baseD = new Normal(mu, sd);
        var d = new Independent(baseD, 1);
        Assert.Equal(new Shape(2), d.BatchShape);
        Assert.Equal(new Shape(3), d.EventShape);
        var full = baseD.LogProb(x).ToDoubleArray();
        var lp = d.LogProb(x);
        Assert.Equal(new Shape(5, 2), lp.Shape);
        Close(Enumerable.Range(0, 10).Select(i => full[3 * i] + full[(3 * i) + 1] + full[(3 * i) + 2]).ToArray(), lp);
        var h = baseD.Entropy().ToDoubleArray();
        Close([h[0] + h[1] + h[2], h[3] + h[4] + h[5]], d.Entropy());
        Close(baseD.Mean.ToDoubleArray(), d.Mean);
        Close(baseD.Variance.ToDoubleArray(), d.Variance);
        Assert.True(d.HasRSample);
        var all = new Independent(baseD, 2);
        Assert.Equal(Shape.Scalar, all.BatchShape);
        Assert.Equal(new Shape(2, 3), all.EventShape);
        Close([full.Take(6).Sum(), full.Skip(6).Take(6).Sum()], all.LogProb(x).Reshape(-1).Slice(0, 0, 2));
        var none = new Independent(baseD, 0);
        Close(full, none.LogProb(x));
        var sample = d.Sample(new McGrad.Randomness.RngKey(3), [4]);
        Close(baseD.Sample(new McGrad.Randomness.RngKey(3), [4]).ToDoubleArray(), sample);
    }
}
