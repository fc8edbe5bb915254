using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Estimators;
using McGrad.Randomness;

namespace McGrad.Tests.Estimators;

public class DiceTests
{
    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    // ---- One node: x ∼ Bernoulli(σ(θ)), f(x, θ) = (x − θ)². J = p(1 − θ)² + (1 − p)θ².

    private static double J1(double t)
    {
        var p = Sigmoid(t);
        return (p * (1 - t) * (1 - t)) + ((1 - p) * t * t);
    }

    /// <summary>Closed forms: J' = p'((1 − θ)² − θ²) − 2p(1 − θ) + 2(1 − p)θ, J'' = p''(1 − 2θ) − 4p' + 2, p' = p(1 − p), p'' = p'(1 − 2p).</summary>
    private static (double D1, double D2) Exact1(double t)
    {
        var p = Sigmoid(t);
        var p1 = p * (1 - p);
        var p2 = p1 * (1 - (2 * p));
        var d1 = (p1 * (((1 - t) * (1 - t)) - (t * t))) - (2 * p * (1 - t)) + (2 * (1 - p) * t);
        var d2 = (p2 * (1 - (2 * t))) - (4 * p1) + 2;
        return (d1, d2);
    }

    [Fact]
    public void ClosedFormsAgreeWithFiniteDifferences()
    {
        const double t = 0.3, h = 1e-4;
        var (d1, d2) = Exact1(t);
        Assert.Equal((J1(t + h) - J1(t - h)) / (2 * h), d1, 7);
        Assert.Equal((J1(t + h) - (2 * J1(t)) + J1(t - h)) / (h * h), d2, 5);
    }

    private static (double G1, double G2) SurrogateDerivatives(double t, double x, bool dice)
    {
        var theta = Tensor.Scalar(t, DType.Float64).RequireGrad();
        var d = new Bernoulli(logits: theta);
        var xs = Tensor.Scalar(x, DType.Float64);
        var f = (xs - theta).Square();
        var lp = d.LogProb(xs);
        var s = dice ? Dice.Surrogate(f, lp) : (lp * f.Detach()) + f;
        var g1 = Autograd.Grad(s, theta, createGraph: true);
        var g2 = Autograd.Grad(g1, theta);
        return (g1.Item(), g2.Item());
    }

    [Fact]
    public void EnumerationWeightedFirstAndSecondDerivativesAreExact()
    {
        // Σₓ P(x)·∂ⁿL(x) = ∂ⁿJ for n = 1, 2. The classic surrogate log p·stopgrad(f) + f has the right first derivative
        // but the wrong second (it lacks f·(∂log p)² and 2·∂f·∂log p): the identity catches it.
        foreach (var t in new[] { -2.0, 0.3 })
        {
            var p = Sigmoid(t);
            var (d1, d2) = Exact1(t);
            var one = SurrogateDerivatives(t, 1, dice: true);
            var zero = SurrogateDerivatives(t, 0, dice: true);
            Assert.Equal(d1, (p * one.G1) + ((1 - p) * zero.G1), 12);
            Assert.Equal(d2, (p * one.G2) + ((1 - p) * zero.G2), 12);
            Assert.Equal(1.0, new Bernoulli(logits: Tensor.Scalar(t, DType.Float64)).LogProb(Tensor.Scalar(1.0, DType.Float64)).MagicBox().Item());

            var c1 = SurrogateDerivatives(t, 1, dice: false);
            var c0 = SurrogateDerivatives(t, 0, dice: false);
            Assert.Equal(d1, (p * c1.G1) + ((1 - p) * c0.G1), 12);
            Assert.True(Math.Abs(d2 - ((p * c1.G2) + ((1 - p) * c0.G2))) > 0.1, "the classic surrogate should get the second derivative wrong");
        }
    }

