using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Estimators;
using McGrad.Estimators.Problems;
using McGrad.Estimators.MeasureValued;
using McGrad.Randomness;

namespace McGrad.Tests.Estimators;

public class MeasureValuedTests
{
    private const int N = 200_000;

    public static TheoryData<int> Rows => new(Enumerable.Range(0, ReferenceTable.R1.Length));

    public static TheoryData<int> SquareRows => new(0, 1, 2);

    private static readonly MeasureValuedDerivative Coupled = new();
    private static readonly MeasureValuedDerivative Uncoupled = new(coupled: false);

    // ---------------------------------------------------------------- Normal: REFERENCE R1

    [Theory]
    [MemberData(nameof(Rows))]
    public void CoupledMatchesReferenceTable(int row)
    {
        // Catches a missing 1/(σ√(2π)) or 1/σ, a sign flip (p⁺ ↔ p⁻), an uncoupled draw (variance too high), or
        // p⁻ for σ not being N(μ, σ²).
        var r = ReferenceTable.R1[row];
        var result = EstimatorCheck.Run(Coupled, r.Problem, new RngKey(400 + (ulong)row), N);
        ReferenceTable.AssertMatches(result, r.MvdCoupled);
        // Two parameter elements (μ, σ), each 2 evaluations: 4 per estimate (the traits' 2 is per element).
        Assert.Equal(new EstimatorCost(4, 0), result.Cost);
        Assert.Equal(new EstimatorCost(2, 0), Coupled.Traits.Cost);
        Assert.Equal("MVD coupled", result.Estimator);
    }

    [Theory]
    [MemberData(nameof(SquareRows))]
    public void UncoupledMatchesClosedForm(int row)
    {
        // f = (x − k)², x ∼ N(1, 1), a = 1 − k. Uncoupled: the two sides are independent, so
        // Var ∂μ = c²[Var (a + W)² + Var (a − W)²] with W ∼ Rayleigh, c = 1/√(2π);
        // Var ∂σ = Var (a + M)² + Var (a + ε)² with M ∼ double-sided Maxwell, ε ∼ N(0, 1).
        // Coupling is not uniformly better: for k = −3, ∂μ, coupled gives 16a²(2 − π/2)/(2π) = 17.49 but uncoupled 10.03
        // (the coupled difference 4aW/√(2π) grows with a); in every other case here coupled is lower.
        var r = ReferenceTable.R1[row];
        var a = 1 - new[] { -3.0, 0, 1 }[row];
        double[] rayleigh = [Math.Sqrt(Math.PI / 2), 2, 3 * Math.Sqrt(Math.PI / 2), 8];
        double[] maxwell = [0, 3, 0, 15];
        double[] normal = [0, 1, 0, 3];
        var varMu = (VarOfSquare(a, 1, rayleigh) + VarOfSquare(a, -1, rayleigh)) / (2 * Math.PI);
        var varSigma = VarOfSquare(a, 1, maxwell) + VarOfSquare(a, 1, normal);
        var result = EstimatorCheck.Run(Uncoupled, r.Problem, new RngKey(500 + (ulong)row), N);
        ReferenceTable.AssertMatches(result, [varMu, varSigma]);
        Assert.True(r.MvdCoupled[1] < varSigma);
        Assert.True(row == 0 ? r.MvdCoupled[0] > varMu : r.MvdCoupled[0] < varMu);
    }

    /// <summary>Var (a + tY)² from the raw moments m1..m4 of Y.</summary>
    private static double VarOfSquare(double a, double t, double[] m)
    {
        var e2 = (a * a) + (2 * a * t * m[0]) + m[1];
        var e4 = Math.Pow(a, 4) + (4 * a * a * a * t * m[0]) + (6 * a * a * m[1]) + (4 * a * t * t * t * m[2]) + m[3];
        return e4 - (e2 * e2);
    }

