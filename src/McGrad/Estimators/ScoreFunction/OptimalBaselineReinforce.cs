using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators.ScoreFunction;

/// <summary>
/// REINFORCE with the optimal constant baseline per parameter element, estimated leave-one-out:
/// ĝᵢ = (1/K) Σₖ (uₖᵢ − bₖᵢ·sₖᵢ), with sₖᵢ = ∂ log p_θ(x_k)/∂θᵢ (the per-sample score), uₖᵢ = ∂[f(x_k)·log p_θ(x_k)]/∂θᵢ
/// (= f(x_k)·sₖᵢ when θᵢ belongs to one batch element) and bₖᵢ = Σ_{j≠k} u_{ji} s_{ji} / Σ_{j≠k} s_{ji}²
/// (= Σ_{j≠k} f_j s_{ji}² / Σ_{j≠k} s_{ji}², the sample version of b*ᵢ = E[f sᵢ²]/E[sᵢ²] without sample k).
/// The surrogate is (1/K) Σₖ Σ_batch stopgrad(f(x_k))·log p_θ(x_k) − Σᵢ stopgrad(cᵢ)·θᵢ with cᵢ = (1/K) Σₖ bₖᵢ sₖᵢ.
/// </summary>
/// <remarks>
/// <para><b>Parameters.</b> θ are the distribution's parameter tensors, found by a resolver
/// (<see cref="DistributionParameters.Of"/> for the built-in families, or one passed to the constructor). They may be
/// produced upstream: the correction term −Σ cᵢθᵢ is a tensor op on them, so the estimate flows into every upstream
/// parameter by the chain rule. Parameters that do not require gradients are skipped.</para>
/// <para><b>Bias.</b> Unbiased: bₖᵢ is built from the other samples only, so E[bₖᵢ sₖᵢ | x_{−k}] = bₖᵢ·E[sₖᵢ] = 0.
/// Where all other scores are zero (Σ_{j≠k} s_{ji}² = 0) bₖᵢ = 0. With K = 2 it is exactly RLOO(2) (bₖ = f of the other
/// sample). For a parameter shared by several batch elements uₖᵢ sums over them and bₖᵢ is the optimal
/// control-variate coefficient E[uᵢsᵢ]/E[sᵢ²] of the zero-mean control variate sᵢ.</para>
/// <para><b>Variance.</b> K·Var ĝᵢ = V* + (E[s²]E[(f − b*)²s⁴] + E[(f − b*)s³]²)/((K − 1)E[s²]²) + O(1/K²), V* the
/// one-sample variance with the exact b* (the "SF + b*" column of Mohamed et al. 2020): it pays for estimating b* with
/// a term that vanishes as K grows.</para>
/// <para><b>Cost.</b> K evaluations of f and no backward pass through f; per-sample scores come from one extra backward
/// pass through log p only (the parameters are expanded to [2, K, …] copies, so the scores and the f-weighted scores
/// of all K samples come out of one pass). Needs K ≥ 2 and a family with a LogProb (discrete or continuous).
/// Baseline: Williams (1992); optimal constant: Weaver &amp; Tao (2001), Greensmith, Bartlett &amp; Baxter (2004);
/// leave-one-out: Mnih &amp; Rezende (2016), Kool, van Hoof &amp; Welling (2019).</para>
/// </remarks>
public sealed class OptimalBaselineReinforce : IGradientEstimator
{
    private readonly Func<Distribution, DistributionParameters>? _resolver;

    /// <summary>The estimator with K = <paramref name="samples"/> samples per estimate.</summary>
    /// <param name="samples">K ≥ 2 (the leave-one-out baseline needs another sample).</param>
    /// <param name="parameters">Finds a distribution's parameter tensors and rebuilds it from new ones; null uses
    /// <see cref="DistributionParameters.Of"/> (the built-in families).</param>
    /// <exception cref="ArgumentOutOfRangeException">samples &lt; 2.</exception>
    public OptimalBaselineReinforce(int samples, Func<Distribution, DistributionParameters>? parameters = null)
    {
        if (samples < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(samples), samples, $"OptimalBaselineReinforce: needs K >= 2 samples per estimate (the baseline of sample k is estimated from the others), got {samples}.");
        }

