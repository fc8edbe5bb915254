using McGrad.Randomness;

namespace McGrad.Distributions;

/// <summary>
/// The categorical distribution over {0, …, K − 1}, parameterised by probabilities (rows of the last axis, normalised
/// here) or by unnormalised logits (p = softmax(logits)). Values are Int64 class indices; log p(k) = log softmax(ℓ)ₖ.
/// </summary>
/// <remarks>
/// The last axis of the parameter is the category axis: BatchShape is the parameter shape without it, EventShape is
/// empty. Logits may be −∞ (category excluded). There is no RSample: use a score-function estimator, or
/// <see cref="RelaxedOneHotCategorical"/> (Gumbel-Softmax) for a pathwise relaxation.
/// </remarks>
public sealed class Categorical : Distribution
{
    private readonly Tensor? _probs;
    private readonly Tensor? _logits;

    /// <summary>A batch of categoricals from exactly one of <paramref name="probs"/> or <paramref name="logits"/>, shape [..., K].</summary>
    /// <exception cref="ArgumentException">Both or neither are given, the rank is 0 or K = 0, the dtype is not floating
    /// point, probs has a negative/non-finite entry or a zero row, or logits has NaN, +∞ or an all −∞ row.</exception>
    public Categorical(Tensor? probs = null, Tensor? logits = null)
        : this(CategoricalParams.Validate("Categorical", probs, logits), probs, logits)
    {
    }

    private Categorical((Shape Batch, DType DType, int K) info, Tensor? probs, Tensor? logits)
        : base(info.Batch, Shape.Scalar, info.DType)
    {
        _probs = probs;
        _logits = logits;
        NumCategories = info.K;
    }

    /// <summary>A single categorical with the given (unnormalised) probabilities.</summary>
    public static Categorical FromProbs(double[] probs, DType dtype = Tensor.DefaultDType) => new(probs: CategoricalParams.Vector(probs, dtype));

    /// <summary>A single categorical with the given logits.</summary>
    public static Categorical FromLogits(double[] logits, DType dtype = Tensor.DefaultDType) => new(logits: CategoricalParams.Vector(logits, dtype));

    /// <summary>K, the number of categories (size of the parameters' last axis).</summary>
    public int NumCategories { get; }

    /// <summary>Normalised probabilities [..., K] (recorded): probs/Σprobs, or softmax(logits).</summary>
    public Tensor Probs => CategoricalParams.Probs(_probs, _logits);

    /// <summary>Normalised log-probabilities [..., K] (recorded): log softmax(logits), or ln(probs/Σprobs).</summary>
    public Tensor Logits => CategoricalParams.Logits(_probs, _logits);

    /// <summary>Int64 indices of shape sampleShape + batch, drawn by inverse CDF from <paramref name="key"/>. Not differentiable.</summary>
    public override Tensor Sample(RngKey key, Shape sampleShape = default)
    {
        using (Autodiff.Autograd.NoGrad())
        {
            var shape = Shapes.Concat(ExtendedShape(sampleShape), [NumCategories]);
            return Sampler.Categorical(key, Params.Constant(Probs, shape));
        }
    }

    /// <summary>log p(k) = log softmax(ℓ)ₖ for Int64 values k (broadcast against the batch shape).</summary>
    /// <exception cref="ArgumentException">The value is not Int64, does not broadcast, or holds an index outside [0, K).</exception>
    public override Tensor LogProb(Tensor value)
    {
        var shape = CheckValue(value, DType.Int64);
        Params.RequireSupport(value, "Categorical", v => v >= 0 && v < NumCategories, $"{{0, …, {NumCategories - 1}}}");
        return CategoricalParams.Pick(Logits, value, shape);
    }

    /// <summary>H = −Σₖ pₖ ln pₖ (0·ln 0 = 0).</summary>
    public override Tensor Entropy() => CategoricalParams.Entropy(Probs, Logits, BatchShape);

    /// <summary>E[k] = Σₖ k·pₖ (the mean of the index).</summary>
    public override Tensor Mean => Params.To((Probs * CategoricalParams.Indices(NumCategories, DType)).Sum(-1), BatchShape);