    [Fact]
    public void Float32MatchesReferenceTable()
    {
        // Same estimator on float32 parameters: the decompositions and samplers keep the dtype and stay unbiased.
        var r = ReferenceTable.R1[3];
        var p32 = r.Problem with { Parameters = [.. r.Problem.Parameters.Select(t => t.To(DType.Float32))] };
        ReferenceTable.AssertMatches(EstimatorCheck.Run(Coupled, p32, new RngKey(8), 100_000), r.MvdCoupled);
    }

    // ---------------------------------------------------------------- Bernoulli

    [Fact]
    public void BernoulliEstimateIsFOfOneMinusFOfZero()
    {
        // ∂p E f = f(1) − f(0) exactly; w.r.t. logits the chain rule multiplies by p(1 − p).
        Objective f = x => (x - 0.3).Square() * 5 + x.Exp();
        double F(double x) => (5 * (x - 0.3) * (x - 0.3)) + Math.Exp(x);
        var p = Tensor.FromArray([0.2, 0.9]).RequireGrad();
        var g = Coupled.Gradients(new Bernoulli(probs: p), f, new RngKey(1));
        Assert.Single(g);
        Assert.Equal("probs", g[0].Name);
        TestUtil.AssertClose([F(1) - F(0), F(1) - F(0)], g[0].Gradient, 1e-14);

        var logits = Tensor.FromArray([-1.0, 2.0]).RequireGrad();
        var est = Coupled.Estimate(new Bernoulli(logits: logits), f, new RngKey(1));
        var gl = Autograd.Grad(est.Surrogate, logits).ToDoubleArray();
        for (var i = 0; i < 2; i++)
        {
            var pi = 1 / (1 + Math.Exp(-logits.GetFlat(i)));
            Assert.Equal(pi * (1 - pi) * (F(1) - F(0)), gl[i], 12);
        }

        // E f = p f(1) + (1 − p) f(0), summed over the batch.
        var pr = new[] { 1 / (1 + Math.Exp(1.0)), 1 / (1 + Math.Exp(-2.0)) };
        Assert.Equal(pr.Sum(q => (q * F(1)) + ((1 - q) * F(0))), est.Value.Item(), 12);
    }

    [Fact]
    public void IndependentBernoulliIsUnbiasedWithExactVariances()
    {
        // D = 3 coordinates coupled through f; exact gradients and variances by enumerating the 8 outcomes. Coupled shares
        // the other coordinates between f(x₋d, 1) and f(x₋d, 0); uncoupled draws them independently (larger variance).
        double[] logits = [-0.5, 0.8, 0.2], w = [1, 2, -1.5];
        const double t = 0.7;
        double F(int[] x) => Math.Pow((w[0] * x[0]) + (w[1] * x[1]) + (w[2] * x[2]) - t, 2) + (x[0] * x[2]);
        var wT = Tensor.FromArray(w);
        Objective f = x => ((x * wT).Sum(-1) - t).Square() + (x.Narrow(-1, 0, 1) * x.Narrow(-1, 2, 1)).Squeeze(-1);
        var p = logits.Select(l => 1 / (1 + Math.Exp(-l))).ToArray();
        var outcomes = Enumerable.Range(0, 8).Select(m => new[] { m & 1, (m >> 1) & 1, (m >> 2) & 1 }).ToArray();
        double Prob(int[] x, int skip = -1) => Enumerable.Range(0, 3).Where(d => d != skip).Aggregate(1.0, (acc, d) => acc * (x[d] == 1 ? p[d] : 1 - p[d]));
        var exact = new double[3];
        var varCoupled = new double[3];
        var varUncoupled = new double[3];
        for (var d = 0; d < 3; d++)
        {
            var q = p[d] * (1 - p[d]);
            double m1 = 0, m2 = 0, e1 = 0, e12 = 0, e0 = 0, e02 = 0;
            foreach (var x in outcomes)
            {
                exact[d] += F(x) * Prob(x) * (x[d] - p[d]);
                if (x[d] != 0)
                {
                    continue;
                }

                // x ranges over the rest (x_d = 0 here); the weight is the probability of the other coordinates.
                var pr = Prob(x, d);
                var x1 = (int[])x.Clone();
                x1[d] = 1;
                var diff = q * (F(x1) - F(x));
                m1 += pr * diff;
                m2 += pr * diff * diff;
                e1 += pr * F(x1);
                e12 += pr * F(x1) * F(x1);
                e0 += pr * F(x);
                e02 += pr * F(x) * F(x);
            }

            varCoupled[d] = m2 - (m1 * m1);
            varUncoupled[d] = q * q * (e12 - (e1 * e1) + e02 - (e0 * e0));
        }

        var problem = new GradientProblem("Bernoulli³", ["ℓ"], [Tensor.FromArray(logits)], ps => new Independent(new Bernoulli(logits: ps[0]), 1), f, [Tensor.FromArray(exact)]);
        var c = EstimatorCheck.Run(Coupled, problem, new RngKey(31), N);
        var u = EstimatorCheck.Run(Uncoupled, problem, new RngKey(32), N);
        AssertStatistics(c, varCoupled);
        AssertStatistics(u, varUncoupled);

        // Coupling is not uniformly better here: exact 0.244 < 0.350 for d = 0 but 0.580 > 0.325 and 0.529 > 0.419 for
        // d = 1, 2 (f(x₋d, 1) and f(x₋d, 0) are negatively correlated there). The measured orderings must agree.
        for (var d = 0; d < 3; d++)
        {
            Assert.Equal(Math.Sign(varCoupled[d] - varUncoupled[d]), Math.Sign(c.Parameters[d].Variance - u.Parameters[d].Variance));
        }

        Assert.True(varCoupled[0] < varUncoupled[0] && varCoupled[1] > varUncoupled[1]);
    }

