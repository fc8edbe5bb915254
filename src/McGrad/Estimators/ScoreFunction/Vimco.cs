using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators.ScoreFunction;

/// <summary>
/// The log-weights of a multi-sample bound: maps K samples of the proposal, shape [K, *batch, *event], to
/// ℓₖ = log wₖ of shape [K, *batch]. It may depend on θ directly (e.g. ℓ = log p(x, y) − log q_θ(x) with
/// <paramref name="proposal"/>'s LogProb): that dependence is recorded and differentiated (the pathwise term).
/// </summary>
/// <param name="samples">The K draws (not differentiable: x is sampled without reparameterisation).</param>
/// <param name="proposal">The distribution q_θ the samples came from, for the −log q_θ(x) part of the weight.</param>
public delegate Tensor LogWeightFunction(Tensor samples, Distribution proposal);

/// <summary>
/// VIMCO (variational inference for Monte Carlo objectives): the gradient of E[L], L = log (1/K) Σₖ wₖ, wₖ = exp ℓₖ,
/// x_k ∼ q_θ, as ĝ = Σₖ (L − L̂₋ₖ)·∇θ log q_θ(x_k) + Σₖ w̃ₖ ∇θ ℓₖ with w̃ = softmax(ℓ) and the leave-one-out
/// L̂₋ₖ = log (1/K)(Σ_{j≠k} wⱼ + exp((1/(K − 1)) Σ_{j≠k} ℓⱼ)) (wₖ replaced by the geometric mean of the others).
/// Surrogate: Σ_batch [Σₖ stopgrad(L − L̂₋ₖ)·log q_θ(x_k) + L], with L recorded through ℓ's direct θ-dependence only.
/// </summary>
/// <remarks>
/// <para><b>Bias.</b> Unbiased for ∇θ E[L] (the multi-sample bound itself, e.g. the IWAE bound, is a biased estimate
/// of log E[w]): L̂₋ₖ does not depend on x_k, so it is a valid baseline for the score term of sample k.</para>
/// <para><b>Requirements.</b> K ≥ 2; any family with a LogProb (discrete latents are the intended use); log-weights
/// finite or −∞ (zero weight), never NaN or +∞. The learning signals are computed from the detached log-weights in
/// float64 with exclusive prefix/suffix log-sum-exps, so L̂₋ₖ never touches sample k and stays accurate when one
/// weight dominates.</para>
/// <para><b>Variance and cost.</b> The learning signal L − L̂₋ₖ is small unless sample k carries much of the bound,
/// so the score term stays well-scaled as K grows (plain REINFORCE on L has a signal of size |L|). Cost: K evaluations
/// of the log-weights, one backward pass through them for the direct term. Mnih &amp; Rezende (2016).</para>
/// <para><b>As an <see cref="IGradientEstimator"/></b> the objective's values are the log-weights ℓ(x) (no direct θ
/// dependence possible there) and the estimate is of ∇θ Σ_batch E[log (1/K) Σₖ exp ℓ(x_k)].</para>
/// </remarks>
public sealed class Vimco : IGradientEstimator
{
    /// <summary>VIMCO with K = <paramref name="samples"/> samples per estimate.</summary>
    /// <exception cref="ArgumentOutOfRangeException">samples &lt; 2.</exception>
    public Vimco(int samples)
    {
        if (samples < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(samples), samples, $"Vimco: needs K >= 2 samples per estimate (the baseline of sample k uses the others), got {samples}.");
        }

