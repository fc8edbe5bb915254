using McGrad.Kernels;
using McGrad.Randomness;

namespace McGrad.Distributions;

/// <summary>
/// The Concrete (Gumbel-Softmax, relaxed one-hot categorical) distribution on the open simplex with temperature τ and
/// logits ℓ ∈ ℝᴷ (Maddison, Mnih, Teh 2017; Jang, Gu, Poole 2017): y = softmax((ℓ + g)/τ) with gᵢ ~ Gumbel(0, 1).
/// EventShape [K]; as τ → 0 it approaches OneHotCategorical(softmax ℓ), and argmax y has that law for every τ.
/// </summary>
/// <remarks>
/// <para>Density (with respect to Lebesgue measure on the first K − 1 coordinates):
/// log p(y) = ln (K − 1)! + (K − 1) ln τ + Σₖ (ℓₖ − (τ + 1) ln yₖ) − K·logsumexp(ℓ − τ ln y), invariant to adding a
/// constant to ℓ.</para>
/// <para>RSample is pathwise in ℓ and τ. At low temperature float32 draws can underflow to exact zeros, where the
/// density is not finite; LogProb rejects such values. Mean, variance and entropy have no closed form.</para>
/// </remarks>
public sealed class RelaxedOneHotCategorical : Distribution
{
    private readonly Tensor? _probs;
    private readonly Tensor? _logits;

    /// <summary>
    /// A batch of Concrete distributions: temperature (&gt; 0, broadcast against the batch shape) and exactly one of
    /// <paramref name="probs"/> or <paramref name="logits"/> of shape [..., K].
    /// </summary>
    /// <exception cref="ArgumentException">As for <see cref="Categorical"/>, or an invalid temperature.</exception>
    public RelaxedOneHotCategorical(Tensor temperature, Tensor? probs = null, Tensor? logits = null)
        : this(Validate(temperature, probs, logits), temperature, probs, logits)
    {
    }

    /// <summary>A batch of Concrete distributions with a constant temperature (in the parameters' dtype).</summary>
    public RelaxedOneHotCategorical(double temperature, Tensor? probs = null, Tensor? logits = null)
        : this(Tensor.Scalar(temperature, (probs ?? logits)?.DType ?? Tensor.DefaultDType), probs, logits)
    {
    }

    private RelaxedOneHotCategorical((Shape Batch, DType DType, int K) info, Tensor temperature, Tensor? probs, Tensor? logits)
        : base(info.Batch, new Shape(info.K), info.DType)
    {
        Temperature = temperature;
        _probs = probs;
        _logits = logits;
        NumCategories = info.K;
    }

    private static (Shape, DType, int) Validate(Tensor temperature, Tensor? probs, Tensor? logits)
    {
        ArgumentNullException.ThrowIfNull(temperature);
        var (batch, dtype, k) = CategoricalParams.Validate("RelaxedOneHotCategorical", probs, logits);
        var probe = Tensor.Zeros(batch, dtype);
        var (full, _) = Params.Common("RelaxedOneHotCategorical", ("batch of " + (probs is null ? "logits" : "probs"), probe), ("temperature", temperature));
        Params.Require(temperature, "RelaxedOneHotCategorical", "temperature", Params.Positive, "finite and > 0");
        return (full, dtype, k);
    }

    /// <summary>The temperature τ, as passed (its shape broadcasts against the batch shape).</summary>
    public Tensor Temperature { get; }

    /// <summary>K, the number of categories.</summary>
    public int NumCategories { get; }

    /// <summary>softmax(ℓ), the probabilities of the limiting categorical (recorded).</summary>
    public Tensor Probs => CategoricalParams.Probs(_probs, _logits);

    /// <summary>log softmax(ℓ) (recorded).</summary>
    public Tensor Logits => CategoricalParams.Logits(_probs, _logits);

    /// <inheritdoc/>
    public override bool HasRSample => true;

    private Tensor TemperatureColumn => Temperature.Unsqueeze(-1);

    /// <summary>y = softmax((ℓ + g)/τ), gᵢ ~ Gumbel(0, 1) from <paramref name="key"/>; pathwise in ℓ and τ.</summary>
    public override Tensor RSample(RngKey key, Shape sampleShape = default)
    {
        var g = Sampler.Gumbel(key, ExtendedShape(sampleShape), DType);
        return ((Logits + g) / TemperatureColumn).Softmax(-1);
    }

    /// <summary>The Concrete log density (see the type remarks), differentiable in ℓ, τ and the value.</summary>
    /// <exception cref="ArgumentException">A value entry is outside (0, 1], a row does not sum to 1 (within 1e-3 for
    /// Float32, 1e-8 for Float64), or the dtype/shape does not fit.</exception>
    public override Tensor LogProb(Tensor value)
    {
        var shape = CheckValue(value, DType);
        Params.RequireSupport(value, "RelaxedOneHotCategorical", v => v > 0 && v <= 1, "of the open simplex (entries in (0, 1]; an entry that underflowed to 0 has no finite density: raise the temperature or use Float64)");
        var k = NumCategories;
        var tol = DType == DType.Float32 ? 1e-3 : 1e-8;
        for (var r = 0; r < value.Size / k; r++)
        {
            var sum = 0.0;
            for (var j = 0; j < k; j++)
            {
                sum += value.GetFlat((r * k) + j);
            }

            if (Math.Abs(sum - 1) > tol)
            {
                throw new ArgumentException($"RelaxedOneHotCategorical.LogProb: value rows must sum to 1 (points of the simplex); row {r} sums to {sum}.", nameof(value));
            }
        }

        var logits = Logits;
        var tau = TemperatureColumn;
        var logY = value.Log();
        var score = logits - (tau * logY);
        var constant = SpecialFunctions.LogGamma(k);
        var logTau = Temperature.Log() * (k - 1.0);
        var body = (logits - ((tau + 1.0) * logY)).Sum(-1) - (score.LogSumExp(-1) * k);
        return Params.To(body + logTau + constant, shape);
    }
}
