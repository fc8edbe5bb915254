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
