using McGrad.Autodiff;

namespace McGrad;

public sealed partial class Tensor
{
    /// <summary>
    /// DiCE's MagicBox: ⊡(x) = exp(x − detach(x)). Its value is always 1, and ∂⊡(x)/∂θ = ⊡(x)·∂x/∂θ at every order,
    /// so ⊡(Σ log p)·f is a surrogate whose derivatives of any order are unbiased score-function estimates
    /// (Foerster et al., 2018).
    /// </summary>
    public Tensor MagicBox() => (this - Detach()).Exp();
}
