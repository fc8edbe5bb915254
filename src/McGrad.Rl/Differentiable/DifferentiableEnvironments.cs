namespace McGrad.Rl.Differentiable;

/// <summary>The differentiable environments by id.</summary>
public static class DifferentiableEnvironments
{
    /// <summary>The ids <see cref="Make"/> accepts: GI-PPO's function-optimisation tasks (any dimension, these four named) the pendulum and the PIPPS cart-pole.</summary>
    public static IReadOnlyList<string> Ids { get; } = ["dejong-1", "dejong-64", "ackley-1", "ackley-64", "pendulum", "cartpole-swingup", "cartpole-balance"];

    /// <summary>The environment <paramref name="id"/>: <c>dejong-&lt;d&gt;</c>, <c>ackley-&lt;d&gt;</c>, <c>pendulum</c>, <c>cartpole-swingup</c> or <c>cartpole-balance</c>.</summary>
    /// <exception cref="ArgumentException">An unknown id; the message lists the valid ones.</exception>
    public static IDifferentiableEnvironment Make(string id) =>
        TryMake(id) ?? throw new ArgumentException($"Unknown differentiable environment '{id}'. Valid ids: {string.Join(", ", Ids)} (dejong-<d> and ackley-<d> for any dimension d ≥ 1).", nameof(id));

    /// <summary>The environment <paramref name="id"/> (see <see cref="Make"/>), or null for an unknown id.</summary>
    public static IDifferentiableEnvironment? TryMake(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id switch
        {
            "pendulum" => new DifferentiablePendulum(),
            "cartpole-swingup" => new PippsCartPole(),
            "cartpole-balance" => new PippsCartPole(balance: true),
            _ => FunctionOptimization.TryParse(id),
        };
    }
}
