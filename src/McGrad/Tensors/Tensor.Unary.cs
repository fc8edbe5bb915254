using McGrad.Autodiff;
using McGrad.Kernels;

namespace McGrad;

public sealed partial class Tensor
{
    /// <summary>−x; ∂/∂x = −g.</summary>
    public Tensor Neg() => Autograd.Record(Elementwise.Map(this, default(NegOp), "Neg"), "Neg", this, static (g, _) => [-g]);

    /// <summary>eˣ; ∂/∂x = g·eˣ (the saved output).</summary>
    public Tensor Exp()
    {
        var y = Elementwise.Map(this, default(ExpOp), "Exp");
        return Autograd.Record(y, "Exp", this, (g, _) => [g * y]);
    }

    /// <summary>tanh x; ∂/∂x = g·(1 − tanh² x).</summary>
    public Tensor Tanh()
    {
        var y = Elementwise.Map(this, default(TanhOp), "Tanh");
        return Autograd.Record(y, "Tanh", this, (g, _) => [g * (1.0 - (y * y))]);
    }

    /// <summary>Natural logarithm ln x; ∂/∂x = g/x.</summary>
    /// <remarks>ln 0 = −∞; ln of a negative number is NaN (not an error, so masked branches may compute it).</remarks>
    public Tensor Log() => Autograd.Record(Elementwise.Map(this, default(LogOp), "Log"), "Log", this, static (g, n) => [g / n.Inputs[0]]);

    /// <summary>ln(1 + x), accurate for |x| ≪ 1; ∂/∂x = g/(1 + x).</summary>
    /// <remarks>
    /// Evaluated as ln(u)·x/(u − 1) with u = 1 + x rounded (Goldberg 1991), so log1p(1e−10) keeps full precision
    /// where ln(1 + x) would keep only six digits. log1p(−1) = −∞; x &lt; −1 gives NaN.
    /// </remarks>
    public Tensor Log1p() => Autograd.Record(Elementwise.Map(this, default(Log1pOp), "Log1p"), "Log1p", this, static (g, n) => [g / (n.Inputs[0] + 1.0)]);

    /// <summary>eˣ − 1, accurate for |x| ≪ 1; ∂/∂x = g·eˣ = g·(y + 1) with y the saved output.</summary>
    /// <remarks>Evaluated as (u − 1)·x/ln u with u = eˣ rounded (Kahan's method); −1 for x → −∞, +∞ on overflow.</remarks>
    public Tensor Expm1()
    {
        var y = Elementwise.Map(this, default(Expm1Op), "Expm1");
        return Autograd.Record(y, "Expm1", this, (g, _) => [g * (y + 1.0)]);
    }

    /// <summary>√x; ∂/∂x = g/(2√x) (the saved output; +∞ at 0).</summary>
    /// <remarks>√ of a negative number is NaN.</remarks>
    public Tensor Sqrt()
    {
        var y = Elementwise.Map(this, default(SqrtOp), "Sqrt");
        return Autograd.Record(y, "Sqrt", this, (g, _) => [g / (y * 2.0)]);
    }

    /// <summary>|x|; ∂/∂x = g·sign(x) (0 at x = 0, the subgradient PyTorch also uses).</summary>
    public Tensor Abs() => Autograd.Record(Elementwise.Map(this, default(AbsOp), "Abs"), "Abs", this, static (g, n) => [g * n.Inputs[0].Sign()]);

    /// <summary>sign(x) ∈ {−1, 0, 1} (±0 keep their sign bit; NaN stays NaN). Not differentiable: the result is untracked.</summary>
    public Tensor Sign() => Autograd.Untracked(Elementwise.Map(this, default(SignOp), "Sign"), "Sign");

    /// <summary>sin x; ∂/∂x = g·cos x.</summary>
    public Tensor Sin() => Autograd.Record(Elementwise.Map(this, default(SinOp), "Sin"), "Sin", this, static (g, n) => [g * n.Inputs[0].Cos()]);

    /// <summary>cos x; ∂/∂x = −g·sin x.</summary>
    public Tensor Cos() => Autograd.Record(Elementwise.Map(this, default(CosOp), "Cos"), "Cos", this, static (g, n) => [-(g * n.Inputs[0].Sin())]);

    /// <summary>σ(x) = 1/(1 + e⁻ˣ); ∂/∂x = g·σ(x)(1 − σ(x)) (from the saved output).</summary>
    /// <remarks>
    /// Evaluated as 1/(1 + e^{−|x|}) for x ≥ 0 and e^{−|x|}/(1 + e^{−|x|}) for x &lt; 0: nothing overflows, σ(±1000) is
    /// exactly 1 / 0 and σ(−700) keeps full relative precision.
    /// </remarks>
    public Tensor Sigmoid()
    {
        var y = Elementwise.Map(this, default(SigmoidOp), "Sigmoid");
        return Autograd.Record(y, "Sigmoid", this, (g, _) => [g * (y * (1.0 - y))]);
    }

    /// <summary>log σ(x) = −softplus(−x) = min(x, 0) − log1p(e^{−|x|}); ∂/∂x = g·σ(−x).</summary>
    /// <remarks>Stable for every finite x: log σ(1000) = −0 (exactly, to double precision) and log σ(−1000) = −1000.</remarks>
    public Tensor LogSigmoid() => Autograd.Record(Elementwise.Map(this, default(LogSigmoidOp), "LogSigmoid"), "LogSigmoid", this, static (g, n) => [g * n.Inputs[0].Neg().Sigmoid()]);

