using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators.MeasureValued;

/// <summary>
/// Weak derivative of Categorical(π) with respect to the probability π_j of each category j: c = 1, p⁺ = δ_j and
/// p⁻ = π itself, i.e. ĝ_j = f(j) − f(x), x ∼ π: the derivative of E[f] along the mixture direction
/// d/dε E_{(1−ε)π + εδ_j}[f] = f(j) − E_π[f].
/// </summary>
/// <remarks>
/// <para>The term's parameter is the normalised probability vector π (recorded: probs/Σprobs, or softmax(logits)), with
/// the category axis as its extra axis. The chain rule through the normalisation maps the estimates to the actual
/// parameters: for logits, ∂/∂ℓ_i = π_i·(ĝ_i − Σ_j π_j ĝ_j), an estimate of π_i·(E[f | x = i] − E[f]); for
/// unnormalised probs p, ∂/∂p_i = (ĝ_i − Σ_j π_j ĝ_j)/Σp.</para>
/// <para>Coupled: one draw x ∼ π shared by all K categories. Its f(x) then shifts every ĝ_j by the same amount, which
/// the normalisation's Jacobian annihilates: the gradient for logits becomes π_i·(f(i) − Σ_j π_j f(j)) with the other
/// coordinates of an <see cref="Independent"/> event random (the local-expectation gradient of Titsias and
/// Lázaro-Gredilla 2015), exact for a lone categorical. Uncoupled: an independent draw per category (unbiased, noisier).
/// Cost: 2K evaluations per coordinate and sample (the shared coupled draw is evaluated with each category). E[f] is reported as
/// Σ_j π_j f(j) (weights w⁺ = K·π, w⁻ = 0, averaged over the category axis).</para>
/// </remarks>
public sealed class CategoricalWeakDerivative : IWeakDerivative
{
    /// <summary>One term for π (shape batch + [K]): c = 1, p⁺ = δ_j, p⁻ = π.</summary>
    public IReadOnlyList<WeakDerivativeTerm> Terms(Distribution distribution)
    {
        var d = WeakDerivatives.As<Categorical>(distribution, "CategoricalWeakDerivative");
        var batch = d.BatchShape;
        var k = d.NumCategories;
        var dtype = d.DType;
        var probs = Params.To(d.Probs, Shapes.Concat(batch, [k]));
        Tensor pi;
        using (Autograd.NoGrad())
        {
            pi = probs.Detach();
        }

        return
        [
            new("probs", probs, Tensor.Scalar(1, dtype), (key, sampleShape, coupled) =>
            {
                var shape = Shapes.Concat(sampleShape, batch, [k]);
                using (Autograd.NoGrad())
                {
                    var plus = Tensor.Arange(k, DType.Int64).BroadcastTo(shape);
                    var minus = coupled
                        ? Sampler.Categorical(key, pi.BroadcastTo(Shapes.Concat(sampleShape, batch, [k]))).Unsqueeze(-1).BroadcastTo(shape)
                        : Sampler.Categorical(key, pi.Unsqueeze(-2).BroadcastTo(Shapes.Concat(shape, [k])));
                    return (plus, minus);
                }
            },
            pi * (double)k,
            Tensor.Scalar(0, dtype)),
        ];
    }
}