    // ---------------------------------------------------------------- Poisson

    [Fact]
    public void PoissonIsUnbiasedAndCouplingHelps()
    {
        // f = x²: E = λ + λ², ∂λ = 1 + 2λ. Coupled: f(N + 1) − f(N) = 2N + 1, Var 4λ. Uncoupled: Var f(N + 1) + Var f(N)
        // (by summing the mass function). Catches p⁺ = Poisson(λ) without the +1 (mean 0) and a shared-draw bug.
        const double lambda = 2.5;
        double Var(Func<double, double> g)
        {
            double m1 = 0, m2 = 0, pk = Math.Exp(-lambda);
            for (var k = 0; k < 100; k++)
            {
                m1 += pk * g(k);
                m2 += pk * g(k) * g(k);
                pk *= lambda / (k + 1);
            }

            return m2 - (m1 * m1);
        }

        var uncoupledVar = Var(k => (k + 1) * (k + 1)) + Var(k => k * k);
        var problem = new GradientProblem("Poisson x²", ["λ"], [Tensor.Scalar(lambda, DType.Float64)], ps => new Poisson(ps[0]), x => x.Square(), [Tensor.Scalar(1 + (2 * lambda), DType.Float64)]);
        AssertStatistics(EstimatorCheck.Run(Coupled, problem, new RngKey(41), N), [4 * lambda]);
        AssertStatistics(EstimatorCheck.Run(Uncoupled, problem, new RngKey(42), N), [uncoupledVar]);
        Assert.True(4 * lambda < uncoupledVar);
    }

    [Fact]
    public void IndependentPoissonIsUnbiased()
    {
        // f = x₀x₁ + x₀²: ∂λ₀ = λ₁ + 1 + 2λ₀, ∂λ₁ = λ₀. The other coordinate must come from p (not from p±).
        double[] lambda = [1.5, 4.0];
        var problem = new GradientProblem(
            "Poisson² x₀x₁ + x₀²",
            ["λ"],
            [Tensor.FromArray(lambda)],
            ps => new Independent(new Poisson(ps[0]), 1),
            x =>
            {
                var x0 = x.Narrow(-1, 0, 1).Squeeze(-1);
                var x1 = x.Narrow(-1, 1, 1).Squeeze(-1);
                return (x0 * x1) + x0.Square();
            },
            [Tensor.FromArray([lambda[1] + 1 + (2 * lambda[0]), lambda[0]])]);
        AssertStatistics(EstimatorCheck.Run(Coupled, problem, new RngKey(43), 100_000), null);
        AssertStatistics(EstimatorCheck.Run(Uncoupled, problem, new RngKey(44), 100_000), null);
    }

