using McGrad.Randomness;

namespace McGrad.Distributions;

/// <summary>The exponential distribution with rate λ: p(x) = λe^{−λx} for x ≥ 0.</summary>
/// <remarks>RSample is x = E/λ with E = −ln u ~ Exponential(1); ∂x/∂λ = −x/λ.</remarks>
public sealed class Exponential : Distribution
{
    /// <summary>A batch of exponentials with rate <paramref name="rate"/>.</summary>
    /// <exception cref="ArgumentException">The dtype is not floating point, or a rate is not finite and &gt; 0.</exception>
    public Exponential(Tensor rate)
        : this(Validate(rate), rate)
    {
    }

    /// <summary>A single Exponential(rate) in <paramref name="dtype"/>.</summary>
    public Exponential(double rate, DType dtype = Tensor.DefaultDType)
        : this(Tensor.Scalar(rate, dtype))
    {
    }

    private Exponential((Shape Batch, DType DType) info, Tensor rate)
        : base(info.Batch, Shape.Scalar, info.DType)
    {
        Rate = rate;
    }

    private static (Shape, DType) Validate(Tensor rate)
    {
        var info = Params.Common("Exponential", ("rate", rate));
        Params.Require(rate, "Exponential", "rate", Params.Positive, "finite and > 0");
        return info;
    }

    /// <summary>The rate λ, as passed.</summary>
    public Tensor Rate { get; }

    /// <inheritdoc/>
    public override bool HasRSample => true;

    /// <summary>x = E/λ, E = −ln u from <paramref name="key"/>.</summary>
    public override Tensor RSample(RngKey key, Shape sampleShape = default)
        => Sampler.Exponential(key, ExtendedShape(sampleShape), DType) / Rate;

    /// <summary>log p(x) = ln λ − λx for x ≥ 0.</summary>
    /// <exception cref="ArgumentException">A value is negative (or NaN), or the dtype/shape does not fit.</exception>
    public override Tensor LogProb(Tensor value)
    {
        var shape = CheckValue(value, DType);
        Params.RequireSupport(value, "Exponential", v => v >= 0, "[0, ∞)");
        return Params.To(Rate.Log() - (Rate * value), shape);
    }

    /// <summary>H = 1 − ln λ.</summary>
    public override Tensor Entropy() => Params.To(1.0 - Rate.Log(), BatchShape);

    /// <summary>E[x] = 1/λ.</summary>
    public override Tensor Mean => Params.To(Rate.Reciprocal(), BatchShape);

    /// <summary>Var[x] = 1/λ².</summary>
    public override Tensor Variance => Params.To((Rate * Rate).Reciprocal(), BatchShape);
}
