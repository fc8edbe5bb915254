using McGrad.Distributions;
using McGrad.Randomness;
using static McGrad.Tests.Distributions.Ref;

namespace McGrad.Tests.Distributions;

/// <summary>
/// KL closed forms against independent formulas / enumeration and against Monte Carlo (mean of ln p − ln q over draws
/// from p, |z| &lt; 4); the user registry; the error for an unregistered pair; gradients of the closed forms.
/// </summary>
public class KlTests
{
    private const int N = 20_000;

    /// <summary>Per batch element: |mean(ln p(x) − ln q(x)) − KL| &lt; 4 standard errors, x ~ p.</summary>
    private static void AssertMonteCarlo(Distribution p, Distribution q, ulong seed)
    {
        var x = p.Sample(new RngKey(seed), [N]);
        var diff = (p.LogProb(x) - q.LogProb(x)).ToDoubleArray();
        var kl = Kl.Divergence(p, q).ToDoubleArray();
        var m = ColumnMoments(diff, kl.Length);
        for (var j = 0; j < kl.Length; j++)
        {
            var z = (m[j].Mean - kl[j]) / Math.Sqrt(m[j].Var / N);
            Assert.True(Math.Abs(z) < 4, $"KL({p.GetType().Name} ‖ {q.GetType().Name})[{j}]: Monte Carlo {m[j].Mean}, closed form {kl[j]} (z = {z})");
        }
    }

    [Fact]
    public void NormalNormal()
    {
        double[] mp = [0.3, -1], sp = [0.8, 2], mq = [1, 0.5], sq = [1.2, 0.7];
        var p = new Normal(T(mp), T(sp));
        var q = new Normal(T(mq), T(sq));
        Close(new[] { 0, 1 }.Select(j => Math.Log(sq[j] / sp[j]) + (((sp[j] * sp[j]) + Math.Pow(mp[j] - mq[j], 2)) / (2 * sq[j] * sq[j])) - 0.5).ToArray(), Kl.Divergence(p, q));
        AssertMonteCarlo(p, q, 1);
        Close([0, 0], Kl.Divergence(p, p));
        // Batch shapes broadcast.
        Assert.Equal(new Shape(3, 2), Kl.Divergence(p, new Normal(TestUtil.Rand(1, [3, 1]), T(1.0))).Shape);
    }

    private static double BernoulliKl(double p, double q)
    {
        double Term(double a, double b) => a == 0 ? 0 : a * Math.Log(a / b);
        return Term(p, q) + Term(1 - p, 1 - q);
    }

    [Fact]
    public void BernoulliBernoulli()
    {
        double[] lp = [-1, 0.5, 3], lq = [0.2, -2, 3.5];
        var p = new Bernoulli(logits: T(lp));
        var q = new Bernoulli(logits: T(lq));
        Close(lp.Select((v, j) => BernoulliKl(Sigmoid(v), Sigmoid(lq[j]))).ToArray(), Kl.Divergence(p, q), 1e-12);
        AssertMonteCarlo(p, q, 2);
        // Probs on one side, including the endpoints: 0·ln 0 = 0, and KL = ∞ when q excludes what p allows.
        var pp = new Bernoulli(probs: T(0, 1, 0.3, 0.6));
        var qp = new Bernoulli(probs: T(0.4, 0.9, 0.3, 0));
        var kl = Kl.Divergence(pp, qp).ToDoubleArray();
        Close([BernoulliKl(0, 0.4), BernoulliKl(1, 0.9), 0], Tensor.FromArray(kl[..3]), 1e-12);
        Assert.Equal(double.PositiveInfinity, kl[3]);
        Close([BernoulliKl(0.3, Sigmoid(0.7))], Kl.Divergence(new Bernoulli(probs: T(0.3)), new Bernoulli(logits: T(0.7))), 1e-12);
    }

    [Fact]
    public void CategoricalCategorical()
    {
        double[] a = [0.5, 0, 0.2, 0.3], b = [0.1, 0.4, 0.25, 0.25];
        var p = new Categorical(probs: T(a));
        var q = new Categorical(probs: T(b));
        var exact = a.Select((v, k) => v == 0 ? 0 : v * Math.Log(v / b[k])).Sum();
        Close(exact, Kl.Divergence(p, q).Item(), 1e-13, "KL");
        AssertMonteCarlo(p, q, 3);
        // q with a −∞ logit where p has no mass stays finite; where p has mass it is +∞.
        var qm = new Categorical(logits: T(0.0, double.NegativeInfinity, 0.3, 0.1));
        Assert.True(double.IsFinite(Kl.Divergence(p, qm).Item()));
        Assert.Equal(double.PositiveInfinity, Kl.Divergence(q, qm).Item());
        var pl = new Categorical(logits: T([0.5, -1, 2, 1, 1, 1], 2, 3));
        var ql = new Categorical(logits: T(0.0, 0.3, -0.4));
        AssertMonteCarlo(pl, ql, 4);
        Assert.Throws<ArgumentException>(() => Kl.Divergence(p, new Categorical(probs: T(0.5, 0.5))));
        var oh = Kl.Divergence(new OneHotCategorical(probs: T(a)), new OneHotCategorical(probs: T(b)));
        Close(exact, oh.Item(), 1e-13, "one-hot KL");
    }