    [Fact]
    public void SampledFirstAndSecondDerivativesAreUnbiased()
    {
        // N independent problems in one pass: θ is an [N] leaf, ⊡ acts elementwise, so ∂²(Σ L)/∂θₙ² is estimate n's
        // second derivative.
        const int N = 100_000;
        const double t = 0.3;
        var theta = Tensor.Full([N], t, DType.Float64).RequireGrad();
        var d = new Bernoulli(logits: theta);
        var x = d.Sample(new RngKey(80));
        var surrogate = Dice.Surrogate((x - theta).Square(), d.LogProb(x));
        var g1 = Autograd.Grad(surrogate, theta, createGraph: true);
        var g2 = Autograd.Grad(g1.Sum(), theta);
        var (d1, d2) = Exact1(t);
        var s1 = EstimatorCheck.Summarise("∂θ", g1.ToDoubleArray(), d1);
        var s2 = EstimatorCheck.Summarise("∂²θ", g2.ToDoubleArray(), d2);
        Assert.True(Math.Abs(s1.Z) < 4, $"first: mean {s1.Mean}, exact {d1}, z {s1.Z:F2}");
        Assert.True(Math.Abs(s2.Z) < 4, $"second: mean {s2.Mean}, exact {d2}, z {s2.Z:F2}");
        Assert.Equal(((x.Detach() - t).Square()).Sum().Item(), surrogate.Item(), 9);
    }

    // ---- Two nodes: x₁ ∼ Bern(σ(a)), x₂ ∼ Bern(σ(c + a·x₁)); costs c₁ = x₁·c², c₂ = (x₁ + x₂ − a·c)².
    // c₁ is influenced by x₁, c₂ by x₁ and x₂.

    private static double J2(double a, double c)
    {
        double total = 0;
        for (var x1 = 0; x1 <= 1; x1++)
        {
            var p1 = Sigmoid(a);
            var q1 = x1 == 1 ? p1 : 1 - p1;
            for (var x2 = 0; x2 <= 1; x2++)
            {
                var p2 = Sigmoid(c + (a * x1));
                var q2 = x2 == 1 ? p2 : 1 - p2;
                total += q1 * q2 * ((x1 * c * c) + Math.Pow(x1 + x2 - (a * c), 2));
            }
        }

        return total;
    }

    /// <summary>Gradient and Hessian of J2 by central differences in plain doubles (h = 1e-4; error ~1e-7).</summary>
    private static (double[] G, double[,] H) Exact2(double a, double c)
    {
        const double h = 1e-4;
        var g = new[] { (J2(a + h, c) - J2(a - h, c)) / (2 * h), (J2(a, c + h) - J2(a, c - h)) / (2 * h) };
        var haa = (J2(a + h, c) - (2 * J2(a, c)) + J2(a - h, c)) / (h * h);
        var hcc = (J2(a, c + h) - (2 * J2(a, c)) + J2(a, c - h)) / (h * h);
        var hac = (J2(a + h, c + h) - J2(a + h, c - h) - J2(a - h, c + h) + J2(a - h, c - h)) / (4 * h * h);
        return (g, new[,] { { haa, hac }, { hac, hcc } });
    }

    /// <summary>The two-node DiCE surrogate for leaves a, c (any shape) and given samples.</summary>
    private static Tensor TwoNodeSurrogate(Tensor a, Tensor c, Tensor x1, Tensor x2, bool dropUpstream = false)
    {
        var lp1 = new Bernoulli(logits: a).LogProb(x1);
        var lp2 = new Bernoulli(logits: c + (a * x1)).LogProb(x2);
        var c1 = x1 * c.Square();
        var c2 = (x1 + x2 - (a * c)).Square();
        return Dice.Surrogate([new DiceTerm(c1, [lp1]), new DiceTerm(c2, dropUpstream ? [lp2] : [lp1, lp2])]);
    }

    private static (double[] G, double[,] H) Derivatives(Tensor surrogate, Tensor a, Tensor c)
    {
        var g = Autograd.Grad([surrogate], [a, c], createGraph: true);
        var ha = Autograd.Grad([g[0]!.Sum()], [a, c], allowUnused: true, retainGraph: true);
        var hc = Autograd.Grad([g[1]!.Sum()], [a, c], allowUnused: true);
        double V(Tensor? t) => t?.Sum().Item() ?? 0;
        return ([V(g[0]), V(g[1])], new[,] { { V(ha[0]), V(ha[1]) }, { V(hc[0]), V(hc[1]) } });
    }

