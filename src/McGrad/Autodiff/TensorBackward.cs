using McGrad.Autodiff;

namespace McGrad;

public sealed partial class Tensor
{
    /// <summary>Engine scratch: visit/reach marks during one backward pass.</summary>
    internal byte EngineState;

    /// <summary>Engine scratch: this tensor is a target of <c>Autograd.Grad</c>.</summary>
    internal bool EngineTarget;

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
    public void Backward(Tensor? gradOutput = null, bool retainGraph = false, bool createGraph = false)
    {
        var seeds = Autograd.Seeds([this], [gradOutput], "Backward");
        Engine.Run([this], seeds, null, retainGraph || createGraph, createGraph, accumulateIntoLeaves: true);
    }
}
