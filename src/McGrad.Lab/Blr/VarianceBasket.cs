using System.Diagnostics;
using McGrad.Estimators;
using McGrad.Estimators.ScoreFunction;
using McGrad.Lab.Xu;
using McGrad.Randomness;

namespace McGrad.Lab.Blr;

/// <summary>A summed variance tr Cov(ĝ) over a parameter's coordinates, with its standard error.</summary>
/// <param name="Value">Σⱼ Var(ĝⱼ), estimated as (1/(N − 1)) Σₙ ‖ĝₙ − ḡ‖².</param>
/// <param name="StdError">sd(‖ĝₙ − ḡ‖²)/√N.</param>
public sealed record TotalVariance(double Value, double StdError);

/// <summary>One estimator's gradient variance at one q.</summary>
/// <param name="Id">The estimator id.</param>
/// <param name="Name">The library estimator's name.</param>
/// <param name="Estimates">N, independent K-sample estimates.</param>
/// <param name="Mean">tr Cov of ∂μ.</param>
/// <param name="LogScale">tr Cov of ∂ρ.</param>
/// <param name="MeanVariances">Var(∂μⱼ) per coordinate.</param>
/// <param name="LogScaleVariances">Var(∂ρⱼ) per coordinate.</param>
/// <param name="Evaluations">Evaluations of f per estimate (full data).</param>
/// <param name="Seconds">Wall time.</param>
public sealed record BasketEntry(string Id, string Name, int Estimates, TotalVariance Mean, TotalVariance LogScale, double[] MeanVariances, double[] LogScaleVariances, int Evaluations, double Seconds);

/// <summary>
/// The variance basket: at a fixed q (the same parameters for every estimator), N independent K-sample estimates of
/// ∇_{μ,ρ} E_q[f] with f the full-data log-likelihood Σᵢ log σ(sᵢxᵢᵀw) (so only the Monte Carlo noise of the
/// estimator is measured, not the minibatch noise; the KL term is exact and has none), drawn with the library's
/// <see cref="EstimatorCheck.GradientSamples"/> (common random numbers across estimators: the same key).
/// </summary>
public static class VarianceBasket
{
    /// <summary>
    /// Measures estimator <paramref name="id"/> at q = (μ, ρ); the moving-average baseline is held at
    /// <paramref name="movingAverage"/> (its state at this q).
    /// </summary>
    public static BasketEntry Measure(string id, BlrData data, BlrConfig config, double[] mean, double[] logScale, double movingAverage, RngKey key, int estimates)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(logScale);
        ArgumentOutOfRangeException.ThrowIfLessThan(estimates, 2);
        var clock = Stopwatch.StartNew();
        var estimator = BlrEstimators.Create(id, config);
        var f = new LogisticLikelihood(data, 1);
        var problem = new GradientProblem("BLR, breast_cancer, full data", ["μ", "ρ"], [Tensor.FromArray(mean), Tensor.FromArray(logScale)], p => MeanField.Create(p[0], p[1]), f.Evaluate, null);
        var cost = estimator.CostFor(problem.CreateDistribution(problem.Parameters));
        var chunk = (int)Math.Clamp(20_000_000L / ((long)cost.Evaluations * data.Rows), 1, estimates);
        EstimatorState? state = id == "sf-ma" ? new MovingAverageState(movingAverage, 1) : null;
        var samples = EstimatorCheck.GradientSamples(estimator, problem, key, estimates, chunk, state);
        var d = data.Dimension;
        var (tm, vm) = Total(samples[0], estimates, d);
        var (tl, vl) = Total(samples[1], estimates, d);
        return new BasketEntry(id, estimator.Name, estimates, tm, tl, vm, vl, cost.Evaluations, clock.Elapsed.TotalSeconds);
    }

    /// <summary>tr Cov and the per-coordinate variances of N estimates stored row-major [N, d].</summary>
    public static (TotalVariance Total, double[] Variances) Total(double[] flat, int n, int d)
    {
        ArgumentNullException.ThrowIfNull(flat);
        var mean = new double[d];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < d; j++)
            {
                mean[j] += flat[(i * d) + j] / n;
            }
        }

        var squared = new double[n];
        var variances = new double[d];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < d; j++)
            {
                var dev = flat[(i * d) + j] - mean[j];
                squared[i] += dev * dev;
                variances[j] += dev * dev / (n - 1);
            }
        }

        var avg = squared.Average();
        var sd = Math.Sqrt(squared.Sum(s => (s - avg) * (s - avg)) / (n - 1));
        return (new TotalVariance(avg * n / (n - 1), sd / Math.Sqrt(n)), variances);
    }
}
