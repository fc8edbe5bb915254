namespace McGrad.Rl.Training;

/// <summary>
/// Rewards for GAE when episodes can be cut by a time limit: r′ᵢ = rᵢ + γ·V(s_final,ᵢ) for a copy that was truncated and
/// not terminated, r′ᵢ = rᵢ otherwise; the step is then marked done, so GAE's
/// δ = r′ + γ·V(s′)·(1 − done) − V(s) bootstraps from the real final state instead of treating the cut as the end.
/// </summary>
/// <remarks>
/// With γ = 0 this is CleanRL's behaviour (truncation treated as termination). Pardo et al. (2018), "Time limits in
/// reinforcement learning"; Stable-Baselines3 does the same in its rollout buffer.
/// </remarks>
public static class TruncationBootstrap
{
    /// <summary>r′ (see the type summary); <paramref name="finalValues"/>[i] is read only for truncated, non-terminated copies.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double[] Rewards(ReadOnlySpan<double> rewards, ReadOnlySpan<bool> terminated, ReadOnlySpan<bool> truncated, ReadOnlySpan<double> finalValues, double gamma)
    {
        var n = rewards.Length;
        if (terminated.Length != n || truncated.Length != n || finalValues.Length != n)
        {
            throw new ArgumentException($"TruncationBootstrap.Rewards: rewards ({n}), terminated ({terminated.Length}), truncated ({truncated.Length}) and finalValues ({finalValues.Length}) must have one entry per copy.", nameof(finalValues));
        }

        var result = rewards.ToArray();
        for (var i = 0; i < n; i++)
        {
            if (truncated[i] && !terminated[i])
            {
                result[i] += gamma * finalValues[i];
            }
        }

        return result;
    }
}