    // ---------------------------------------------------------------- Exponential

    [Fact]
    public void ExponentialIsUnbiasedWithExactVariances()
    {
        // f = x², E = 2/λ², ∂λ = −4/λ³. Coupled (E₁/λ vs (E₁ + E₂)/λ, c = 1/λ): ĝ = −(2E₁E₂ + E₂²)/λ³, Var 48/λ⁶.
        // Uncoupled: (E₁² − G²)/λ³ with G ∼ Gamma(2): Var (20 + 84)/λ⁶. Catches c = 1 instead of 1/λ, or p⁻ = Exponential.
        const double lambda = 1.5;
        var problem = new GradientProblem("Exponential x²", ["λ"], [Tensor.Scalar(lambda, DType.Float64)], ps => new Exponential(ps[0]), x => x.Square(), [Tensor.Scalar(-4 / Math.Pow(lambda, 3), DType.Float64)]);
        AssertStatistics(EstimatorCheck.Run(Coupled, problem, new RngKey(51), N), [48 / Math.Pow(lambda, 6)]);
        AssertStatistics(EstimatorCheck.Run(Uncoupled, problem, new RngKey(52), N), [104 / Math.Pow(lambda, 6)]);
    }

    // ---------------------------------------------------------------- Categorical

    [Fact]
    public void LoneCategoricalCoupledIsExactForLogits()
    {
        // With one shared draw x ∼ π, ĝ_j = f(j) − f(x); the softmax Jacobian removes the f(x) shift, leaving the exact
        // π_i(f(i) − Σ_j π_j f(j)). Catches a wrong sign or a gradient on the raw π without the chain rule.
        double[] logits = [0.3, -1.0, 2.0, 0.5];
        double[] fv = [1.0, -2.0, 0.5, 4.0];
        var fT = Tensor.FromArray(fv);
        Objective f = x => fT.Gather(0, x.Reshape(-1)).Reshape(x.Shape.ToArray());
        var l = Tensor.FromArray(logits).RequireGrad();
        var est = Coupled.Estimate(new Categorical(logits: l), f, new RngKey(61));
        var g = Autograd.Grad(est.Surrogate, l).ToDoubleArray();
        var pi = Softmax(logits);
        var ef = pi.Zip(fv, (a, b) => a * b).Sum();
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(pi[i] * (fv[i] - ef), g[i], 12);
        }

