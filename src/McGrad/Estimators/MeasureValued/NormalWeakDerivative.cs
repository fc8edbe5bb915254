using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators.MeasureValued;

/// <summary>
/// Weak derivatives of N(μ, σ²). Mean: ∂μ N = (1/(σ√(2π)))·(p⁺ − p⁻) with p± the laws of μ ± σW, W ∼ Rayleigh(1)
/// (density w·e^{−w²/2}): a Weibull-type pair. Scale: ∂σ N = (1/σ)·(p⁺ − p⁻) with p⁺ the double-sided Maxwell law of
/// μ + σM (density m²e^{−m²/2}/√(2π)) and p⁻ = N(μ, σ²) itself.
/// </summary>
/// <remarks>
/// Coupled: the same W for μ + σW and μ − σW; for σ, p⁻ is realised as μ + σ·M·U with the same M and U ∼ U(0, 1)
/// (the product of a double-sided Maxwell and an independent uniform is standard normal). Uncoupled: an independent W′
/// for μ − σW′, and an independent standard normal ε for p⁻ = μ + σε. Mohamed, Rosca, Figurnov and Mnih (2020, §6).
/// </remarks>
public sealed class NormalWeakDerivative : IWeakDerivative
{
    /// <summary>Terms for loc (c = 1/(σ√(2π)), Rayleigh pair) and scale (c = 1/σ, Maxwell vs normal; p⁻ = p).</summary>
    public IReadOnlyList<WeakDerivativeTerm> Terms(Distribution distribution)
    {
        var d = WeakDerivatives.As<Normal>(distribution, "NormalWeakDerivative");
        var batch = d.BatchShape;
        var dtype = d.DType;
        Tensor cLoc, cScale;
        using (Autograd.NoGrad())
        {
            var sigma = WeakDerivatives.Constant(d.Scale, batch);
            cLoc = (sigma * Math.Sqrt(2 * Math.PI)).Reciprocal();
            cScale = sigma.Reciprocal();
        }

        var mu = d.Loc.Detach();
        var s = d.Scale.Detach();
        return
        [
            new("loc", Params.To(d.Loc, batch), cLoc, (key, sampleShape, coupled) =>
            {
                var shape = Shapes.Concat(sampleShape, batch);
                var keys = key.Split(2);
                using (Autograd.NoGrad())
                {
                    var w = Sampler.Rayleigh(keys[0], shape, dtype);
                    var w2 = coupled ? w : Sampler.Rayleigh(keys[1], shape, dtype);
                    return (mu + (s * w), mu - (s * w2));
                }
            }),
            new("scale", Params.To(d.Scale, batch), cScale, (key, sampleShape, coupled) =>
            {
                var shape = Shapes.Concat(sampleShape, batch);
                var keys = key.Split(2);
                using (Autograd.NoGrad())
                {
                    var m = Sampler.DoubleSidedMaxwell(keys[0], shape, dtype);
                    var z = coupled ? m * Sampler.Uniform(keys[1], shape, dtype) : Sampler.Normal(keys[1], shape, dtype);
                    return (mu + (s * m), mu + (s * z));
                }
            },
            Tensor.Scalar(0, dtype),
            Tensor.Scalar(1, dtype)),
        ];
    }
}
