using McGrad.Autodiff;
using McGrad.Distributions;

namespace McGrad.Estimators.ScoreFunction;

/// <summary>Evaluation of f for the score-function estimators, with the shape check they share.</summary>
internal static class ObjectiveValues
{
    /// <summary>f(x) evaluated without recording (detached), checked to have shape [K, *batch] and the distribution's dtype.</summary>
    public static Tensor Evaluate(Objective objective, Tensor x, Distribution distribution, int samples, string estimator)
    {
        Tensor values;
        using (Autograd.NoGrad())
        {
            values = objective(x)?.Detach() ?? throw new InvalidOperationException($"{estimator}: the objective returned null.");
        }

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
}