        Samples = samples;
        _resolver = parameters;
    }

    /// <summary>Samples K per estimate.</summary>
    public int Samples { get; }

    /// <inheritdoc/>
    public string Name => $"REINFORCE({Samples}) − b* (leave-one-out)";

    /// <inheritdoc/>
    public EstimatorTraits Traits => new()
    {
        Target = EstimateTarget.GradientOfExpectation,
        Cost = new EstimatorCost(Samples, 0),
        Reference = "Williams 1992; Weaver & Tao 2001 (optimal baseline); leave-one-out estimate",
    };

    /// <inheritdoc/>
    public SupportCheck Supports(Distribution distribution) => ObjectiveValues.Supports(distribution, "OptimalBaselineReinforce");

    /// <inheritdoc/>
    public GradientEstimate Estimate(Distribution distribution, Objective objective, RngKey key, EstimatorState? state = null)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(objective);
        Supports(distribution).ThrowIfUnsupported(nameof(distribution));
        var parameters = _resolver != null ? _resolver(distribution) : DistributionParameters.Resolve(distribution, "OptimalBaselineReinforce");
        var x = distribution.Sample(key, [Samples]);
        var values = ObjectiveValues.Evaluate(objective, x, distribution, Samples, "OptimalBaselineReinforce");

        var f = values.Detach();
        var score = (f * distribution.LogProb(x)).Sum() / Samples;
        foreach (var (theta, c) in Corrections(parameters, distribution, x, f))
        {
            score -= (c * theta).Sum();
        }

        return Surrogates.Estimate(values.Sum() / Samples, score, [new(x, values)]);
    }

    /// <summary>For each parameter θ that requires gradients: (θ, c) with cᵢ = (1/K) Σₖ bₖᵢ sₖᵢ (detached, θ's shape).</summary>
    private List<(Tensor Theta, Tensor C)> Corrections(DistributionParameters parameters, Distribution distribution, Tensor x, Tensor values)
    {
        var thetas = parameters.Tensors;
        var result = new List<(Tensor, Tensor)>();
        if (!thetas.Any(t => t.RequiresGrad))
        {
            return result;
        }

        var k = Samples;
        var maxRank = thetas.Max(t => t.Rank);
        var copies = new Tensor[thetas.Count];
        var leaves = new List<Tensor>();
        var leafOf = new List<int>();
        using (Autograd.NoGrad())
        {
            for (var i = 0; i < thetas.Count; i++)
            {
                var t = thetas[i];
                if (!t.RequiresGrad)
                {
                    copies[i] = t.Detach();
                    continue;
                }

                // θ of shape s → an independent leaf [2, K, 1 × (maxRank − rank), *s]: copy 0 gives the scores s_k,
                // copy 1 the f-weighted scores u_k, every sample k its own copy.
                var dims = new int[maxRank + 2];
                Array.Fill(dims, 1);
                for (var d = 0; d < t.Rank; d++)
                {
                    dims[2 + maxRank - t.Rank + d] = t.Shape[d];
                }

                var target = (int[])dims.Clone();
                target[0] = 2;
                target[1] = k;
                copies[i] = t.Detach().Reshape(dims).BroadcastTo(new Shape(target)).Detach().RequireGrad();
                leaves.Add(copies[i]);
                leafOf.Add(i);
            }
        }

        var rebuilt = parameters.Rebuild(copies);
        var logp = rebuilt.LogProb(x);
        var expected = new Shape([2, .. values.Shape.ToArray()]);
        if (logp.Shape != expected)
        {
            throw new ArgumentException(
                $"OptimalBaselineReinforce: the {distribution.GetType().Name} rebuilt from parameter copies of shape [2, K, …] gave log-probabilities of shape {logp.Shape}, expected {expected}; " +
                "its parameters' shapes must broadcast to its batch shape (check the DistributionParameters resolver).",
                nameof(distribution));
        }

        Tensor weights;
        using (Autograd.NoGrad())
        {
            weights = Tensor.Stack([Tensor.OnesLike(values), values]);
        }

        var grads = Autograd.Grad([(weights * logp).Sum()], leaves, allowUnused: true);
        for (var l = 0; l < leaves.Count; l++)
        {
            var theta = thetas[leafOf[l]];
            var g = grads[l];
            if (g == null)
            {
                continue;
            }

            var c = LeaveOneOutCoefficient(g.ToDoubleArray(), k, theta.Size);
            var ct = Tensor.FromArray(c, theta.Shape.ToArray());
            result.Add((theta, theta.DType == DType.Float64 ? ct : ct.To(theta.DType)));
        }

        return result;
    }

    /// <summary>
    /// g holds [2, K, M]: scores s (copy 0) and f-weighted scores u (copy 1). Returns cᵢ = (1/K) Σₖ bₖᵢ sₖᵢ with
    /// bₖᵢ = Σ_{j≠k} uⱼᵢsⱼᵢ / Σ_{j≠k} sⱼᵢ² (0 when the denominator is 0), summed as exclusive prefix + suffix sums so
    /// that bₖᵢ never touches sample k's numbers.
    /// </summary>
    private static double[] LeaveOneOutCoefficient(double[] g, int k, int m)
    {
        var c = new double[m];
        var offsetU = k * m;
        Kernels.Parallelism.For(m, Math.Max(1, 16_384 / k), (start, count) =>
        {
            var preNum = new double[k];
            var preDen = new double[k];
            for (var i = start; i < start + count; i++)
            {
                double num = 0, den = 0;
                for (var j = 0; j < k; j++)
                {
                    preNum[j] = num;
                    preDen[j] = den;
                    var s = g[(j * m) + i];
                    num += g[offsetU + (j * m) + i] * s;
                    den += s * s;
                }

                double sufNum = 0, sufDen = 0, acc = 0;
                for (var j = k - 1; j >= 0; j--)
                {
                    var s = g[(j * m) + i];
                    var d = preDen[j] + sufDen;
                    if (d != 0)
                    {
                        acc += (preNum[j] + sufNum) / d * s;
                    }

                    sufNum += g[offsetU + (j * m) + i] * s;
                    sufDen += s * s;
                }

                c[i] = acc / k;
            }
        });
        return c;
    }
}
