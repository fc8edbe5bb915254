using McGrad.Estimators;
using McGrad.Estimators.ScoreFunction;
using McGrad.Lab.Xu;
using McGrad.Randomness;

namespace McGrad.Lab.Tests.Xu;

/// <summary>
/// The closed forms of <see cref="QuadraticVariances"/>: reduced to one dimension they are REFERENCE.md R4's
/// polynomials (a wrong coefficient in the mean formulas fails there); in three dimensions with a full Hessian they
/// match brute-force Monte Carlo of the library's own estimators (a wrong cross term, a missing 1/sᵢ², a wrong Isserlis
/// count in the log-scale formulas fails there).
/// </summary>
public class QuadraticVariancesTests
{
    [Theory]
    [InlineData(2.0, 0.5, 1.7, 0.3)]
    [InlineData(0.7, -1.0, -1.0, 2.0)]
    [InlineData(5.0, 3.0, 0.0, 0.1)]
    public void In_one_dimension_they_are_the_R4_formulas(double h, double m, double mu, double s)
    {
        // f(z) = −(h/2)(z − m)²: f(μ) = −(h/2)a², g = −h a, H = −h, a = μ − m.
        var a = mu - m;
        var q = new QuadraticVariances([-h * a], new double[,] { { -h } }, [s]);
        var expectedMean = -(h / 2) * ((a * a) + (s * s));
        Assert.Equal(expectedMean, -(h / 2 * a * a) + (0.5 * q.TraceM), 12);
        Close(h * h * s * s, q.PathwiseMean()[0]);
        Close(h * h / (4 * s * s) * (Math.Pow(a, 4) + (14 * a * a * s * s) + (15 * Math.Pow(s, 4))), q.ScoreMean(expectedMean)[0]);
        Close(h * h * ((2 * a * a) + (2.5 * s * s)), q.ScoreMean(0)[0]);

        // Log-scale, by hand in 1-D: pathwise ∂ρ = s ε f'(μ + sε) = −h s ε (a + sε): Var = h²s²a² + 2h²s⁴.
        Close((h * h * s * s * a * a) + (2 * h * h * Math.Pow(s, 4)), q.PathwiseLogScale()[0]);

        // Score ∂ρ with the mean baseline: (f − E f)(ε² − 1) with f − E f = γε + (M/2)(ε² − 1), γ = −h a s, M = −h s²:
        // E[ε²(ε² − 1)²] = 10, E[(ε² − 1)⁴] = 60, so E[X²] = 10γ² + 15M², mean M: Var = 10γ² + 14M².
        var gamma = -h * a * s;
        var mm = -h * s * s;
        Close((10 * gamma * gamma) + (14 * mm * mm), q.ScoreLogScale(0)[0]);
    }

