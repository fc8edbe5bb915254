using McGrad.Randomness;

namespace McGrad.Distributions;

/// <summary>
/// The Weibull distribution with scale λ and concentration (shape) k:
/// p(x) = (k/λ)(x/λ)^{k−1} e^{−(x/λ)ᵏ} for x &gt; 0.
/// </summary>
/// <remarks>
/// RSample is x = λ·E^{1/k} with E = −ln u ~ Exponential(1), computed as λ·exp(ln E / k); ∂x/∂λ = x/λ,
/// ∂x/∂k = −x·ln E/k². Mean and variance use Γ through <see cref="Tensor.Lgamma"/>, so they are differentiable too.
/// </remarks>
public sealed class Weibull : Distribution
{
    private const double EulerGamma = 0.57721566490153286061;

    /// <summary>A batch of Weibulls with scale <paramref name="scale"/> and concentration <paramref name="concentration"/> (broadcast together).</summary>
    /// <exception cref="ArgumentException">Mismatched dtypes/shapes, or a parameter not finite and &gt; 0.</exception>
    public Weibull(Tensor scale, Tensor concentration)
        : this(Validate(scale, concentration), scale, concentration)
    {
    }

    /// <summary>A single Weibull(scale, concentration) in <paramref name="dtype"/>.</summary>
    public Weibull(double scale, double concentration, DType dtype = Tensor.DefaultDType)
        : this(Tensor.Scalar(scale, dtype), Tensor.Scalar(concentration, dtype))
    {
    }

    private Weibull((Shape Batch, DType DType) info, Tensor scale, Tensor concentration)
        : base(info.Batch, Shape.Scalar, info.DType)
    {
        Scale = scale;
        Concentration = concentration;
    }

    private static (Shape, DType) Validate(Tensor scale, Tensor concentration)
    {
        var info = Params.Common("Weibull", ("scale", scale), ("concentration", concentration));
        Params.Require(scale, "Weibull", "scale", Params.Positive, "finite and > 0");
        Params.Require(concentration, "Weibull", "concentration", Params.Positive, "finite and > 0");
        return info;
    }

    /// <summary>The scale λ, as passed.</summary>
    public Tensor Scale { get; }

    /// <summary>The concentration k, as passed.</summary>
    public Tensor Concentration { get; }

    /// <inheritdoc/>
    public override bool HasRSample => true;

    /// <summary>x = λ·exp(ln E / k), E = −ln u ~ Exponential(1) from <paramref name="key"/>.</summary>
    public override Tensor RSample(RngKey key, Shape sampleShape = default)
    {
        var e = Sampler.Exponential(key, ExtendedShape(sampleShape), DType);
        return Scale * (e.Log() / Concentration).Exp();
    }

    /// <summary>log p(x) = ln k − ln λ + (k − 1)·ln(x/λ) − (x/λ)ᵏ for x &gt; 0.</summary>
    /// <exception cref="ArgumentException">A value is not &gt; 0, or the dtype/shape does not fit.</exception>
    public override Tensor LogProb(Tensor value)
    {
        var shape = CheckValue(value, DType);
        Params.RequireSupport(value, "Weibull", v => v > 0, "(0, ∞)");
        var logZ = value.Log() - Scale.Log();
        var k = Concentration;
        return Params.To(k.Log() - Scale.Log() + ((k - 1.0) * logZ) - (k * logZ).Exp(), shape);
    }

    /// <summary>H = γ(1 − 1/k) + ln(λ/k) + 1.</summary>
    public override Tensor Entropy()
    {
        var k = Concentration;
        return Params.To(((1.0 - k.Reciprocal()) * EulerGamma) + Scale.Log() - k.Log() + 1.0, BatchShape);
    }

    /// <summary>E[x] = λ·Γ(1 + 1/k).</summary>
    public override Tensor Mean => Params.To(Scale * (Concentration.Reciprocal() + 1.0).Lgamma().Exp(), BatchShape);

    /// <summary>Var[x] = λ²·(Γ(1 + 2/k) − Γ(1 + 1/k)²).</summary>
    public override Tensor Variance
    {
        get
        {
            var inv = Concentration.Reciprocal();
            var g1 = (inv + 1.0).Lgamma().Exp();
            var g2 = ((inv * 2.0) + 1.0).Lgamma().Exp();
            return Params.To(Scale * Scale * (g2 - (g1 * g1)), BatchShape);
        }
    }
}
