namespace McGrad.Rl;

/// <summary>Observations clipped elementwise to [−limit, limit] (CleanRL's TransformObservation after NormalizeObservation).</summary>
public sealed class ClipObservation : EnvironmentWrapper
{
    /// <summary>Clips the inner environment's observations to ±<paramref name="limit"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">limit is not finite and &gt; 0.</exception>
    public ClipObservation(IEnvironment inner, double limit = 10)
        : base(inner)
    {
        if (!(limit > 0 && double.IsFinite(limit)))
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "ClipObservation: limit must be finite and > 0.");
        }

        Limit = limit;
    }

    /// <summary>The clip limit.</summary>
    public double Limit { get; }

    /// <inheritdoc/>
    public override void ResetInto(McGrad.Randomness.RngKey key, Span<double> observation)
    {
        Inner.ResetInto(key, observation);
        Clip(observation);
    }

    /// <inheritdoc/>
    public override Transition StepInto(ReadOnlySpan<double> action, Span<double> observation)
    {
        var t = Inner.StepInto(action, observation);
        Clip(observation);
        return t;
    }

    /// <inheritdoc/>
    public override void SetStateInto(ReadOnlySpan<double> state, Span<double> observation)
    {
        Inner.SetStateInto(state, observation);
        Clip(observation);
    }

    private void Clip(Span<double> o)
    {
        for (var i = 0; i < o.Length; i++)
        {
            o[i] = Math.Clamp(o[i], -Limit, Limit);
        }
    }
}

/// <summary>Rewards clipped to [−limit, limit] (CleanRL's TransformReward after NormalizeReward); episode statistics stay those of the inner environment.</summary>
public sealed class ClipReward : EnvironmentWrapper
{
    /// <summary>Clips the inner environment's rewards to ±<paramref name="limit"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">limit is not finite and &gt; 0.</exception>
    public ClipReward(IEnvironment inner, double limit = 10)
        : base(inner)
    {
        if (!(limit > 0 && double.IsFinite(limit)))
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "ClipReward: limit must be finite and > 0.");
        }

        Limit = limit;
    }

    /// <summary>The clip limit.</summary>
    public double Limit { get; }

    /// <inheritdoc/>
    public override Transition StepInto(ReadOnlySpan<double> action, Span<double> observation)
    {
        var t = Inner.StepInto(action, observation);
        return t with { Reward = Math.Clamp(t.Reward, -Limit, Limit) };
    }
}
