using McGrad.Nn;
using McGrad.Randomness;

namespace McGrad.Rl.Training.Analytic;

/// <summary>
/// GI-PPO's stochastic actor (gippo network.py, after DiffRL): a trunk of Linear → ELU → LayerNorm per hidden width, a
/// mean head μ(s) = Linear(h) and a state-dependent log-σ head log σ(s) = Linear(h); π(a|s) = N(μ(s), diag σ(s)²).
/// Linear layers start as torch.nn.Linear's default.
/// </summary>
public sealed class GaussianActor : Module
{
    /// <summary>An actor for observations of <paramref name="observationSize"/> values and <paramref name="actionSize"/>-dimensional actions.</summary>
    /// <param name="observationSize">Observation length.</param>
    /// <param name="actionSize">Action dimension d.</param>
    /// <param name="hidden">Hidden widths.</param>
    /// <param name="key">Initialisation key (trunk, μ head, log-σ head get key.FoldIn(0), FoldIn(1), FoldIn(2)).</param>
    public GaussianActor(int observationSize, int actionSize, IReadOnlyList<int> hidden, RngKey key)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        Trunk = RegisterModule("actor_mlp", AnalyticNetworks.Trunk(observationSize, hidden, key.FoldIn(0), orthogonal: false));
        MeanHead = RegisterModule("mu", new Linear(hidden[^1], actionSize, key.FoldIn(1)));
        LogStdHead = RegisterModule("logstd", new Linear(hidden[^1], actionSize, key.FoldIn(2)));
    }

    /// <summary>The hidden layers.</summary>
    public Sequential Trunk { get; }

    /// <summary>The μ head.</summary>
    public Linear MeanHead { get; }

    /// <summary>The log-σ head.</summary>
    public Linear LogStdHead { get; }

    /// <summary>(μ(s), σ(s)) for observations [n, obs], each [n, d].</summary>
    public (Tensor Mean, Tensor Std) Distribution(Tensor observation)
    {
        var h = Trunk.Forward(observation);
        return (MeanHead.Forward(h), LogStdHead.Forward(h).Exp());
    }

    /// <summary>μ(s): the deterministic action.</summary>
    public override Tensor Forward(Tensor input) => Distribution(input).Mean;

    /// <summary>−log N(a; μ, σ²) summed over the action dimensions: ½Σ((a − μ)/σ)² + (d/2)·log 2π + Σ log σ, one per row.</summary>
    public static Tensor NegativeLogProb(Tensor action, Tensor mean, Tensor std)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        var d = action.Shape[^1];
        return (((action - mean) / std).Square().Sum(1) * 0.5) + (0.5 * Math.Log(2 * Math.PI) * d) + std.Log().Sum(1);
    }
}

/// <summary>
/// GI-PPO's critic V(s): Linear → ELU → LayerNorm per hidden width, then Linear(h, 1); Linear weights orthogonal
/// (gain 1, as gippo's init passes none), biases 0.
/// </summary>
public sealed class ValueCritic : Module
{
    /// <summary>A critic for observations of <paramref name="observationSize"/> values.</summary>
    public ValueCritic(int observationSize, IReadOnlyList<int> hidden, RngKey key)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        var net = AnalyticNetworks.Trunk(observationSize, hidden, key.FoldIn(0), orthogonal: true);
        var head = new Linear(hidden[^1], 1, key.FoldIn(1));
        AnalyticNetworks.OrthogonalZeroBias(head, key.FoldIn(2));
        net.Add(head);
        Network = RegisterModule("critic", net);
    }

    /// <summary>The network.</summary>
    public Sequential Network { get; }

    /// <summary>V(s), [n, 1].</summary>
    public override Tensor Forward(Tensor input) => Network.Forward(input);
}

/// <summary>The layer stacks shared by <see cref="GaussianActor"/> and <see cref="ValueCritic"/>.</summary>
internal static class AnalyticNetworks
{
    /// <summary>Linear → ELU → LayerNorm for each hidden width.</summary>
    public static Sequential Trunk(int inputSize, IReadOnlyList<int> hidden, RngKey key, bool orthogonal)
    {
        var trunk = new Sequential();
        var width = inputSize;
        for (var i = 0; i < hidden.Count; i++)
        {
            var linear = new Linear(width, hidden[i], key.FoldIn((uint)i));
            if (orthogonal)
            {
                OrthogonalZeroBias(linear, key.FoldIn((uint)(i + hidden.Count)));
            }

            trunk.Add(linear);
            trunk.Add(Activation.Elu());
            trunk.Add(new LayerNorm(hidden[i]));
            width = hidden[i];
        }

        return trunk;
    }

    /// <summary>Orthogonal weight (gain 1) and zero bias.</summary>
    public static void OrthogonalZeroBias(Linear linear, RngKey key)
    {
        Init.OrthogonalInPlace(linear.Weight, key);
        Init.ConstantInPlace(linear.Bias!, 0);
    }
}
