using McGrad.Randomness;

namespace McGrad.Distributions;

/// <summary>
/// The logistic distribution with location μ and scale s: p(x) = e^{−z}/(s(1 + e^{−z})²), z = (x − μ)/s;
/// CDF σ(z).
/// </summary>
/// <remarks>RSample is x = μ + s·L with L = ln u − ln(1 − u) ~ Logistic(0, 1); ∂x/∂μ = 1, ∂x/∂s = L.</remarks>
public sealed class Logistic : Distribution
{
    /// <summary>A batch of logistics with location <paramref name="loc"/> and scale <paramref name="scale"/> (broadcast together).</summary>
    /// <exception cref="ArgumentException">Mismatched dtypes/shapes, loc not finite, or scale not finite and &gt; 0.</exception>
    public Logistic(Tensor loc, Tensor scale)
        : this(Validate(loc, scale), loc, scale)
    {
    }

    /// <summary>A single Logistic(loc, scale) in <paramref name="dtype"/>.</summary>
    public Logistic(double loc, double scale, DType dtype = Tensor.DefaultDType)
        : this(Tensor.Scalar(loc, dtype), Tensor.Scalar(scale, dtype))
    {
    }

    private Logistic((Shape Batch, DType DType) info, Tensor loc, Tensor scale)
        : base(info.Batch, Shape.Scalar, info.DType)
    {
        Loc = loc;
        Scale = scale;
    }

    private static (Shape, DType) Validate(Tensor loc, Tensor scale)
    {
        var info = Params.Common("Logistic", ("loc", loc), ("scale", scale));
        Params.Require(loc, "Logistic", "loc", Params.Finite, "finite");
        Params.Require(scale, "Logistic", "scale", Params.Positive, "finite and > 0");
        return info;
    }

    /// <summary>The location μ, as passed.</summary>
    public Tensor Loc { get; }

    /// <summary>The scale s, as passed.</summary>
    public Tensor Scale { get; }

    /// <inheritdoc/>
    public override bool HasRSample => true;

    /// <summary>x = μ + s·L, L = ln u − ln(1 − u) from <paramref name="key"/>.</summary>
    public override Tensor RSample(RngKey key, Shape sampleShape = default)
        => Loc + (Scale * Sampler.Logistic(key, ExtendedShape(sampleShape), DType));

    /// <summary>log p(x) = −z − 2·softplus(−z) − ln s, z = (x − μ)/s (stable for large |z|).</summary>
    public override Tensor LogProb(Tensor value)
    {
        var shape = CheckValue(value, DType);
        var z = (value - Loc) / Scale;
        return Params.To(-z - (2.0 * (-z).Softplus()) - Scale.Log(), shape);
    }

    /// <summary>H = ln s + 2.</summary>
    public override Tensor Entropy() => Params.To(Scale.Log() + 2.0, BatchShape);

    /// <summary>E[x] = μ.</summary>
    public override Tensor Mean => Params.To(Loc, BatchShape);

    /// <summary>Var[x] = π²s²/3.</summary>
    public override Tensor Variance => Params.To(Scale * Scale * (Math.PI * Math.PI / 3), BatchShape);
}
