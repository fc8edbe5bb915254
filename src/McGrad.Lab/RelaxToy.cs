using McGrad.Distributions;
using McGrad.Estimators;
using McGrad.Estimators.Discrete;
using McGrad.Estimators.Problems;
using McGrad.Estimators.Relaxed;
using McGrad.Estimators.ScoreFunction;
using McGrad.Nn;
using McGrad.Optim;
using McGrad.Randomness;

namespace McGrad.Lab;

/// <summary>
/// The RELAX toy (Grathwohl et al. 2018, Fig. 1; Tucker et al. 2017): minimise E[(b − t)²], b ∼ Bernoulli(σ(θ)), from θ = 0
/// with Adam; REBAR and RELAX tune their control variates online (<see cref="VarianceTuner"/>, Adam). Records the exact loss
/// E f = σ(θ)(1 − t)² + (1 − σ(θ))t² and the variance of the gradient estimate at the current θ and control variate.
/// </summary>
public static class RelaxToy
{
    /// <summary>A method: name, a fresh estimator (from a key for network weights), whether its control variate is tuned.</summary>
    public sealed record Method(string Name, Func<RngKey, IGradientEstimator> Create);

    /// <summary>REINFORCE, DisARM (no tuned parts), REBAR (η and λ tuned) and RELAX (a 1–10–1 tanh network, tuned).</summary>
    public static IReadOnlyList<Method> Methods { get; } =
    [
        new("REINFORCE", _ => new Reinforce()),
        new("DisARM", _ => new DisArm()),
        new("REBAR (η, λ tuned)", _ => new Rebar()),
        new("RELAX (network 1-10-1, tuned)", k => Relax.WithNetwork(new Mlp([1, 10, 1], Activation.Tanh, k, dtype: DType.Float64), temperature: 0.5)),
    ];

    /// <summary>The result of one method: checkpoints (step), exact loss, and gradient variance at each checkpoint.</summary>
    public sealed record Trace(double[] Steps, double[] Loss, double[] Variance, double[] Theta);

    /// <summary>
    /// Trains θ (from 0) for <paramref name="steps"/> Adam steps (learning rate <paramref name="lr"/>; the control variate's
    /// tuner uses the same rate), one estimate per step with key.FoldIn(step); every <paramref name="every"/> steps measures the
    /// variance with <paramref name="varianceEstimates"/> EstimatorCheck estimates at the current θ (control variate frozen).
    /// </summary>
    public static Trace Train(Method method, double target, int steps, int every, int varianceEstimates, double lr, RngKey key, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(method);
        var estimator = method.Create(key.FoldIn(1_000_000));
        var theta = Tensor.Scalar(0.0, DType.Float64).RequireGrad();
        var tuner = estimator is IControlVariateEstimator cv && cv.ControlVariate.Parameters.Count > 0 ? new VarianceTuner(cv, Transforms.Adam(lr)) : null;
        var loop = new TrainingLoop(estimator, new Optimizer([theta], Transforms.Adam(lr)), tuner);
        Objective f = b => (b - target).Square();
        var stepsAt = new List<double>();
        var loss = new List<double>();
        var variance = new List<double>();
        var thetas = new List<double>();
        void Checkpoint(int t)
        {
            var th = theta.Item();
            stepsAt.Add(t);
            thetas.Add(th);
            loss.Add(BernoulliToy.Expectation(target, th));
            var check = EstimatorCheck.Run(estimator, BernoulliToy.Create(target, th), key.FoldIn(2_000_000 + (uint)t), varianceEstimates);
            variance.Add(check.Parameters[0].Variance);
        }

        Checkpoint(0);
        loop.Run(steps, () => new Bernoulli(logits: theta), f, key, evaluateEvery: every, evaluate: Checkpoint, cancel: cancel);
        return new Trace([.. stepsAt], [.. loss], [.. variance], [.. thetas]);
    }
}
