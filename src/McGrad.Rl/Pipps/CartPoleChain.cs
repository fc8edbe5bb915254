using McGrad.Randomness;
using McGrad.Rl.Differentiable;
using McGrad.Rl.Policies;

namespace McGrad.Rl.Pipps;

/// <summary>
/// The noisy PIPPS cart-pole under an RBF policy as a stochastic chain: s_0 ~ the task's initial distribution (not a
/// node), then for t = 0 … H−1: a_t = π_θ(s_t), s_{t+1} ~ N(step(s_t, a_t), diag(σ²)) (a node), cost c(s_{t+1}).
/// The parameters are the policy's.
/// </summary>
/// <param name="task">The cart-pole (swing-up or balance, process noise).</param>
/// <param name="policy">π_θ, states [P, 4] to actions [P, 1].</param>
/// <param name="perParticleWeights">On an adaptive TP chain, evaluate the policy with per-particle parameter copies at
/// each step and pass them as the node's weight targets, so k is chosen on the per-particle policy gradients
/// (<see cref="StochasticChain.Sample"/>); otherwise k is chosen on the messages for (μ, σ).</param>
public sealed class CartPoleChain(PippsCartPole task, RbfPolicy policy, bool perParticleWeights = false) : IChainProblem
{
    /// <summary>Whether an adaptive TP chain weighs on per-particle policy gradients.</summary>
    public bool PerParticleWeights { get; } = perParticleWeights;

    /// <summary>The cart-pole task.</summary>
    public PippsCartPole Task { get; } = task ?? throw new ArgumentNullException(nameof(task));

    /// <summary>The policy.</summary>
    public RbfPolicy Policy { get; } = policy ?? throw new ArgumentNullException(nameof(policy));

    /// <inheritdoc/>
    public string Name => $"noisy cart-pole {(Task.Balance ? "balance" : "swing-up")} (noise ×{Task.NoiseScale}), RBF policy ({Policy.Centres} centres){(PerParticleWeights ? ", TP weighs per-particle policy gradients" : "")}";

    /// <inheritdoc/>
    public IReadOnlyList<Tensor> Parameters => [.. Policy.Parameters()];

    /// <inheritdoc/>
    public Tensor Rollout(StochasticChain chain, int horizon, RngKey key)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        var p = chain.Particles;
        var dtype = Policy.Parameters().First().DType;
        var keys = key.Split(2);
        var state = Task.InitialState(keys[0], p, dtype);
        var std = Task.NoiseStdFor(p, dtype);
        var perParticle = PerParticleWeights && chain.Mode == PropagationMode.Total && chain.FixedWeight is null;
        for (var t = 0; t < horizon; t++)
        {
            var copies = perParticle ? Policy.PerParticleParameters(p) : null;
            var action = copies is null ? Policy.Forward(state) : Policy.ForwardPerParticle(state, copies);
            state = chain.Sample(PippsCartPole.Step(state, action), std, keys[1].FoldIn((uint)t), copies);
            chain.AddCost(PippsCartPole.Cost(state));
        }

        return chain.Loss();
    }
}
