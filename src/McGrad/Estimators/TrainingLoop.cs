using McGrad.Distributions;
using McGrad.Estimators.Relaxed;
using McGrad.Optim;
using McGrad.Randomness;

namespace McGrad.Estimators;

/// <summary>What one training step produced: its index (0-based) and the estimate it descended.</summary>
/// <param name="Step">The step's index t; its key was key.FoldIn(t).</param>
/// <param name="Estimate">The estimate (its Value is Ĵ at the parameters before the step).</param>
public sealed record TrainingStep(int Step, GradientEstimate Estimate);

/// <summary>
/// The estimate → backward (or variance tuning) → optimizer step → zero-grad loop: at step t, with key k_t = key.FoldIn(t),
/// ĝ = ∇ Estimate(p_θ, f, k_t, state).TrainingLoss; θ ← optimizer(θ, ĝ); state ← NextState.
/// </summary>
/// <remarks>
/// <para>The estimator's state is explicit: <see cref="State"/> starts at the estimator's initial state, is replaced by
/// every estimate's next state, and can be read for checkpoints or set to resume. With a <see cref="VarianceTuner"/>
/// (REBAR, RELAX), each step also moves the control variate down the gradient of Σĝ² and writes ĝ into the tuned
/// parameters' gradients instead of a plain backward pass (a learned baseline's loss is still descended).</para>
/// <para>One object per run: it is not thread-safe.</para>
/// </remarks>
public sealed class TrainingLoop
{
    private readonly IReadOnlyList<Tensor> _tuned;

    /// <summary>A loop that trains the optimizer's parameters with <paramref name="estimator"/>.</summary>
    /// <param name="estimator">The gradient estimator.</param>
    /// <param name="optimizer">Steps every parameter that should learn (upstream of the distribution and inside f).</param>
    /// <param name="tuner">Optional: tunes a REBAR/RELAX control variate on the estimate's variance.</param>
    /// <param name="tunedParameters">θ whose estimate's variance the tuner minimises (default: all of the optimizer's parameters).</param>
    public TrainingLoop(IGradientEstimator estimator, Optimizer optimizer, VarianceTuner? tuner = null, IReadOnlyList<Tensor>? tunedParameters = null)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentNullException.ThrowIfNull(optimizer);
        Estimator = estimator;
        Optimizer = optimizer;
        Tuner = tuner;
        _tuned = tunedParameters ?? [.. optimizer.Groups.SelectMany(g => g.Parameters)];
        State = estimator.InitialState;
    }

    /// <summary>The estimator.</summary>
    public IGradientEstimator Estimator { get; }

    /// <summary>The optimizer.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The variance tuner, if any.</summary>
    public VarianceTuner? Tuner { get; }

    /// <summary>The estimator's current state (null for stateless estimators); set it to resume from a checkpoint.</summary>
    public EstimatorState? State { get; set; }

    /// <summary>Steps taken so far: the next step's index.</summary>
    public int Steps { get; private set; }

    /// <summary>One step with the given key: estimate, backward (or tune), optimizer step, zero gradients, advance the state.</summary>
    /// <returns>The estimate descended.</returns>
    public GradientEstimate Step(Distribution distribution, Objective objective, RngKey key)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(objective);
        var estimate = Estimator.Estimate(distribution, objective, key, State);
        if (Tuner is null)
        {
            estimate.TrainingLoss.Backward();
        }
        else
        {
            Tuner.Step(estimate, _tuned, writeGrad: true);
            estimate.BaselineLoss?.Backward();
        }

        State = estimate.NextState;
        Optimizer.Step();
        Optimizer.ZeroGrad();
        Steps++;
        return estimate;
    }

    /// <summary>
    /// Runs <paramref name="steps"/> steps; step t uses key.FoldIn(t) (t counts from <see cref="Steps"/>, so a resumed
    /// loop continues the key sequence) and a distribution freshly built by <paramref name="distribution"/> from the
    /// current parameters. <paramref name="onStep"/> sees every step; <paramref name="evaluate"/> is called with the
    /// number of steps taken after every <paramref name="evaluateEvery"/> steps. Stops early when
    /// <paramref name="cancel"/> fires (between steps).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">steps &lt; 0, or evaluateEvery &lt; 1 with an evaluate hook.</exception>
    public void Run(int steps, Func<Distribution> distribution, Objective objective, RngKey key, Action<TrainingStep>? onStep = null, int evaluateEvery = 0, Action<int>? evaluate = null, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        ArgumentNullException.ThrowIfNull(distribution);
        if (evaluate is not null && evaluateEvery < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(evaluateEvery), evaluateEvery, "TrainingLoop.Run: evaluateEvery must be >= 1 when an evaluate hook is given.");
        }

        for (var i = 0; i < steps && !cancel.IsCancellationRequested; i++)
        {
            var t = Steps;
            var estimate = Step(distribution(), objective, key.FoldIn((uint)t));
            onStep?.Invoke(new TrainingStep(t, estimate));
            if (evaluate is not null && Steps % evaluateEvery == 0)
            {
                evaluate(Steps);
            }
        }
    }
}
