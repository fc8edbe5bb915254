using McGrad.Randomness;

namespace McGrad.Rl;

/// <summary>
/// Accumulates the episode's return (Σ rewards) and length and reports them in <see cref="Transition.Episode"/> on the
/// step that terminates or truncates it (Gymnasium's <c>RecordEpisodeStatistics</c>, <c>info["episode"]</c>'s r and l).
/// </summary>
/// <remarks>Place it below reward-changing wrappers (as <see cref="Environments.Make"/> does) to report raw returns.</remarks>
public sealed class RecordEpisodeStatistics : EnvironmentWrapper
{
    private double episodeReturn;
    private int episodeLength;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public RecordEpisodeStatistics(IEnvironment inner)
        : base(inner)
    {
    }

    /// <summary>The return so far in the current episode.</summary>
    public double EpisodeReturn => episodeReturn;

    /// <summary>The steps so far in the current episode.</summary>
    public int EpisodeLength => episodeLength;

    /// <inheritdoc/>
    public override void ResetInto(RngKey key, Span<double> observation)
    {
        Inner.ResetInto(key, observation);
        (episodeReturn, episodeLength) = (0, 0);
    }

    /// <inheritdoc/>
    public override void SetStateInto(ReadOnlySpan<double> state, Span<double> observation)
    {
        Inner.SetStateInto(state, observation);
        (episodeReturn, episodeLength) = (0, 0);
    }

    /// <inheritdoc/>
    public override Transition StepInto(ReadOnlySpan<double> action, Span<double> observation)
    {
        var t = Inner.StepInto(action, observation);
        episodeReturn += t.Reward;
        episodeLength++;
        return t.Done ? t with { Episode = new EpisodeStatistics(episodeReturn, episodeLength) } : t;
    }
}