        Assert.Equal(ef, est.Value.Item(), 12);
    }

    [Fact]
    public void CategoricalRawEstimateIsFOfJMinusEf()
    {
        // The decomposition itself, per parameter π_j: E ĝ_j = f(j) − E_π f. Coupled and uncoupled.
        double[] probs = [0.1, 0.6, 0.3];
        double[] fv = [3.0, -1.0, 2.0];
        var fT = Tensor.FromArray(fv);
        Objective f = x => fT.Gather(0, x.Reshape(-1)).Reshape(x.Shape.ToArray());
        const int n = 100_000;
        var ef = probs.Zip(fv, (a, b) => a * b).Sum();
        foreach (var est in new[] { Coupled, Uncoupled })
        {
            var d = new Categorical(probs: Tensor.FromArray(probs).Reshape(1, 3).BroadcastTo(new Shape(n, 3)));
            var g = est.Gradients(d, f, new RngKey(62))[0].Gradient.ToDoubleArray();
            for (var j = 0; j < 3; j++)
            {
                var column = Enumerable.Range(0, n).Select(i => g[(3 * i) + j]).ToArray();
                var s = EstimatorCheck.Summarise($"π[{j}]", column, fv[j] - ef);
                Assert.True(Math.Abs(s.Z) < 4, $"{est.Name} π[{j}]: mean {s.Mean}, exact {s.Exact}, z = {s.Z:F2}");
                Assert.True(Math.Abs(s.Variance - VarOf(probs, fv)) <= 4 * s.VarianceStdError, $"{est.Name} π[{j}]: variance {s.Variance}, exact Var f = {VarOf(probs, fv)}");
            }
        }
    }

    [Fact]
    public void IndependentCategoricalIsUnbiasedForLogitsAndProbs()
    {
        // D = 2 coordinates with K = 3 categories, coupled through f; exact gradients by enumerating the 9 outcomes.
        // Coupled variance is exact: π_di(f(x₋d, i) − Σ_j π_dj f(x₋d, j)) depends only on the other coordinate.
        double[,] logits = { { 0.2, -0.7, 1.1 }, { 0.0, 0.9, -0.4 } };
        var pi = new[] { Softmax([logits[0, 0], logits[0, 1], logits[0, 2]]), Softmax([logits[1, 0], logits[1, 1], logits[1, 2]]) };
        double F(int x0, int x1) => Math.Pow(x0 - (2 * x1), 2) + x0;
        var u = Tensor.FromArray([1.0, -2.0]);
        Objective f = x =>
        {
            var xf = x.To(DType.Float64);
            return (xf * u).Sum(-1).Square() + xf.Narrow(-1, 0, 1).Squeeze(-1);
        };
        double Fd(int d, int xd, int other) => d == 0 ? F(xd, other) : F(other, xd);

        var exactLogits = new double[6];
        var varCoupled = new double[6];
        for (var d = 0; d < 2; d++)
        {
            for (var i = 0; i < 3; i++)
            {
                double m1 = 0, m2 = 0;
                for (var o = 0; o < 3; o++)
                {
                    var po = pi[1 - d][o];
                    var mean = Enumerable.Range(0, 3).Sum(j => pi[d][j] * Fd(d, j, o));
                    exactLogits[(3 * d) + i] += po * pi[d][i] * (Fd(d, i, o) - mean);
                    var gi = pi[d][i] * (Fd(d, i, o) - mean);
                    m1 += po * gi;
                    m2 += po * gi * gi;
                }

                varCoupled[(3 * d) + i] = m2 - (m1 * m1);
            }
        }

        var logitProblem = new GradientProblem("Categorical² logits", ["ℓ"], [Tensor.FromArray(logits)], ps => new Independent(new Categorical(logits: ps[0]), 1), f, [Tensor.FromArray(exactLogits).Reshape(2, 3)]);
        AssertStatistics(EstimatorCheck.Run(Coupled, logitProblem, new RngKey(63), 100_000), varCoupled);
        var uncoupled = EstimatorCheck.Run(Uncoupled, logitProblem, new RngKey(64), 100_000);
        AssertStatistics(uncoupled, null);
        for (var e = 0; e < 6; e++)
        {
            var s = uncoupled.Parameters[e];
            Assert.True(s.Variance > varCoupled[e] + (4 * s.VarianceStdError), $"{s.Parameter}: uncoupled {s.Variance}, coupled exact {varCoupled[e]}");
        }

        // Unnormalised probs p (π = p/Σp): ∂/∂p_di = E_{x₋d}[f(x₋d, i) − Σ_j π_dj f(x₋d, j)] / Σ_j p_dj.
        double[,] raw = { { 2.0, 1.0, 1.0 }, { 0.5, 0.25, 0.25 } };
        var piRaw = new[] { new[] { 0.5, 0.25, 0.25 }, new[] { 0.5, 0.25, 0.25 } };
        double[] sums = [4.0, 1.0];
        var exactProbs = new double[6];
        for (var d = 0; d < 2; d++)
        {
            for (var i = 0; i < 3; i++)
            {
                for (var o = 0; o < 3; o++)
                {
                    var mean = Enumerable.Range(0, 3).Sum(j => piRaw[d][j] * Fd(d, j, o));
                    exactProbs[(3 * d) + i] += piRaw[1 - d][o] * (Fd(d, i, o) - mean) / sums[d];
                }
            }
        }

        var probProblem = new GradientProblem("Categorical² probs", ["p"], [Tensor.FromArray(raw)], ps => new Independent(new Categorical(probs: ps[0]), 1), f, [Tensor.FromArray(exactProbs).Reshape(2, 3)]);
        AssertStatistics(EstimatorCheck.Run(Coupled, probProblem, new RngKey(65), 100_000), null);
        Assert.Equal(new EstimatorCost(2 * 6, 0), Coupled.CostFor(new Independent(new Categorical(logits: Tensor.FromArray(logits)), 1)));
        Assert.Equal(new EstimatorCost(2 * 6, 0), Uncoupled.CostFor(new Independent(new Categorical(logits: Tensor.FromArray(logits)), 1)));
    }

    // ---------------------------------------------------------------- structure, extension, misuse

    [Fact]
    public void SurrogateGradientFlowsIntoUpstreamParameters()
    {
        // μ = c·w, σ = exp(v): with the same key, ∂/∂w = c·ĝ_μ and ∂/∂v = σ·ĝ_σ.
        var w = Tensor.Scalar(0.5, DType.Float64).RequireGrad();
        var v = Tensor.Scalar(0.2, DType.Float64).RequireGrad();
        const double c = 2.0;
        Objective f = x => (x * 1.3).Cos() + x.Abs();
        var est = new MeasureValuedDerivative(samples: 4).Estimate(new Normal(w * c, v.Exp()), f, new RngKey(71));
        var g = Autograd.Grad([est.Surrogate], [w, v]);
        var raw = new MeasureValuedDerivative(samples: 4).Gradients(new Normal(1.0, Math.Exp(0.2), DType.Float64), f, new RngKey(71));
        Assert.Equal(new[] { "loc", "scale" }, raw.Select(r => r.Name));
        Assert.Equal(c * raw[0].Gradient.Item(), g[0]!.Item(), 12);
        Assert.Equal(Math.Exp(0.2) * raw[1].Gradient.Item(), g[1]!.Item(), 12);
    }

    [Fact]
    public void ValueEstimatesTheExpectation()
    {
        // Normal: E f from the σ term's p⁻ = N(μ, σ²) draws. (x − 0)², N(1, 1): E = 2 per batch element.
        const int n = 50_000;
        var d = new Normal(Tensor.Ones([n], DType.Float64), Tensor.Ones([n], DType.Float64));
        var value = Coupled.Estimate(d, x => x.Square(), new RngKey(72)).Value.Item() / n;
        Assert.True(Math.Abs(value - 2) < 4 * Math.Sqrt(6.0 / n), $"mean f {value}, exact 2");
    }

    [Fact]
    public void IndependentNormalQuadraticIsUnbiased()
    {
        // REFERENCE R4's 3-D problem, f = −½(z − m)ᵀH(z − m), z ∼ N(μ, diag s²): ∂μ = −H(μ − m), ∂s_i = −H_ii s_i.
        // Each coordinate is perturbed with the others drawn from p; catches perturbing all coordinates at once.
        double[,] hm = { { 2, 0.5, -1 }, { 0.5, 1, 0.3 }, { -1, 0.3, 3 } };
        double[] mu = [0.2, -0.5, 1], s = [0.5, 1, 2], m = [1, 0, -1];
        var problem = GaussianQuadratic.Create(mu, s, hm, m);
        AssertStatistics(EstimatorCheck.Run(Coupled, problem, new RngKey(74), 50_000), null);
        AssertStatistics(EstimatorCheck.Run(Uncoupled, problem, new RngKey(75), 50_000), null);
    }

    [Fact]
    public void UnbatchedIndependentEventUsesTheSamplesAxis()
    {
        // No batch dimensions, one event of 3 coordinates, K = 20 000 samples: f = Σ z², ∂μ_i = 2μ_i. Coupled, the other
        // coordinates cancel and ĝ_μi = 4μ_i·mean(W)/√(2π), Var per sample 16μ_i²(2 − π/2)/(2π).
        double[] mu = [0.5, -1, 2];
        var loc = Tensor.FromArray(mu).RequireGrad();
        const int k = 20_000;
        var d = new Independent(new Normal(loc, Tensor.Ones([3], DType.Float64)), 1);
        var est = new MeasureValuedDerivative(k).Estimate(d, z => z.Square().Sum(-1), new RngKey(76));
        var g = Autograd.Grad(est.Surrogate, loc).ToDoubleArray();
        for (var i = 0; i < 3; i++)
        {
            var se = Math.Sqrt(16 * mu[i] * mu[i] * (2 - (Math.PI / 2)) / (2 * Math.PI) / k);
            Assert.True(Math.Abs(g[i] - (2 * mu[i])) < 4 * se, $"μ[{i}]: {g[i]}, exact {2 * mu[i]} ± {se}");
        }

        // Value, the Monte Carlo E f = Σμ² + 3 from the same evaluations (a p⁺/p⁻ mixture, whose variance has no
        // simple closed form): z-test, |z| < 4, over 16 keys with the standard error measured across them.
        var exact = mu.Sum(m => m * m) + 3;
        var values = Enumerable.Range(0, 16).Select(j => new MeasureValuedDerivative(k).Estimate(d, z => z.Square().Sum(-1), new RngKey(76).FoldIn((uint)j)).Value.Item()).ToArray();
        var mean = values.Average();
        var seValue = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1) / values.Length);
        Assert.True(Math.Abs(mean - exact) < 4 * seValue, $"value {mean} ± {seValue}, exact {exact}");
    }

    [Fact]
    public void RegisteredCustomDecompositionIsUsed()
    {
        // x = θ + E, E ∼ Exponential(1): ∂θ E f = E f(θ + E) − f(θ), i.e. c = 1, p⁺ = p, p⁻ = δ_θ.
        // f = x²: E = θ² + 2θ + 2, ∂θ = 2θ + 2.
        WeakDerivatives.Register<ShiftedExponential>(new ShiftedExponentialWeakDerivative());
        Assert.Contains(nameof(ShiftedExponential), WeakDerivatives.Families);
        const double theta = 0.7;
        var problem = new GradientProblem("θ + Exp(1)", ["θ"], [Tensor.Scalar(theta, DType.Float64)], ps => new ShiftedExponential(ps[0]), x => x.Square(), [Tensor.Scalar((2 * theta) + 2, DType.Float64)]);
        AssertStatistics(EstimatorCheck.Run(Coupled, problem, new RngKey(73), 50_000), null);
        Assert.Throws<ArgumentException>(() => WeakDerivatives.Register<Independent>(new ShiftedExponentialWeakDerivative()));
    }

    [Fact]
    public void FamiliesWithoutDecompositionAreRejected()
    {
        var gumbel = new Gumbel(0.0, 1.0, DType.Float64);
        var e = Assert.Throws<ArgumentException>(() => Coupled.Estimate(gumbel, x => x, new RngKey(1)));
        Assert.Contains("MVD", e.Message, StringComparison.Ordinal);
        Assert.Contains("Gumbel", e.Message, StringComparison.Ordinal);
        Assert.Contains("Pathwise", e.Message, StringComparison.Ordinal);

        var ind = new Independent(new Gumbel(Tensor.Zeros([2], DType.Float64), Tensor.Ones([2], DType.Float64)), 1);
        e = Assert.Throws<ArgumentException>(() => Uncoupled.Estimate(ind, x => x.Sum(-1), new RngKey(1)));
        Assert.Contains("MVD uncoupled", e.Message, StringComparison.Ordinal);
        Assert.Contains("Independent(Gumbel)", e.Message, StringComparison.Ordinal);

        var onehot = new OneHotCategorical(probs: Tensor.FromArray([0.5, 0.5]));
        e = Assert.Throws<ArgumentException>(() => Coupled.Estimate(onehot, x => x.Sum(-1), new RngKey(1)));
        Assert.Contains("OneHotCategorical", e.Message, StringComparison.Ordinal);
        Assert.Contains("REINFORCE", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ObjectiveOfWrongShapeIsRejected()
    {
        var d = new Normal(Tensor.Zeros([3], DType.Float64), Tensor.Ones([3], DType.Float64));
        var e = Assert.Throws<ArgumentException>(() => Coupled.Estimate(d, x => x.Sum(), new RngKey(1)));
        Assert.Contains("objective", e.Message, StringComparison.Ordinal);
        Assert.Contains("[1, 3]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MeasureValuedDerivative(0));
    }

    [Fact]
    public void TraitsDeclareRequirements()
    {
        var t = new MeasureValuedDerivative(3, coupled: false).Traits;
        Assert.True(t.Unbiased);
        Assert.False(t.NeedsDifferentiableObjective);
        Assert.False(t.NeedsRSample);
        Assert.Equal(SampleSpace.Any, t.SampleSpace);
        Assert.Equal(new EstimatorCost(6, 0), t.Cost);
        Assert.Equal("MVD(3) uncoupled", new MeasureValuedDerivative(3, coupled: false).Name);
        Assert.Equal(new EstimatorCost(4, 0), Coupled.CostFor(new Normal(0.0, 1.0)));
        Assert.Equal(new EstimatorCost(2 * 3 * 2 * 2, 0), new MeasureValuedDerivative(3).CostFor(new Independent(new Normal(Tensor.Zeros([2]), Tensor.Ones([2])), 1)));
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>|z| &lt; 4 for every parameter element and, when given, variance within 4 standard errors of the exact value.</summary>
    private static void AssertStatistics(EstimatorCheckResult r, double[]? variances)
    {
        for (var i = 0; i < r.Parameters.Count; i++)
        {
            var s = r.Parameters[i];
            Assert.True(Math.Abs(s.Z) < 4, $"{r.Estimator} on {r.Problem}, ∂{s.Parameter}: mean {s.Mean}, exact {s.Exact}, z = {s.Z:F2}");
            if (variances is not null)
            {
                Assert.True(Math.Abs(s.Variance - variances[i]) <= (4 * s.VarianceStdError) + 1e-12, $"{r.Estimator} on {r.Problem}, ∂{s.Parameter}: variance {s.Variance} ± {s.VarianceStdError}, exact {variances[i]}");
            }
        }
    }

    private static double[] Softmax(double[] l)
    {
        var m = l.Max();
        var e = l.Select(v => Math.Exp(v - m)).ToArray();
        var s = e.Sum();
        return [.. e.Select(v => v / s)];
    }

    private static double VarOf(double[] p, double[] f)
    {
        var m = p.Zip(f, (a, b) => a * b).Sum();
        return p.Zip(f, (a, b) => a * (b - m) * (b - m)).Sum();
    }

    /// <summary>x = θ + E, E ∼ Exponential(1) (a test-only family for the registry).</summary>
    private sealed class ShiftedExponential(Tensor theta) : Distribution(theta.Shape, Shape.Scalar, theta.DType)
    {
        public Tensor Theta { get; } = theta;

        public override Tensor Sample(RngKey key, Shape sampleShape = default)
        {
            using (Autograd.NoGrad())
            {
                return Theta.Detach() + Sampler.Exponential(key, ExtendedShape(sampleShape), DType);
            }
        }

        public override Tensor LogProb(Tensor value) => -(value - Theta);
    }

    private sealed class ShiftedExponentialWeakDerivative : IWeakDerivative
    {
        public IReadOnlyList<WeakDerivativeTerm> Terms(Distribution distribution)
        {
            var d = (ShiftedExponential)distribution;
            return
            [
                new("θ", d.Theta, Tensor.Scalar(1, d.DType), (key, sampleShape, _) =>
                {
                    var plus = d.Sample(key, sampleShape);
                    return (plus, Tensor.ZerosLike(plus) + d.Theta.Detach());
                },
                Tensor.Scalar(1, d.DType),
                Tensor.Scalar(0, d.DType)),
            ];
        }
    }
}
