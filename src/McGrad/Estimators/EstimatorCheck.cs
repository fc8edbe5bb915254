using System.Diagnostics;
using McGrad.Autodiff;
using McGrad.Randomness;

namespace McGrad.Estimators;

/// <summary>Statistics of one parameter element over many independent estimates.</summary>
/// <param name="Parameter">The parameter's name, with the element index for non-scalar parameters ("θ[2]").</param>
/// <param name="Exact">The exact gradient (NaN when the problem gives none).</param>
/// <param name="Mean">Mean of the estimates.</param>
/// <param name="StdError">Standard error of the mean: sd/√N.</param>
/// <param name="Z">(mean − exact)/StdError; |Z| &lt; 4 is consistent with an unbiased estimator (NaN without an exact value;
/// 0 when the mean equals the exact value to within 1e-9 relative, i.e. up to rounding).</param>
/// <param name="Variance">Sample variance of one estimate.</param>
/// <param name="VarianceStdError">Standard error of the sample variance, √((m₄ − s⁴)/N) from the fourth central moment m₄.</param>
public sealed record ParameterStatistics(string Parameter, double Exact, double Mean, double StdError, double Z, double Variance, double VarianceStdError);

/// <summary>The outcome of <see cref="EstimatorCheck.Run"/>.</summary>
/// <param name="Estimator">The estimator's name.</param>
/// <param name="Problem">The problem's name.</param>
/// <param name="Estimates">Number of independent estimates N.</param>
/// <param name="Parameters">Per-parameter-element statistics.</param>
/// <param name="Cost">Evaluations of f and backward passes per estimate (from the estimator's traits).</param>
/// <param name="MicrosecondsPerEstimate">Wall time per estimate, amortised over the vectorised run.</param>
public sealed record EstimatorCheckResult(string Estimator, string Problem, int Estimates, IReadOnlyList<ParameterStatistics> Parameters, EstimatorCost Cost, double MicrosecondsPerEstimate)
{
    /// <summary>Variance × evaluations of f: the variance one would get for the same budget of f calls, up to the 1/budget factor (lower is better).</summary>
    public double Efficiency(int parameterIndex) => Parameters[parameterIndex].Variance * Cost.Total;
}

/// <summary>
/// Measures an estimator on a problem with a known gradient: bias with its z-score, variance with its standard error,
/// and cost. Deterministic for a fixed key. Users run it on their own estimators and problems.
/// </summary>
/// <remarks>
/// The N estimates are drawn in one vectorised pass: each parameter θ is expanded to N independent leaf copies
/// (shape [N, 1…, *θ.shape]), the distribution is built from them (batch [N, …]), and one backward pass of the
/// surrogate gives the N estimates, since the estimator treats batch elements independently. A stateful estimator is
/// measured at a fixed state (every estimate sees <c>state</c>, its initial state by default), so the N estimates are
/// independent draws of the same estimator. The cost is <see cref="IGradientEstimator.CostFor"/> of the problem's distribution.
/// </remarks>
public static class EstimatorCheck
{
    /// <summary>Runs <paramref name="estimates"/> independent estimates (in chunks of at most <paramref name="chunk"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">estimates &lt; 2 or chunk &lt; 1.</exception>
    public static EstimatorCheckResult Run(IGradientEstimator estimator, GradientProblem problem, RngKey key, int estimates = 10_000, int chunk = 65_536, EstimatorState? state = null)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentOutOfRangeException.ThrowIfLessThan(estimates, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        var samples = GradientSamples(estimator, problem, key, estimates, chunk, state, out var elapsed);
        var stats = new List<ParameterStatistics>();
        for (var p = 0; p < problem.Parameters.Count; p++)
        {
            var size = problem.Parameters[p].Size;
            var exact = problem.ExactGradient?[p].ToDoubleArray();
            for (var e = 0; e < size; e++)
            {
                var column = new double[estimates];
                for (var i = 0; i < estimates; i++)
                {
                    column[i] = samples[p][(i * size) + e];
                }

                var name = size == 1 ? problem.ParameterNames[p] : $"{problem.ParameterNames[p]}[{e}]";
                stats.Add(Summarise(name, column, exact?[e] ?? double.NaN));
            }
        }

        return new EstimatorCheckResult(estimator.Name, problem.Name, estimates, stats, estimator.CostFor(problem.CreateDistribution(problem.Parameters)), elapsed.TotalMicroseconds / estimates);
    }

