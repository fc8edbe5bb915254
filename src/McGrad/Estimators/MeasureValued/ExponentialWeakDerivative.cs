using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators.MeasureValued;

/// <summary>
/// Weak derivative of Exponential(rate λ) with respect to λ: ∂λ (λe^{−λx}) = (1/λ)·(λe^{−λx} − λ²x e^{−λx}), so
/// c = 1/λ, p⁺ = Exponential(λ) and p⁻ = Erlang(2, λ) = Gamma(2, rate λ).
/// </summary>
/// <remarks>
/// Draws use unit exponentials E₁, E₂, E₃ (E = −ln u): p⁺ = E₁/λ and p⁻ = (E₁ + E₂)/λ when coupled (the Erlang draw
/// shares its first stage with the exponential one, so for f(x) = x the estimate is −E₂/λ² with variance 1/λ⁴),
/// p⁻ = (E₂ + E₃)/λ when uncoupled (variance 3/λ⁴ for f(x) = x). E[f] = E_{p⁺}[f].
/// </remarks>
public sealed class ExponentialWeakDerivative : IWeakDerivative
{
    /// <summary>One term for the rate: c = 1/λ, p⁺ = Exponential(λ), p⁻ = Gamma(2, λ).</summary>
    public IReadOnlyList<WeakDerivativeTerm> Terms(Distribution distribution)
    {
        var d = WeakDerivatives.As<Exponential>(distribution, "ExponentialWeakDerivative");
        var batch = d.BatchShape;
        var dtype = d.DType;
        var rate = d.Rate.Detach();
        Tensor c;
        using (Autograd.NoGrad())
        {
            c = WeakDerivatives.Constant(rate, batch).Reciprocal();
        }

        return
        [
            new("rate", Params.To(d.Rate, batch), c, (key, sampleShape, coupled) =>
            {
                var shape = Shapes.Concat(sampleShape, batch);
                var keys = key.Split(3);
                using (Autograd.NoGrad())
                {
                    var e1 = Sampler.Exponential(keys[0], shape, dtype);
                    var e2 = Sampler.Exponential(keys[1], shape, dtype);
                    var erlang = coupled ? e1 + e2 : e2 + Sampler.Exponential(keys[2], shape, dtype);
                    return (e1 / rate, erlang / rate);
                }
            },
            Tensor.Scalar(1, dtype),
            Tensor.Scalar(0, dtype)),
        ];
    }
}
