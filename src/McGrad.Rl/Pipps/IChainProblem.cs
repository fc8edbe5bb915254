using McGrad.Randomness;

namespace McGrad.Rl.Pipps;

/// <summary>A stochastic chain whose expected cost is differentiated: its parameters and one rollout of P particles.</summary>
public interface IChainProblem
{
    /// <summary>A short name for reports.</summary>
    string Name { get; }

    /// <summary>The parameters θ the gradient is taken with respect to (leaves that require gradients).</summary>
    IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>
    /// Rolls <paramref name="horizon"/> sampling nodes out on <paramref name="chain"/> (its P particles), adding each step's
    /// cost, and returns <see cref="StochasticChain.Loss"/>: the particles' mean total cost.
    /// </summary>
    Tensor Rollout(StochasticChain chain, int horizon, RngKey key);
}