        Samples = samples;
    }

    /// <summary>Samples K per estimate.</summary>
    public int Samples { get; }

    /// <inheritdoc/>
    public string Name => $"VIMCO({Samples})";

    /// <inheritdoc/>
    public EstimatorTraits Traits => new()
    {
        Target = EstimateTarget.GradientOfLogMeanExp,
        Cost = new EstimatorCost(Samples, 1),
        Reference = "Mnih & Rezende 2016",
    };

    /// <inheritdoc/>
    public SupportCheck Supports(Distribution distribution) => ObjectiveValues.Supports(distribution, Name);

    /// <summary>
    /// Draws K samples from <paramref name="proposal"/>, evaluates the log-weights (recorded) and returns the
    /// surrogate whose gradient estimates ∇θ Σ_batch E[log (1/K) Σₖ wₖ]; Value is Σ_batch L (the bound's estimate).
    /// </summary>
    /// <exception cref="ArgumentException">The log-weights do not have shape [K, *batch], contain NaN or +∞, or are all −∞ for a batch element.</exception>
    public GradientEstimate Estimate(Distribution proposal, LogWeightFunction logWeights, RngKey key)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(logWeights);
        Supports(proposal).ThrowIfUnsupported(nameof(proposal));
        var x = proposal.Sample(key, [Samples]);
        var l = logWeights(x, proposal);
        return Build(proposal, x, l);
    }

    /// <summary>The estimator on log-weights ℓ(x) = <paramref name="objective"/>(x) (see the class remarks).</summary>
    public GradientEstimate Estimate(Distribution distribution, Objective objective, RngKey key, EstimatorState? state = null)
    {
        ArgumentNullException.ThrowIfNull(objective);
        return Estimate(distribution, (x, _) => objective(x), key);
    }

    /// <summary>
    /// The VIMCO surrogate Σ_batch [Σₖ stopgrad(L − L̂₋ₖ)·log q_θ(x_k) + L] for given samples
    /// <paramref name="samples"/> [K, *batch, *event] of <paramref name="proposal"/> and their recorded log-weights
    /// <paramref name="logWeights"/> [K, *batch] (K ≥ 2), e.g. to weight every K-tuple of a discrete latent exactly.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes do not fit, K &lt; 2, a log-weight is NaN or +∞, or all K log-weights of a batch element are −∞.</exception>
    public static Tensor Surrogate(Distribution proposal, Tensor samples, Tensor logWeights)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(logWeights);
        return Build(proposal, samples, logWeights).Surrogate;
    }

    /// <summary>
    /// The learning signals L − L̂₋ₖ (detached, shape [K, *batch]) of log-weights ℓ [K, *batch]:
    /// L = log (1/K) Σⱼ exp ℓⱼ, L̂₋ₖ = log (1/K)(Σ_{j≠k} exp ℓⱼ + exp((1/(K − 1)) Σ_{j≠k} ℓⱼ)).
    /// </summary>
    /// <exception cref="ArgumentException">Rank 0, K &lt; 2, a non-floating dtype, a NaN / +∞ entry, or a batch element whose K log-weights are all −∞.</exception>
    public static Tensor LearningSignals(Tensor logWeights)
    {
        ArgumentNullException.ThrowIfNull(logWeights);
        if (logWeights.Rank == 0 || logWeights.Shape[0] < 2 || !logWeights.DType.IsFloatingPoint())
        {
            throw new ArgumentException($"Vimco: log-weights must be a floating-point tensor of shape [K, *batch] with K >= 2, got {logWeights.DType} {logWeights.Shape}.", nameof(logWeights));
        }

        var k = logWeights.Shape[0];
        var l = logWeights.ToDoubleArray();
        var m = l.Length / k;
        for (var i = 0; i < l.Length; i++)
        {
            if (double.IsNaN(l[i]) || double.IsPositiveInfinity(l[i]))
            {
                throw new ArgumentException($"Vimco: log-weight {i} (sample {i / Math.Max(1, m)}) is {l[i]}; log-weights must be finite or −∞.", nameof(logWeights));
            }
        }

        for (var b = 0; b < m; b++)
        {
            var j = 0;
            while (j < k && double.IsNegativeInfinity(l[(j * m) + b]))
            {
                j++;
            }

            if (j == k)
            {
                throw new ArgumentException($"Vimco: all K = {k} log-weights of batch element {b} are −∞ (every sample has weight 0), so the bound log (1/K) Σₖ wₖ is −∞ and its learning signals are NaN; at least one log-weight per batch element must be finite.", nameof(logWeights));
            }
        }

        var signal = new double[l.Length];
        var logK = Math.Log(k);
        Kernels.Parallelism.For(m, Math.Max(1, 16_384 / k), (start, count) =>
        {
            var preLse = new double[k];
            var preSum = new double[k];
            for (var b = start; b < start + count; b++)
            {
                // Exclusive prefix log-sum-exp and sum of ℓ, then the suffix ones on the way back.
                double lse = double.NegativeInfinity, sum = 0;
                for (var j = 0; j < k; j++)
                {
                    preLse[j] = lse;
                    preSum[j] = sum;
                    var v = l[(j * m) + b];
                    lse = LogAddExp(lse, v);
                    sum += v;
                }

                var total = lse - logK;
                double sufLse = double.NegativeInfinity, sufSum = 0;
                for (var j = k - 1; j >= 0; j--)
                {
                    var geometric = (preSum[j] + sufSum) / (k - 1);
                    var loo = LogAddExp(LogAddExp(preLse[j], sufLse), geometric) - logK;
                    signal[(j * m) + b] = total - loo;
                    var v = l[(j * m) + b];
                    sufLse = LogAddExp(sufLse, v);
                    sufSum += v;
                }
            }
        });

        var t = Tensor.FromArray(signal, logWeights.Shape.ToArray());
        return logWeights.DType == DType.Float64 ? t : t.To(logWeights.DType);
    }

    private static double LogAddExp(double a, double b)
    {
        if (double.IsNegativeInfinity(a))
        {
            return b;
        }

        if (double.IsNegativeInfinity(b))
        {
            return a;
        }

        var hi = Math.Max(a, b);
        return hi + Math.Log(1 + Math.Exp(-Math.Abs(a - b)));
    }

    private static GradientEstimate Build(Distribution proposal, Tensor x, Tensor l)
    {
        var eventRank = proposal.EventShape.Rank;
        if (x.Rank < eventRank + 1)
        {
            throw new ArgumentException($"Vimco: samples of shape {x.Shape} need a leading sample dimension K before the batch {proposal.BatchShape} and event {proposal.EventShape} dimensions.", nameof(x));
        }

        var want = new Shape(x.Shape.ToArray()[..(x.Rank - eventRank)]);
        if (l is null || l.Shape != want)
        {
            throw new ArgumentException($"Vimco: the log-weights must have the samples' shape less the event dimensions, {want} ([K, *batch]), got {l?.Shape.ToString() ?? "null"}.", nameof(l));
        }

        if (l.DType != proposal.DType)
        {
            throw new ArgumentException($"Vimco: the log-weights are {l.DType} but the proposal is {proposal.DType}; McGrad does not convert silently.", nameof(l));
        }

        var signals = LearningSignals(l.Detach());
        var bound = l.LogSumExp(0) - Math.Log(l.Shape[0]);
        return Surrogates.Estimate(bound.Sum(), (signals * proposal.LogProb(x)).Sum(), [new(x, l)]);
    }
}
