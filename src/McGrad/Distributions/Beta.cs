using McGrad.Randomness;

namespace McGrad.Distributions;

/// <summary>
/// The Beta distribution on (0, 1) with concentrations a (concentration1) and b (concentration0):
/// p(x) = x^{a−1}(1 − x)^{b−1}/B(a, b).
/// </summary>
/// <remarks>
/// Draws are x = X/(X + Y) with X ~ Gamma(a, 1), Y ~ Gamma(b, 1) from the two halves of <c>key.Split(2)</c> (as
/// <see cref="Sampler.Beta"/> does); RSample records both Gammas with their implicit reparameterisation gradients
/// (see <see cref="Gamma"/>), so gradients reach a and b.
/// </remarks>
public sealed class Beta : Distribution
{
    /// <summary>A batch of Betas with concentrations <paramref name="concentration1"/> (a) and <paramref name="concentration0"/> (b), broadcast together.</summary>
    /// <exception cref="ArgumentException">Mismatched dtypes/shapes, or a parameter not finite and &gt; 0.</exception>
    public Beta(Tensor concentration1, Tensor concentration0)
        : this(Validate(concentration1, concentration0), concentration1, concentration0)
    {
    }

    /// <summary>A single Beta(a, b) in <paramref name="dtype"/>.</summary>
    public Beta(double concentration1, double concentration0, DType dtype = Tensor.DefaultDType)
        : this(Tensor.Scalar(concentration1, dtype), Tensor.Scalar(concentration0, dtype))
    {
    }

    private Beta((Shape Batch, DType DType) info, Tensor concentration1, Tensor concentration0)
        : base(info.Batch, Shape.Scalar, info.DType)
    {
        Concentration1 = concentration1;
        Concentration0 = concentration0;
    }

    private static (Shape, DType) Validate(Tensor concentration1, Tensor concentration0)
    {
        var info = Params.Common("Beta", ("concentration1", concentration1), ("concentration0", concentration0));
        Params.Require(concentration1, "Beta", "concentration1", Params.Positive, "finite and > 0");
        Params.Require(concentration0, "Beta", "concentration0", Params.Positive, "finite and > 0");
        return info;
    }

    /// <summary>a, the exponent of x (concentration1), as passed.</summary>
    public Tensor Concentration1 { get; }

    /// <summary>b, the exponent of 1 − x (concentration0), as passed.</summary>
    public Tensor Concentration0 { get; }

    /// <inheritdoc/>
    public override bool HasRSample => true;

    /// <summary>x = X/(X + Y) with implicitly reparameterised X ~ Gamma(a, 1), Y ~ Gamma(b, 1) from <c>key.Split(2)</c>.</summary>
    public override Tensor RSample(RngKey key, Shape sampleShape = default)
    {
        var keys = key.Split(2);
        var shape = ExtendedShape(sampleShape);
        var x = Gamma.StandardGamma(keys[0], Concentration1, shape);
        var y = Gamma.StandardGamma(keys[1], Concentration0, shape);
        return x / (x + y);
    }

    /// <summary>log p(x) = (a − 1) ln x + (b − 1) ln(1 − x) − ln B(a, b), ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b).</summary>
    /// <exception cref="ArgumentException">A value is outside the open interval (0, 1), or the dtype/shape does not fit.</exception>
    public override Tensor LogProb(Tensor value)
    {
        var shape = CheckValue(value, DType);
        Params.RequireSupport(value, "Beta", v => v > 0 && v < 1, "(0, 1) (a draw that rounded to 0 or 1 has no finite density; use Float64)");
        var a = Concentration1;
        var b = Concentration0;
        return Params.To(((a - 1.0) * value.Log()) + ((b - 1.0) * (-value).Log1p()) - LogBeta(a, b), shape);
    }

    private static Tensor LogBeta(Tensor a, Tensor b) => a.Lgamma() + b.Lgamma() - (a + b).Lgamma();

    /// <summary>H = ln B(a, b) − (a − 1)ψ(a) − (b − 1)ψ(b) + (a + b − 2)ψ(a + b).</summary>
    public override Tensor Entropy()
    {
        var a = Concentration1;
        var b = Concentration0;
        var s = a + b;
        return Params.To(LogBeta(a, b) - ((a - 1.0) * a.Digamma()) - ((b - 1.0) * b.Digamma()) + ((s - 2.0) * s.Digamma()), BatchShape);
    }

    /// <summary>E[x] = a/(a + b).</summary>
    public override Tensor Mean => Params.To(Concentration1 / (Concentration1 + Concentration0), BatchShape);

    /// <summary>Var[x] = ab/((a + b)²(a + b + 1)).</summary>
    public override Tensor Variance
    {
        get
        {
            var a = Concentration1;
            var b = Concentration0;
            var s = a + b;
            return Params.To(a * b / (s * s * (s + 1.0)), BatchShape);
        }
    }
}
