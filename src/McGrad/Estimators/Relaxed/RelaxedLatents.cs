using McGrad.Distributions;
using McGrad.Estimators.Discrete;
using McGrad.Randomness;

namespace McGrad.Estimators.Relaxed;

/// <summary>The kind of discrete latent REBAR and RELAX relax.</summary>
public enum LatentKind
{
    /// <summary>Factorised Bernoulli latents: b = H(z) = 1[z &gt; 0], relaxation σ_λ(z) = σ(z/λ).</summary>
    Bernoulli,

    /// <summary>One-hot categorical latents: b = one-hot(argmax z), relaxation σ_λ(z) = softmax(z/λ) over the last axis.</summary>
    Categorical,
}

/// <summary>
/// What a control variate needs to know about the latents of one estimate: their kind (which fixes the relaxation
/// σ_λ), the distribution's batch and event shapes and its dtype. Passed to <see cref="IRelaxedControlVariate.Evaluate"/>.
/// </summary>
public sealed class RelaxedLatents
{
    internal RelaxedLatents(LatentKind kind, Shape batchShape, Shape eventShape, DType dtype)
    {
        Kind = kind;
        BatchShape = batchShape;
        EventShape = eventShape;
        DType = dtype;
    }

    /// <summary>Bernoulli or categorical.</summary>
    public LatentKind Kind { get; }

    /// <summary>The distribution's batch shape (f returns one value per batch element).</summary>
    public Shape BatchShape { get; }

    /// <summary>The distribution's event shape ([] for a Bernoulli, [K] for a OneHotCategorical, more with Independent).</summary>
    public Shape EventShape { get; }

    /// <summary>The distribution's dtype (every tensor a control variate returns must have it).</summary>
    public DType DType { get; }

    /// <summary>
    /// The relaxation σ_λ(z): σ(z/λ) elementwise (Bernoulli) or softmax(z/λ) over the last axis (categorical), a point
    /// of (0, 1) or of the open simplex that tends to H(z) as λ → 0. Differentiable in z and λ.
    /// </summary>
    /// <param name="z">Logit-space samples of shape sampleShape + batch + event.</param>
    /// <param name="temperature">λ &gt; 0, a scalar tensor of this dtype (or broadcastable to z).</param>
    public Tensor Relax(Tensor z, Tensor temperature)
    {
        ArgumentNullException.ThrowIfNull(z);
        ArgumentNullException.ThrowIfNull(temperature);
        var scaled = z / temperature;
        return Kind == LatentKind.Bernoulli ? scaled.Sigmoid() : scaled.Softmax(-1);
    }

    /// <summary>
    /// Reshapes samples of shape lead + batch + event to lead + batch + [E], E = the number of event elements (1 for a
    /// scalar event), the input layout of a network control variate.
    /// </summary>
    /// <exception cref="ArgumentException">The trailing dimensions are not batch + event.</exception>
    public Tensor FlattenEvent(Tensor samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var tail = Shapes.Concat(BatchShape, EventShape);
        var ok = samples.Rank >= tail.Rank;
        for (var i = 1; ok && i <= tail.Rank; i++)
        {
            ok = samples.Shape[^i] == tail[^i];
        }

        if (!ok)
        {
            throw new ArgumentException($"RelaxedLatents.FlattenEvent: samples of shape {samples.Shape} do not end with batch + event = {tail}.", nameof(samples));
        }

        var dims = new int[samples.Rank - EventShape.Rank + 1];
        for (var i = 0; i < dims.Length - 1; i++)
        {
            dims[i] = samples.Shape[i];
        }

        dims[^1] = EventShape.Size;
        return samples.Reshape(dims);
    }

    /// <summary>Yes for Bernoulli or OneHotCategorical latents (possibly inside Independent) with finite logits; otherwise why not.</summary>
    internal static SupportCheck Supports(Distribution distribution, string estimator)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        var inner = DiscreteLatents.Unwrap(distribution);
        Tensor logits;
        switch (inner)
        {
            case Bernoulli b:
                logits = b.Logits;
                break;
            case OneHotCategorical c:
                logits = c.Logits;
                break;
            case Categorical:
                return SupportCheck.No(
                    $"{estimator}: got {DiscreteLatents.Describe(distribution)}, whose samples are category indices; the relaxation softmax(z/λ) " +
                    "needs one-hot samples, so build a OneHotCategorical from the same logits (f then takes one-hot rows and points of the simplex).");
            default:
                return SupportCheck.No(
                    $"{estimator}: needs Bernoulli or OneHotCategorical latents (possibly inside Independent), but got {DiscreteLatents.Describe(distribution)} " +
                    $"(batch shape {distribution.BatchShape}, event shape {distribution.EventShape}). For continuous families use the pathwise estimator.");
        }

        var bad = Params.FirstFailing(logits, Params.Finite);
        return bad < 0
            ? SupportCheck.Yes
            : SupportCheck.No(
                $"{estimator}: the {DiscreteLatents.Describe(distribution)} has a non-finite logit (element {bad} is {logits.GetFlat(bad)}, i.e. a probability of exactly 0 or 1); " +
                "the relaxed sample z has no reparameterisation there. Keep probabilities inside (0, 1), e.g. build the distribution from finite logits.");
    }

    /// <summary>Finds the Bernoulli or OneHotCategorical below any Independent wrappers, or throws the reason of <see cref="Supports"/>.</summary>
    internal static (RelaxedLatents Latents, Tensor Logits) Resolve(Distribution distribution, string estimator)
    {
        Supports(distribution, estimator).ThrowIfUnsupported(nameof(distribution));
        Tensor logits;
        LatentKind kind;
        if (DiscreteLatents.Unwrap(distribution) is Bernoulli b)
        {
            logits = b.Logits.Shape != b.BatchShape ? b.Logits.BroadcastTo(b.BatchShape) : b.Logits;
            kind = LatentKind.Bernoulli;
        }
        else
        {
            logits = ((OneHotCategorical)DiscreteLatents.Unwrap(distribution)).Logits;
            kind = LatentKind.Categorical;
        }

        return (new RelaxedLatents(kind, distribution.BatchShape, distribution.EventShape, distribution.DType), logits);
    }

    /// <summary>Draws (z, b, z̃) of shape sampleShape + batch + event for these latents.</summary>
    internal RelaxedDraw Draw(Tensor logits, RngKey key, Shape sampleShape)
        => Kind == LatentKind.Bernoulli
            ? ConditionalRelaxation.DrawBernoulli(logits, key, sampleShape)
            : ConditionalRelaxation.DrawCategorical(logits, key, sampleShape);
}
