using McGrad.Distributions;

namespace McGrad.Estimators.ScoreFunction;

/// <summary>
/// A distribution's parameter tensors θ (as used by its LogProb) and a way to rebuild the same family from other
/// tensors of the same shapes, or of those shapes with extra leading dimensions. Estimators that need per-sample
/// scores ∂ log p(x_k)/∂θᵢ (<see cref="OptimalBaselineReinforce"/>) rebuild the family from expanded copies of θ.
/// </summary>
/// <param name="Tensors">The parameter tensors (typically produced upstream; gradients reach them and flow on).</param>
/// <param name="Rebuild">Builds the family from tensors of the shapes of <paramref name="Tensors"/>, possibly with
/// leading dimensions prepended; the draws of the rebuilt family must broadcast against those of the original.</param>
public sealed record DistributionParameters(IReadOnlyList<Tensor> Tensors, Func<IReadOnlyList<Tensor>, Distribution> Rebuild)
{
    /// <summary>
    /// The parameters of the built-in families: Normal, Logistic, Gumbel, DoubleSidedMaxwell (loc, scale); Exponential,
    /// Poisson (rate); Gamma (concentration, rate); Weibull (scale, concentration); Beta (concentration1,
    /// concentration0); Bernoulli (logits when built from logits, otherwise probs); Categorical and OneHotCategorical
    /// (the normalised log-probabilities <c>Logits</c>, a differentiable function of the given logits or probs);
    /// Independent (its base's).
    /// </summary>
    /// <exception cref="ArgumentException">The family is not one of these (Uniform is excluded: its support depends on
    /// θ, so the score-function estimator does not apply); pass your own resolver to the estimator instead.</exception>
    public static DistributionParameters Of(Distribution distribution) => Resolve(distribution, "DistributionParameters.Of");

    internal static DistributionParameters Resolve(Distribution distribution, string caller)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return distribution switch
        {
            Normal d => new([d.Loc, d.Scale], p => new Normal(p[0], p[1])),
            Logistic d => new([d.Loc, d.Scale], p => new Logistic(p[0], p[1])),
            Gumbel d => new([d.Loc, d.Scale], p => new Gumbel(p[0], p[1])),
            DoubleSidedMaxwell d => new([d.Loc, d.Scale], p => new DoubleSidedMaxwell(p[0], p[1])),
            Exponential d => new([d.Rate], p => new Exponential(p[0])),
            Poisson d => new([d.Rate], p => new Poisson(p[0])),
            Gamma d => new([d.Concentration, d.Rate], p => new Gamma(p[0], p[1])),
            Weibull d => new([d.Scale, d.Concentration], p => new Weibull(p[0], p[1])),
            Beta d => new([d.Concentration1, d.Concentration0], p => new Beta(p[0], p[1])),
            Bernoulli d when d.IsLogitParameterised => new([d.Logits], p => new Bernoulli(logits: p[0])),
            Bernoulli d => new([d.Probs], p => new Bernoulli(probs: p[0])),
            Categorical d => new([d.Logits], p => new Categorical(logits: p[0])),
            OneHotCategorical d => new([d.Logits], p => new OneHotCategorical(logits: p[0])),
            Independent d => Wrap(Resolve(d.Base, caller), d.ReinterpretedBatchDims),
            _ => throw new ArgumentException(
                $"{caller}: does not know the parameters of {distribution.GetType().Name}; pass a resolver " +
                "(Func<Distribution, DistributionParameters>) that returns its parameter tensors and rebuilds it from new ones.",
                nameof(distribution)),
        };
    }

    private static DistributionParameters Wrap(DistributionParameters inner, int dims)
        => new(inner.Tensors, p => new Independent(inner.Rebuild(p), dims));
}
