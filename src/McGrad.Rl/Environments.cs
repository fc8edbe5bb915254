using McGrad.Rl.ClassicControl;

namespace McGrad.Rl;

/// <summary>
/// The environment registry (Gymnasium's <c>gymnasium.make</c>): an id → a fresh environment wrapped as Gymnasium's
/// registration wraps it, <see cref="RecordEpisodeStatistics"/>(<see cref="TimeLimit"/>(raw, max_episode_steps)).
/// </summary>
public static class Environments
{
    private static readonly (string Id, int MaxEpisodeSteps, Func<EnvironmentBase> Create)[] Registry =
    [
        ("CartPole-v1", 500, () => new CartPole()),
        ("Acrobot-v1", 500, () => new Acrobot()),
        ("MountainCar-v0", 200, () => new MountainCar()),
        ("MountainCarContinuous-v0", 999, () => new MountainCarContinuous()),
        ("Pendulum-v1", 200, () => new Pendulum()),
    ];

    /// <summary>The registered ids, in registration order.</summary>
    public static IReadOnlyList<string> Ids => Registry.Select(r => r.Id).ToArray();

    /// <summary>Gymnasium's <c>max_episode_steps</c> for <paramref name="id"/> (CartPole-v1 500, Acrobot-v1 500,
    /// MountainCar-v0 200, MountainCarContinuous-v0 999, Pendulum-v1 200).</summary>
    /// <exception cref="ArgumentException">Unknown id; the message lists the valid ids.</exception>
    public static int MaxEpisodeSteps(string id) => Find(id).MaxEpisodeSteps;

    /// <summary>A new raw environment (no time limit, no statistics) for <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentException">Unknown id; the message lists the valid ids.</exception>
    public static EnvironmentBase MakeRaw(string id) => Find(id).Create();

    /// <summary>
    /// A new environment for <paramref name="id"/>: <c>RecordEpisodeStatistics(TimeLimit(raw, MaxEpisodeSteps(id)))</c>,
    /// or with <paramref name="maxEpisodeSteps"/> as the limit when given.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown id (the message lists the valid ids), or a limit ≤ 0.</exception>
    public static IEnvironment Make(string id, int? maxEpisodeSteps = null)
    {
        var entry = Find(id);
        return new RecordEpisodeStatistics(new TimeLimit(entry.Create(), maxEpisodeSteps ?? entry.MaxEpisodeSteps));
    }

    private static (string Id, int MaxEpisodeSteps, Func<EnvironmentBase> Create) Find(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        foreach (var r in Registry)
        {
            if (r.Id == id)
            {
                return r;
            }
        }

        var near = Registry.Where(r => string.Equals(r.Id, id, StringComparison.OrdinalIgnoreCase)).Select(r => r.Id).FirstOrDefault();
        throw new ArgumentException(
            $"Unknown environment id '{id}'{(near is null ? "" : $" (ids are case-sensitive: did you mean '{near}'?)")}; valid ids: {string.Join(", ", Ids)}.",
            nameof(id));
    }
}
