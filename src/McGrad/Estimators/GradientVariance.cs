using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators;

/// <summary>
/// Independent gradient estimates at fixed parameters: for each chosen parameter ψ a tensor [N, *ψ.Shape] whose row i is
/// ∇ψ of estimate i's surrogate, with the per-element mean and unbiased variance over the N rows.
/// </summary>
/// <param name="Samples">One [N, *ψ.Shape] tensor per parameter (zeros where the surrogate does not reach ψ).</param>
/// <param name="Mean">Per-element mean over the N estimates.</param>
/// <param name="Variance">Per-element unbiased variance over the N estimates.</param>
public sealed record GradientSampleSet(IReadOnlyList<Tensor> Samples, IReadOnlyList<Tensor> Mean, IReadOnlyList<Tensor> Variance)
{
    /// <summary>Σ over all elements of all parameters of the variance: tr Cov(ĝ), the usual scalar for comparing estimators.</summary>
    public double TotalVariance => Variance.Sum(v => v.Sum().Item());
}

/// <summary>Per-estimate gradients with respect to any parameters (an encoder's weights, a decoder's), for variance diagnostics.</summary>
public static class GradientVariance
{
    /// <summary>
    /// Draws N = <paramref name="count"/> independent estimates, estimate i with key.FoldIn(i) and the same
    /// <paramref name="state"/> (null: the estimator's initial state), each on a distribution freshly built by
    /// <paramref name="distribution"/>, and returns ∇ψ of each surrogate for every ψ in <paramref name="parameters"/>.
    /// </summary>
    /// <remarks>
    /// One backward pass per estimate (so it works for parameters anywhere upstream of the distribution or inside f);
    /// for problems whose parameters are the distribution's own, <c>EstimatorCheck.GradientSamples</c> draws many
    /// estimates in one vectorised backward pass instead. Parameters are not changed and their .Grad is not touched.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">count &lt; 2.</exception>
    /// <exception cref="ArgumentException">A parameter does not require gradients.</exception>
    public static GradientSampleSet Sample(IGradientEstimator estimator, Func<Distribution> distribution, Objective objective, IReadOnlyList<Tensor> parameters, RngKey key, int count, EstimatorState? state = null)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        for (var p = 0; p < parameters.Count; p++)
        {
            if (!parameters[p].RequiresGrad)
            {
                throw new ArgumentException($"GradientVariance.Sample: parameter {p} (shape {parameters[p].Shape}) does not require gradients; pass tensors made with RequireGrad().", nameof(parameters));
            }
        }

        var rows = parameters.Select(_ => new List<Tensor>(count)).ToArray();
        var current = state ?? estimator.InitialState;
        for (var i = 0; i < count; i++)
        {
            var estimate = estimator.Estimate(distribution(), objective, key.FoldIn((uint)i), current);
            var grads = Autograd.Grad([estimate.Surrogate], [.. parameters], allowUnused: true);
            for (var p = 0; p < parameters.Count; p++)
            {
                rows[p].Add(grads[p]?.Detach() ?? Tensor.ZerosLike(parameters[p]));
            }
        }

        var samples = rows.Select(r => Tensor.Stack([.. r])).ToArray();
        using (Autograd.NoGrad())
        {
            var mean = samples.Select(s => s.Mean(0)).ToArray();
            var variance = samples.Select((s, p) => (s - mean[p]).Square().Sum(0) / (count - 1)).ToArray();
            return new GradientSampleSet(samples, mean, variance);
        }
    }
}
