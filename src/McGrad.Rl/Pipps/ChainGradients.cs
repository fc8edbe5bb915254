using McGrad.Autodiff;
using McGrad.Randomness;

namespace McGrad.Rl.Pipps;

/// <summary>One gradient estimate of a chain problem: the flattened ∇θ L, the loss L and the mean k_LR over nodes.</summary>
/// <param name="Gradient">∇θ L, all parameters concatenated in order (row-major).</param>
/// <param name="Loss">L, the particles' mean total cost.</param>
/// <param name="MeanWeight">The mean of <see cref="StochasticChain.LikelihoodRatioWeights"/> over the nodes.</param>
public sealed record ChainGradient(double[] Gradient, double Loss, double MeanWeight);

/// <summary>
/// Statistics of R independent gradient estimates g_1 … g_R ∈ ℝ^d: the total variance Σ_d Var_r(g_{r,d}) (divisor R − 1),
/// the mean cosine similarity between independent estimates (the pairs (g_1, g_2), (g_3, g_4), …), the norm of the mean
/// ‖ḡ‖, the mean loss and the mean k_LR.
/// </summary>
/// <param name="Variance">Σ_d Var_r(g_{r,d}).</param>
/// <param name="MeanCosine">Mean of ⟨g_a, g_b⟩/(‖g_a‖‖g_b‖) over ⌊R/2⌋ disjoint pairs (NaN for a pair with a zero vector).</param>
/// <param name="MeanNorm">‖ḡ‖.</param>
/// <param name="Loss">The mean loss.</param>
/// <param name="MeanWeight">The mean k_LR.</param>
public sealed record ChainGradientStatistics(double Variance, double MeanCosine, double MeanNorm, double Loss, double MeanWeight)
{
    /// <summary>The statistics of <paramref name="estimates"/> (R ≥ 2).</summary>
    /// <exception cref="ArgumentException">Fewer than two estimates, or estimates of different lengths.</exception>
    public static ChainGradientStatistics Of(IReadOnlyList<ChainGradient> estimates)
    {
        ArgumentNullException.ThrowIfNull(estimates);
        if (estimates.Count < 2 || estimates.Any(e => e.Gradient.Length != estimates[0].Gradient.Length))
        {
            throw new ArgumentException($"ChainGradientStatistics.Of: needs at least two estimates of one length; got {estimates.Count}.", nameof(estimates));
        }

        var r = estimates.Count;
        var d = estimates[0].Gradient.Length;
        var variance = 0.0;
        var meanSquare = 0.0;
        for (var j = 0; j < d; j++)
        {
            var m = 0.0;
            foreach (var e in estimates)
            {
                m += e.Gradient[j];
            }

            m /= r;
            var ss = 0.0;
            foreach (var e in estimates)
            {
                ss += (e.Gradient[j] - m) * (e.Gradient[j] - m);
            }

            variance += ss / (r - 1);
            meanSquare += m * m;
        }

        var cosines = new List<double>();
        for (var k = 0; k + 1 < r; k += 2)
        {
            cosines.Add(Cosine(estimates[k].Gradient, estimates[k + 1].Gradient));
        }

        return new ChainGradientStatistics(variance, cosines.Average(), Math.Sqrt(meanSquare), estimates.Average(e => e.Loss), estimates.Average(e => e.MeanWeight));
    }

    /// <summary>⟨a, b⟩/(‖a‖‖b‖).</summary>
    public static double Cosine(double[] a, double[] b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        double ab = 0, aa = 0, bb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }

        return ab / Math.Sqrt(aa * bb);
    }
}

/// <summary>Gradient estimates of <see cref="IChainProblem"/>s by RP, LR or TP.</summary>
public static class ChainGradients
{
    /// <summary>One estimate: a new <see cref="StochasticChain"/> of <paramref name="particles"/> particles and the given mode, a rollout of <paramref name="horizon"/> steps from <paramref name="key"/>, and ∇θ L.</summary>
    public static ChainGradient Estimate(IChainProblem problem, PropagationMode mode, int particles, int horizon, RngKey key)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var chain = new StochasticChain(mode, particles);
        var loss = problem.Rollout(chain, horizon, key);
        var grads = Autograd.Grad([loss], [.. problem.Parameters], allowUnused: true);
        var flat = new List<double>();
        for (var i = 0; i < grads.Length; i++)
        {
            flat.AddRange(grads[i]?.ToDoubleArray() ?? new double[problem.Parameters[i].Size]);
        }

        return new ChainGradient([.. flat], loss.Item(), chain.LikelihoodRatioWeights.Average());
    }

    /// <summary>
    /// <paramref name="repeats"/> independent estimates (repeat i uses key.FoldIn(i), so RP, LR and TP see the same noise)
    /// and their <see cref="ChainGradientStatistics"/>.
    /// </summary>
    public static ChainGradientStatistics Measure(IChainProblem problem, PropagationMode mode, int particles, int horizon, int repeats, RngKey key, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 2);
        var estimates = new List<ChainGradient>(repeats);
        for (var i = 0; i < repeats && !cancel.IsCancellationRequested; i++)
        {
            estimates.Add(Estimate(problem, mode, particles, horizon, key.FoldIn((uint)i)));
        }

        return ChainGradientStatistics.Of(estimates);
    }
}
