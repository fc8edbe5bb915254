using McGrad.Autodiff;
using McGrad.Kernels;
using McGrad.Randomness;

namespace McGrad.Distributions;

/// <summary>
/// The Beta distribution on (0, 1) with concentrations a (concentration1) and b (concentration0):
/// p(x) = x^{a−1}(1 − x)^{b−1}/B(a, b).
/// </summary>
/// <remarks>
/// Draws are x = X/(X + Y) with X ~ Gamma(a, 1), Y ~ Gamma(b, 1) from the two halves of <c>key.Split(2)</c> (as
/// <see cref="Sampler.Beta"/> does), combined in log space so concentrations far below 1 (where X and Y underflow)
/// stay exact; RSample records the implicit reparameterisation gradients of both Gammas (see <see cref="Gamma"/>),
/// so gradients reach a and b.
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

    /// <summary>
    /// x = X/(X + Y) = σ(ln X − ln Y) with X ~ Gamma(a, 1), Y ~ Gamma(b, 1) from <c>key.Split(2)</c>, combined in log
    /// space (see <see cref="Sampler.Beta"/>), differentiable in a and b by implicit reparameterisation:
    /// ∂x/∂a = x(1 − x)·d ln X/da and ∂x/∂b = −x(1 − x)·d ln Y/db, with d ln X/da from
    /// <see cref="SpecialFunctions.GammaSampleLogDerivative"/> (finite even where X underflows).
    /// </summary>
    public override Tensor RSample(RngKey key, Shape sampleShape = default)
    {
        var shape = ExtendedShape(sampleShape);
        var a = Params.To(Concentration1, shape);
        var b = Params.To(Concentration0, shape);
        double[] logX = [], logY = [];
        return CustomFunction.Apply(
            "BetaRSample",
            [a, b],
            xs =>
            {
                var (x, lx, ly) = Sampler.BetaWithLogs(key, shape, xs[0], xs[1]);
                (logX, logY) = (lx, ly);
                return x;
            },
            (xs, x, g) =>
            {
                var (da, db) = SampleDerivatives(xs[0], xs[1], logX, logY, x.DType, shape);
                return [g * da, g * db];
            });
    }

    /// <summary>(∂x/∂a, ∂x/∂b) per element as constant tensors; x(1 − x) = e^{−|t|}/(1 + e^{−|t|})², t = ln X − ln Y.</summary>
    private static (Tensor, Tensor) SampleDerivatives(Tensor a, Tensor b, double[] logX, double[] logY, DType dtype, Shape shape)
    {
        var pa = a.ToDoubleArray();
        var pb = b.ToDoubleArray();
        var da = new double[pa.Length];
        var db = new double[pa.Length];
        Parallelism.For(pa.Length, 64, (start, count) =>
        {
            for (var i = start; i < start + count; i++)
            {
                var e = Math.Exp(-Math.Abs(logX[i] - logY[i]));
                var w = e / ((1 + e) * (1 + e));
                da[i] = w * SpecialFunctions.GammaSampleLogDerivative(pa[i], logX[i]);
                db[i] = -w * SpecialFunctions.GammaSampleLogDerivative(pb[i], logY[i]);
            }
        });
        var dims = shape.ToArray();
        return (Tensor.FromArray(da).Reshape(dims).To(dtype), Tensor.FromArray(db).Reshape(dims).To(dtype));
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
