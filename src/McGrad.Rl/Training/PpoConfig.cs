namespace McGrad.Rl.Training;

/// <summary>
/// Every PPO hyperparameter in one place, with CleanRL's ppo.py defaults (the discrete configuration) beside each:
/// N envs × T steps per rollout, E epochs of M minibatches, lr linearly annealed to 0, Adam ε, γ, GAE λ, clip ε (and
/// the value clip), entropy and value coefficients, gradient-norm clip, per-minibatch advantage normalisation.
/// </summary>
/// <remarks>
/// <para><b>Truncation.</b> CleanRL treats a time-limit truncation like a termination (no bootstrap). McGrad's default
/// (<see cref="BootstrapTruncation"/>) adds γ·V(s_final) to the reward of a truncated step, with s_final the real final
/// observation the vector env keeps (SAME_STEP autoreset), so the return of a cut episode is not mistaken for the end of
/// the task (Pardo et al. 2018, "Time limits in reinforcement learning"). This alone turns CleanRL's continuous defaults
/// from failing on Pendulum-v1 (−1136 without it, 2 seeds) into solving it (docs/rl.md).</para>
/// </remarks>
public sealed record PpoConfig
{
    /// <summary>Parallel environment copies N (CleanRL: 4).</summary>
    public int Envs { get; init; } = 4;

    /// <summary>Steps per copy per rollout T (CleanRL: 128); the batch is N·T.</summary>
    public int StepsPerRollout { get; init; } = 128;

    /// <summary>Total environment steps (CleanRL: 500 000).</summary>
    public long TotalSteps { get; init; } = 500_000;

    /// <summary>Adam learning rate (CleanRL: 2.5e-4).</summary>
    public double LearningRate { get; init; } = 2.5e-4;

    /// <summary>Anneal the learning rate linearly to 0 over the updates (CleanRL: true).</summary>
    public bool AnnealLearningRate { get; init; } = true;

    /// <summary>Adam ε (CleanRL: 1e-5, not PyTorch's 1e-8).</summary>
    public double AdamEpsilon { get; init; } = 1e-5;

    /// <summary>Discount γ (CleanRL: 0.99).</summary>
    public double Gamma { get; init; } = 0.99;

    /// <summary>GAE λ (CleanRL: 0.95).</summary>
    public double GaeLambda { get; init; } = 0.95;

    /// <summary>Minibatches per epoch M (CleanRL: 4).</summary>
    public int Minibatches { get; init; } = 4;

    /// <summary>Epochs per update E (CleanRL: 4).</summary>
    public int Epochs { get; init; } = 4;

    /// <summary>Normalise advantages within each minibatch (CleanRL: true).</summary>
    public bool NormalizeAdvantages { get; init; } = true;

    /// <summary>Surrogate clip ε (CleanRL: 0.2).</summary>
    public double Clip { get; init; } = 0.2;

    /// <summary>Value clip ε_v (CleanRL: clip_vloss with ε_v = ε = 0.2); null turns it off.</summary>
    public double? ValueClip { get; init; } = 0.2;

    /// <summary>Entropy coefficient (CleanRL: 0.01).</summary>
    public double EntropyCoefficient { get; init; } = 0.01;

    /// <summary>Value-loss coefficient (CleanRL: 0.5).</summary>
    public double ValueCoefficient { get; init; } = 0.5;

    /// <summary>Global gradient-norm clip (CleanRL: 0.5).</summary>
    public double MaxGradNorm { get; init; } = 0.5;

    /// <summary>Bootstrap from V(real final observation) on truncation (CleanRL: false, it treats truncation as termination).</summary>
    public bool BootstrapTruncation { get; init; } = true;

    /// <summary>Hidden width of the actor and critic MLPs (CleanRL: 64).</summary>
    public int Hidden { get; init; } = 64;

    /// <summary>Wrap each copy in observation normalisation (clipped to ±10) (CleanRL continuous: true; discrete: false).</summary>
    public bool NormalizeObservations { get; init; }

    /// <summary>Wrap each copy in return-based reward scaling (clipped to ±10) (CleanRL continuous: true; discrete: false).</summary>
    public bool NormalizeRewards { get; init; }

    /// <summary>Initial log σ of a Gaussian head (CleanRL: 0).</summary>
    public double InitialLogStd { get; init; }

    /// <summary>CleanRL ppo.py's defaults, for discrete actions (CartPole-v1, Acrobot-v1).</summary>
    public static PpoConfig CleanRlDiscrete { get; } = new();

    /// <summary>CleanRL ppo_continuous_action.py's defaults: 1 env × 2048 steps, 1M steps, lr 3e-4, 32 minibatches × 10 epochs, no entropy bonus, observation and reward normalisation.</summary>
    public static PpoConfig CleanRlContinuous { get; } = new()
    {
        Envs = 1,
        StepsPerRollout = 2048,
        TotalSteps = 1_000_000,
        LearningRate = 3e-4,
        Minibatches = 32,
        Epochs = 10,
        EntropyCoefficient = 0,
        NormalizeObservations = true,
        NormalizeRewards = true,
    };

    /// <summary>Rollout batch N·T.</summary>
    public int BatchSize => Envs * StepsPerRollout;

    /// <summary>Minibatch size N·T / M.</summary>
    public int MinibatchSize => BatchSize / Minibatches;

    /// <summary>Updates ⌊total / (N·T)⌋.</summary>
    public int Updates => (int)(TotalSteps / BatchSize);

    /// <summary>Checks every value and the batch arithmetic.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range, or N·T is not a multiple of M.</exception>
    public void Validate()
    {
        Require(Envs >= 1, nameof(Envs), Envs, ">= 1");
        Require(StepsPerRollout >= 1, nameof(StepsPerRollout), StepsPerRollout, ">= 1");
        Require(TotalSteps >= BatchSize, nameof(TotalSteps), TotalSteps, $">= one rollout (N·T = {BatchSize})");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "finite and > 0");
        Require(AdamEpsilon > 0, nameof(AdamEpsilon), AdamEpsilon, "> 0");
        Require(Gamma is >= 0 and <= 1, nameof(Gamma), Gamma, "in [0, 1]");
        Require(GaeLambda is >= 0 and <= 1, nameof(GaeLambda), GaeLambda, "in [0, 1]");
        Require(Minibatches >= 1 && BatchSize % Minibatches == 0, nameof(Minibatches), Minibatches, $">= 1 and a divisor of N·T = {BatchSize}");
        Require(Epochs >= 1, nameof(Epochs), Epochs, ">= 1");
        Require(Clip > 0, nameof(Clip), Clip, "> 0");
        Require(ValueClip is null or > 0, nameof(ValueClip), ValueClip ?? 0, "> 0 or null");
        Require(EntropyCoefficient >= 0, nameof(EntropyCoefficient), EntropyCoefficient, ">= 0");
        Require(ValueCoefficient >= 0, nameof(ValueCoefficient), ValueCoefficient, ">= 0");
        Require(MaxGradNorm > 0, nameof(MaxGradNorm), MaxGradNorm, "> 0");
        Require(Hidden >= 1, nameof(Hidden), Hidden, ">= 1");
    }

    private static void Require(bool ok, string name, object value, string expected)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, value, $"PpoConfig.{name} = {value}; expected {expected}.");
        }
    }
}
