namespace McGrad.Rl.Training.Analytic;

/// <summary>One epoch of an analytic-gradient run.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Steps">Environment steps so far (all copies).</param>
/// <param name="MeanReturn">Mean return of the last (up to) 100 finished episodes (gippo's logged reward).</param>
/// <param name="BatchReward">Mean reward per step of this epoch's rollout.</param>
/// <param name="Alpha">GI-PPO's α used this epoch (NaN for the other methods).</param>
/// <param name="OutOfRangeRatio">GI-PPO: fraction of π_α(a)/π(a) outside [1 − ε, 1 + ε] (NaN otherwise).</param>
/// <param name="EstimatedImprovement">GI-PPO: Σ A·π_α/π − Σ A, the α-policy's estimated improvement (NaN otherwise).</param>
/// <param name="LrWeight">LR+RP: k_LR of this epoch (NaN otherwise).</param>
/// <param name="ActorLearningRate">The actor learning rate in force at the end of the epoch.</param>
public sealed record AnalyticEpoch(int Epoch, long Steps, double MeanReturn, double BatchReward, double Alpha, double OutOfRangeRatio, double EstimatedImprovement, double LrWeight, double ActorLearningRate);

/// <summary>A finished analytic-gradient run: the task, the configuration, every epoch and the wall-clock time.</summary>
public sealed record AnalyticRun(string Task, AnalyticConfig Config, IReadOnlyList<AnalyticEpoch> Epochs, double Seconds)
{
    /// <summary>The last epoch's mean return (NaN before the first episode).</summary>
    public double FinalReturn => Epochs.Count == 0 ? double.NaN : Epochs[^1].MeanReturn;
}