    [Fact]
    public void IndependentIndependent()
    {
        var p = new Independent(new Normal(TestUtil.Rand(1, [2, 3]), TestUtil.Rand(2, [2, 3], 0.5, 2)), 1);
        var q = new Independent(new Normal(TestUtil.Rand(3, [2, 3]), TestUtil.Rand(4, [2, 3], 0.5, 2)), 1);
        var baseKl = Kl.Divergence(p.Base, q.Base).ToDoubleArray();
        var kl = Kl.Divergence(p, q);
        Assert.Equal(new Shape(2), kl.Shape);
        Close([baseKl[0] + baseKl[1] + baseKl[2], baseKl[3] + baseKl[4] + baseKl[5]], kl);
        AssertMonteCarlo(p, q, 5);
        Assert.Throws<ArgumentException>(() => Kl.Divergence(p, new Independent(q.Base, 2))); // event shapes [3] vs [2, 3]
    }

    [Fact]
    public void UnregisteredPairNamesBothTypes()
    {
        var e = Assert.Throws<NotSupportedException>(() => Kl.Divergence(new Gamma(2.0, 1.0), new Normal(0.0, 1.0)));
        Assert.Contains("Gamma", e.Message);
        Assert.Contains("Normal", e.Message);
        Assert.Contains("Kl.Register", e.Message);
        Assert.False(Kl.IsRegistered(typeof(Gamma), typeof(Normal)));
        Assert.True(Kl.IsRegistered(typeof(Normal), typeof(Normal)));
    }

    [Fact]
    public void UserRegistrationIsUsedAndMatchesMonteCarlo()
    {
        // KL(Exp(λp) ‖ Exp(λq)) = ln(λp/λq) + λq/λp − 1.
        Kl.Register<Exponential, Exponential>((p, q) => (p.Rate / q.Rate).Log() + (q.Rate / p.Rate) - 1.0);
        var pe = new Exponential(T(0.5, 2.0));
        var qe = new Exponential(T(1.5, 1.0));
        Close([Math.Log(0.5 / 1.5) + 3 - 1, Math.Log(2.0) + 0.5 - 1], Kl.Divergence(pe, qe));
        AssertMonteCarlo(pe, qe, 6);
    }

    private sealed class Shifted(double shift) : Distribution(Shape.Scalar, Shape.Scalar, DType.Float64)
    {
        public double Shift { get; } = shift;

        public override Tensor LogProb(Tensor value) => Tensor.ZerosLike(value);
    }

    [Fact]
    public void LookupFallsBackToBaseTypes()
    {
        Kl.Register<Shifted, Distribution>((p, _) => Tensor.Scalar(p.Shift, DType.Float64));
        Assert.Equal(1.25, Kl.Divergence(new Shifted(1.25), new Normal(0.0, 1.0, DType.Float64)).Item());
        // A more specific registration wins.
        Kl.Register<Shifted, Normal>((_, q) => q.Loc * 0.0 - 7.0);
        Assert.Equal(-7.0, Kl.Divergence(new Shifted(1.25), new Normal(0.0, 1.0, DType.Float64)).Item());
        Assert.Equal(1.25, Kl.Divergence(new Shifted(1.25), new Gamma(1.0, 1.0, DType.Float64)).Item());
    }

    [Fact]
    public void ClosedFormsAreDifferentiableInBothDistributions()
    {
        TestUtil.AssertGrad(xs => Kl.Divergence(new Normal(xs[0], xs[1]), new Normal(xs[2], xs[3])), TestUtil.Rand(1, [3]), TestUtil.Rand(2, [3], 0.5, 2), TestUtil.Rand(3, [1]), TestUtil.Rand(4, [3], 0.5, 2));
        TestUtil.AssertGrad(xs => Kl.Divergence(new Bernoulli(logits: xs[0]), new Bernoulli(logits: xs[1])), TestUtil.Rand(5, [4], -3, 3), TestUtil.Rand(6, [4], -3, 3));
        TestUtil.AssertGrad(xs => Kl.Divergence(new Bernoulli(probs: xs[0]), new Bernoulli(probs: xs[1])), TestUtil.Rand(7, [4], 0.1, 0.9), TestUtil.Rand(8, [4], 0.1, 0.9));
        TestUtil.AssertGrad(xs => Kl.Divergence(new Categorical(logits: xs[0]), new Categorical(logits: xs[1])), TestUtil.Rand(9, [2, 4]), TestUtil.Rand(10, [4]));
        TestUtil.AssertGradGrad(xs => Kl.Divergence(new Normal(xs[0], xs[1]), new Normal(xs[2], xs[3])), TestUtil.Rand(1, [2]), TestUtil.Rand(2, [2], 0.5, 2), TestUtil.Rand(3, [2]), TestUtil.Rand(4, [2], 0.5, 2));
    }
}