    [Fact]
    public void In_three_dimensions_they_match_brute_force_Monte_Carlo_of_the_library_estimators()
    {
        // f(z) = c + gᵀ(z − μ) + ½(z − μ)ᵀH(z − μ) with an indefinite full H, at q = N(μ, diag(s²)).
        double[] mu = [0.3, -1.2, 0.8];
        double[] rho = [Math.Log(0.7), Math.Log(1.3), Math.Log(0.4)];
        double[] g = [1.5, -0.4, 2.0];
        var h = new double[,] { { -2.0, 0.8, -0.5 }, { 0.8, -1.0, 1.1 }, { -0.5, 1.1, 0.6 } };
        const double C = 3.0;
        var s = rho.Select(Math.Exp).ToArray();
        var closed = new QuadraticVariances(g, h, s);
        var exactMean = C + (0.5 * closed.TraceM);
        const double Offset = 0.75; // a baseline 0.75 below E_q[f]: β = E_q[f] − b = 0.75
        var muT = Tensor.FromArray(mu);
        var gT = Tensor.FromArray(g);
        var hT = Tensor.FromArray(h);
        Objective f = z =>
        {
            var u = z - muT;
            return C + (u * gT).Sum(-1) + (0.5 * (u.MatMul(hT) * u).Sum(-1));
        };
        var exact = closed.ExactGradient();
        var problem = new GradientProblem("quadratic, d = 3", ["μ", "ρ"], [muT, Tensor.FromArray(rho)], p => MeanField.Create(p[0], p[1]), f, [Tensor.FromArray(exact.Mean), Tensor.FromArray(exact.LogScale)]);
        var cases = new (IGradientEstimator Estimator, double[] Mean, double[] LogScale)[]
        {
            (new Pathwise(), closed.PathwiseMean(), closed.PathwiseLogScale()),
            (new Reinforce(), closed.ScoreMean(exactMean), closed.ScoreLogScale(exactMean)),
            (new Reinforce(1, Baselines.Constant(exactMean - Offset)), closed.ScoreMean(Offset), closed.ScoreLogScale(Offset)),
        };
        foreach (var (estimator, mean, logScale) in cases)
        {
            var result = EstimatorCheck.Run(estimator, problem, new RngKey(11), 250_000);
            double[] expected = [.. mean, .. logScale];
            for (var i = 0; i < expected.Length; i++)
            {
                var st = result.Parameters[i];
                var z = (st.Variance - expected[i]) / st.VarianceStdError;
                Assert.True(Math.Abs(z) < 4, $"{estimator.Name} {st.Parameter}: Monte Carlo variance {st.Variance} ± {st.VarianceStdError}, closed form {expected[i]}, z = {z:F2} (|z| < 4 required)");
                Assert.True(Math.Abs(st.Z) < 4, $"{estimator.Name} {st.Parameter}: mean {st.Mean}, exact {st.Exact}, z = {st.Z:F2} (|z| < 4 required)");
            }
        }
    }

    [Fact]
    public void The_score_function_variance_is_at_least_the_bounds_of_docs_xu_md_for_any_baseline()
    {
        // SF/pathwise ≥ 1.5 for ∂μ (≥ 2.5 with the mean baseline) and ≥ 3 for ∂ρ, for random H, g, s and β.
        var rng = new Random(5);
        for (var trial = 0; trial < 200; trial++)
        {
            var d = rng.Next(1, 6);
            var h = new double[d, d];
            for (var i = 0; i < d; i++)
            {
                for (var j = 0; j <= i; j++)
                {
                    h[i, j] = h[j, i] = (rng.NextDouble() * 4) - 2;
                }
            }

            var g = Enumerable.Range(0, d).Select(_ => (rng.NextDouble() * 4) - 2).ToArray();
            var s = Enumerable.Range(0, d).Select(_ => 0.1 + (rng.NextDouble() * 2)).ToArray();
            var q = new QuadraticVariances(g, h, s);
            var beta = (rng.NextDouble() * 20) - 10;
            var pm = q.PathwiseMean();
            var pr = q.PathwiseLogScale();
            for (var i = 0; i < d; i++)
            {
                Assert.True(q.ScoreMean(beta)[i] >= 1.5 * pm[i] * (1 - 1e-12), $"trial {trial}, μ[{i}], β = {beta}");
                Assert.True(q.ScoreMean(0)[i] >= 2.5 * pm[i] * (1 - 1e-12), $"trial {trial}, μ[{i}], β = 0");
                Assert.True(q.ScoreLogScale(beta)[i] >= 3 * pr[i] * (1 - 1e-12), $"trial {trial}, ρ[{i}], β = {beta}");
            }
        }
    }

    [Fact]
    public void Bad_arguments_are_rejected_with_the_shapes_or_values()
    {
        var e = Assert.Throws<ArgumentException>(() => new QuadraticVariances([1, 2], new double[,] { { 1 } }, [1, 1]));
        Assert.Contains("1 × 1", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => new QuadraticVariances([1, 2], new double[,] { { 1, 2 }, { 3, 1 } }, [1, 1]));
        Assert.Contains("not symmetric", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => new QuadraticVariances([1], new double[,] { { 1 } }, [0]));
        Assert.Contains("s[0] = 0", e.Message, StringComparison.Ordinal);
    }

    private static void Close(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-12 * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");
}
