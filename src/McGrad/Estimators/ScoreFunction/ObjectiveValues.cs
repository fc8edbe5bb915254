using McGrad.Distributions;

namespace McGrad.Estimators.ScoreFunction;

/// <summary>Evaluation of f for the score-function estimators, with the shape check they share.</summary>
internal static class ObjectiveValues
{
    /// <summary>f(x) evaluated once and recorded (so parameters inside f get gradients), checked to have shape [K, *batch] and the distribution's dtype.</summary>
    public static Tensor Evaluate(Objective objective, Tensor x, Distribution distribution, int samples, string estimator)
    {
        var values = objective(x) ?? throw new InvalidOperationException($"{estimator}: the objective returned null.");
        var expected = new Shape([samples, .. distribution.BatchShape.ToArray()]);
        if (values.Shape != expected)
        {
            throw new ArgumentException($"{estimator}: the objective returned values of shape {values.Shape} for samples of shape {x.Shape}; expected one value per sample and batch element, {expected} ([K, *batch]).", nameof(objective));
        }

        if (values.DType != distribution.DType)
        {
            throw new ArgumentException($"{estimator}: the objective returned {values.DType} values but the {distribution.GetType().Name} is {distribution.DType}; McGrad does not convert silently.", nameof(objective));
        }

        return values;
    }

    /// <summary>Score-function estimators need a LogProb and samples that carry no path to θ; families without them are refused.</summary>
    public static SupportCheck Supports(Distribution distribution, string estimator)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return Unwrap(distribution) switch
        {
            Combinatorial.PerturbAndMap => SupportCheck.No($"{estimator}: a PerturbAndMap distribution has no tractable LogProb (its probabilities sum over all perturbations); use I-MLE, AIMLE or straight-through perturb-and-MAP."),
            Uniform => SupportCheck.No($"{estimator}: the support of a Uniform depends on its parameters, so the score-function identity does not hold (the boundary term is missing); use the pathwise estimator."),
            _ => SupportCheck.Yes,
        };
    }

    private static Distribution Unwrap(Distribution d) => d is Independent i ? Unwrap(i.Base) : d;
}
