using System.Diagnostics;
using McGrad.Autodiff;
using McGrad.Data;
using McGrad.Estimators.Policy;
using McGrad.Optim;
using McGrad.Randomness;
using McGrad.Rl.Policies;

namespace McGrad.Rl.Training;

/// <summary>Where a PPO run stands: environment steps so far, the update, throughput and the mean return of recent episodes.</summary>
/// <param name="Steps">Environment steps taken (all copies).</param>
/// <param name="Update">Updates done (1-based after the first).</param>
/// <param name="Updates">Updates in the run.</param>
/// <param name="StepsPerSecond">Environment steps per wall-clock second so far (rollouts and updates).</param>
/// <param name="RecentReturn">Mean return of the last (up to) 100 finished episodes, or null before the first.</param>
/// <param name="Loss">The last minibatch's PPO loss, or null before the first update.</param>
public sealed record PpoProgress(long Steps, int Update, int Updates, double StepsPerSecond, double? RecentReturn, PpoResult? Loss);

/// <summary>A finished episode: the global step at which it ended, its return and its length.</summary>
public readonly record struct EpisodeRecord(long Step, double Return, int Length);

/// <summary>The outcome of a PPO run: every finished episode in order, the throughput, and the trained agent.</summary>
public sealed record PpoRun(IReadOnlyList<EpisodeRecord> Episodes, double StepsPerSecond, long Steps, ActorCritic Agent)
{
    /// <summary>Mean return of the last <paramref name="count"/> finished episodes (NaN if none).</summary>
    public double MeanReturnOfLast(int count = 100) => Episodes.Count == 0 ? double.NaN : Episodes.Skip(Math.Max(0, Episodes.Count - count)).Average(e => e.Return);
}

/// <summary>
/// Proximal policy optimisation (Schulman et al. 2017) as in CleanRL's ppo.py, read top to bottom: for each update,
/// (1) anneal lr; (2) roll out T steps on N copies with π_old, recording s, a, log π_old(a|s), V_old(s), r, done;
/// (3) GAE(γ, λ) advantages Â and returns R = Â + V_old, bootstrapping from V(s_T) and, on truncation, from V(s_final);
/// (4) E epochs over M shuffled minibatches of the clipped surrogate
/// L = −mean min(ρÂ, clip(ρ, 1 ± ε)Â) + c_v·½ mean max((V − R)², (V_old + clip(V − V_old, ±ε_v) − R)²) − c_e·mean H(π),
/// ρ = π(a|s)/π_old(a|s), Â normalised per minibatch; gradient norm clipped, Adam(lr, ε).
/// </summary>
/// <remarks>
/// Deterministic from the key: copy i of the vector env resets from key.FoldIn(0).FoldIn(i) (then the episode count),
/// actions at step t from key.FoldIn(1).FoldIn(t), minibatch order at (update, epoch) from key.FoldIn(2).FoldIn(update)
/// .FoldIn(epoch). The loss is <see cref="PpoLoss"/>, the advantages <see cref="Gae"/>.
/// </remarks>
public sealed class PpoTrainer
{
    private readonly RngKey _key;

