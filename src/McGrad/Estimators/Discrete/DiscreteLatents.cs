using McGrad.Distributions;

namespace McGrad.Estimators.Discrete;

/// <summary>Finds the discrete family inside <see cref="Independent"/> wrappers and checks objective outputs.</summary>
internal static class DiscreteLatents
{
    /// <summary>The innermost distribution below any <see cref="Independent"/> wrappers.</summary>
    public static Distribution Unwrap(Distribution d)
    {
        while (d is Independent ind)
        {
            d = ind.Base;
        }

        return d;
    }

    /// <summary>"Independent(Bernoulli)", "Normal", …: the family as the user built it.</summary>
    public static string Describe(Distribution d) => d is Independent ind ? $"Independent({Describe(ind.Base)})" : d.GetType().Name;

    /// <summary>The Bernoulli inside <paramref name="distribution"/>, or a clear error naming the estimator and the family.</summary>
    public static Bernoulli RequireBernoulli(Distribution distribution, string estimator)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        if (Unwrap(distribution) is Bernoulli b)
        {
            return b;
        }

        throw new ArgumentException(
            $"{estimator}: needs factorised Bernoulli latents — a Bernoulli (from logits or probs) or an Independent(Bernoulli) — " +
            $"but got {Describe(distribution)} (batch shape {distribution.BatchShape}, event shape {distribution.EventShape}). " +
            "For other discrete families use REINFORCE or RLOO, or a Gumbel-Softmax relaxation of a OneHotCategorical.",
            nameof(distribution));
    }

    /// <summary>Throws unless the objective returned sampleShape + batch.</summary>
    public static void CheckValues(Tensor values, Shape samples, Shape expected, string estimator, string argument)
    {
        if (values.Shape != expected)
        {
            throw new ArgumentException(
                $"{estimator}: the objective returned shape {values.Shape} for samples of shape {samples}; an Objective must return one value per sample and batch element, shape sampleShape + batch = {expected}.",
                argument);
        }
    }

    /// <summary>sampleShape + batch.</summary>
    public static Shape ValueShape(Shape sampleShape, Distribution d) => Shapes.Concat(sampleShape, d.BatchShape);
}
