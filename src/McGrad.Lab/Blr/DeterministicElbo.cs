using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace McGrad.Lab.Blr;

/// <summary>The optimal mean-field ELBO found by <see cref="DeterministicElbo.Maximise"/>.</summary>
/// <param name="Mean">μ*.</param>
/// <param name="LogScale">ρ* = log σ*.</param>
/// <param name="Elbo">L(μ*, ρ*).</param>
/// <param name="GradientNorm">‖∇L‖ at the optimum (the stopping criterion).</param>
/// <param name="Iterations">L-BFGS iterations, over all restarts.</param>
/// <param name="Status">MathNet's exit condition.</param>
public sealed record ElboOptimum(double[] Mean, double[] LogScale, double Elbo, double GradientNorm, int Iterations, string Status);

/// <summary>
/// The full-data mean-field ELBO of Bayesian logistic regression computed without sampling:
/// L(μ, ρ) = Σᵢ E_q[log σ(sᵢ xᵢᵀw)] − KL(N(μ, diag σ²) ‖ N(0, I)), sᵢ = 2yᵢ − 1, σ = exp ρ. Under the mean-field q
/// the logit aᵢ = xᵢᵀw is exactly N(mᵢ, vᵢ) with mᵢ = xᵢᵀμ and vᵢ = Σⱼ xᵢⱼ²σⱼ², so each expectation is one-dimensional
/// (Gauss–Hermite), and KL = ½ Σⱼ (σⱼ² + μⱼ² − 1 − 2ρⱼ).
/// </summary>
/// <remarks>
/// Gradient: ∂L/∂μ = Σᵢ E[φᵢ′(aᵢ)] xᵢ − μ and ∂L/∂ρⱼ = 2σⱼ² Σᵢ (∂Eᵢ/∂vᵢ) xᵢⱼ² − σⱼ² + 1 with φᵢ(a) = log σ(sᵢa),
/// φᵢ′ = sᵢσ(−sᵢa), and ∂Eᵢ/∂vᵢ = Σₖ wₖ φᵢ′(mᵢ + √vᵢ zₖ) zₖ/(2√vᵢ): the derivatives of the quadrature itself (Price's
/// ½E[φ″] holds for the exact integral, not for the rule), so the gradient is exact for the value computed and L-BFGS
/// converges on it. The anchor of the BLR workload: every stochastic run's final ELBO is compared with
/// <see cref="Maximise"/>'s.
/// </remarks>
public sealed class DeterministicElbo
{
    private readonly double[][] _x;
    private readonly double[] _sign;
    private readonly GaussHermite _rule;

    /// <summary>The ELBO of <paramref name="data"/> with an n-point Gauss–Hermite rule (default 64).</summary>
    public DeterministicElbo(BlrData data, int points = 64)
    {
        ArgumentNullException.ThrowIfNull(data);
        var flat = data.Design.ToDoubleArray();
        var d = data.Dimension;
        _x = [.. Enumerable.Range(0, data.Rows).Select(i => flat[(i * d)..((i + 1) * d)])];
        _sign = [.. data.Labels.ToDoubleArray().Select(y => (2 * y) - 1)];
        _rule = new GaussHermite(points);
        Dimension = d;
    }

    /// <summary>D.</summary>
    public int Dimension { get; }

    /// <summary>L(μ, ρ) and its gradient (∂μ, ∂ρ).</summary>
    /// <exception cref="ArgumentException">μ or ρ does not have D entries.</exception>
    public (double Value, double[] GradMean, double[] GradLogScale) Evaluate(IReadOnlyList<double> mean, IReadOnlyList<double> logScale)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(logScale);
        var d = Dimension;
        if (mean.Count != d || logScale.Count != d)
        {
            throw new ArgumentException($"DeterministicElbo.Evaluate: μ has {mean.Count} and ρ {logScale.Count} entries; expected {d} each.", mean.Count != d ? nameof(mean) : nameof(logScale));
        }

