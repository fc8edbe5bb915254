using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators.MeasureValued;

/// <summary>
/// Weak derivative of Poisson(λ) with respect to λ: ∂λ P(k) = P(k − 1) − P(k), so c = 1, p⁺ = 1 + Poisson(λ) (the
/// law of N + 1) and p⁻ = Poisson(λ); ĝ = f(N + 1) − f(N).
/// </summary>
/// <remarks>Coupled: the same draw N on both sides; uncoupled: f(N₁ + 1) − f(N₂) with independent draws. E[f] = E_{p⁻}[f].</remarks>
public sealed class PoissonWeakDerivative : IWeakDerivative
{
    /// <summary>One term for the rate: c = 1, p⁺ = 1 + Poisson(λ), p⁻ = Poisson(λ).</summary>
    public IReadOnlyList<WeakDerivativeTerm> Terms(Distribution distribution)
    {
        var d = WeakDerivatives.As<Poisson>(distribution, "PoissonWeakDerivative");
        var batch = d.BatchShape;
        var dtype = d.DType;
        var rate = d.Rate.Detach();
        return
        [
            new("rate", Params.To(d.Rate, batch), Tensor.Scalar(1, dtype), (key, sampleShape, coupled) =>
            {
                var shape = Shapes.Concat(sampleShape, batch);
                var keys = key.Split(2);
                using (Autograd.NoGrad())
                {
                    var n = Sampler.Poisson(keys[0], shape, rate);
                    var n2 = coupled ? n : Sampler.Poisson(keys[1], shape, rate);
                    return (n + 1.0, n2);
                }
            },
            Tensor.Scalar(0, dtype),
            Tensor.Scalar(1, dtype)),
        ];
    }
}
