using McGrad.Randomness;

namespace McGrad.Distributions;

/// <summary>
/// The Binary Concrete (Gumbel-Sigmoid, relaxed Bernoulli) distribution on (0, 1) with temperature τ and logits ℓ
/// (Maddison, Mnih, Teh 2017; Jang, Gu, Poole 2017): y = σ((ℓ + L)/τ) with L ~ Logistic(0, 1). As τ → 0 it
/// approaches Bernoulli(σ(ℓ)); P(y &gt; ½) = σ(ℓ) for every τ.
/// </summary>
/// <remarks>
/// <para>Density: log p(y) = ln τ − z − 2·softplus(−z) − ln y − ln(1 − y) with z = τ·logit(y) − ℓ (the logistic
/// density of logit(y) ~ Logistic(ℓ/τ, 1/τ) plus the Jacobian of the sigmoid); equivalently
/// p(y) = τ·α·y^{−τ−1}(1 − y)^{−τ−1} / (α·y^{−τ} + (1 − y)^{−τ})², α = e^ℓ.</para>
/// <para>RSample is pathwise in ℓ and τ. At low temperature, float32 draws can round to exactly 0 or 1, where the
/// density is not finite: LogProb rejects such values; raise τ or use float64. Mean, variance and entropy have no
/// closed form (they throw <see cref="NotSupportedException"/>).</para>
/// </remarks>
public sealed class RelaxedBernoulli : Distribution
{
    private readonly Tensor? _probs;
    private readonly Tensor? _logits;

    /// <summary>
    /// A batch of Binary Concrete distributions with temperature <paramref name="temperature"/> (&gt; 0) and exactly one
    /// of <paramref name="probs"/> (in [0, 1]) or <paramref name="logits"/>; all broadcast together.
    /// </summary>
    /// <exception cref="ArgumentException">Both or neither of probs/logits, mismatched dtypes or shapes, or invalid values.</exception>
    public RelaxedBernoulli(Tensor temperature, Tensor? probs = null, Tensor? logits = null)
        : this(Validate(temperature, probs, logits), temperature, probs, logits)
    {
    }

    /// <summary>A batch of Binary Concrete distributions with a constant temperature (in the parameters' dtype).</summary>
    public RelaxedBernoulli(double temperature, Tensor? probs = null, Tensor? logits = null)
        : this(Tensor.Scalar(temperature, (probs ?? logits)?.DType ?? Tensor.DefaultDType), probs, logits)
    {
    }

    private RelaxedBernoulli((Shape Batch, DType DType) info, Tensor temperature, Tensor? probs, Tensor? logits)
        : base(info.Batch, Shape.Scalar, info.DType)
    {
        Temperature = temperature;
        _probs = probs;
        _logits = logits;
    }

    private static (Shape, DType) Validate(Tensor temperature, Tensor? probs, Tensor? logits)
    {
        ArgumentNullException.ThrowIfNull(temperature);
        if ((probs is null) == (logits is null))
        {
            throw new ArgumentException($"RelaxedBernoulli: pass exactly one of probs or logits (got {(probs is null ? "neither" : "both")}).", nameof(probs));
        }

        var info = probs is not null
            ? Params.Common("RelaxedBernoulli", ("probs", probs), ("temperature", temperature))
            : Params.Common("RelaxedBernoulli", ("logits", logits!), ("temperature", temperature));
        Params.Require(temperature, "RelaxedBernoulli", "temperature", Params.Positive, "finite and > 0");
        if (probs is not null)
        {
            Params.Require(probs, "RelaxedBernoulli", "probs", p => p >= 0 && p <= 1, "in [0, 1]");
        }
        else
        {
            Params.Require(logits!, "RelaxedBernoulli", "logits", Params.NotNaN, "a number (not NaN)");
        }

        return info;
    }

    /// <summary>The temperature τ, as passed.</summary>
    public Tensor Temperature { get; }

    /// <summary>σ(ℓ), the probability of the limiting Bernoulli (recorded).</summary>
    public Tensor Probs => _probs ?? _logits!.Sigmoid();

    /// <summary>ℓ, the logits (given, or ln p − ln(1 − p) from probs; recorded).</summary>
    public Tensor Logits => _logits ?? (_probs!.Log() - (-_probs!).Log1p());

    /// <inheritdoc/>
    public override bool HasRSample => true;

    /// <summary>y = σ((ℓ + L)/τ), L = ln u − ln(1 − u) ~ Logistic(0, 1) from <paramref name="key"/>; pathwise in ℓ and τ.</summary>
    public override Tensor RSample(RngKey key, Shape sampleShape = default)
    {
        var noise = Sampler.Logistic(key, ExtendedShape(sampleShape), DType);
        return ((Logits + noise) / Temperature).Sigmoid();
    }

    /// <summary>The Binary Concrete log density (see the type remarks), differentiable in ℓ, τ and the value.</summary>
    /// <exception cref="ArgumentException">A value is outside the open interval (0, 1), or the dtype/shape does not fit.</exception>
    public override Tensor LogProb(Tensor value)
    {
        var shape = CheckValue(value, DType);
        Params.RequireSupport(value, "RelaxedBernoulli", v => v > 0 && v < 1, "(0, 1) (a draw that rounded to 0 or 1 has no finite density; raise the temperature or use Float64)");
        var logY = value.Log();
        var log1mY = (-value).Log1p();
        var z = (Temperature * (logY - log1mY)) - Logits;
        return Params.To(Temperature.Log() - z - (2.0 * (-z).Softplus()) - logY - log1mY, shape);
    }
}