        var s2 = logScale.Select(r => Math.Exp(2 * r)).ToArray();
        var gMean = new double[d];
        var curvature = new double[d];
        var value = 0.0;
        var nodes = _rule.Nodes;
        var weights = _rule.Weights;
        for (var i = 0; i < _x.Length; i++)
        {
            var xi = _x[i];
            double m = 0, v = 0;
            for (var j = 0; j < d; j++)
            {
                m += xi[j] * mean[j];
                v += xi[j] * xi[j] * s2[j];
            }

            var sd = Math.Sqrt(v);
            var s = _sign[i];
            double e0 = 0, e1 = 0, e2 = 0;
            for (var k = 0; k < nodes.Length; k++)
            {
                var a = m + (sd * nodes[k]);
                var t = s * a;
                var slope = s * Sigmoid(-t);
                e0 += weights[k] * -Softplus(-t);
                e1 += weights[k] * slope;
                e2 += weights[k] * slope * nodes[k];
            }

            e2 /= 2 * sd; // ∂/∂v of Σₖ wₖ φ(m + √v zₖ), the quadrature's own derivative (≈ ½E[φ″])

            value += e0;
            for (var j = 0; j < d; j++)
            {
                gMean[j] += e1 * xi[j];
                curvature[j] += 2 * e2 * xi[j] * xi[j];
            }
        }

        var gLog = new double[d];
        for (var j = 0; j < d; j++)
        {
            value -= 0.5 * (s2[j] + (mean[j] * mean[j]) - 1 - (2 * logScale[j]));
            gMean[j] -= mean[j];
            gLog[j] = (s2[j] * curvature[j]) - s2[j] + 1;
        }

        return (value, gMean, gLog);
    }

    /// <summary>
    /// Maximises L over (μ, ρ) from q = N(0, I) with MathNet's L-BFGS (memory 10) on −L. MathNet's line search can stop
    /// early with ‖∇L‖ above the tolerance; L-BFGS is then restarted from its last point (at most
    /// <paramref name="restarts"/> times) until ‖∇L‖ &lt; <paramref name="gradientTolerance"/> or a restart no longer
    /// lowers it.
    /// </summary>
    public ElboOptimum Maximise(double gradientTolerance = 1e-7, int maxIterations = 5_000, int restarts = 20)
    {
        var d = Dimension;
        var objective = ObjectiveFunction.Gradient(p =>
        {
            var (value, gm, gl) = Evaluate([.. p.Take(d)], [.. p.Skip(d)]);
            return (-value, Vector<double>.Build.DenseOfEnumerable(gm.Concat(gl).Select(g => -g)));
        });
        var point = Vector<double>.Build.Dense(2 * d);
        var iterations = 0;
        var norm = double.PositiveInfinity;
        var status = "not run";
        for (var attempt = 0; attempt <= restarts && norm >= gradientTolerance; attempt++)
        {
            var minimizer = new LimitedMemoryBfgsMinimizer(gradientTolerance, 1e-15, 1e-15, 10, maxIterations);
            var result = minimizer.FindMinimum(objective, point);
            var (_, gm, gl) = Evaluate([.. result.MinimizingPoint.Take(d)], [.. result.MinimizingPoint.Skip(d)]);
            var next = Math.Sqrt(gm.Concat(gl).Sum(g => g * g));
            iterations += result.Iterations;
            status = $"{result.ReasonForExit} after {attempt + 1} L-BFGS run(s)";
            if (!(next < norm))
            {
                break;
            }

            norm = next;
            point = result.MinimizingPoint;
        }

        var x = point.ToArray();
        return new ElboOptimum(x[..d], x[d..], Evaluate(x[..d], x[d..]).Value, norm, iterations, status);
    }

    private static double Sigmoid(double t) => t >= 0 ? 1 / (1 + Math.Exp(-t)) : Math.Exp(t) / (1 + Math.Exp(t));

    private static double Softplus(double t) => Math.Max(t, 0) + Math.Log(1 + Math.Exp(-Math.Abs(t)));
}
