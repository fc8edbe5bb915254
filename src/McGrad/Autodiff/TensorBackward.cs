using McGrad.Autodiff;

namespace McGrad;

public sealed partial class Tensor
{
    /// <summary>
    /// Accumulates ∂this/∂leaf into <see cref="Grad"/> of every leaf that requires gradients:
    /// leaf.Grad += gradOutput · ∂this/∂leaf.
    /// </summary>
    /// <param name="gradOutput">The seed; may be omitted for one-element tensors (seed 1).</param>
    /// <param name="retainGraph">Keep the graph so backward can run through it again; defaults to <paramref name="createGraph"/>.</param>
    /// <param name="createGraph">Record the backward pass so the gradients can be differentiated again.</param>
    /// <exception cref="ArgumentException">Non-scalar without <paramref name="gradOutput"/>, a seed of the wrong shape,
    /// or a tensor that does not require gradients.</exception>
    /// <exception cref="InvalidOperationException">The graph was freed by an earlier backward pass.</exception>
    /// <remarks>
    /// Thread safety: the pass keeps its scratch to itself, so several threads may call Backward at once on graphs that
    /// share leaves (parameters). Each leaf's accumulation is atomic (done under a lock), so no contribution is lost; the
    /// order of two threads' contributions is unspecified, so their float sum is reproducible only when the additions
    /// commute exactly. For bit-reproducible results from several threads, take each thread's gradients with
    /// <c>Autograd.Grad</c> and add them in a fixed order. One graph's intermediate nodes must not be differentiated by
    /// two threads at once unless both pass <paramref name="retainGraph"/>.
    /// </remarks>
    public void Backward(Tensor? gradOutput = null, bool retainGraph = false, bool createGraph = false)
    {
        var seeds = Autograd.Seeds([this], [gradOutput], "Backward");
        Engine.Run([this], seeds, null, retainGraph || createGraph, createGraph, accumulateIntoLeaves: true);
    }
}
