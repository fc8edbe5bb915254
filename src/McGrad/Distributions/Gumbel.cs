using McGrad.Randomness;

namespace McGrad.Distributions;

/// <summary>
/// The Gumbel (type-I extreme value) distribution with location μ and scale β:
/// p(x) = (1/β)·exp(−(z + e^{−z})), z = (x − μ)/β.
/// </summary>
/// <remarks>RSample is x = μ + β·G with G = −ln(−ln u) ~ Gumbel(0, 1), so ∂x/∂μ = 1, ∂x/∂β = G.</remarks>
public sealed class Gumbel : Distribution
{
    private const double EulerGamma = 0.57721566490153286061;

    /// <summary>A batch of Gumbels with location <paramref name="loc"/> and scale <paramref name="scale"/> (broadcast together).</summary>
    /// <exception cref="ArgumentException">Mismatched dtypes/shapes, loc not finite, or scale not finite and &gt; 0.</exception>
    public Gumbel(Tensor loc, Tensor scale)
        : this(Validate(loc, scale), loc, scale)
    {
    }

    /// <summary>A single Gumbel(loc, scale) in <paramref name="dtype"/>.</summary>
    public Gumbel(double loc, double scale, DType dtype = Tensor.DefaultDType)
        : this(Tensor.Scalar(loc, dtype), Tensor.Scalar(scale, dtype))
    {
    }

    private Gumbel((Shape Batch, DType DType) info, Tensor loc, Tensor scale)
        : base(info.Batch, Shape.Scalar, info.DType)
    {
        Loc = loc;
        Scale = scale;
    }

    private static (Shape, DType) Validate(Tensor loc, Tensor scale)
    {
        var info = Params.Common("Gumbel", ("loc", loc), ("scale", scale));
        Params.Require(loc, "Gumbel", "loc", Params.Finite, "finite");
        Params.Require(scale, "Gumbel", "scale", Params.Positive, "finite and > 0");
        return info;
    }

    /// <summary>The location μ, as passed.</summary>
    public Tensor Loc { get; }

    /// <summary>The scale β, as passed.</summary>
    public Tensor Scale { get; }

    /// <inheritdoc/>
    public override bool HasRSample => true;

    /// <summary>x = μ + β·G, G = −ln(−ln u) from <paramref name="key"/>.</summary>
    public override Tensor RSample(RngKey key, Shape sampleShape = default)
        => Loc + (Scale * Sampler.Gumbel(key, ExtendedShape(sampleShape), DType));

    /// <summary>log p(x) = −z − e^{−z} − ln β, z = (x − μ)/β.</summary>
    public override Tensor LogProb(Tensor value)
    {
        var shape = CheckValue(value, DType);
        var z = (value - Loc) / Scale;
        return Params.To(-z - (-z).Exp() - Scale.Log(), shape);
    }

    /// <summary>H = ln β + γ + 1 (γ the Euler–Mascheroni constant).</summary>
    public override Tensor Entropy() => Params.To(Scale.Log() + (EulerGamma + 1), BatchShape);

    /// <summary>E[x] = μ + γβ.</summary>
    public override Tensor Mean => Params.To(Loc + (Scale * EulerGamma), BatchShape);

    /// <summary>Var[x] = π²β²/6.</summary>
    public override Tensor Variance => Params.To(Scale * Scale * (Math.PI * Math.PI / 6), BatchShape);
}
