using System.Globalization;

namespace McGrad.Rl.Training.Analytic;

/// <summary>How <see cref="AnalyticTrainer"/> updates the actor.</summary>
public enum AnalyticMethod
{
    /// <summary>Likelihood ratio: ∇ mean(Â·(−log π(a|s))) with normalised GAE advantages, no simulator gradient.</summary>
    Lr,

    /// <summary>Reparameterisation: −∇ mean over trajectory starts of (A + V), backpropagated through the simulator.</summary>
    Rp,

    /// <summary>k_LR·LR + (1 − k_LR)·RP with k_LR = var_RP / (var_LR + var_RP) from per-sample gradients.</summary>
    LrRp,

    /// <summary>PPO's clipped surrogate, no simulator gradient.</summary>
    Ppo,

    /// <summary>GI-PPO: fit the actor to the α-policy a + α·∂A/∂a, adapt α, then PPO with the mixture behaviour density.</summary>
    GiPpo,
}

/// <summary>
/// Every setting of the analytic-gradient trainers, with the defaults of GI-PPO's function-optimisation configs
/// (SonSang/gippo, config/func_optim/*/*.yaml): 2000 epochs, 64 actors, horizon 1, actor and critic 32-32 ELU with
/// LayerNorm, Adam betas (0.7, 0.95), γ 0.99, λ 0.95, gradient norm 1, critic 16 iterations × 4 minibatches, target
/// critic α 0.2, linear learning-rate decay to 1e-5; PPO clip 0.2, minibatch 64, 5 epochs; GI-PPO α₀ 1e-5, interval
/// 0.4, factor 1.1, max 1, 16 iterations, max out-of-range ratio 0.5. <see cref="Paper"/> adds the per-method learning
/// rates.
/// </summary>
public sealed record AnalyticConfig
{
    /// <summary>The actor update.</summary>
    public AnalyticMethod Method { get; init; } = AnalyticMethod.GiPpo;

    /// <summary>Training epochs (gippo: max_epochs 2000).</summary>
    public int Epochs { get; init; } = 2000;

    /// <summary>Parallel copies of the environment (num_actors 64).</summary>
    public int Actors { get; init; } = 64;

    /// <summary>Steps per rollout and per backpropagated window (horizon_length 1 for one-step tasks).</summary>
    public int Horizon { get; init; } = 1;

    /// <summary>Hidden widths of actor and critic (32, 32), each layer Linear → ELU → LayerNorm.</summary>
    public IReadOnlyList<int> Hidden { get; init; } = [32, 32];

    /// <summary>Actor learning rate: of the RP/LR/LR+RP update, or of PPO's update for PPO and GI-PPO.</summary>
    public double ActorLearningRate { get; init; } = 1e-3;

    /// <summary>GI-PPO's learning rate for fitting the α-policy (actor_learning_rate_no_ppo 1e-3).</summary>
    public double AlphaLearningRate { get; init; } = 1e-3;

    /// <summary>Critic learning rate (1e-3).</summary>
    public double CriticLearningRate { get; init; } = 1e-3;

    /// <summary>Adam β₁ of the actor (RP, LR, LR+RP, the α-fit) and critic optimizers (0.7); PPO's update uses torch's 0.9.</summary>
    public double Beta1 { get; init; } = 0.7;

    /// <summary>Adam β₂ (0.95); PPO's update uses torch's 0.999.</summary>
    public double Beta2 { get; init; } = 0.95;

    /// <summary>Linear decay of the learning rates to 1e-5 over the epochs (lr_schedule linear; not applied to PPO, as in gippo).</summary>
    public bool LinearSchedule { get; init; } = true;

    /// <summary>Discount γ (0.99).</summary>
    public double Gamma { get; init; } = 0.99;

    /// <summary>GAE λ (tau 0.95).</summary>
    public double Lambda { get; init; } = 0.95;

    /// <summary>Global gradient-norm clip of every update (grad_norm 1).</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Critic passes over the rollout (critic_iterations 16).</summary>
    public int CriticIterations { get; init; } = 16;

    /// <summary>Critic minibatches per pass (critic_num_batch 4).</summary>
    public int CriticMinibatches { get; init; } = 4;

    /// <summary>Target critic ← α·target + (1 − α)·critic after each epoch (target_critic_alpha 0.2).</summary>
    public double TargetCriticAlpha { get; init; } = 0.2;

    /// <summary>PPO's clip ε (e_clip 0.2).</summary>
    public double Clip { get; init; } = 0.2;

    /// <summary>PPO's minibatch size (64).</summary>
    public int PpoMinibatchSize { get; init; } = 64;

    /// <summary>PPO's epochs per rollout (mini_epochs 5).</summary>
    public int PpoEpochs { get; init; } = 5;

    /// <summary>Tries of an actor optimisation whose loss rose (max_optim_iter 8): restore the actor, lower the learning rate, retry.</summary>
    public int MaxOptimisationTries { get; init; } = 8;

    /// <summary>The learning rate is divided by this after a failed try (learning_rate_multiplier 1.5).</summary>
    public double LearningRateBackoff { get; init; } = 1.5;

    /// <summary>GI-PPO's initial α (1e-5).</summary>
    public double InitialAlpha { get; init; } = 1e-5;

    /// <summary>α grows while every estimated det(I + α∇²A) lies in [1 − interval, 1 + interval] (0.4).</summary>
    public double AlphaInterval { get; init; } = 0.4;

    /// <summary>α is multiplied or divided by this factor each epoch (1.1).</summary>
    public double AlphaFactor { get; init; } = 1.1;

    /// <summary>Upper bound of α (1).</summary>
    public double MaxAlpha { get; init; } = 1.0;

