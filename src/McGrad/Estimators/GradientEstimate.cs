namespace McGrad.Estimators;

/// <summary>One call of f made by an estimator: the samples passed in and the values f returned (recorded).</summary>
/// <param name="Samples">The tensor passed to f (detached from θ for score-function estimators; a path to θ for pathwise ones).</param>
/// <param name="Values">f(Samples), as recorded: its gradient reaches parameters inside f.</param>
public sealed record ObjectiveEvaluation(Tensor Samples, Tensor Values);

/// <summary>
/// One estimate: a surrogate scalar s with value Ĵ whose gradient is the estimate, the Monte Carlo value Ĵ of J, the
/// evaluations of f it was built from, and (for stateful estimators) the next state.
/// </summary>
public sealed record GradientEstimate
{
    private readonly Func<EstimatorState?>? _nextState;

    /// <summary>An estimate from its surrogate, value and evaluations, with the state after it (null for stateless estimators).</summary>
    /// <param name="surrogate">The surrogate scalar (see <see cref="Surrogate"/>).</param>
    /// <param name="value">The Monte Carlo estimate Ĵ (detached).</param>
    /// <param name="evaluations">The calls of f, in call order.</param>
    /// <param name="nextState">Returns the state after this estimate; called when <see cref="NextState"/> is read.</param>
    /// <param name="baselineLoss">The regression loss of a learned baseline, or null.</param>
    public GradientEstimate(Tensor surrogate, Tensor value, IReadOnlyList<ObjectiveEvaluation> evaluations, Func<EstimatorState?>? nextState = null, Tensor? baselineLoss = null)
    {
        ArgumentNullException.ThrowIfNull(surrogate);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(evaluations);
        Surrogate = surrogate;
        Value = value;
        Evaluations = evaluations;
        _nextState = nextState;
        BaselineLoss = baselineLoss;
    }

    /// <summary>
    /// A scalar s whose value is Ĵ and whose gradient is the estimate: ∇θ s = ĝ for the distribution's parameters (and on
    /// into whatever produced them), ∇φ s = ∇φ Ĵ for parameters inside f.
    /// </summary>
    public Tensor Surrogate { get; }

    /// <summary>Ĵ, the Monte Carlo estimate of Σ_batch E[f(x)] from the same evaluations (detached; equal to the surrogate's value).</summary>
    public Tensor Value { get; }

    /// <summary>Every call of f the estimate made, with its samples and recorded values.</summary>
    public IReadOnlyList<ObjectiveEvaluation> Evaluations { get; }

    /// <summary>The samples of the estimator's single call of f ([K, *batch, *event]; ARM/DisARM stack their pairs as [2, K, …]).</summary>
    /// <exception cref="InvalidOperationException">The estimator called f more than once (measure-valued derivatives): read <see cref="Evaluations"/>.</exception>
    public Tensor Samples => Single().Samples;

    /// <summary>The per-sample values of f from the single call ([K, *batch], recorded).</summary>
    /// <exception cref="InvalidOperationException">The estimator called f more than once: read <see cref="Evaluations"/>.</exception>
    public Tensor Values => Single().Values;

    /// <summary>
    /// The estimator's state after this estimate, to pass to the next <see cref="IGradientEstimator.Estimate"/> (null for
    /// stateless estimators). For AIMLE the state depends on the backward pass: read it after calling Backward.
    /// </summary>
    /// <exception cref="InvalidOperationException">The state is not known yet (AIMLE before the backward pass).</exception>
    public EstimatorState? NextState => _nextState?.Invoke();

    /// <summary>
    /// The regression loss mean((b_ψ − f)²) of a learned baseline b_ψ (recorded; its gradient trains ψ), or null. The
    /// surrogate does not contain it: descend <see cref="TrainingLoss"/> to train the baseline with the same step.
    /// </summary>
    public Tensor? BaselineLoss { get; }

    /// <summary><see cref="Surrogate"/> + <see cref="BaselineLoss"/> (just the surrogate when there is no learned baseline).</summary>
    public Tensor TrainingLoss => BaselineLoss is null ? Surrogate : Surrogate + BaselineLoss;

    private ObjectiveEvaluation Single() => Evaluations.Count == 1
        ? Evaluations[0]
        : throw new InvalidOperationException($"GradientEstimate: the estimator called f {Evaluations.Count} times; read Evaluations for each call's samples and values.");
}
