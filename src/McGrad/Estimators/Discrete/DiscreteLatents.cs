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
        BernoulliSupport(distribution, estimator).ThrowIfUnsupported(nameof(distribution));
        return (Bernoulli)Unwrap(distribution);
    }

    /// <summary>Yes for a Bernoulli or Independent(Bernoulli); otherwise the reason, naming the estimator and what would work.</summary>
    public static SupportCheck BernoulliSupport(Distribution distribution, string estimator)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return Unwrap(distribution) is Bernoulli
            ? SupportCheck.Yes
            : SupportCheck.No(
                $"{estimator}: needs factorised Bernoulli latents — a Bernoulli (from logits or probs) or an Independent(Bernoulli) — " +
                $"but got {Describe(distribution)} (batch shape {distribution.BatchShape}, event shape {distribution.EventShape}). " +
                "For other discrete families use REINFORCE or RLOO, or a Gumbel-Softmax relaxation of a OneHotCategorical.");
    }

    /// <summary>Yes for a Bernoulli or OneHotCategorical (possibly inside Independent); otherwise the reason, ending with <paramref name="advice"/>.</summary>
    public static SupportCheck BernoulliOrOneHotSupport(Distribution distribution, string estimator, string advice)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return Unwrap(distribution) is Bernoulli or OneHotCategorical
            ? SupportCheck.Yes
            : SupportCheck.No(
                $"{estimator}: needs a Bernoulli or OneHotCategorical (possibly inside Independent), got {Describe(distribution)} " +
                $"(batch shape {distribution.BatchShape}, event shape {distribution.EventShape}). {advice}");
    }

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