    [Fact]
    public void TwoNodeGraphHasExactEnumerationWeightedGradientAndHessian()
    {
        // Includes the mixed ∂a∂c term and x₁ → x₂ dependence. Leaving x₁ out of c₂'s ⊡ (it influences c₂ through x₂'s
        // distribution and directly) breaks the identity already at first order.
        const double a0 = 0.4, c0 = -0.7;
        var (eg, eh) = Exact2(a0, c0);
        var sum = new double[2];
        var hsum = new double[2, 2];
        var dropped = new double[2];
        for (var x1 = 0; x1 <= 1; x1++)
        {
            for (var x2 = 0; x2 <= 1; x2++)
            {
                var p1 = Sigmoid(a0);
                var p2 = Sigmoid(c0 + (a0 * x1));
                var w = (x1 == 1 ? p1 : 1 - p1) * (x2 == 1 ? p2 : 1 - p2);
                var a = Tensor.Scalar(a0, DType.Float64).RequireGrad();
                var c = Tensor.Scalar(c0, DType.Float64).RequireGrad();
                var (g, h) = Derivatives(TwoNodeSurrogate(a, c, Tensor.Scalar(x1, DType.Float64), Tensor.Scalar(x2, DType.Float64)), a, c);
                var a2 = Tensor.Scalar(a0, DType.Float64).RequireGrad();
                var c2 = Tensor.Scalar(c0, DType.Float64).RequireGrad();
                var gd = Autograd.Grad([TwoNodeSurrogate(a2, c2, Tensor.Scalar(x1, DType.Float64), Tensor.Scalar(x2, DType.Float64), dropUpstream: true)], [a2, c2]);
                for (var i = 0; i < 2; i++)
                {
                    sum[i] += w * g[i];
                    dropped[i] += w * gd[i]!.Item();
                    for (var j = 0; j < 2; j++)
                    {
                        hsum[i, j] += w * h[i, j];
                    }
                }
            }
        }

        for (var i = 0; i < 2; i++)
        {
            Assert.True(Math.Abs(sum[i] - eg[i]) < 1e-6, $"∂{i}: {sum[i]} vs {eg[i]}");
            for (var j = 0; j < 2; j++)
            {
                Assert.True(Math.Abs(hsum[i, j] - eh[i, j]) < 1e-5, $"∂²[{i},{j}]: {hsum[i, j]} vs {eh[i, j]}");
            }
        }

        Assert.True(Math.Abs(dropped[0] - eg[0]) > 1e-2, "omitting an influencing node must bias ∂a");
    }

    [Fact]
    public void TwoNodeSampledHessianIsUnbiased()
    {
        const int N = 100_000;
        const double a0 = 0.4, c0 = -0.7;
        var a = Tensor.Full([N], a0, DType.Float64).RequireGrad();
        var c = Tensor.Full([N], c0, DType.Float64).RequireGrad();
        var keys = new RngKey(81).Split(2);
        var x1 = new Bernoulli(logits: a).Sample(keys[0]);
        var x2 = new Bernoulli(logits: c + (a * x1)).Sample(keys[1]);
        var surrogate = TwoNodeSurrogate(a, c, x1, x2);
        var g = Autograd.Grad([surrogate], [a, c], createGraph: true);
        var ha = Autograd.Grad([g[0]!.Sum()], [a, c], retainGraph: true);
        var hc = Autograd.Grad([g[1]!.Sum()], [a, c]);
        var (eg, eh) = Exact2(a0, c0);
        (string, Tensor, double)[] checks =
        [
            ("∂a", g[0]!, eg[0]), ("∂c", g[1]!, eg[1]), ("∂a∂a", ha[0]!, eh[0, 0]), ("∂a∂c", ha[1]!, eh[0, 1]), ("∂c∂a", hc[0]!, eh[1, 0]), ("∂c∂c", hc[1]!, eh[1, 1]),
        ];
        foreach (var (name, t, exact) in checks)
        {
            var s = EstimatorCheck.Summarise(name, t.ToDoubleArray(), exact);
            Assert.True(Math.Abs(s.Z) < 4, $"{name}: mean {s.Mean}, exact {exact}, z {s.Z:F2}");
        }
    }

