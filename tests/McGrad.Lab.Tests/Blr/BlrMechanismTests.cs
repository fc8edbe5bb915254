using McGrad.Lab.Blr;
using McGrad.Lab.Xu;
using McGrad.Randomness;

namespace McGrad.Lab.Tests.Blr;

/// <summary>
/// The pieces of the BLR workload on a small synthetic data set: Gauss–Hermite against exact moments, the deterministic
/// ELBO against Monte Carlo and its gradient against finite differences, the L-BFGS optimum, and the training loop.
/// </summary>
public class BlrMechanismTests
{
    /// <summary>40 rows, 3 features + bias, labels from a noisy logistic model.</summary>
    internal static BlrData Synthetic()
    {
        var rng = new Random(4);
        const int N = 40, D = 4;
        var x = new double[N * D];
        var y = new double[N];
        for (var i = 0; i < N; i++)
        {
            double logit = 0;
            for (var j = 0; j < D; j++)
            {
                x[(i * D) + j] = j == D - 1 ? 1 : (2 * rng.NextDouble()) - 1;
                logit += x[(i * D) + j] * (j + 1 - 2.0);
            }

            y[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-2 * logit)) ? 1 : 0;
        }

        return new BlrData(Tensor.FromArray(x, N, D), Tensor.FromArray(y));
    }

    [Fact]
    public void GaussHermite_integrates_normal_moments_exactly()
    {
        // E Z² = 1, E Z⁴ = 3, E Z⁶ = 15, E Z⁵ = 0 (exact for degree ≤ 2n − 1), E e^Z = e^{1/2}. A physicists' rule
        // (weight e^{−x²}, nodes not scaled by √2) gives E Z² = ½.
        var rule = new GaussHermite(16);
        Assert.Equal(1, rule.Weights.Sum(), 12);
        Assert.Equal(1, rule.Expect(z => z * z, 0, 1), 12);
        Assert.Equal(3, rule.Expect(z => Math.Pow(z, 4), 0, 1), 11);
        Assert.Equal(15, rule.Expect(z => Math.Pow(z, 6), 0, 1), 10);
        Assert.Equal(0, rule.Expect(z => Math.Pow(z, 5), 0, 1), 10);
        Assert.Equal(Math.Exp(0.5), rule.Expect(Math.Exp, 0, 1), 12);
        Assert.Equal(13, rule.Expect(a => a * a, 2.0, 9.0), 10); // E A² = m² + v for A ∼ N(2, 9)
    }

    [Fact]
    public void The_deterministic_elbo_equals_a_Monte_Carlo_estimate()
    {
        // E_q[Σᵢ log σ(sᵢxᵢᵀw)] from 200,000 draws of the same log-likelihood the estimators use, minus the analytic KL;
        // |z| < 4. A wrong vᵢ (σ instead of σ²), a sign error in sᵢ or a missing KL term fails.
        var data = Synthetic();
        double[] mu = [0.4, -0.3, 0.8, 0.1];
        double[] rho = [-0.5, 0.2, -1.0, 0.0];
        var elbo = new DeterministicElbo(data).Evaluate(mu, rho).Value;
        var draws = MeanField.Create(Tensor.FromArray(mu), Tensor.FromArray(rho)).Sample(new RngKey(3), [200_000]);
        var f = new LogisticLikelihood(data, 1).Evaluate(draws).ToDoubleArray();
        var mean = f.Average();
        var se = Math.Sqrt(f.Sum(v => (v - mean) * (v - mean)) / (f.Length - 1) / f.Length);
        var kl = 0.5 * mu.Zip(rho, (m, r) => Math.Exp(2 * r) + (m * m) - 1 - (2 * r)).Sum();
        var z = (mean - kl - elbo) / se;
        Assert.True(Math.Abs(z) < 4, $"Gauss–Hermite ELBO {elbo:G10}, Monte Carlo {mean - kl:G10} ± {se:G3}: z = {z:F2}");
    }

    [Fact]
    public void The_deterministic_gradient_matches_finite_differences()
    {
        var data = Synthetic();
        var elbo = new DeterministicElbo(data);
        double[] mu = [0.4, -0.3, 0.8, 0.1];
        double[] rho = [-0.5, 0.2, -1.0, 0.0];
        var (_, gm, gl) = elbo.Evaluate(mu, rho);
        const double H = 1e-5;
        for (var j = 0; j < 4; j++)
        {
            var mp = Shifted(mu, j, H);
            var mm = Shifted(mu, j, -H);
            var rp = Shifted(rho, j, H);
            var rm = Shifted(rho, j, -H);
            var fdMean = (elbo.Evaluate(mp, rho).Value - elbo.Evaluate(mm, rho).Value) / (2 * H);
            var fdLog = (elbo.Evaluate(mu, rp).Value - elbo.Evaluate(mu, rm).Value) / (2 * H);
            Assert.True(Math.Abs(fdMean - gm[j]) < 1e-6 * (1 + Math.Abs(gm[j])), $"∂μ{j}: analytic {gm[j]}, finite difference {fdMean}");
            Assert.True(Math.Abs(fdLog - gl[j]) < 1e-6 * (1 + Math.Abs(gl[j])), $"∂ρ{j}: analytic {gl[j]}, finite difference {fdLog}");
        }
    }

    private static double[] Shifted(double[] v, int j, double h)
    {
        var c = (double[])v.Clone();
        c[j] += h;
        return c;
    }

    [Fact]
    public void LBfgs_reaches_a_stationary_point_that_perturbations_do_not_improve()
    {
        var data = Synthetic();
        var elbo = new DeterministicElbo(data);
        var best = elbo.Maximise();
        Assert.True(best.GradientNorm < 1e-5, $"‖∇L‖ = {best.GradientNorm} after {best.Iterations} iterations ({best.Status})");
        var rng = new Random(9);
        for (var trial = 0; trial < 20; trial++)
        {
            var mu = best.Mean.Select(m => m + (0.01 * ((2 * rng.NextDouble()) - 1))).ToArray();
            var rho = best.LogScale.Select(r => r + (0.01 * ((2 * rng.NextDouble()) - 1))).ToArray();
            Assert.True(elbo.Evaluate(mu, rho).Value < best.Elbo);
        }
    }

    [Fact]
    public void Training_is_deterministic_for_a_key_and_approaches_the_anchor()
    {
        // Pathwise on the synthetic data, 400 steps with a larger learning rate (40 rows: the gradient is small);
        // the ELBO rises from q = N(0, I) to within 1 % of the deterministic optimum, and a second run with the same
        // key gives the same numbers.
        var data = Synthetic();
        var elbo = new DeterministicElbo(data);
        var anchor = elbo.Maximise();
        var config = new BlrConfig(Steps: 400, BatchSize: 8, Samples: 10, LearningRate: 0.05, EvalEvery: 100);
        var a = BlrTraining.Run(data, elbo, "pathwise", 0, config, new RngKey(5), [0, 400]);
        var b = BlrTraining.Run(data, elbo, "pathwise", 0, config, new RngKey(5), [0, 400]);
        Assert.Equal(a.Elbo, b.Elbo);
        Assert.Equal([0.0, 100, 200, 300, 400], a.Steps);
        Assert.Equal([0, 400], a.Checkpoints.Select(c => c.Step));
        Assert.True(BlrReport.RelativeGap(a.Final, anchor.Elbo) is > 0 and < 0.01, $"final {a.Final}, anchor {anchor.Elbo}");
        Assert.True(a.Elbo[^1] > a.Elbo[0]);
    }
}
