using McGrad.Randomness;

namespace McGrad.Distributions;

/// <summary>
/// The normal distribution N(loc, scale²), batched and diagonal: each element is an independent univariate normal.
/// Density p(x) = exp(−(x − μ)²/(2σ²)) / (σ√(2π)).
/// </summary>
/// <remarks>
/// RSample is x = μ + σ·ε with ε ~ N(0, 1), so ∂x/∂μ = 1 and ∂x/∂σ = ε. Wrap in <see cref="Independent"/> to treat
/// trailing dimensions as one multivariate (diagonal-covariance) event.
/// </remarks>
public sealed class Normal : Distribution
{
    private const double HalfLog2Pi = 0.91893853320467274178;

    /// <summary>A batch of normals with mean <paramref name="loc"/> and standard deviation <paramref name="scale"/> (broadcast together).</summary>
    /// <exception cref="ArgumentException">The dtypes differ or are not floating point, the shapes do not broadcast,
    /// loc is not finite, or scale is not finite and &gt; 0.</exception>
    public Normal(Tensor loc, Tensor scale)
        : this(Validate(loc, scale), loc, scale)
    {
    }

    /// <summary>A single normal N(loc, scale²) in <paramref name="dtype"/>.</summary>
    public Normal(double loc, double scale, DType dtype = Tensor.DefaultDType)
        : this(Params.Scalar(loc, dtype), Params.Scalar(scale, dtype))
    {
    }

    private Normal((Shape Batch, DType DType) info, Tensor loc, Tensor scale)
        : base(info.Batch, Shape.Scalar, info.DType)
    {
        Loc = loc;
        Scale = scale;
    }

    private static (Shape, DType) Validate(Tensor loc, Tensor scale)
    {
        var info = Params.Common("Normal", ("loc", loc), ("scale", scale));
        Params.Require(loc, "Normal", "loc", Params.Finite, "finite");
        Params.Require(scale, "Normal", "scale", Params.Positive, "finite and > 0");
        return info;
    }

    /// <summary>The mean μ, as passed (not broadcast to the batch shape).</summary>
    public Tensor Loc { get; }

    /// <summary>The standard deviation σ, as passed (not broadcast to the batch shape).</summary>
    public Tensor Scale { get; }

    /// <inheritdoc/>
    public override bool HasRSample => true;

    /// <summary>x = μ + σ·ε, ε ~ N(0, 1) from <paramref name="key"/>; ∂x/∂μ = 1, ∂x/∂σ = ε.</summary>
    public override Tensor RSample(RngKey key, Shape sampleShape = default)
        => Loc + (Scale * Sampler.Normal(key, ExtendedShape(sampleShape), DType));

    /// <summary>log p(x) = −(x − μ)²/(2σ²) − ln σ − ½ln(2π).</summary>
    public override Tensor LogProb(Tensor value)
    {
        var shape = CheckValue(value, DType);
        var z = (value - Loc) / Scale;
        return Params.To((z * z * -0.5) - Scale.Log() - HalfLog2Pi, shape);
    }

    /// <summary>H = ½ + ½ln(2π) + ln σ.</summary>
    public override Tensor Entropy() => Params.To(Scale.Log() + (0.5 + HalfLog2Pi), BatchShape);

    /// <summary>E[x] = μ.</summary>
    public override Tensor Mean => Params.To(Loc, BatchShape);

    /// <summary>Var[x] = σ².</summary>
    public override Tensor Variance => Params.To(Scale * Scale, BatchShape);

    /// <summary>σ.</summary>
    public override Tensor StdDev => Params.To(Scale, BatchShape);
}
