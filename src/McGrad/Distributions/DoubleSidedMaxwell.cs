using McGrad.Randomness;

namespace McGrad.Distributions;

/// <summary>
/// The double-sided Maxwell distribution with location μ and scale σ:
/// p(x) = z²·e^{−z²/2}/(σ√(2π)), z = (x − μ)/σ — a symmetric bimodal law, |z| ~ χ with 3 degrees of freedom.
/// </summary>
/// <remarks>
/// It is the positive part of the weak (measure-valued) derivative of a normal with respect to its scale (Mohamed, Rosca, Figurnov, Mnih 2020). RSample is
/// x = μ + σ·M with M drawn as ±√(n₁² + n₂² + n₃²); ∂x/∂μ = 1, ∂x/∂σ = M.
/// </remarks>
public sealed class DoubleSidedMaxwell : Distribution
{
    private const double HalfLog2Pi = 0.91893853320467274178;
    private const double EulerGamma = 0.57721566490153286061;

    /// <summary>A batch of double-sided Maxwells with location <paramref name="loc"/> and scale <paramref name="scale"/> (broadcast together).</summary>
    /// <exception cref="ArgumentException">Mismatched dtypes/shapes, loc not finite, or scale not finite and &gt; 0.</exception>
    public DoubleSidedMaxwell(Tensor loc, Tensor scale)
        : this(Validate(loc, scale), loc, scale)
    {
    }

    /// <summary>A single DoubleSidedMaxwell(loc, scale) in <paramref name="dtype"/>.</summary>
    public DoubleSidedMaxwell(double loc, double scale, DType dtype = Tensor.DefaultDType)
        : this(Tensor.Scalar(loc, dtype), Tensor.Scalar(scale, dtype))
    {
    }

    private DoubleSidedMaxwell((Shape Batch, DType DType) info, Tensor loc, Tensor scale)
        : base(info.Batch, Shape.Scalar, info.DType)
    {
        Loc = loc;
        Scale = scale;
    }

    private static (Shape, DType) Validate(Tensor loc, Tensor scale)
    {
        var info = Params.Common("DoubleSidedMaxwell", ("loc", loc), ("scale", scale));
        Params.Require(loc, "DoubleSidedMaxwell", "loc", Params.Finite, "finite");
        Params.Require(scale, "DoubleSidedMaxwell", "scale", Params.Positive, "finite and > 0");
        return info;
    }

    /// <summary>The location μ, as passed.</summary>
    public Tensor Loc { get; }

    /// <summary>The scale σ, as passed.</summary>
    public Tensor Scale { get; }

    /// <inheritdoc/>
    public override bool HasRSample => true;

    /// <summary>x = μ + σ·M, M a standard double-sided Maxwell draw from <paramref name="key"/>.</summary>
    public override Tensor RSample(RngKey key, Shape sampleShape = default)
        => Loc + (Scale * Sampler.DoubleSidedMaxwell(key, ExtendedShape(sampleShape), DType));

    /// <summary>log p(x) = 2 ln|z| − z²/2 − ln σ − ½ln(2π), z = (x − μ)/σ (−∞ at x = μ).</summary>
    public override Tensor LogProb(Tensor value)
    {
        var shape = CheckValue(value, DType);
        var z = (value - Loc) / Scale;
        var z2 = z * z;
        return Params.To(z2.Log() - (z2 * 0.5) - Scale.Log() - HalfLog2Pi, shape);
    }

    /// <summary>H = ln σ + γ + ln 2 − ½ + ½ln(2π) (from E[ln|z|] = 1 − γ/2 − ½ln 2 and E[z²] = 3).</summary>
    public override Tensor Entropy() => Params.To(Scale.Log() + (EulerGamma + Math.Log(2) - 0.5 + HalfLog2Pi), BatchShape);

    /// <summary>E[x] = μ.</summary>
    public override Tensor Mean => Params.To(Loc, BatchShape);

    /// <summary>Var[x] = 3σ².</summary>
    public override Tensor Variance => Params.To(Scale * Scale * 3.0, BatchShape);
}
