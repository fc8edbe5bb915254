using System.Diagnostics;
using McGrad.Autodiff;
using McGrad.Optim;
using McGrad.Randomness;
using McGrad.Rl.Differentiable;

namespace McGrad.Rl.Training.Analytic;

/// <summary>Where an analytic-gradient run stands: the epoch just finished and its record.</summary>
public sealed record AnalyticProgress(int Epoch, int Epochs, AnalyticEpoch Record);

/// <summary>
/// Policy learning on a differentiable environment by the five methods of GI-PPO's study (Son et al. 2023, code
/// SonSang/gippo), read top to bottom. Each epoch: (1) roll out T steps on N copies with a = μ(s) + σ(s)⊙ε, the
/// environment receiving tanh(a); for RP, LR+RP and GI-PPO the rollout stays on the simulator's graph; (2) GAE advantages
/// A_t from the target critic's values, in the graph; (3) the method's actor update (<see cref="AnalyticMethod"/>);
/// (4) the critic fitted to A + V (16 passes × 4 minibatches), the target critic moved by Polyak averaging; (5) for PPO
/// and GI-PPO, PPO's clipped surrogate over the rollout.
/// </summary>
/// <remarks>
/// <para>Observations are normalised by running statistics and values by running statistics of the critic targets
/// (gippo's normalize_input / normalize_value), both frozen during a rollout. Each actor optimisation that ends with a
/// higher loss than it started is undone and retried with the learning rate divided by 1.5 (gippo's max_optim_iter).</para>
/// <para>Deterministic from the key: epoch e's rollout noise from key.FoldIn(1).FoldIn(e), LR+RP's sample choice from
/// key.FoldIn(2).FoldIn(e); networks from key.FoldIn(3) (actor) and key.FoldIn(4) (critic).</para>
/// </remarks>
public sealed partial class AnalyticTrainer
{
    private const double MinLearningRate = 1e-5;
    private readonly RngKey _key;
    private readonly GaussianActor _actor;
    private readonly ValueCritic _critic;
    private readonly ValueCritic _targetCritic;
    private readonly Tensor[] _actorParameters;
    private readonly RunningMeanStd _observationStats;
    private readonly RunningMeanStd _valueStats = new(1);
    private readonly Optimizer _actorOptimizer;
    private readonly Optimizer _criticOptimizer;
    private readonly Queue<double> _recentReturns = new();
    private readonly double[] _episodeReturns;
    private Tensor _state;
    private int _episodeStep;
    private int _epoch;
    private long _steps;
    private double _actorLearningRate;
    private double _criticLearningRate;

