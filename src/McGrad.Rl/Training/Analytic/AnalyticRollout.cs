using McGrad.Autodiff;

namespace McGrad.Rl.Training.Analytic;

/// <summary>
/// One rollout of T steps on N copies, kept as tensors that (for the analytic methods) stay on the simulator's graph:
/// normalised observations, actions a = μ + σ⊙ε, the noise ε, the rollout policy's μ, σ and −log π(a), values V(s) and
/// V(s') of the target critic, rewards, and which steps start an episode or end one.
/// </summary>
internal sealed class AnalyticRollout
{
    public List<Tensor> Observations { get; } = [];

    public List<Tensor> Actions { get; } = [];

    public List<Tensor> Noise { get; } = [];

    public List<Tensor> Means { get; } = [];

    public List<Tensor> Stds { get; } = [];

    public List<Tensor> NegativeLogProbs { get; } = [];

    public List<Tensor> Values { get; } = [];

    public List<Tensor> NextValues { get; } = [];

    public List<Tensor> Rewards { get; } = [];

    /// <summary>Step t begins an episode (t = 0, or the episode ended at t − 1): the backpropagated window starts there.</summary>
    public List<bool> Starts { get; } = [];

    /// <summary>The episode ended with step t.</summary>
    public List<bool> Done { get; } = [];

    public int Steps => Rewards.Count;

    /// <summary>
    /// GAE in the graph: δ_t = r_t + γV(s_{t+1}) − V(s_t) and A_t = δ_t + γλ·A_{t+1} within an episode (gippo's
    /// grad_advantages: V(s') bootstraps at the time limit, as none of these environments terminates early).
    /// </summary>
    public Tensor[] Advantages(double gamma, double lambda)
    {
        var advantages = new Tensor[Steps];
        Tensor? next = null;
        for (var t = Steps - 1; t >= 0; t--)
        {
            var delta = Rewards[t] + (NextValues[t] * gamma) - Values[t];
            advantages[t] = next is null || Done[t] ? delta : delta + (next * (gamma * lambda));
            next = advantages[t];
        }

        return advantages;
    }

    /// <summary>
    /// ∂A_t/∂a_t (row i of step t: ∂A_t,i/∂a_t,i) for every step from one backward pass (gippo's
    /// trick): ∂(Σ_starts A)/∂a_t = (γλ)^(t − start)·∂A_t/∂a_t, because A_start = Σ_k (γλ)^(k − start)·δ_k and δ_k
    /// depends on a_t only for k ≥ t; the factor is divided out. The actions must be on the graph of the advantages.
    /// </summary>
    public Tensor[] AdvantageActionGradients(Tensor[] advantages, double gamma, double lambda)
    {
        Tensor? sum = null;
        for (var t = 0; t < Steps; t++)
        {
            if (Starts[t])
            {
                sum = sum is null ? advantages[t].Sum() : sum + advantages[t].Sum();
            }
        }

        var grads = Autograd.Grad([sum!], Actions, allowUnused: true);
        var result = new Tensor[Steps];
        var scale = 1.0;
        for (var t = 0; t < Steps; t++)
        {
            scale = Starts[t] ? 1.0 : scale / (gamma * lambda);
            result[t] = grads[t] is { } g ? g * scale : Tensor.ZerosLike(Actions[t]);
        }

        return result;
    }

    /// <summary>Stacks per-step tensors [N, …] actor-major into [N·T, …] (row i·T + t), detached.</summary>
    public static Tensor Flatten(IReadOnlyList<Tensor> perStep)
    {
        var stacked = Tensor.Stack([.. perStep.Select(x => x.Detach())], 1);
        var dims = stacked.Shape.ToArray();
        return stacked.Reshape([dims[0] * dims[1], .. dims[2..]]);
    }
}
