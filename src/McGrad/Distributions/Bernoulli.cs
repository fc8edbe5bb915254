using McGrad.Randomness;

namespace McGrad.Distributions;

/// <summary>
/// The Bernoulli distribution on {0, 1} with P(x = 1) = p, parameterised by probabilities p or by logits
/// ℓ = ln(p/(1 − p)) (p = σ(ℓ)). Mass: log p(x) = x·ln p + (1 − x)·ln(1 − p).
/// </summary>
/// <remarks>
/// Samples are 0/1 in the parameters' float dtype. There is no RSample (the sample is a step function of p): use a
/// score-function estimator, or <see cref="RelaxedBernoulli"/> for a pathwise relaxation. With logits, LogProb is
/// −BCEWithLogits(ℓ, x) = −(max(ℓ, 0) − ℓx + log1p(e^{−|ℓ|})), stable for any finite logit; with probs it is
/// ln(p if x = 1 else 1 − p), so p = 0 or 1 are allowed (giving −∞ for the impossible outcome).
/// </remarks>
public sealed class Bernoulli : Distribution
{
    private readonly Tensor? _probs;
    private readonly Tensor? _logits;

    /// <summary>A batch of Bernoullis from exactly one of <paramref name="probs"/> (in [0, 1]) or <paramref name="logits"/> (not NaN).</summary>
    /// <exception cref="ArgumentException">Both or neither are given, the dtype is not floating point, or a value is invalid.</exception>
    public Bernoulli(Tensor? probs = null, Tensor? logits = null)
        : this(Validate(probs, logits), probs, logits)
    {
    }

    private Bernoulli((Shape Batch, DType DType) info, Tensor? probs, Tensor? logits)
        : base(info.Batch, Shape.Scalar, info.DType)
    {
        _probs = probs;
        _logits = logits;
    }

    /// <summary>A single Bernoulli with P(x = 1) = <paramref name="probs"/>.</summary>
    public static Bernoulli FromProbs(double probs, DType dtype = Tensor.DefaultDType) => new(probs: Tensor.Scalar(probs, dtype));

    /// <summary>A single Bernoulli with logit <paramref name="logits"/> (p = σ(ℓ)).</summary>
    public static Bernoulli FromLogits(double logits, DType dtype = Tensor.DefaultDType) => new(logits: Tensor.Scalar(logits, dtype));

    private static (Shape, DType) Validate(Tensor? probs, Tensor? logits)
    {
        if ((probs is null) == (logits is null))
        {
            throw new ArgumentException($"Bernoulli: pass exactly one of probs or logits (got {(probs is null ? "neither" : "both")}).", nameof(probs));
        }

        if (probs is not null)
        {
            var info = Params.Common("Bernoulli", ("probs", probs));
            Params.Require(probs, "Bernoulli", "probs", p => p >= 0 && p <= 1, "in [0, 1]");
            return info;
        }

        var li = Params.Common("Bernoulli", ("logits", logits!));
        Params.Require(logits!, "Bernoulli", "logits", Params.NotNaN, "a number (not NaN)");
        return li;
    }

    /// <summary>True when constructed from logits.</summary>
    public bool IsLogitParameterised => _logits is not null;

    /// <summary>p = P(x = 1): the given probs, or σ(logits) (recorded).</summary>
    public Tensor Probs => _probs ?? _logits!.Sigmoid();

    /// <summary>ℓ = ln p − ln(1 − p): the given logits, or computed from probs (recorded; ±∞ at p = 1, 0).</summary>
    public Tensor Logits => _logits ?? (_probs!.Log() - (-_probs!).Log1p());

    /// <summary>Draws 0/1 values: 1 where u &lt; p, u ~ Uniform(0, 1) from <paramref name="key"/>. Not differentiable.</summary>
    public override Tensor Sample(RngKey key, Shape sampleShape = default)
    {
        using (Autodiff.Autograd.NoGrad())
        {
            return Sampler.Bernoulli(key, Params.Constant(Probs, ExtendedShape(sampleShape)));
        }
    }

    /// <summary>log p(x) = x·ln p + (1 − x)·ln(1 − p) for x ∈ {0, 1} (computed as −BCEWithLogits with logits).</summary>
    /// <exception cref="ArgumentException">A value is not 0 or 1, or the dtype/shape does not fit.</exception>
    public override Tensor LogProb(Tensor value)
    {
        var shape = CheckValue(value, DType);
        Params.RequireSupport(value, "Bernoulli", v => v is 0 or 1, "{0, 1}");
        if (_logits is not null)
        {
            var l = Params.To(_logits, shape);
            var v = Params.To(value, shape);
            return -Tensor.BinaryCrossEntropyWithLogits(l, v);
        }

        return Params.To(Tensor.Where(value.Eq(1.0), _probs!, 1.0 - _probs!).Log(), shape);
    }

    /// <summary>H = −p ln p − (1 − p) ln(1 − p) (= BCEWithLogits(ℓ, σ(ℓ)) with logits; 0·ln 0 = 0).</summary>
    public override Tensor Entropy()
    {
        if (_logits is not null)
        {
            return Params.To(Tensor.BinaryCrossEntropyWithLogits(_logits, _logits.Sigmoid()), BatchShape);
        }

        var p = _probs!;
        var q = 1.0 - p;
        return Params.To(-(Params.XLogY(p, p) + Params.XLogY(q, q)), BatchShape);
    }

    /// <summary>E[x] = p.</summary>
    public override Tensor Mean => Params.To(Probs, BatchShape);

    /// <summary>Var[x] = p(1 − p).</summary>
    public override Tensor Variance
    {
        get
        {
            var p = Probs;
            return Params.To(p * (1.0 - p), BatchShape);
        }
    }
}
