namespace McGrad.Autodiff;

/// <summary>
/// Differentiable functions with a user-written backward: y = forward(x₁…xₙ), and ∂L/∂xᵢ = backward(x, y, g)ᵢ
/// where g = ∂L/∂y. The forward runs without recording; the backward runs as any gradient rule does, so when it
/// is written in tensor ops it is recorded under <c>createGraph</c> and can be differentiated again.
/// </summary>
/// <remarks>
/// Use it for straight-through estimators (forward: a hard sample, backward: the relaxed gradient), perturb-and-MAP
/// (I-MLE) and other surrogate gradients. Return null for inputs that need no gradient; each non-null gradient
/// must have its input's shape and dtype.
/// </remarks>
/// <example><code>
/// // straight-through rounding: forward Round, backward identity
/// var y = CustomFunction.Apply("RoundST", [x], xs => xs[0].Round(), (xs, y, g) => [g]);
/// </code></example>
public static class CustomFunction
{
    /// <summary>Applies a function with a custom gradient (see the type summary).</summary>
    /// <param name="name">Op name used in error messages and anomaly reports.</param>
    /// <param name="inputs">The inputs; gradients are returned for those that require them.</param>
    /// <param name="forward">Computes the output from the inputs (not recorded).</param>
    /// <param name="backward">Given (inputs, output, ∂L/∂output), returns one gradient (or null) per input.</param>
    /// <exception cref="InvalidOperationException">backward returns a different number of gradients than inputs.</exception>
    public static Tensor Apply(string name, Tensor[] inputs, Func<Tensor[], Tensor> forward, Func<Tensor[], Tensor, Tensor, Tensor?[]> backward)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(backward);
        Tensor y;
        using (Autograd.NoGrad())
        {
            y = forward(inputs).Detach();
        }

        var output = y;
        return Autograd.Record(output, name, inputs, (g, n) =>
        {
            var grads = backward(n.Inputs, output, g);
            if (grads.Length != n.Inputs.Length)
            {
                throw new InvalidOperationException($"CustomFunction '{name}': backward returned {grads.Length} gradients for {n.Inputs.Length} inputs; return one (or null) per input.");
            }

            return grads;
        });
    }
}
