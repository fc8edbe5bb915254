using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators.MeasureValued;

/// <summary>
/// Weak derivative of Bernoulli(p) with respect to p: ∂p [p·δ₁ + (1 − p)·δ₀] = 1·(δ₁ − δ₀), so c = 1, p⁺ = δ₁, p⁻ = δ₀
/// and ĝ = f(1) − f(0) (with the other coordinates of an <see cref="Independent"/> event drawn from p).
/// </summary>
/// <remarks>
/// The term's parameter is the probability p (recorded: the given probs, or σ(logits)); for a logit-parameterised
/// Bernoulli the chain rule multiplies by dp/dℓ = p(1 − p). Both parts are point masses, so coupled and uncoupled
/// differ only in whether the other coordinates are shared. E[f] = p·E_{p⁺}[f] + (1 − p)·E_{p⁻}[f].
/// </remarks>
public sealed class BernoulliWeakDerivative : IWeakDerivative
{
    /// <summary>One term for p: c = 1, p⁺ = δ₁, p⁻ = δ₀.</summary>
    public IReadOnlyList<WeakDerivativeTerm> Terms(Distribution distribution)
    {
        var d = WeakDerivatives.As<Bernoulli>(distribution, "BernoulliWeakDerivative");
        var batch = d.BatchShape;
        var dtype = d.DType;
        var probs = Params.To(d.Probs, batch);
        Tensor p;
        using (Autograd.NoGrad())
        {
            p = probs.Detach();
        }

        return
        [
            new("probs", probs, Tensor.Scalar(1, dtype), (RngKey _, Shape sampleShape, bool _) =>
            {
                var shape = Shapes.Concat(sampleShape, batch);
                return (Tensor.Ones(shape, dtype), Tensor.Zeros(shape, dtype));
            },
            p,
            1.0 - p),
        ];
    }
}