    /// <summary>softplus(x) = ln(1 + eˣ) = max(x, 0) + log1p(e^{−|x|}); ∂/∂x = g·σ(x).</summary>
    /// <remarks>Stable for every finite x: softplus(1000) = 1000, softplus(−1000) = 0 (e^{−1000} underflows), no overflow.</remarks>
    public Tensor Softplus() => Autograd.Record(Elementwise.Map(this, default(SoftplusOp), "Softplus"), "Softplus", this, static (g, n) => [g * n.Inputs[0].Sigmoid()]);

    /// <summary>max(x, 0); ∂/∂x = g·[x &gt; 0] (0 at x = 0). NaN propagates.</summary>
    public Tensor Relu() => Autograd.Record(Elementwise.Map(this, default(ReluOp), "Relu"), "Relu", this, static (g, n) => [g * n.Inputs[0].Gt(0.0)]);

    /// <summary>x for x &gt; 0, negativeSlope·x otherwise; ∂/∂x = g·(1 if x &gt; 0 else negativeSlope).</summary>
    /// <exception cref="ArgumentException"><paramref name="negativeSlope"/> is NaN or infinite.</exception>
    public Tensor LeakyRelu(double negativeSlope = 0.01)
    {
        UnaryArgs.RequireFinite(negativeSlope, nameof(negativeSlope), "LeakyRelu");
        var y = Elementwise.Map(this, new LeakyReluOp(negativeSlope), "LeakyRelu");
        return Autograd.Record(y, "LeakyRelu", this, (g, n) => [g * Elementwise.Map(n.Inputs[0], new LeakyReluGradOp(negativeSlope), "LeakyRelu")]);
    }

    /// <summary>
    /// ELU: x for x &gt; 0, α·(eˣ − 1) otherwise (accurate expm1); ∂/∂x = g for x &gt; 0, g·(y + α) = g·α·eˣ otherwise.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="alpha"/> is NaN or infinite.</exception>
    public Tensor Elu(double alpha = 1.0)
    {
        UnaryArgs.RequireFinite(alpha, nameof(alpha), "Elu");
        var y = Elementwise.Map(this, new EluOp(alpha), "Elu");
        return Autograd.Record(y, "Elu", this, (g, n) => [Where(n.Inputs[0].Gt(0.0), g, g * (y + alpha))]);
    }

    /// <summary>x²; ∂/∂x = 2g·x.</summary>
    public Tensor Square() => Autograd.Record(Elementwise.Map(this, default(SquareOp), "Square"), "Square", this, static (g, n) => [g * (n.Inputs[0] * 2.0)]);

    /// <summary>xᵖ for a constant exponent p; ∂/∂x = g·p·xᵖ⁻¹ (identically 0 for p = 0).</summary>
    /// <remarks>IEEE pow semantics: a negative base with a non-integer p gives NaN; 0 to a negative power gives +∞.</remarks>
    /// <exception cref="ArgumentException"><paramref name="exponent"/> is NaN.</exception>
    public Tensor Pow(double exponent)
    {
        if (double.IsNaN(exponent))
        {
            throw new ArgumentException($"Pow: exponent is NaN (base {DType} {Shape}); expected a number.", nameof(exponent));
        }

        var y = Elementwise.Map(this, new PowScalarOp(exponent), "Pow");
        return Autograd.Record(y, "Pow", this, (g, n) =>
        {
            var x = n.Inputs[0];
            return exponent switch
            {
                0 => [ZerosLike(x)],
                1 => [g],
                2 => [g * (x * 2.0)],
                _ => [g * (x.Pow(exponent - 1) * exponent)],
            };
        });
    }

    /// <summary>1/x; ∂/∂x = −g/x² = −g·y² (from the saved output).</summary>
    public Tensor Reciprocal()
    {
        var y = Elementwise.Map(this, default(ReciprocalOp), "Reciprocal");
        return Autograd.Record(y, "Reciprocal", this, (g, _) => [-(g * (y * y))]);
    }

    /// <summary>
    /// min(max(x, min), max) with either bound optional; ∂/∂x = g where min ≤ x ≤ max (bounds inclusive), 0 outside.
    /// NaN propagates (and gets zero gradient).
    /// </summary>
    /// <exception cref="ArgumentException">Both bounds are null, a bound is NaN, or min &gt; max.</exception>
    public Tensor Clamp(double? min = null, double? max = null)
    {
        if (min is null && max is null)
        {
            throw new ArgumentException($"Clamp: both min and max are null (input {DType} {Shape}); give at least one bound.", nameof(min));
        }

        if ((min is double lo && double.IsNaN(lo)) || (max is double hi && double.IsNaN(hi)))
        {
            throw new ArgumentException($"Clamp: a bound is NaN (min = {min}, max = {max}); bounds must be numbers or null.", double.IsNaN(min ?? 0) ? nameof(min) : nameof(max));
        }

        if (min > max)
        {
            throw new ArgumentException($"Clamp: min = {min} is greater than max = {max}; expected min ≤ max.", nameof(min));
        }

        var y = Elementwise.Map(this, new ClampOp(min, max), "Clamp");
        return Autograd.Record(y, "Clamp", this, (g, n) => [g * Elementwise.Map(n.Inputs[0], new ClampMaskOp(min, max), "Clamp")]);
    }

    /// <summary>⌊x⌋, the largest integer ≤ x. Not differentiable (zero gradient almost everywhere): the result is untracked.</summary>
    public Tensor Floor() => Autograd.Untracked(Elementwise.Map(this, default(FloorOp), "Floor"), "Floor");

    /// <summary>
    /// x rounded to the nearest integer, ties to even (round half to even: 0.5 → 0, 1.5 → 2, 2.5 → 2, −0.5 → −0),
    /// as IEEE 754, NumPy and PyTorch do. Not differentiable: the result is untracked.
    /// </summary>
    public Tensor Round() => Autograd.Untracked(Elementwise.Map(this, default(RoundOp), "Round"), "Round");
}