    [Fact]
    public void CumulativeEqualsExplicitTermsToSecondOrder()
    {
        // cₜ influenced by log p₀ … log pₜ: Cumulative must match the explicit terms (value, gradient, Hessian-vector).
        var theta = TestUtil.Rand(3, [4]).RequireGrad();
        var w = TestUtil.Rand(4, [4]);
        Tensor LogProbs(Tensor t) => (t * w).Sin();
        Tensor Costs(Tensor t) => (t * t) + w;
        var cumulative = Dice.Cumulative(Costs(theta), LogProbs(theta));
        var lp = LogProbs(theta);
        var costs = Costs(theta);
        var terms = Enumerable.Range(0, 4).Select(i => new DiceTerm(costs.Narrow(0, i, 1), Enumerable.Range(0, i + 1).Select(j => lp.Narrow(0, j, 1)).ToArray()));
        var explicitSum = Dice.Surrogate(terms);
        Assert.Equal(explicitSum.Item(), cumulative.Item(), 12);
        var g1 = Autograd.Grad(cumulative, theta, createGraph: true);
        var g2 = Autograd.Grad(explicitSum, theta, createGraph: true);
        TestUtil.AssertClose(g2.ToDoubleArray(), g1, 1e-12);
        TestUtil.AssertClose(Autograd.Grad(g2.Sum(), theta).ToDoubleArray(), Autograd.Grad(g1.Sum(), theta), 1e-12);
    }

    [Fact]
    public void BaselineTermHasZeroValueAndZeroMeanDerivatives()
    {
        // Σₓ P(x)·∂ⁿ[(1 − ⊡(log p(x)))·b] = 0 for n = 1, 2 (E[∂log p] = 0 and E[∂log p² + ∂²log p] = 0); with b
        // including the sample's value it would not be.
        const double t = 0.8, b = 1.7;
        var p = Sigmoid(t);
        double m1 = 0, m2 = 0;
        for (var x = 0; x <= 1; x++)
        {
            var theta = Tensor.Scalar(t, DType.Float64).RequireGrad();
            var term = Dice.Baseline(new Bernoulli(logits: theta).LogProb(Tensor.Scalar(x, DType.Float64)), Tensor.Scalar(b, DType.Float64));
            Assert.Equal(0.0, term.Item());
            var g1 = Autograd.Grad(term, theta, createGraph: true);
            var g2 = Autograd.Grad(g1, theta);
            var w = x == 1 ? p : 1 - p;
            m1 += w * g1.Item();
            m2 += w * g2.Item();
            Assert.NotEqual(0.0, g1.Item());
        }

        Assert.Equal(0, m1, 14);
        Assert.Equal(0, m2, 14);
    }

    [Fact]
    public void MisuseThrowsClearErrors()
    {
        var cost = Tensor.Scalar(1.0, DType.Float64);
        var lp = Tensor.Zeros([3], DType.Float64);
        var e = Assert.Throws<ArgumentException>(() => Dice.Surrogate(cost, lp));
        Assert.Contains("[3]", e.Message, StringComparison.Ordinal);
        Assert.Contains("does not broadcast", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Dice.Surrogate(Tensor.Zeros([3], DType.Float64), Tensor.Zeros([3], DType.Float32)));
        Assert.Throws<ArgumentException>(() => Dice.Surrogate(Array.Empty<DiceTerm>()));
        Assert.Throws<ArgumentException>(() => Dice.Cumulative(Tensor.Zeros([3], DType.Float64), Tensor.Zeros([4], DType.Float64)));
        Assert.Throws<ArgumentException>(() => Dice.Baseline(Tensor.Zeros([3], DType.Float64), Tensor.Zeros([2], DType.Float64)));

        // A log-probability that broadcasts up to the cost (one node per cost element) is fine.
        Assert.Equal(6.0, Dice.Surrogate(Tensor.Full([2, 3], 1.0, DType.Float64), Tensor.Zeros([3], DType.Float64), Tensor.Zeros([2, 1], DType.Float64)).Item());
    }
}
