using McGrad.Autodiff;
using McGrad.Kernels;

namespace McGrad;

public sealed partial class Tensor
{
    /// <summary>a + b elementwise with broadcasting; ∂/∂a = g, ∂/∂b = g (summed over broadcast dims).</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        var y = Elementwise.Zip<AddOp>(a, b, "Add");
        return Autograd.Record(y, "Add", a, b, static (g, n) =>
        [
            n.NeedsGrad(0) ? g.SumTo(n.Inputs[0].Shape) : null,
            n.NeedsGrad(1) ? g.SumTo(n.Inputs[1].Shape) : null,
        ]);
    }

    /// <summary>a − b elementwise with broadcasting; ∂/∂a = g, ∂/∂b = −g.</summary>
    public static Tensor Sub(Tensor a, Tensor b)
    {
        var y = Elementwise.Zip<SubOp>(a, b, "Sub");
        return Autograd.Record(y, "Sub", a, b, static (g, n) =>
        [
            n.NeedsGrad(0) ? g.SumTo(n.Inputs[0].Shape) : null,
            n.NeedsGrad(1) ? (-g).SumTo(n.Inputs[1].Shape) : null,
        ]);
    }

    /// <summary>a · b elementwise with broadcasting; ∂/∂a = g·b, ∂/∂b = g·a.</summary>
    public static Tensor Mul(Tensor a, Tensor b)
    {
        var y = Elementwise.Zip<MulOp>(a, b, "Mul");
        return Autograd.Record(y, "Mul", a, b, static (g, n) =>
        [
            n.NeedsGrad(0) ? (g * n.Inputs[1]).SumTo(n.Inputs[0].Shape) : null,
            n.NeedsGrad(1) ? (g * n.Inputs[0]).SumTo(n.Inputs[1].Shape) : null,
        ]);
    }

    /// <summary>a / b elementwise with broadcasting; ∂/∂a = g/b, ∂/∂b = −g·a/b².</summary>
    public static Tensor Div(Tensor a, Tensor b)
    {
        var y = Elementwise.Zip<DivOp>(a, b, "Div");
        return Autograd.Record(y, "Div", a, b, static (g, n) =>
        {
            var a0 = n.Inputs[0];
            var b0 = n.Inputs[1];
            return
            [
                n.NeedsGrad(0) ? (g / b0).SumTo(a0.Shape) : null,
                n.NeedsGrad(1) ? (-(g * a0) / (b0 * b0)).SumTo(b0.Shape) : null,
            ];
        });
    }

    /// <summary>
    /// xᵉ elementwise with broadcasting (base <paramref name="x"/>, exponent <paramref name="exponent"/>);
    /// ∂/∂x = g·e·xᵉ⁻¹, ∂/∂e = g·ln(x)·xᵉ (both summed over broadcast dims).
    /// </summary>
    /// <remarks>
    /// IEEE pow semantics: a negative base with a non-integer exponent gives NaN. At the boundary the gradients follow
    /// PyTorch: where e = 0 the base gradient is 0 (x⁰ is constant, even at x = 0), and where x = 0 the exponent
    /// gradient is 0 (ln 0 · 0ᵉ is replaced by its limit for e &gt; 0). For a negative base the exponent gradient is NaN.
    /// </remarks>
    /// <exception cref="ArgumentException">The dtypes differ, a dtype is Int64, or the shapes do not broadcast.</exception>
    public static Tensor Pow(Tensor x, Tensor exponent)
    {
        var y = Elementwise.Zip<PowOp>(x, exponent, "Pow");
        return Autograd.Record(y, "Pow", x, exponent, (g, n) =>
        {
            var b = n.Inputs[0];
            var e = n.Inputs[1];
            Tensor? gb = null, ge = null;
            if (n.NeedsGrad(0))
            {
                // Where e = 0 use the exponent 0 instead of −1: e·x⁰ = 0 there, instead of 0·∞ = NaN at x = 0.
                var em1 = ContainsZero(e) ? e - 1.0 + e.Eq(0.0) : e - 1.0;
                gb = (g * (e * Pow(b, em1))).SumTo(b.Shape);
            }

            if (n.NeedsGrad(1))
            {
                // Where x = 0 take ln 1 = 0 (the limit of ln x · xᵉ for e > 0); selecting the base before the log keeps
                // the masked entries finite in higher derivatives too.
                var logB = ContainsZero(b) ? Where(b.Eq(0.0), b.ScalarLike(1.0), b).Log() : b.Log();
                ge = (g * (y * logB)).SumTo(e.Shape);
            }

            return [gb, ge];
        });
    }

    /// <summary>xᵉ with a tensor exponent (see <see cref="Pow(Tensor, Tensor)"/>).</summary>
    public Tensor Pow(Tensor exponent) => Pow(this, exponent);

    /// <summary>
    /// max(a, b) elementwise with broadcasting; the gradient goes to the larger side: ∂/∂a = g·[a &gt; b], ∂/∂b = g·[b &gt; a].
    /// Tie rule: where a = b the gradient is split ½/½ (a symmetric subgradient, as PyTorch does). NaN propagates
    /// (and sends no gradient to either side).
    /// </summary>
    /// <exception cref="ArgumentException">The dtypes differ, a dtype is Int64, or the shapes do not broadcast.</exception>
    public static Tensor Maximum(Tensor a, Tensor b)
    {
        var y = Elementwise.Zip<MaxOp>(a, b, "Maximum");
        return Autograd.Record(y, "Maximum", a, b, static (g, n) =>
        {
            var a0 = n.Inputs[0];
            var b0 = n.Inputs[1];
            return
            [
                n.NeedsGrad(0) ? (g * Elementwise.Zip<MaxShareOp>(a0, b0, "Maximum")).SumTo(a0.Shape) : null,
                n.NeedsGrad(1) ? (g * Elementwise.Zip<MaxShareOp>(b0, a0, "Maximum")).SumTo(b0.Shape) : null,
            ];
        });
    }

    /// <summary>
    /// min(a, b) elementwise with broadcasting; the gradient goes to the smaller side: ∂/∂a = g·[a &lt; b], ∂/∂b = g·[b &lt; a].
    /// Tie rule: where a = b the gradient is split ½/½. NaN propagates (and sends no gradient to either side).
    /// </summary>
    /// <exception cref="ArgumentException">The dtypes differ, a dtype is Int64, or the shapes do not broadcast.</exception>
    public static Tensor Minimum(Tensor a, Tensor b)
    {
        var y = Elementwise.Zip<MinOp>(a, b, "Minimum");
        return Autograd.Record(y, "Minimum", a, b, static (g, n) =>
        {
            var a0 = n.Inputs[0];
            var b0 = n.Inputs[1];
            return
            [
                n.NeedsGrad(0) ? (g * Elementwise.Zip<MaxShareOp>(b0, a0, "Minimum")).SumTo(a0.Shape) : null,
                n.NeedsGrad(1) ? (g * Elementwise.Zip<MaxShareOp>(a0, b0, "Minimum")).SumTo(b0.Shape) : null,
            ];
        });
    }

    /// <summary>max(this, other) elementwise (see <see cref="Maximum(Tensor, Tensor)"/>).</summary>
    public Tensor Maximum(Tensor other) => Maximum(this, other);

    /// <summary>max(this, value) with the scalar in this tensor's dtype; ∂/∂x = g·[x &gt; value], ½·g on ties.</summary>
    public Tensor Maximum(double value) => Maximum(this, ScalarLike(value));

    /// <summary>min(this, other) elementwise (see <see cref="Minimum(Tensor, Tensor)"/>).</summary>
    public Tensor Minimum(Tensor other) => Minimum(this, other);

    /// <summary>min(this, value) with the scalar in this tensor's dtype; ∂/∂x = g·[x &lt; value], ½·g on ties.</summary>
    public Tensor Minimum(double value) => Minimum(this, ScalarLike(value));

    /// <summary>True when a float tensor holds an exact zero (±0).</summary>
    private static bool ContainsZero(Tensor t)
    {
        if (t.DType == DType.Float32)
        {
            foreach (var v in t.Span<float>())
            {
                if (v == 0)
                {
                    return true;
                }
            }

            return false;
        }

        foreach (var v in t.Span<double>())
        {
            if (v == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A rank-0 constant with this tensor's dtype (for scalar operands).</summary>
    internal Tensor ScalarLike(double value) => Scalar(value, DType.IsFloatingPoint() ? DType : DType.Float64);

    /// <summary>Elementwise sum (see <see cref="Add(Tensor, Tensor)"/>).</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Add(a, b);

    /// <summary>Adds a scalar in the tensor's dtype.</summary>
    public static Tensor operator +(Tensor a, double b) => Add(a, a.ScalarLike(b));

    /// <summary>Adds a scalar in the tensor's dtype.</summary>
    public static Tensor operator +(double a, Tensor b) => Add(b.ScalarLike(a), b);

    /// <summary>Elementwise difference (see <see cref="Sub(Tensor, Tensor)"/>).</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Sub(a, b);

    /// <summary>Subtracts a scalar in the tensor's dtype.</summary>
    public static Tensor operator -(Tensor a, double b) => Sub(a, a.ScalarLike(b));

    /// <summary>Scalar minus tensor, in the tensor's dtype.</summary>
    public static Tensor operator -(double a, Tensor b) => Sub(b.ScalarLike(a), b);

    /// <summary>Elementwise product (see <see cref="Mul(Tensor, Tensor)"/>).</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Mul(a, b);

    /// <summary>Multiplies by a scalar in the tensor's dtype.</summary>
    public static Tensor operator *(Tensor a, double b) => Mul(a, a.ScalarLike(b));

    /// <summary>Multiplies by a scalar in the tensor's dtype.</summary>
    public static Tensor operator *(double a, Tensor b) => Mul(b.ScalarLike(a), b);

    /// <summary>Elementwise quotient (see <see cref="Div(Tensor, Tensor)"/>).</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Div(a, b);

    /// <summary>Divides by a scalar in the tensor's dtype.</summary>
    public static Tensor operator /(Tensor a, double b) => Div(a, a.ScalarLike(b));

    /// <summary>Scalar divided by tensor, in the tensor's dtype.</summary>
    public static Tensor operator /(double a, Tensor b) => Div(b.ScalarLike(a), b);

    /// <summary>Negation (see <see cref="Neg"/>).</summary>
    public static Tensor operator -(Tensor a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Neg();
    }
}
