using McGrad.Distributions;
using McGrad.Nn;
using McGrad.Randomness;

namespace McGrad.Rl.Policies;

/// <summary>What kind of action distribution a policy has.</summary>
public enum PolicyHead
{
    /// <summary>Categorical(logits = actor(s)) over a <see cref="DiscreteSpace"/>'s n actions.</summary>
    Categorical,

    /// <summary>Independent Normal(actor(s), exp(log σ)) with a learned, state-independent log σ, over a <see cref="BoxSpace"/>.</summary>
    Gaussian,
}

/// <summary>
/// CleanRL's PPO agent: an actor a(s) and a critic V(s), each an MLP obs → 64 → 64 → out with tanh hidden units,
/// orthogonal weights with gain √2 in the hidden layers, gain 0.01 in the actor head and 1 in the critic head, zero
/// biases; for Box actions a learned state-independent log σ (initially 0). π(·|s) = Categorical(logits = a(s)) or
/// Independent(Normal(a(s), exp(log σ)), 1).
/// </summary>
/// <remarks>
/// <para><b>Bounded actions.</b> The Gaussian head samples an unbounded action u; the environment receives
/// clip(u, low, high) (<see cref="ClipToSpace"/>), and PPO's ratio uses log π(u|s) of the unclipped u that was sampled —
/// the clipping belongs to the environment, not to the policy (as CleanRL's ClipAction wrapper does). This keeps the
/// log-probabilities exact; the bias it introduces at the bounds is documented in docs/rl.md.</para>
/// <para>Huang et al. (2022), "The 37 implementation details of PPO"; CleanRL ppo.py / ppo_continuous_action.py.</para>
/// </remarks>
public sealed class ActorCritic : Module
{
    private readonly BoxSpace? _box;
    private readonly int _start;

    /// <summary>An agent for observations of <paramref name="observationSize"/> values and the given action space.</summary>
    /// <param name="observationSize">Length of a flat observation.</param>
    /// <param name="actionSpace">A <see cref="DiscreteSpace"/> (categorical head) or a <see cref="BoxSpace"/> (Gaussian head).</param>
    /// <param name="key">Initialisation key (actor and critic get key.FoldIn(0) and key.FoldIn(1)).</param>
    /// <param name="hidden">Hidden width (CleanRL: 64).</param>
    /// <param name="dtype">Parameter dtype (float32 for training speed).</param>
    /// <exception cref="ArgumentException">The action space is neither Discrete nor Box, or a size is not positive.</exception>
    public ActorCritic(int observationSize, Space actionSpace, RngKey key, int hidden = 64, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(actionSpace);
        ArgumentOutOfRangeException.ThrowIfLessThan(observationSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        (Head, ActionCount) = actionSpace switch
        {
            DiscreteSpace d => (PolicyHead.Categorical, d.N),
            BoxSpace b => (PolicyHead.Gaussian, b.Size),
            _ => throw new ArgumentException($"ActorCritic: the action space {actionSpace} is neither Discrete nor Box.", nameof(actionSpace)),
        };
        _box = actionSpace as BoxSpace;
        _start = actionSpace is DiscreteSpace discrete ? discrete.Start : 0;
        ObservationSize = observationSize;
        Actor = RegisterModule("actor", Network(observationSize, hidden, ActionCount, 0.01, key.FoldIn(0), dtype));
        Critic = RegisterModule("critic", Network(observationSize, hidden, 1, 1.0, key.FoldIn(1), dtype));
        if (Head == PolicyHead.Gaussian)
        {
            RegisterParameter("log_std", Tensor.Zeros([ActionCount], dtype));
        }
    }

    /// <summary>Categorical or Gaussian.</summary>
    public PolicyHead Head { get; }

    /// <summary>Number of discrete actions, or the dimension of a Box action.</summary>
    public int ActionCount { get; }

    /// <summary>Length of a flat observation.</summary>
    public int ObservationSize { get; }

    /// <summary>a(s): logits or Gaussian means.</summary>
    public Mlp Actor { get; }

    /// <summary>V(s).</summary>
    public Mlp Critic { get; }

    /// <summary>The state-independent log σ of the Gaussian head (null for the categorical one).</summary>
    public Tensor? LogStd => Head == PolicyHead.Gaussian ? GetParameter("log_std") : null;

    /// <summary>V(s) for observations [B, obs] → [B].</summary>
    public Tensor Value(Tensor observations) => Critic.Forward(Check(observations)).Squeeze(-1);

    /// <summary>π(·|s) for observations [B, obs]: batch shape [B] (event [act] for the Gaussian head).</summary>
    public Distribution Policy(Tensor observations)
    {
        var a = Actor.Forward(Check(observations));
        return Head == PolicyHead.Categorical
            ? new Categorical(logits: a)
            : new Independent(new Normal(a, LogStd!.Exp().BroadcastTo(a.Shape)), 1);
    }

    /// <summary>The greedy action: argmax of the logits, or the Gaussian mean ([B] indices as doubles, or [B, act]).</summary>
    public Tensor GreedyAction(Tensor observations)
    {
        var a = Actor.Forward(Check(observations));
        return Head == PolicyHead.Categorical ? a.ArgMax(-1).To(a.DType) : a;
    }

    /// <summary>
    /// The actions to send to the environment for sampled (or greedy) policy outputs: category index + the Discrete
    /// space's start, or clip(u, low, high) into the Box (see <see cref="ClipToSpace"/>). In place.
    /// </summary>
    public void ToEnvironmentActions(Span<double> actions)
    {
        if (Head == PolicyHead.Categorical)
        {
            for (var i = 0; i < actions.Length; i++)
            {
                actions[i] += _start;
            }
        }
        else
        {
            ClipToSpace(actions);
        }
    }

    /// <summary>For the Gaussian head, clip(u, low, high) per action dimension into the Box; discrete actions unchanged.</summary>
    public void ClipToSpace(Span<double> actions)
    {
        if (_box is null)
        {
            return;
        }

        var low = _box.Low;
        var high = _box.High;
        for (var i = 0; i < actions.Length; i++)
        {
            var d = i % ActionCount;
            actions[i] = Math.Clamp(actions[i], low[d], high[d]);
        }
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Value(input);

    private Tensor Check(Tensor observations)
    {
        ArgumentNullException.ThrowIfNull(observations);
        if (observations.Rank != 2 || observations.Shape[1] != ObservationSize)
        {
            throw new ArgumentException($"ActorCritic: observations must have shape [B, {ObservationSize}], got {observations.Shape}.", nameof(observations));
        }

        return observations;
    }

    private static Mlp Network(int input, int hidden, int output, double headGain, RngKey key, DType dtype)
    {
        var mlp = new Mlp([input, hidden, hidden, output], Activation.Tanh, key, dtype: dtype);
        var layers = mlp.Layers;
        for (var i = 0; i < layers.Count; i++)
        {
            Init.OrthogonalInPlace(layers[i].Weight, key.FoldIn((uint)(100 + i)), i == layers.Count - 1 ? headGain : Math.Sqrt(2));
            Init.ZerosInPlace(layers[i].Bias!);
        }

        return mlp;
    }
}
