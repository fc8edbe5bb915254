using McGrad.Randomness;

namespace McGrad.Rl.Differentiable;

/// <summary>The result of one batched differentiable step: the next states [n, state] and the rewards [n].</summary>
/// <param name="State">Next states, one row per copy, recorded so that gradients flow back to the state and action.</param>
/// <param name="Reward">Rewards r(s, a), one per copy.</param>
public readonly record struct DifferentiableStep(Tensor State, Tensor Reward);

/// <summary>
/// A batch of copies of an environment whose step is written in tensor ops: s' = step(s, a), r = r(s, a), so a whole
/// rollout can be backpropagated from the rewards to the actions, the states and the policy that produced them.
/// </summary>
/// <remarks>
/// <para>State is an explicit tensor (no hidden mutation), so one environment object serves any number of copies and
/// rollouts. Actions are normalised: the policy's action in [−1, 1]^d is clipped there and scaled by the environment
/// (a bound, a maximum torque), as GI-PPO's environments do. Episodes have the fixed length
/// <see cref="EpisodeLength"/> (none of these environments terminates early).</para>
/// <para>Randomness (initial states, process noise) comes from the key passed to each call.</para>
/// </remarks>
public interface IDifferentiableEnvironment
{
    /// <summary>The environment's name, e.g. <c>dejong-64</c>.</summary>
    string Id { get; }

    /// <summary>Length of a state row.</summary>
    int StateSize { get; }

    /// <summary>Length of an observation row.</summary>
    int ObservationSize { get; }

    /// <summary>Dimension d of an action.</summary>
    int ActionSize { get; }

    /// <summary>Steps per episode.</summary>
    int EpisodeLength { get; }

    /// <summary>Initial states of <paramref name="copies"/> copies, [copies, <see cref="StateSize"/>].</summary>
    /// <param name="copies">Number of copies (≥ 1).</param>
    /// <param name="key">Key for random initial states.</param>
    /// <param name="dtype">Float32 or Float64.</param>
    Tensor Reset(int copies, RngKey key, DType dtype = DType.Float32);

    /// <summary>The observation of each state, [n, <see cref="ObservationSize"/>] (recorded: differentiable in the state).</summary>
    Tensor Observe(Tensor state);

    /// <summary>One step of every copy: states [n, StateSize] and normalised actions [n, ActionSize] → next states and rewards.</summary>
    /// <param name="state">Current states.</param>
    /// <param name="action">Normalised actions, clipped to [−1, 1] by the environment.</param>
    /// <param name="key">Key for process noise (unused by deterministic environments).</param>
    /// <exception cref="ArgumentException">Shapes or dtypes do not match the environment.</exception>
    DifferentiableStep Step(Tensor state, Tensor action, RngKey key);
}
