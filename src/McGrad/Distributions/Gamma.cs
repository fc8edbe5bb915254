using McGrad.Autodiff;
using McGrad.Kernels;
using McGrad.Randomness;

namespace McGrad.Distributions;

/// <summary>
/// The Gamma distribution with concentration (shape) α and rate β: p(x) = βᵅ xᵅ⁻¹ e^{−βx}/Γ(α) for x &gt; 0.
/// </summary>
/// <remarks>
/// <para>Samples: x = X/β with X ~ Gamma(α, 1) drawn by Marsaglia–Tsang (<see cref="Sampler.Gamma(RngKey, Shape, Tensor)"/>).</para>
/// <para>RSample uses implicit reparameterisation (Figurnov, Mohamed, Mnih 2018): X is recorded as a function of α whose
/// derivative is dX/dα = −(∂P(α, X)/∂α)/p(X; α), P the regularised incomplete gamma function — the derivative of the
/// quantile P⁻¹(α, u) at fixed u — computed to ~1e-13 by <see cref="SpecialFunctions.GammaSampleDerivative"/>. The
/// rate enters as x = X/β, so ∂x/∂β = −x/β. The per-sample derivative differs from that of the rejection sampler's
/// transform, but both have the same expectation: E[∂f(x)/∂α] is exactly ∂E[f(x)]/∂α. The α-derivative is a
/// first-order rule: it is a constant in the recorded backward graph (second derivatives through α are not available).</para>
/// </remarks>
public sealed class Gamma : Distribution
{
    /// <summary>A batch of Gammas with concentration <paramref name="concentration"/> and rate <paramref name="rate"/> (broadcast together).</summary>
    /// <exception cref="ArgumentException">Mismatched dtypes/shapes, or a parameter not finite and &gt; 0.</exception>
    public Gamma(Tensor concentration, Tensor rate)
        : this(Validate(concentration, rate), concentration, rate)
    {
    }

    /// <summary>A single Gamma(concentration, rate) in <paramref name="dtype"/>.</summary>
    public Gamma(double concentration, double rate, DType dtype = Tensor.DefaultDType)
        : this(Tensor.Scalar(concentration, dtype), Tensor.Scalar(rate, dtype))
    {
    }

    private Gamma((Shape Batch, DType DType) info, Tensor concentration, Tensor rate)
        : base(info.Batch, Shape.Scalar, info.DType)
    {
        Concentration = concentration;
        Rate = rate;
    }

    private static (Shape, DType) Validate(Tensor concentration, Tensor rate)
    {
        var info = Params.Common("Gamma", ("concentration", concentration), ("rate", rate));
        Params.Require(concentration, "Gamma", "concentration", Params.Positive, "finite and > 0");
        Params.Require(rate, "Gamma", "rate", Params.Positive, "finite and > 0");
        return info;
    }

    /// <summary>The concentration (shape) α, as passed.</summary>
    public Tensor Concentration { get; }

    /// <summary>The rate β, as passed.</summary>
    public Tensor Rate { get; }

    /// <inheritdoc/>
    public override bool HasRSample => true;

    /// <summary>x = X(α)/β with X ~ Gamma(α, 1) from <paramref name="key"/>, differentiable in α (implicitly) and β.</summary>
    public override Tensor RSample(RngKey key, Shape sampleShape = default)
        => StandardGamma(key, Concentration, ExtendedShape(sampleShape)) / Rate;

    /// <summary>
    /// A Gamma(α, 1) draw of shape <paramref name="shape"/> (α broadcast to it) recorded with the implicit
    /// reparameterisation gradient dX/dα (see the type remarks).
    /// </summary>
    internal static Tensor StandardGamma(RngKey key, Tensor concentration, Shape shape)
    {
        var alpha = Params.To(concentration, shape);
        return CustomFunction.Apply(
            "GammaRSample",
            [alpha],
            xs => Sampler.Gamma(key, shape, xs[0]),
            (xs, x, g) => [g * SampleDerivative(xs[0], x)]);
    }

    /// <summary>dX/dα per element (a constant tensor in X's dtype).</summary>
    private static Tensor SampleDerivative(Tensor alpha, Tensor x)
    {
        var a = alpha.ToDoubleArray();
        var xs = x.ToDoubleArray();
        var d = new double[a.Length];
        Parallelism.For(a.Length, 64, (start, count) =>
        {
            for (var i = start; i < start + count; i++)
            {
                d[i] = SpecialFunctions.GammaSampleDerivative(a[i], xs[i]);
            }
        });
        return Tensor.FromArray(d).Reshape(x.Shape.ToArray()).To(x.DType);
    }

    /// <summary>log p(x) = α ln β + (α − 1) ln x − βx − ln Γ(α) for x &gt; 0.</summary>
    /// <exception cref="ArgumentException">A value is not &gt; 0, or the dtype/shape does not fit.</exception>
    public override Tensor LogProb(Tensor value)
    {
        var shape = CheckValue(value, DType);
        Params.RequireSupport(value, "Gamma", v => v > 0, "(0, ∞)");
        var a = Concentration;
        return Params.To((a * Rate.Log()) + ((a - 1.0) * value.Log()) - (Rate * value) - a.Lgamma(), shape);
    }

    /// <summary>H = α − ln β + ln Γ(α) + (1 − α)ψ(α).</summary>
    public override Tensor Entropy()
    {
        var a = Concentration;
        return Params.To(a - Rate.Log() + a.Lgamma() + ((1.0 - a) * a.Digamma()), BatchShape);
    }

    /// <summary>E[x] = α/β.</summary>
    public override Tensor Mean => Params.To(Concentration / Rate, BatchShape);

    /// <summary>Var[x] = α/β².</summary>
    public override Tensor Variance => Params.To(Concentration / (Rate * Rate), BatchShape);
}
