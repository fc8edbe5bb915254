namespace McGrad.Combinatorial;

/// <summary>Whether a MAP solver maximises or minimises the linear objective ⟨z, θ⟩ over its feasible set.</summary>
public enum MapSense
{
    /// <summary>z* = argmax_{z ∈ C} ⟨z, θ⟩: θ are scores (argmax, top-k, k-subsets).</summary>
    Maximize,

    /// <summary>z* = argmin_{z ∈ C} ⟨z, θ⟩: θ are costs (shortest path, minimum spanning tree, assignment).</summary>
    Minimize,
}

/// <summary>
/// A MAP (maximum a posteriori) oracle of a constrained exponential family p(z; θ) ∝ exp(⟨z, θ⟩)·1[z ∈ C]:
/// z*(θ) = argmax_{z ∈ C} ⟨z, θ⟩ (or argmin for cost problems, see <see cref="Sense"/>), for each instance of a batch.
/// </summary>
/// <remarks>
/// <para><b>Shapes.</b> The scores have shape batch + instance, where the instance has <see cref="InstanceRank"/>
/// dimensions (a vector for top-k, a grid for shortest paths, a matrix for spanning trees and assignments);
/// every batch element is solved independently. The solution has the scores' shape and dtype and holds the feasible
/// structure z ∈ C as 0/1 entries (indicators of selected items, path vertices, tree edges, assignment pairs), so that
/// ⟨z, θ⟩ is the objective of the instance.</para>
/// <para><b>Implementing one.</b> Any exact solver of a linear objective over a discrete set works with perturb-and-MAP
/// and I-MLE (Niepert, Minervini, Franceschi 2021). Derive from <see cref="MapSolver"/> to get validation, batching and
/// parallelism for free and write only the per-instance kernel, or implement this interface directly. The solver must be
/// deterministic (ties broken by a fixed rule), must not record gradients and must not modify its input.</para>
/// </remarks>
public interface IMapSolver
{
    /// <summary>A short name used in messages and reports ("TopK(k=3)").</summary>
    string Name { get; }

    /// <summary>Whether the solver maximises (scores) or minimises (costs) ⟨z, θ⟩.</summary>
    MapSense Sense { get; }

    /// <summary>The number of trailing dimensions of the scores that form one instance (the rest are batch dimensions).</summary>
    int InstanceRank { get; }

    /// <summary>z* = argmax_{z ∈ C} ⟨z, θ⟩ (argmin for <see cref="MapSense.Minimize"/>) for every instance of <paramref name="scores"/>.</summary>
    /// <param name="scores">θ, of shape batch + instance, Float32 or Float64.</param>
    /// <returns>The solutions, with the scores' shape and dtype (not recorded: MAP has no useful derivative).</returns>
    /// <exception cref="ArgumentException">Bad dtype, shape or values for this solver.</exception>
    Tensor Solve(Tensor scores);
}
