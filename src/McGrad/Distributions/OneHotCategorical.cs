using McGrad.Randomness;

namespace McGrad.Distributions;

/// <summary>
/// The categorical distribution with one-hot values: a draw is a vector in {0, 1}ᴷ with a single 1, EventShape [K].
/// log p(x) = Σₖ xₖ·log softmax(ℓ)ₖ.
/// </summary>
/// <remarks>
/// Same parameters as <see cref="Categorical"/> (probs or logits, last axis = categories). Samples are one-hot in the
/// parameters' float dtype. No RSample: see <see cref="RelaxedOneHotCategorical"/> for the Gumbel-Softmax relaxation.
/// </remarks>
public sealed class OneHotCategorical : Distribution
{
    private readonly Tensor? _probs;
    private readonly Tensor? _logits;

    /// <summary>A batch of one-hot categoricals from exactly one of <paramref name="probs"/> or <paramref name="logits"/>, shape [..., K].</summary>
    /// <exception cref="ArgumentException">As for <see cref="Categorical"/>.</exception>
    public OneHotCategorical(Tensor? probs = null, Tensor? logits = null)
        : this(CategoricalParams.Validate("OneHotCategorical", probs, logits), probs, logits)
    {
    }

    private OneHotCategorical((Shape Batch, DType DType, int K) info, Tensor? probs, Tensor? logits)
        : base(info.Batch, new Shape(info.K), info.DType)
    {
        _probs = probs;
        _logits = logits;
        NumCategories = info.K;
    }

    /// <summary>K, the number of categories.</summary>
    public int NumCategories { get; }

    /// <summary>Normalised probabilities [..., K] (recorded).</summary>
    public Tensor Probs => CategoricalParams.Probs(_probs, _logits);

    /// <summary>Normalised log-probabilities [..., K] (recorded).</summary>
    public Tensor Logits => CategoricalParams.Logits(_probs, _logits);

    /// <summary>One-hot draws of shape sampleShape + batch + [K] (the same categories as <see cref="Categorical"/> draws with the same key).</summary>
    public override Tensor Sample(RngKey key, Shape sampleShape = default)
    {
        using (Autodiff.Autograd.NoGrad())
        {
            var idx = Sampler.Categorical(key, Params.Constant(Probs, ExtendedShape(sampleShape)));
            return idx.OneHot(NumCategories, DType);
        }
    }

    /// <summary>log p(x) = log softmax(ℓ)ₖ where x is the one-hot vector of k.</summary>
    /// <exception cref="ArgumentException">A row of the value is not one-hot (0/1 entries, exactly one 1), or the dtype/shape does not fit.</exception>
    public override Tensor LogProb(Tensor value)
    {
        var shape = CheckValue(value, DType);
        var k = NumCategories;
        var rows = value.Size / k;
        var idx = new long[rows];
        for (var r = 0; r < rows; r++)
        {
            var ones = 0;
            for (var j = 0; j < k; j++)
            {
                var v = value.GetFlat((r * k) + j);
                if (v == 1)
                {
                    ones++;
                    idx[r] = j;
                }
                else if (v != 0)
                {
                    throw new ArgumentException($"OneHotCategorical.LogProb: value must be one-hot (entries 0 or 1); row {r}, category {j} is {v}.", nameof(value));
                }
            }

            if (ones != 1)
            {
                throw new ArgumentException($"OneHotCategorical.LogProb: value must be one-hot; row {r} has {ones} ones.", nameof(value));
            }
        }

        var index = Tensor.FromArray(idx).Reshape(value.Shape.ToArray()[..^1]);
        return CategoricalParams.Pick(Logits, index, shape);
    }

    /// <summary>H = −Σₖ pₖ ln pₖ.</summary>
    public override Tensor Entropy() => CategoricalParams.Entropy(Probs, Logits, BatchShape);

    /// <summary>E[x] = p.</summary>
    public override Tensor Mean => Params.To(Probs, Shapes.Concat(BatchShape, EventShape));

    /// <summary>Var[xₖ] = pₖ(1 − pₖ).</summary>
    public override Tensor Variance
    {
        get
        {
            var p = Probs;
            return Params.To(p * (1.0 - p), Shapes.Concat(BatchShape, EventShape));
        }
    }
}
