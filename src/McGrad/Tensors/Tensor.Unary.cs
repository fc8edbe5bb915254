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
}
