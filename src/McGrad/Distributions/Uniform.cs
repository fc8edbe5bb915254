using McGrad.Randomness;

namespace McGrad.Distributions;

/// <summary>The continuous uniform distribution on [low, high): p(x) = 1/(high − low) inside, 0 outside.</summary>
/// <remarks>
/// RSample is x = low + (high − low)·u, u ~ Uniform(0, 1); ∂x/∂low = 1 − u, ∂x/∂high = u. LogProb does not depend
/// on the value inside the support (its gradient with respect to the value is zero) and rejects values outside
/// [low, high].
/// </remarks>
public sealed class Uniform : Distribution
{
    /// <summary>A batch of uniforms on [<paramref name="low"/>, <paramref name="high"/>) (broadcast together).</summary>
    /// <exception cref="ArgumentException">Mismatched dtypes/shapes, a bound not finite, or low ≥ high somewhere.</exception>
    public Uniform(Tensor low, Tensor high)
        : this(Validate(low, high), low, high)
    {
    }

    /// <summary>A single Uniform(low, high) in <paramref name="dtype"/>.</summary>
    public Uniform(double low, double high, DType dtype = Tensor.DefaultDType)
        : this(Tensor.Scalar(low, dtype), Tensor.Scalar(high, dtype))
    {
    }

    private Uniform((Shape Batch, DType DType) info, Tensor low, Tensor high)
        : base(info.Batch, Shape.Scalar, info.DType)
    {
        Low = low;
        High = high;
    }

    private static (Shape, DType) Validate(Tensor low, Tensor high)
    {
        var info = Params.Common("Uniform", ("low", low), ("high", high));
        Params.Require(low, "Uniform", "low", Params.Finite, "finite");
        Params.Require(high, "Uniform", "high", Params.Finite, "finite");
        var lo = Params.Constant(low, info.Batch);
        var hi = Params.Constant(high, info.Batch);
        for (var i = 0; i < lo.Size; i++)
        {
            if (!(lo.GetFlat(i) < hi.GetFlat(i)))
            {
                throw new ArgumentException($"Uniform: low must be < high; element {i} has low = {lo.GetFlat(i)}, high = {hi.GetFlat(i)}.", nameof(high));
            }
        }

        return info;
    }

    /// <summary>The lower bound, as passed.</summary>
    public Tensor Low { get; }

    /// <summary>The upper bound, as passed.</summary>
    public Tensor High { get; }

    /// <inheritdoc/>
    public override bool HasRSample => true;

    /// <summary>x = low + (high − low)·u, u ~ Uniform(0, 1) from <paramref name="key"/>.</summary>
    public override Tensor RSample(RngKey key, Shape sampleShape = default)
        => Low + ((High - Low) * Sampler.Uniform(key, ExtendedShape(sampleShape), DType));

    /// <summary>log p(x) = −ln(high − low) for low ≤ x ≤ high.</summary>
    /// <exception cref="ArgumentException">A value lies outside [low, high], or the dtype/shape does not fit.</exception>
    public override Tensor LogProb(Tensor value)
    {
        var shape = CheckValue(value, DType);
        var lo = Params.Constant(Low, shape);
        var hi = Params.Constant(High, shape);
        var v = Params.Constant(value, shape);

        for (var i = 0; i < v.Size; i++)
        {
            var x = v.GetFlat(i);
            if (!(x >= lo.GetFlat(i) && x <= hi.GetFlat(i)))
            {
                throw new ArgumentException($"Uniform.LogProb: value must lie in the support [low, high]; element {i} is {x} (low = {lo.GetFlat(i)}, high = {hi.GetFlat(i)}).", nameof(value));
            }
        }

        return Params.To(-(High - Low).Log(), shape);
    }

    /// <summary>H = ln(high − low).</summary>
    public override Tensor Entropy() => Params.To((High - Low).Log(), BatchShape);

    /// <summary>E[x] = (low + high)/2.</summary>
    public override Tensor Mean => Params.To((Low + High) * 0.5, BatchShape);

    /// <summary>Var[x] = (high − low)²/12.</summary>
    public override Tensor Variance
    {
        get
        {
            var w = High - Low;
            return Params.To(w * w / 12.0, BatchShape);
        }
    }
}