    /// <summary>Adam iterations fitting the actor to the α-policy (num_iter 16).</summary>
    public int AlphaIterations { get; init; } = 16;

    /// <summary>α is lowered when the fraction of importance ratios outside [1 − ε, 1 + ε] exceeds this (max_oorr 0.5).</summary>
    public double MaxOutOfRangeRatio { get; init; } = 0.5;

    /// <summary>LR+RP: per-sample gradients used for each variance (var_est_num_sample 16).</summary>
    public int VarianceSamples { get; init; } = 16;

    /// <summary>LR+RP: leading gradient entries used for the variance (var_est_max_grad_len 512).</summary>
    public int VarianceMaxLength { get; init; } = 512;

    /// <summary>The tasks whose per-method learning rates <see cref="Paper"/> knows.</summary>
    public static IReadOnlyList<string> PaperTasks { get; } = ["dejong-1", "dejong-64", "ackley-1", "ackley-64"];

    /// <summary>
    /// gippo's config for <paramref name="task"/> and <paramref name="method"/>: the defaults above with the actor learning
    /// rate of config/func_optim/&lt;task&gt;/&lt;method&gt;.yaml (the PPO learning rate for PPO and GI-PPO).
    /// </summary>
    /// <exception cref="ArgumentException">A task outside <see cref="PaperTasks"/>.</exception>
    public static AnalyticConfig Paper(string task, AnalyticMethod method)
    {
        ArgumentNullException.ThrowIfNull(task);
        // Columns: LR, RP, LR+RP, PPO, GI-PPO (its PPO learning rate).
        double[] rates = task switch
        {
            "dejong-1" => [1e-3, 1e-2, 1e-2, 1e-4, 1e-4],
            "dejong-64" => [1e-3, 1e-2, 1e-3, 1e-2, 1e-2],
            "ackley-1" => [1e-4, 1e-3, 1e-4, 1e-4, 1e-4],
            "ackley-64" => [3e-4, 1e-3, 3e-4, 1e-2, 1e-2],
            _ => throw new ArgumentException($"No paper config for task '{task}'; known: {string.Join(", ", PaperTasks)}.", nameof(task)),
        };
        return new AnalyticConfig { Method = method, ActorLearningRate = rates[(int)method] };
    }

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting out of range; the message names it and the valid range.</exception>
    public void Validate()
    {
        Positive(Epochs, nameof(Epochs));
        Positive(Actors, nameof(Actors));
        Positive(Horizon, nameof(Horizon));
        Positive(CriticIterations, nameof(CriticIterations));
        Positive(CriticMinibatches, nameof(CriticMinibatches));
        Positive(PpoEpochs, nameof(PpoEpochs));
        Positive(PpoMinibatchSize, nameof(PpoMinibatchSize));
        Positive(MaxOptimisationTries, nameof(MaxOptimisationTries));
        Positive(AlphaIterations, nameof(AlphaIterations));
        Positive(VarianceMaxLength, nameof(VarianceMaxLength));
        if (VarianceSamples < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(VarianceSamples), VarianceSamples, "AnalyticConfig.VarianceSamples must be ≥ 2 (a variance needs two samples).");
        }

        if (Hidden.Count == 0 || Hidden.Any(h => h < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Hidden), $"[{string.Join(", ", Hidden)}]", "AnalyticConfig.Hidden must list at least one width ≥ 1.");
        }

        if (Actors * Horizon % CriticMinibatches != 0 || Actors * Horizon % PpoMinibatchSize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Actors), string.Create(CultureInfo.InvariantCulture, $"{Actors}×{Horizon}"), string.Create(CultureInfo.InvariantCulture, $"AnalyticConfig: the rollout of Actors × Horizon samples must split into {CriticMinibatches} critic minibatches and into PPO minibatches of {PpoMinibatchSize}."));
        }

        Unit(Gamma, nameof(Gamma));
        Unit(Lambda, nameof(Lambda));
        Unit(TargetCriticAlpha, nameof(TargetCriticAlpha));
        Unit(Beta1, nameof(Beta1));
        Unit(Beta2, nameof(Beta2));
        PositiveReal(ActorLearningRate, nameof(ActorLearningRate));
        PositiveReal(AlphaLearningRate, nameof(AlphaLearningRate));
        PositiveReal(CriticLearningRate, nameof(CriticLearningRate));
        PositiveReal(MaxGradNorm, nameof(MaxGradNorm));
        PositiveReal(Clip, nameof(Clip));
        PositiveReal(InitialAlpha, nameof(InitialAlpha));
        PositiveReal(MaxAlpha, nameof(MaxAlpha));
        PositiveReal(AlphaInterval, nameof(AlphaInterval));
        PositiveReal(MaxOutOfRangeRatio, nameof(MaxOutOfRangeRatio));
        if (!(AlphaFactor > 1) || !(LearningRateBackoff > 1))
        {
            throw new ArgumentOutOfRangeException(nameof(AlphaFactor), string.Create(CultureInfo.InvariantCulture, $"{AlphaFactor}, {LearningRateBackoff}"), "AnalyticConfig.AlphaFactor and LearningRateBackoff must be > 1.");
        }
    }

    private static void Positive(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, $"AnalyticConfig.{name} must be ≥ 1.");
        }
    }

    private static void PositiveReal(double value, string name)
    {
        if (!(value > 0) || !double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"AnalyticConfig.{name} must be a finite number > 0.");
        }
    }

    private static void Unit(double value, string name)
    {
        if (!(value >= 0 && value <= 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"AnalyticConfig.{name} must lie in [0, 1].");
        }
    }
}
