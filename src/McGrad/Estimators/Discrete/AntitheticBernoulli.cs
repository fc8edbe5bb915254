using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators.Discrete;

/// <summary>The shared machinery of <see cref="Arm"/> and <see cref="DisArm"/>: antithetic pairs from one uniform per latent.</summary>
internal static class AntitheticBernoulli
{
    /// <summary>The traits ARM and DisARM share: unbiased for ∇E[f] over factorised Bernoulli latents, 2K evaluations, no backward through f.</summary>
    public static EstimatorTraits Traits(int pairs, string reference) => new()
    {
        Target = EstimateTarget.GradientOfExpectation,
        SampleSpace = SampleSpace.Discrete,
        Families = ["Bernoulli"],
        Cost = new EstimatorCost(2 * pairs, 0),
        Reference = reference,
    };

    /// <summary>
    /// Draws u ~ U(0, 1) of shape [K, *latent] (float64, from <paramref name="key"/>), the pair b¹ = 1[u &gt; σ(−ℓ)],
    /// b² = 1[u &lt; σ(ℓ)], evaluates f once (recorded) on the stack [2, K, *batch, *event], and returns the surrogate
    /// Ĵ + Σ stopgrad(ĝ)·(ℓ − stopgrad(ℓ)) with ĝ the per-latent weights averaged over the K pairs and
    /// Ĵ = (1/2K) Σ f over both members of every pair.
    /// </summary>
    public static GradientEstimate Estimate(string name, bool disarm, int pairs, Distribution distribution, Objective objective, RngKey key)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(objective);
        var bernoulli = DiscreteLatents.RequireBernoulli(distribution, name);
        var latent = bernoulli.BatchShape;
        var dtype = bernoulli.DType;
        var eventRank = distribution.EventShape.Rank;
        var logits = bernoulli.Logits;
        if (logits.Shape != latent)
        {
            logits = logits.BroadcastTo(latent);
        }

        Tensor weights, values, samples;
        Tensor p, q, u, b1, b2;
        using (Autograd.NoGrad())
        {
            if (bernoulli.IsLogitParameterised)
            {
                var l = logits.Detach().To(DType.Float64);
                p = l.Sigmoid();
                q = (-l).Sigmoid();
            }
            else
            {
                p = bernoulli.Probs.Detach().To(DType.Float64);
                RequireInteriorProbs(p, name, nameof(distribution));
                if (p.Shape != latent)
                {
                    p = p.BroadcastTo(latent);
                }

                q = 1.0 - p;
            }

            u = Sampler.Uniform(key, Shapes.Concat(new Shape(pairs), latent), DType.Float64);
            b1 = u > q;
            b2 = u < p;
            samples = Tensor.Stack([b1, b2]).To(dtype);
        }

        values = objective(samples) ?? throw new InvalidOperationException($"{name}: the objective returned null.");
        DiscreteLatents.CheckValues(values, samples.Shape, Shapes.Concat(new Shape(2, pairs), distribution.BatchShape), name, nameof(objective));
        using (Autograd.NoGrad())
        {
            // f(b¹) − f(b²), [K, *batch], broadcast over the event dimensions: every latent of an event sees the same pair.
            var f = values.Detach().To(DType.Float64);
            var diffDims = new int[1 + latent.Rank];
            diffDims[0] = pairs;
            for (var i = 0; i < latent.Rank; i++)
            {
                diffDims[1 + i] = i < latent.Rank - eventRank ? latent[i] : 1;
            }

            var diff = (f.Narrow(0, 0, 1) - f.Narrow(0, 1, 1)).Reshape(diffDims);

            // DisARM: (−1)^{b²}·1[b¹ ≠ b²] = b¹ − b² for 0/1 values, and σ(|ℓ|) = max(σ(ℓ), σ(−ℓ)).
            var w = disarm ? diff * (b1 - b2) * (Tensor.Maximum(p, q) * 0.5) : diff * (u - 0.5);
            weights = w.Mean(0).To(dtype);
        }

        return Surrogates.Estimate(values.Sum() / (2.0 * pairs), (weights * logits).Sum(), [new(samples, values)]);
    }

    private static void RequireInteriorProbs(Tensor p, string name, string argument)
    {
        var s = p.ToDoubleArray();
        for (var i = 0; i < s.Length; i++)
        {
            if (!(s[i] > 0 && s[i] < 1))
            {
                throw new ArgumentException(
                    $"{name}: the Bernoulli is parameterised by probs and element {i} is {s[i]}; the estimate is a gradient w.r.t. the logit ln p − ln(1 − p), " +
                    "which is infinite at p = 0 or 1. Construct the Bernoulli from logits (new Bernoulli(logits: …)).",
                    argument);
            }
        }
    }
}