    /// <summary>Var[k] = Σₖ k²pₖ − (Σₖ k·pₖ)².</summary>
    public override Tensor Variance
    {
        get
        {
            var p = Probs;
            var k = CategoricalParams.Indices(NumCategories, DType);
            var m = (p * k).Sum(-1);
            return Params.To((p * k * k).Sum(-1) - (m * m), BatchShape);
        }
    }
}

/// <summary>Parameter handling shared by the categorical families.</summary>
internal static class CategoricalParams
{
    public static Tensor Vector(double[] values, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Tensor.FromArray(values).To(dtype);
    }

    /// <summary>Validates probs/logits [..., K]; returns (batch shape, dtype, K).</summary>
    public static (Shape Batch, DType DType, int K) Validate(string family, Tensor? probs, Tensor? logits)
    {
        if ((probs is null) == (logits is null))
        {
            throw new ArgumentException($"{family}: pass exactly one of probs or logits (got {(probs is null ? "neither" : "both")}).", nameof(probs));
        }

        var name = probs is null ? "logits" : "probs";
        var t = probs ?? logits!;
        var (_, dtype) = Params.Common(family, (name, t));
        if (t.Rank == 0 || t.Shape[-1] == 0)
        {
            throw new ArgumentException($"{family}: {name} must have a last (category) axis of size >= 1, got shape {t.Shape}.", name);
        }

        var k = t.Shape[-1];
        var rows = t.Size / k;
        if (probs is not null)
        {
            Params.Require(probs, family, "probs", v => v >= 0 && double.IsFinite(v), "finite and >= 0");
            for (var r = 0; r < rows; r++)
            {
                var sum = 0.0;
                for (var j = 0; j < k; j++)
                {
                    sum += probs.GetFlat((r * k) + j);
                }

                if (!(sum > 0))
                {
                    throw new ArgumentException($"{family}: every row of probs must have a positive sum; row {r} sums to {sum}.", nameof(probs));
                }
            }
        }
        else
        {
            Params.Require(logits!, family, "logits", v => !double.IsNaN(v) && v != double.PositiveInfinity, "a number < +∞ (−∞ excludes a category)");
            for (var r = 0; r < rows; r++)
            {
                var any = false;
                for (var j = 0; j < k && !any; j++)
                {
                    any = logits!.GetFlat((r * k) + j) != double.NegativeInfinity;
                }

                if (!any)
                {
                    throw new ArgumentException($"{family}: row {r} of logits is entirely −∞; at least one category must be possible.", nameof(logits));
                }
            }
        }

        return (Shapes.Prefix(t.Shape, t.Rank - 1), dtype, k);
    }

    public static Tensor Probs(Tensor? probs, Tensor? logits) => probs is not null ? probs / probs.Sum(-1, keepDim: true) : logits!.Softmax(-1);

    public static Tensor Logits(Tensor? probs, Tensor? logits) => probs is not null ? Probs(probs, null).Log() : logits!.LogSoftmax(-1);

    /// <summary>[0, 1, …, K − 1] in <paramref name="dtype"/>.</summary>
    public static Tensor Indices(int k, DType dtype) => Tensor.Arange(k, dtype);

    /// <summary>logp[..., value] for Int64 values broadcast to <paramref name="shape"/> (logp broadcast to shape + [K]).</summary>
    public static Tensor Pick(Tensor logp, Tensor value, Shape shape)
    {
        var k = logp.Shape[-1];
        var full = Params.To(logp, Shapes.Concat(shape, [k]));
        var index = Params.To(value, shape).Reshape([.. shape, 1]);
        return full.Gather(-1, index).Reshape(shape.ToArray());
    }

    /// <summary>−Σ p·ln p over the last axis, with −∞ log-probabilities (p = 0) contributing 0.</summary>
    public static Tensor Entropy(Tensor p, Tensor logp, Shape batch) => Params.To(-(p * Params.ZeroNegInf(logp)).Sum(-1), batch);
}
