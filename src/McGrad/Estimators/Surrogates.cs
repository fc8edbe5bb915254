namespace McGrad.Estimators;

/// <summary>Builds surrogates whose value is Ĵ and whose gradient is the estimate.</summary>
internal static class Surrogates
{
    /// <summary>
    /// s = Ĵ + (t − stopgrad(t)): the value of s is <paramref name="recordedValue"/>'s (Ĵ), and ∇s = ∇Ĵ + ∇t, where Ĵ is
    /// recorded through f (giving ∇φ Ĵ to parameters inside f) and t carries the estimator's gradient for θ.
    /// </summary>
    public static Tensor WithValue(Tensor recordedValue, Tensor gradientTerm) => recordedValue + (gradientTerm - gradientTerm.Detach());

    /// <summary>An estimate whose surrogate is <see cref="WithValue"/>(Ĵ, t) and whose Value is Ĵ detached.</summary>
    public static GradientEstimate Estimate(Tensor recordedValue, Tensor gradientTerm, IReadOnlyList<ObjectiveEvaluation> evaluations, Func<EstimatorState?>? nextState = null, Tensor? baselineLoss = null)
        => new(WithValue(recordedValue, gradientTerm), recordedValue.Detach(), evaluations, nextState, baselineLoss);

    /// <summary>
    /// The estimate of a pathwise-style estimator, whose gradient is that of f itself: surrogate (1/K) Σ_k Σ_batch f(x_k)
    /// recorded, Value its detached copy, one evaluation.
    /// </summary>
    public static GradientEstimate Mean(Tensor samples, Tensor values, int count, Func<EstimatorState?>? nextState = null)
    {
        var surrogate = values.Sum() / count;
        return new GradientEstimate(surrogate, surrogate.Detach(), [new(samples, values)], nextState);
    }
}
