using McGrad.Randomness;

namespace McGrad.Distributions;

/// <summary>
/// A probability distribution over tensors, shaped as in torch.distributions: a draw has shape
/// sampleShape + <see cref="BatchShape"/> + <see cref="EventShape"/>; <see cref="LogProb"/> returns one value per
/// event, i.e. shape sampleShape + <see cref="BatchShape"/>.
/// </summary>
/// <remarks>
/// <para>Parameters are tensors (typically produced by upstream layers): <see cref="LogProb"/>, <see cref="RSample"/>,
/// <see cref="Entropy"/>, <see cref="Mean"/> and <see cref="Variance"/> are built from them with recorded tensor ops,
/// so gradients flow into whatever produced the parameters. Constructors validate the parameter values but record
/// nothing, so one distribution object can be used across several backward passes.</para>
/// <para>All randomness comes from the <see cref="RngKey"/> passed to <see cref="Sample"/> / <see cref="RSample"/>:
/// the same key gives the same draw (common random numbers); split keys for independent draws.</para>
/// </remarks>
public abstract class Distribution
{
    /// <summary>Sets the shapes and dtype of the distribution.</summary>
    /// <param name="batchShape">Shape of the batch of independent (not necessarily identical) distributions.</param>
    /// <param name="eventShape">Shape of one draw of a single distribution (empty for scalar families).</param>
    /// <param name="dtype">Floating-point dtype of the parameters (and of float-valued samples).</param>
    protected Distribution(Shape batchShape, Shape eventShape, DType dtype)
    {
        BatchShape = Shapes.Normalize(batchShape);
        EventShape = Shapes.Normalize(eventShape);
        DType = dtype;
    }

    /// <summary>Shape of the batch of distributions (the broadcast shape of the parameters, less any event dimensions).</summary>
    public Shape BatchShape { get; }

    /// <summary>Shape of a single event (empty for scalar families; [K] for one-hot families).</summary>
    public Shape EventShape { get; }

    /// <summary>The floating-point dtype of the parameters.</summary>
    public DType DType { get; }

    /// <summary>Whether <see cref="RSample"/> is available (a reparameterised, pathwise-differentiable sampler).</summary>
    public virtual bool HasRSample => false;

    /// <summary>The family name used in messages (the type name).</summary>
    protected virtual string Name => GetType().Name;

    /// <summary>sampleShape + <see cref="BatchShape"/> + <see cref="EventShape"/>: the shape of a draw.</summary>
    public Shape ExtendedShape(Shape sampleShape = default) => Shapes.Concat(sampleShape, BatchShape, EventShape);

    /// <summary>
    /// Draws a sample of shape sampleShape + batch + event from <paramref name="key"/>. Not recorded: the result
    /// carries no gradient (use <see cref="RSample"/> for a pathwise gradient, or a score-function estimator).
    /// </summary>
    /// <remarks>Families with <see cref="HasRSample"/> return exactly <c>RSample(key, sampleShape)</c>'s values.</remarks>
    public virtual Tensor Sample(RngKey key, Shape sampleShape = default)
    {
        if (!HasRSample)
        {
            throw new NotSupportedException($"{Name}: Sample is not implemented.");
        }

        using (Autodiff.Autograd.NoGrad())
        {
            return RSample(key, sampleShape).Detach();
        }
    }

    /// <summary>
    /// A reparameterised sample x = g(θ, ε) of shape sampleShape + batch + event, with ε drawn from
    /// <paramref name="key"/> and g recorded from the parameter tensors, so ∂x/∂θ (the pathwise derivative) flows
    /// back into the parameters.
    /// </summary>
    /// <exception cref="NotSupportedException">The family has no reparameterised sampler (<see cref="HasRSample"/> is false).</exception>
    public virtual Tensor RSample(RngKey key, Shape sampleShape = default)
        => throw new NotSupportedException(
            $"{Name}: has no reparameterised sampler (RSample); its samples are not a differentiable function of its parameters. " +
            "Use Sample with a score-function estimator (REINFORCE: f(x)·∇θ LogProb(x), with a baseline), or a continuous relaxation " +
            "(RelaxedBernoulli / RelaxedOneHotCategorical) for discrete families.");

    /// <summary>
    /// log p(value): the log density (continuous families) or log mass (discrete families) of each event, with
    /// shape broadcast(value.Shape, batch + event) less the event dimensions, i.e. sampleShape + batch.
    /// Differentiable in the parameters and, for continuous families, in <paramref name="value"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The value's dtype or shape does not fit, or a value lies outside the support.</exception>
    public abstract Tensor LogProb(Tensor value);

    /// <summary>The (differential) entropy H = −E[log p(x)] of each distribution in the batch, with shape <see cref="BatchShape"/>.</summary>
    /// <exception cref="NotSupportedException">The family has no closed form for its entropy.</exception>
    public virtual Tensor Entropy() => throw NotSupported("Entropy", "the entropy");

    /// <summary>E[x], with shape batch + event.</summary>
    /// <exception cref="NotSupportedException">The family has no closed form for its mean.</exception>
    public virtual Tensor Mean => throw NotSupported("Mean", "the mean");

    /// <summary>Var[x] (elementwise), with shape batch + event.</summary>
    /// <exception cref="NotSupportedException">The family has no closed form for its variance.</exception>
    public virtual Tensor Variance => throw NotSupported("Variance", "the variance");

    /// <summary>√Var[x], with shape batch + event.</summary>
    public virtual Tensor StdDev => Variance.Sqrt();

    /// <summary>The error thrown by members without a closed form.</summary>
    protected NotSupportedException NotSupported(string member, string what)
        => new($"{Name}: {member} is not available: {what} has no closed form. Estimate it by Monte Carlo from Sample/RSample draws.");

    /// <summary>
    /// Validates a value passed to <see cref="LogProb"/>: its dtype must be <paramref name="expected"/>, and its shape
    /// must broadcast with batch + event without changing the event dimensions. Returns the result shape
    /// (the broadcast shape less the event dimensions).
    /// </summary>
    protected Shape CheckValue(Tensor value, DType expected)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.DType != expected)
        {
            throw new ArgumentException($"{Name}.LogProb: value has dtype {value.DType} but this distribution needs {expected} values{(expected.IsFloatingPoint() ? " (its parameters' dtype; convert with To(...))" : "")}.", nameof(value));
        }

        var full = Shapes.Concat(BatchShape, EventShape);
        var er = EventShape.Rank;
        Shape b;
        try
        {
            b = Shape.Broadcast(value.Shape, full, $"{Name}.LogProb");
        }
        catch (ArgumentException)
        {
            throw new ArgumentException($"{Name}.LogProb: value of shape {value.Shape} does not broadcast with batch shape {BatchShape} + event shape {EventShape}; expected a shape ending in (a broadcastable form of) {full}.", nameof(value));
        }

        if (value.Rank < er || !Shapes.Suffix(value.Shape, er).Equals(EventShape))
        {
            throw new ArgumentException($"{Name}.LogProb: value of shape {value.Shape} must end in the event shape {EventShape}.", nameof(value));
        }

        return Shapes.Prefix(b, b.Rank - er);
    }
}
