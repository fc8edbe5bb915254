namespace McGrad.Rl;

/// <summary>The return (undiscounted sum of rewards) and length (steps) of a finished episode.</summary>
/// <param name="Return">Σ rewards of the episode, as the innermost <see cref="RecordEpisodeStatistics"/> saw them.</param>
/// <param name="Length">The number of steps in the episode.</param>
public readonly record struct EpisodeStatistics(double Return, int Length);

/// <summary>
/// What one step produced, without the observation (which <see cref="IEnvironment.StepInto"/> writes to a caller's
/// span): Gymnasium's (reward, terminated, truncated, info) with the one info entry McGrad uses typed.
/// </summary>
/// <param name="Reward">The reward for the transition.</param>
/// <param name="Terminated">The state is terminal (an MDP ending): a value bootstrap from it is 0.</param>
/// <param name="Truncated">The episode was cut (time limit) at a non-terminal state: bootstrap from the final observation.</param>
/// <param name="Episode">The episode's statistics when it ended at this step and a <see cref="RecordEpisodeStatistics"/> is in the stack; else null.</param>
public readonly record struct Transition(double Reward, bool Terminated, bool Truncated, EpisodeStatistics? Episode = null)
{
    /// <summary>Terminated or truncated: the episode is over and the environment needs a reset.</summary>
    public bool Done => Terminated || Truncated;
}

/// <summary>The result of <see cref="EnvironmentExtensions.Step(IEnvironment, ReadOnlySpan{double})"/>: Gymnasium's <c>(obs, reward, terminated, truncated, info)</c>.</summary>
/// <param name="Observation">The observation after the step (a fresh array the caller owns).</param>
/// <param name="Reward">The reward for the transition.</param>
/// <param name="Terminated">The state reached is terminal.</param>
/// <param name="Truncated">The episode was cut by a time limit.</param>
/// <param name="Episode">The finished episode's statistics (Gymnasium's <c>info["episode"]</c>), or null.</param>
public sealed record StepResult(double[] Observation, double Reward, bool Terminated, bool Truncated, EpisodeStatistics? Episode = null)
{
    /// <summary>Terminated or truncated.</summary>
    public bool Done => Terminated || Truncated;
}