    /// <summary>A trainer for the environment <paramref name="environmentId"/> (see <see cref="Environments.Ids"/>).</summary>
    /// <exception cref="ArgumentException">Unknown environment id (the message lists the valid ones).</exception>
    public PpoTrainer(string environmentId, PpoConfig config, RngKey key)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        EnvironmentId = environmentId;
        _key = key;
        Envs = new VectorEnv(_ => Wrap(Environments.Make(environmentId), config), config.Envs);
        Agent = new ActorCritic(Envs.ObservationSize, Envs.SingleActionSpace, key.FoldIn(3), config.Hidden);
        if (Agent.LogStd is { } logStd && config.InitialLogStd != 0)
        {
            McGrad.Nn.Init.ConstantInPlace(logStd, config.InitialLogStd);
        }
    }

    /// <summary>The configuration.</summary>
    public PpoConfig Config { get; }

    /// <summary>The environment id.</summary>
    public string EnvironmentId { get; }

    /// <summary>The vector environment (N wrapped copies).</summary>
    public VectorEnv Envs { get; }

    /// <summary>The agent being trained.</summary>
    public ActorCritic Agent { get; }

    /// <summary>
    /// Each copy: ClipAction for Box actions; with <see cref="PpoConfig.NormalizeObservations"/>, NormalizeObservation then
    /// ClipObservation(10); with <see cref="PpoConfig.NormalizeRewards"/>, NormalizeReward(γ) then ClipReward(10) — CleanRL's
    /// continuous wrapper stack. Episode statistics are those of the raw environment.
    /// </summary>
    public static IEnvironment Wrap(IEnvironment env, PpoConfig config)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(config);
        if (env.ActionSpace is BoxSpace)
        {
            env = new ClipAction(env);
        }

        if (config.NormalizeObservations)
        {
            env = new ClipObservation(new NormalizeObservation(env));
        }

        if (config.NormalizeRewards)
        {
            env = new ClipReward(new NormalizeReward(env, config.Gamma));
        }

        return env;
    }

    /// <summary>Trains for <see cref="PpoConfig.Updates"/> updates; <paramref name="progress"/> is called after each.</summary>
    public PpoRun Train(Action<PpoProgress>? progress = null, CancellationToken cancel = default)
    {
        var c = Config;
        int n = c.Envs, t = c.StepsPerRollout, batch = c.BatchSize, obsSize = Envs.ObservationSize;
        var discrete = Agent.Head == PolicyHead.Categorical;
        var actSize = discrete ? 1 : Agent.ActionCount;
        var updates = c.Updates;
        Schedule lr = c.AnnealLearningRate
            ? Schedule.FromFunc(s => c.LearningRate * (1.0 - ((double)(s / (c.Epochs * c.Minibatches)) / updates)), "CleanRL linear anneal")
            : c.LearningRate;
        var optimizer = new Optimizer(Agent.Parameters(), Transforms.Chain(Transforms.ClipByGlobalNorm(c.MaxGradNorm), Transforms.ScaleByAdam(epsilon: c.AdamEpsilon), Transforms.ScaleByLearningRate(lr)));
        var options = new PpoOptions { ClipLow = c.Clip, ClipHigh = c.Clip, ValueClip = c.ValueClip, ValueCoefficient = c.ValueCoefficient, EntropyCoefficient = c.EntropyCoefficient };

        var obs = new float[batch * obsSize];
        var actions = new float[batch * actSize];
        var logProbs = new float[batch];
        var values = new float[batch];
        var rewards = new float[batch];
        var dones = new float[batch];
        var envActions = new double[n * actSize];
        var finalValues = new double[n];
        var episodes = new List<EpisodeRecord>();
        var current = new float[n * obsSize];
        ToFloat(Envs.Reset(_key.FoldIn(0)), current);
        var actionKey = _key.FoldIn(1);
        long steps = 0;
        PpoResult? last = null;
        var clock = Stopwatch.StartNew();
        for (var update = 1; update <= updates && !cancel.IsCancellationRequested; update++)
        {
            for (var step = 0; step < t; step++)
            {
                var row = step * n;
                Array.Copy(current, 0, obs, row * obsSize, n * obsSize);
                using (Autograd.NoGrad())
                {
                    var s = Tensor.FromArray(current, n, obsSize);
                    var pi = Agent.Policy(s);
                    var a = pi.Sample(actionKey.FoldIn((uint)(steps / n)));
                    pi.LogProb(a).ToFloatArray().CopyTo(logProbs, row);
                    Agent.Value(s).ToFloatArray().CopyTo(values, row);
                    var av = a.ToDoubleArray();
                    for (var i = 0; i < av.Length; i++)
                    {
                        actions[(row * actSize) + i] = (float)av[i];
                        envActions[i] = av[i];
                    }
                }

                Agent.ToEnvironmentActions(envActions);
                var result = Envs.Step(envActions);
                steps += n;
                BootstrapTruncated(result, rewards, row, finalValues, c);
                for (var i = 0; i < n; i++)
                {
                    dones[row + i] = result.Done(i) ? 1f : 0f;
                    if (result.Episodes[i] is { } e)
                    {
                        episodes.Add(new EpisodeRecord(steps, e.Return, e.Length));
                    }
                }

                ToFloat(result.Observations, current);
            }

            Tensor bootstrap;
            using (Autograd.NoGrad())
            {
                bootstrap = Agent.Value(Tensor.FromArray(current, n, obsSize)).Detach();
            }

            var gae = Gae.Compute(Tensor.FromArray(rewards, t, n), Tensor.FromArray(values, t, n), Tensor.FromArray(dones, t, n), bootstrap, c.Gamma, c.GaeLambda);
            last = Optimise(update, optimizer, options, obs, actions, logProbs, values, gae, discrete, actSize) ?? last;
            var recent = episodes.Count == 0 ? (double?)null : episodes.Skip(Math.Max(0, episodes.Count - 100)).Average(e => e.Return);
            progress?.Invoke(new PpoProgress(steps, update, updates, steps / clock.Elapsed.TotalSeconds, recent, last));
        }

        return new PpoRun(episodes, steps / clock.Elapsed.TotalSeconds, steps, Agent);
    }

    /// <summary>The step's rewards into <paramref name="rewards"/>[row…], with γ·V(s_final) added for truncated copies (when configured).</summary>
    private void BootstrapTruncated(VectorStep result, float[] rewards, int row, double[] finalValues, PpoConfig c)
    {
        var n = result.Count;
        Array.Clear(finalValues);
        if (c.BootstrapTruncation)
        {
            for (var i = 0; i < n; i++)
            {
                if (result.Truncated[i] && !result.Terminated[i] && result.FinalObservations[i] is { } final)
                {
                    using (Autograd.NoGrad())
                    {
                        finalValues[i] = Agent.Value(Tensor.FromArray(ToFloat(final), 1, final.Length)).Item();
                    }
                }
            }
        }

        var r = TruncationBootstrap.Rewards(result.Rewards, result.Terminated, result.Truncated, finalValues, c.BootstrapTruncation ? c.Gamma : 0);
        for (var i = 0; i < n; i++)
        {
            rewards[row + i] = (float)r[i];
        }
    }

    private PpoResult? Optimise(int update, Optimizer optimizer, PpoOptions options, float[] obs, float[] actions, float[] logProbs, float[] values, GaeResult gae, bool discrete, int actSize)
    {
        var c = Config;
        int batch = c.BatchSize, size = c.MinibatchSize, obsSize = Envs.ObservationSize;
        var bObs = Tensor.FromArray(obs, batch, obsSize);
        Tensor bActions;
        if (discrete)
        {
            var indices = new long[batch];
            for (var i = 0; i < batch; i++)
            {
                indices[i] = (long)actions[i];
            }

            bActions = Tensor.FromArray(indices, batch);
        }
        else
        {
            bActions = Tensor.FromArray(actions, batch, actSize);
        }

        var minibatch = new long[size];
        var bLogProbs = Tensor.FromArray(logProbs, batch);
        var bValues = Tensor.FromArray(values, batch);
        var bAdvantages = gae.Advantages.Reshape(batch);
        var bReturns = gae.Returns.Reshape(batch);
        PpoResult? last = null;
        for (var epoch = 0; epoch < c.Epochs; epoch++)
        {
            var order = DataLoader.Permutation(_key.FoldIn(2).FoldIn((uint)update).FoldIn((uint)epoch), batch);
            for (var m = 0; m < c.Minibatches; m++)
            {
                for (var i = 0; i < size; i++)
                {
                    minibatch[i] = order[(m * size) + i];
                }

                var index = Tensor.FromArray(minibatch, size);
                var mbObs = bObs.IndexSelect(0, index);
                var pi = Agent.Policy(mbObs);
                var newLogProbs = pi.LogProb(bActions.IndexSelect(0, index));
                var advantages = bAdvantages.IndexSelect(0, index);
                if (c.NormalizeAdvantages)
                {
                    advantages = (advantages - advantages.Mean()) / (advantages.Std() + 1e-8);
                }

                var valueClip = c.ValueClip is not null;
                last = PpoLoss.Compute(
                    newLogProbs,
                    bLogProbs.IndexSelect(0, index),
                    advantages,
                    options,
                    Agent.Value(mbObs),
                    bReturns.IndexSelect(0, index),
                    valueClip ? bValues.IndexSelect(0, index) : null,
                    pi.Entropy());
                last.Loss.Backward();
                optimizer.Step();
                optimizer.ZeroGrad();
            }
        }

        return last;
    }

    private static float[] ToFloat(double[] values)
    {
        var f = new float[values.Length];
        ToFloat(values, f);
        return f;
    }

    private static void ToFloat(double[] values, float[] into)
    {
        for (var i = 0; i < values.Length; i++)
        {
            into[i] = (float)values[i];
        }
    }
}
