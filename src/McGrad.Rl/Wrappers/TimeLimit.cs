using System.Globalization;
using McGrad.Randomness;

namespace McGrad.Rl;

/// <summary>
/// Truncates an episode after <see cref="MaxEpisodeSteps"/> steps (Gymnasium's <c>TimeLimit</c>): the step that brings
/// the count to the limit returns truncated = true — even when it also terminated, as in Gymnasium — and a further
/// step without a reset throws.
/// </summary>
public sealed class TimeLimit : EnvironmentWrapper
{
    private int elapsed;
    private bool needsReset = true;

    /// <summary>Wraps <paramref name="inner"/> with a limit of <paramref name="maxEpisodeSteps"/> steps per episode.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The limit is not positive.</exception>
    public TimeLimit(IEnvironment inner, int maxEpisodeSteps)
        : base(inner)
    {
        if (maxEpisodeSteps <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxEpisodeSteps), maxEpisodeSteps, "TimeLimit: max_episode_steps must be positive.");
        }

        MaxEpisodeSteps = maxEpisodeSteps;
    }

    /// <summary>The number of steps after which an episode is truncated.</summary>
    public int MaxEpisodeSteps { get; }

    /// <summary>Steps taken in the current episode.</summary>
    public int ElapsedSteps => elapsed;

    /// <inheritdoc/>
    public override void ResetInto(RngKey key, Span<double> observation)
    {
        Inner.ResetInto(key, observation);
        elapsed = 0;
        needsReset = false;
    }

    /// <inheritdoc/>
    public override void SetStateInto(ReadOnlySpan<double> state, Span<double> observation)
    {
        Inner.SetStateInto(state, observation);
        elapsed = 0;
        needsReset = false;
    }

    /// <inheritdoc/>
    public override Transition StepInto(ReadOnlySpan<double> action, Span<double> observation)
    {
        if (needsReset && elapsed >= MaxEpisodeSteps)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"{Id}: Step after the episode was truncated at the time limit ({MaxEpisodeSteps} steps); call Reset (or SetState) first."));
        }

        var t = Inner.StepInto(action, observation);
        elapsed++;
        if (elapsed >= MaxEpisodeSteps)
        {
            needsReset = true;
            return t with { Truncated = true };
        }

        return t;
    }
}