    /// <summary>
    /// <paramref name="count"/> independent gradient estimates w.r.t. each problem parameter, as flat row-major arrays of
    /// count × θ.Size (estimate i occupies [i·θ.Size, (i+1)·θ.Size)). For diagnostics and custom statistics.
    /// </summary>
    public static double[][] GradientSamples(IGradientEstimator estimator, GradientProblem problem, RngKey key, int count, int chunk = 65_536, EstimatorState? state = null)
        => GradientSamples(estimator, problem, key, count, chunk, state, out _);

    private static double[][] GradientSamples(IGradientEstimator estimator, GradientProblem problem, RngKey key, int count, int chunk, EstimatorState? state, out TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentNullException.ThrowIfNull(problem);
        var parameters = problem.Parameters;
        var maxRank = parameters.Max(t => t.Rank);
        var result = parameters.Select(t => new double[count * t.Size]).ToArray();
        var clock = Stopwatch.StartNew();
        var done = 0;
        for (uint c = 0; done < count; c++)
        {
            var n = Math.Min(chunk, count - done);
            var leaves = parameters.Select(t => Expand(t, n, maxRank)).ToArray();
            var estimate = estimator.Estimate(problem.CreateDistribution(leaves), problem.Objective, key.FoldIn(c), state ?? estimator.InitialState);
            var grads = Autograd.Grad([estimate.Surrogate], leaves, allowUnused: true);
            for (var p = 0; p < parameters.Count; p++)
            {
                var g = grads[p]?.ToDoubleArray();
                if (g != null)
                {
                    Array.Copy(g, 0, result[p], done * parameters[p].Size, g.Length);
                }
            }

            done += n;
        }

        elapsed = clock.Elapsed;
        return result;
    }

    /// <summary>θ of shape s → an independent leaf of shape [n, 1 × (maxRank − rank), *s], values copied.</summary>
    private static Tensor Expand(Tensor t, int n, int maxRank)
    {
        var dims = new int[maxRank + 1];
        dims[0] = 1;
        for (var i = 1; i <= maxRank - t.Rank; i++)
        {
            dims[i] = 1;
        }

        for (var i = 0; i < t.Rank; i++)
        {
            dims[1 + maxRank - t.Rank + i] = t.Shape[i];
        }

        var target = (int[])dims.Clone();
        target[0] = n;
        using (Autograd.NoGrad())
        {
            return t.Detach().Reshape(dims).BroadcastTo(new Shape(target)).Detach().RequireGrad();
        }
    }

    /// <summary>Mean, standard error, z-score, variance and the variance's standard error of independent draws.</summary>
    public static ParameterStatistics Summarise(string name, double[] x, double exact)
    {
        ArgumentNullException.ThrowIfNull(x);
        var n = x.Length;
        var mean = x.Average();
        double m2 = 0, m4 = 0;
        foreach (var v in x)
        {
            var d = (v - mean) * (v - mean);
            m2 += d;
            m4 += d * d;
        }

        var variance = m2 / (n - 1);
        m4 /= n;
        var se = Math.Sqrt(variance / n);
        // A difference within 1e-9 relative of the exact value is floating-point rounding, not bias: an estimator that is
        // exact up to rounding (DisARM at p = ½) has a variance of rounding noise, and dividing one by the other is meaningless.
        var rounding = Math.Abs(mean - exact) <= 1e-9 * Math.Abs(exact);
        var z = double.IsNaN(exact) ? double.NaN
            : rounding ? 0
            : se == 0 ? double.PositiveInfinity * Math.Sign(mean - exact)
            : (mean - exact) / se;
        var varSe = Math.Sqrt(Math.Max(0, m4 - (variance * variance)) / n);
        return new ParameterStatistics(name, exact, mean, se, z, variance, varSe);
    }
}