    /// <summary>A trainer of a fresh actor and critic on <paramref name="environment"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An invalid configuration (see <see cref="AnalyticConfig.Validate"/>).</exception>
    public AnalyticTrainer(IDifferentiableEnvironment environment, AnalyticConfig config, RngKey key)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Environment = environment;
        Config = config;
        _key = key;
        _actor = new GaussianActor(environment.ObservationSize, environment.ActionSize, config.Hidden, key.FoldIn(3));
        _critic = new ValueCritic(environment.ObservationSize, config.Hidden, key.FoldIn(4));
        _targetCritic = new ValueCritic(environment.ObservationSize, config.Hidden, key.FoldIn(4));
        _actorParameters = [.. _actor.Parameters()];
        _observationStats = new RunningMeanStd(environment.ObservationSize);
        _episodeReturns = new double[config.Actors];
        _actorLearningRate = config.ActorLearningRate;
        _criticLearningRate = config.CriticLearningRate;
        _actorOptimizer = AdamWithClip(_actorParameters, config.Beta1, config.Beta2, () => _actorLearningRate);
        _criticOptimizer = AdamWithClip(_critic.Parameters(), config.Beta1, config.Beta2, () => _criticLearningRate);
        _ppoLearningRate = config.ActorLearningRate;
        _alphaLearningRate = config.AlphaLearningRate;
        _alphaStepLearningRate = config.AlphaLearningRate;
        _alpha = config.InitialAlpha;
        // gippo's PPO optimizer is torch's Adam with its default betas (0.9, 0.999).
        _ppoOptimizer = AdamWithClip(_actorParameters, 0.9, 0.999, () => _ppoLearningRate);
        _alphaOptimizer = AdamWithClip(_actorParameters, config.Beta1, config.Beta2, () => _alphaStepLearningRate);
        _state = environment.Reset(config.Actors, key.FoldIn(0));
    }

    /// <summary>The environment.</summary>
    public IDifferentiableEnvironment Environment { get; }

    /// <summary>The configuration.</summary>
    public AnalyticConfig Config { get; }

    /// <summary>The actor being trained.</summary>
    public GaussianActor Actor => _actor;

    /// <summary>The critic being trained.</summary>
    public ValueCritic Critic => _critic;

    /// <summary>Trains for <see cref="AnalyticConfig.Epochs"/> epochs; <paramref name="progress"/> is called after each.</summary>
    public AnalyticRun Train(Action<AnalyticProgress>? progress = null, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        var records = new List<AnalyticEpoch>(Config.Epochs);
        while (_epoch < Config.Epochs && !cancel.IsCancellationRequested)
        {
            var record = TrainEpoch();
            records.Add(record);
            progress?.Invoke(new AnalyticProgress(record.Epoch, Config.Epochs, record));
        }

        return new AnalyticRun(Environment.Id, Config, records, clock.Elapsed.TotalSeconds);
    }

    /// <summary>One epoch: rollout, the method's actor update, critic update, and PPO for PPO and GI-PPO.</summary>
    public AnalyticEpoch TrainEpoch()
    {
        _epoch++;
        var method = Config.Method;
        var scheduled = Config.LinearSchedule && method != AnalyticMethod.Ppo;
        var fraction = (double)_epoch / Config.Epochs;
        if (scheduled)
        {
            _criticLearningRate = ((MinLearningRate - Config.CriticLearningRate) * fraction) + Config.CriticLearningRate;
            if (method is AnalyticMethod.Rp or AnalyticMethod.Lr or AnalyticMethod.LrRp)
            {
                _actorLearningRate = ((MinLearningRate - Config.ActorLearningRate) * fraction) + Config.ActorLearningRate;
            }
        }

        var analytic = method is AnalyticMethod.Rp or AnalyticMethod.LrRp or AnalyticMethod.GiPpo;
        AnalyticRollout rollout;
        using (analytic ? Autograd.EnableGrad() : Autograd.NoGrad())
        {
            rollout = Rollout(_key.FoldIn(1).FoldIn((uint)_epoch));
        }

        var advantages = rollout.Advantages(Config.Gamma, Config.Lambda);
        double lrWeight = double.NaN, outOfRange = double.NaN, improvement = double.NaN, alpha = double.NaN;
        switch (method)
        {
            case AnalyticMethod.Rp:
                UpdateRp(rollout, advantages);
                break;
            case AnalyticMethod.Lr:
                UpdateLr(rollout, advantages);
                break;
            case AnalyticMethod.LrRp:
                lrWeight = UpdateLrRp(rollout, advantages, _key.FoldIn(2).FoldIn((uint)_epoch));
                break;
            case AnalyticMethod.GiPpo:
                alpha = _alpha;
                (outOfRange, improvement) = UpdateAlphaPolicy(rollout, advantages);
                break;
        }

        var detached = advantages.Select(a => a.Detach()).ToArray();
        UpdateCritic(rollout, detached);
        if (method is AnalyticMethod.Ppo or AnalyticMethod.GiPpo)
        {
            UpdatePpo(rollout, detached, mixture: method == AnalyticMethod.GiPpo);
        }

        var batchReward = rollout.Rewards.Average(r => r.Detach().Mean().Item());
        var meanReturn = _recentReturns.Count == 0 ? double.NaN : _recentReturns.Average();
        var lr = method is AnalyticMethod.Ppo or AnalyticMethod.GiPpo ? _ppoLearningRate : _actorLearningRate;
        return new AnalyticEpoch(_epoch, _steps, meanReturn, batchReward, alpha, outOfRange, improvement, lrWeight, lr);
    }

    /// <summary>Rolls out Horizon steps from the current states; the graph starts at the (detached) current states.</summary>
    private AnalyticRollout Rollout(RngKey key)
    {
        var rollout = new AnalyticRollout();
        var (obsMean, obsScale) = Frozen(_observationStats);
        var (valueMean, valueScale) = Frozen(_valueStats);
        Tensor Normalise(Tensor observation) => (observation - obsMean) / obsScale;
        Tensor Value(Tensor observation) => (_targetCritic.Forward(observation).Reshape(observation.Shape[0]) * valueScale) + valueMean;
        var n = Config.Actors;
        var state = _state.Detach();
        for (var t = 0; t < Config.Horizon; t++)
        {
            var keys = key.FoldIn((uint)t).Split(3);
            var raw = Environment.Observe(state);
            UpdateStats(_observationStats, raw);
            var observation = Normalise(raw);
            var (mean, std) = _actor.Distribution(observation);
            var noise = Sampler.Normal(keys[0], mean.Shape, mean.DType);
            var action = mean + (std * noise);
            var step = Environment.Step(state, action.Tanh(), keys[1]);
            rollout.Starts.Add(t == 0 || rollout.Done[t - 1]);
            rollout.Observations.Add(observation);
            rollout.Actions.Add(action);
            rollout.Noise.Add(noise);
            rollout.Means.Add(mean.Detach());
            rollout.Stds.Add(std.Detach());
            rollout.NegativeLogProbs.Add(GaussianActor.NegativeLogProb(action.Detach(), mean.Detach(), std.Detach()));
            rollout.Values.Add(Value(observation));
            rollout.NextValues.Add(Value(Normalise(Environment.Observe(step.State))));
            rollout.Rewards.Add(step.Reward);
            _steps += n;
            _episodeStep++;
            var done = _episodeStep == Environment.EpisodeLength;
            rollout.Done.Add(done);
            var rewards = step.Reward.Detach().To(DType.Float64).AsReadOnlySpan<double>();
            for (var i = 0; i < n; i++)
            {
                _episodeReturns[i] += rewards[i];
            }

            if (done)
            {
                foreach (var r in _episodeReturns)
                {
                    _recentReturns.Enqueue(r);
                    if (_recentReturns.Count > 100)
                    {
                        _recentReturns.Dequeue();
                    }
                }

                Array.Clear(_episodeReturns);
                _episodeStep = 0;
                state = Environment.Reset(n, keys[2]);
            }
            else
            {
                state = step.State;
            }
        }

        _state = state.Detach();
        return rollout;
    }

    /// <summary>The critic fitted to the targets A + V; then target ← α·target + (1 − α)·critic.</summary>
    private void UpdateCritic(AnalyticRollout rollout, Tensor[] advantages)
    {
        Tensor observations, targets;
        using (Autograd.NoGrad())
        {
            observations = Tensor.Concat([.. rollout.Observations.Select(o => o.Detach())], 0);
            targets = Tensor.Concat([.. advantages.Select((a, t) => a + rollout.Values[t].Detach())], 0);
        }

        UpdateStats(_valueStats, targets.Reshape(targets.Shape[0], 1));
        var (valueMean, valueScale) = Frozen(_valueStats);
        var size = targets.Shape[0] / Config.CriticMinibatches;
        for (var iteration = 0; iteration < Config.CriticIterations; iteration++)
        {
            for (var b = 0; b < Config.CriticMinibatches; b++)
            {
                var obs = observations.Narrow(0, b * size, size);
                var predicted = (_critic.Forward(obs).Reshape(size) * valueScale) + valueMean;
                var loss = (predicted - targets.Narrow(0, b * size, size)).Square().Mean();
                _criticOptimizer.ZeroGrad();
                loss.Backward();
                _criticOptimizer.Step();
            }
        }

        _criticOptimizer.ZeroGrad();
        var alpha = Config.TargetCriticAlpha;
        foreach (var (target, source) in _targetCritic.Parameters().Zip(_critic.Parameters()))
        {
            var t = target.AsSpan<float>();
            var s = source.AsReadOnlySpan<float>();
            for (var i = 0; i < t.Length; i++)
            {
                t[i] = (float)((alpha * t[i]) + ((1 - alpha) * s[i]));
            }
        }
    }

    /// <summary>Adam (β₁, β₂, ε = 1e-8) after a global-norm clip, with a learning rate read at every step.</summary>
    private Optimizer AdamWithClip(IEnumerable<Tensor> parameters, double beta1, double beta2, Func<double> learningRate) =>
        new(parameters, Transforms.Chain(
            Transforms.ClipByGlobalNorm(Config.MaxGradNorm),
            Transforms.ScaleByAdam(beta1, beta2, 1e-8),
            Transforms.ScaleByLearningRate(Schedule.FromFunc(_ => learningRate(), "set by the trainer"))));

    /// <summary>Merges the rows of <paramref name="batch"/> [n, k] into <paramref name="stats"/>.</summary>
    private static void UpdateStats(RunningMeanStd stats, Tensor batch)
    {
        using var _ = Autograd.NoGrad();
        var x = batch.Detach().To(DType.Float64);
        var mean = x.Mean(0).AsReadOnlySpan<double>().ToArray();
        var variance = x.Var(0, correction: 0).AsReadOnlySpan<double>().ToArray();
        stats.UpdateFromMoments(mean, variance, x.Shape[0]);
    }

    /// <summary>The statistics as constant float32 tensors: the mean and √(var + 1e-5).</summary>
    private static (Tensor Mean, Tensor Scale) Frozen(RunningMeanStd stats)
    {
        var mean = new float[stats.Size];
        var scale = new float[stats.Size];
        for (var i = 0; i < stats.Size; i++)
        {
            mean[i] = (float)stats.Mean[i];
            scale[i] = (float)Math.Sqrt(stats.Var[i] + 1e-5);
        }

        return (Tensor.FromArray(mean, stats.Size), Tensor.FromArray(scale, stats.Size));
    }

    /// <summary>A copy of the actor's parameter values.</summary>
    private float[][] SaveActor() => [.. _actorParameters.Select(p => p.AsReadOnlySpan<float>().ToArray())];

    /// <summary>Writes saved values back into the actor's parameters.</summary>
    private void RestoreActor(float[][] saved)
    {
        for (var i = 0; i < saved.Length; i++)
        {
            saved[i].CopyTo(_actorParameters[i].AsSpan<float>());
        }
    }
}
