namespace McGrad.Autodiff;

/// <summary>
/// Reverse-mode automatic differentiation over the define-by-run graph that ops record.
/// </summary>
/// <remarks>
/// Every op on a tensor with <see cref="Tensor.RequiresGrad"/> records a node whose gradient rule is written in
/// tensor ops. A backward pass runs the rules in reverse topological order; with <c>createGraph: true</c> the
/// rules are themselves recorded, so the resulting gradients can be differentiated again (any order).
/// A graph is freed after a backward pass unless <c>retainGraph</c> is set; running backward through a freed
/// node throws, naming the op.
/// <para>
/// The recording mode (<see cref="NoGrad"/>, <see cref="EnableGrad"/>) is a scoped setting held in an
/// <see cref="AsyncLocal{T}"/>: it belongs to the flow of execution that opened the scope, follows it across
/// <c>await</c> and into tasks started inside the scope, and never leaks into other threads. Backward passes keep their
/// scratch to themselves, so threads may differentiate graphs that share parameters concurrently (see
/// <see cref="Tensor.Backward"/> for how leaf gradients are accumulated); one graph's intermediate nodes must not be
/// differentiated from two threads at once unless both retain the graph.
/// </para>
/// </remarks>
public static class Autograd
{
    private static readonly AsyncLocal<bool> Disabled = new();

    /// <summary>Whether ops started now, in this flow of execution, are recorded (false inside <see cref="NoGrad"/>).</summary>
    public static bool IsEnabled
    {
        get => !Disabled.Value;
        internal set
        {
            if (Disabled.Value == value)
            {
                Disabled.Value = !value; // set only on change: each set copies the execution context
            }
        }
    }

    /// <summary>Stops recording ops in this flow of execution (across <c>await</c>, not into other threads) until the returned scope is disposed.</summary>
    /// <example><code>using (Autograd.NoGrad()) { var y = model.Forward(x); }</code></example>
    public static GradScope NoGrad() => new(false);

    /// <summary>Resumes recording (e.g. inside a <see cref="NoGrad"/> region) until the scope is disposed.</summary>
    public static GradScope EnableGrad() => new(true);

    /// <summary>
    /// Computes Σ_k ⟨gradOutputs[k], ∂outputs[k]/∂inputs[i]⟩ for each input i (vector–Jacobian products),
    /// without touching any tensor's <see cref="Tensor.Grad"/>.
    /// </summary>
    /// <param name="outputs">Tensors to differentiate.</param>
    /// <param name="inputs">Tensors (leaves or intermediates) that require gradients.</param>
    /// <param name="gradOutputs">Seeds, one per output, each the output's shape; null entries (or a null list) seed
    /// ones for scalar outputs.</param>
    /// <param name="createGraph">Record the backward computation so the result can be differentiated again.</param>
    /// <param name="allowUnused">Return null for an input the outputs do not depend on instead of throwing.</param>
    /// <param name="retainGraph">Keep the graph for another backward pass; defaults to <paramref name="createGraph"/>.</param>
    /// <returns>One gradient per input, with that input's shape (null only for unused inputs when allowed).</returns>
    /// <exception cref="ArgumentException">An input does not require gradients, a seed has the wrong shape, or a
    /// non-scalar output has no seed.</exception>
    /// <exception cref="InvalidOperationException">An input is unused and <paramref name="allowUnused"/> is false,
    /// or the graph was freed by an earlier backward pass.</exception>
    public static Tensor?[] Grad(
        IReadOnlyList<Tensor> outputs,
        IReadOnlyList<Tensor> inputs,
        IReadOnlyList<Tensor?>? gradOutputs = null,
        bool createGraph = false,
        bool allowUnused = false,
        bool? retainGraph = null)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(inputs);
        for (var i = 0; i < inputs.Count; i++)
        {
            if (!inputs[i].RequiresGrad)
            {
                throw new ArgumentException($"Grad: inputs[{i}] ({inputs[i].Shape} {inputs[i].DType}) does not require gradients; set RequiresGrad = true before building the graph.", nameof(inputs));
            }
        }

        var seeds = Seeds(outputs, gradOutputs, "Grad");
        var result = Engine.Run(outputs, seeds, inputs, retainGraph ?? createGraph, createGraph, accumulateIntoLeaves: false);
        for (var i = 0; i < result.Length; i++)
        {
            if (result[i] == null && !allowUnused)
            {
                throw new InvalidOperationException($"Grad: inputs[{i}] ({inputs[i].Shape}) is not used in the graph of the outputs; pass allowUnused: true to get null for it.");
            }
        }

        return result;
    }

    /// <summary>Single-output, single-input form of <see cref="Grad(IReadOnlyList{Tensor}, IReadOnlyList{Tensor}, IReadOnlyList{Tensor?}?, bool, bool, bool?)"/>.</summary>
    public static Tensor Grad(Tensor output, Tensor input, Tensor? gradOutput = null, bool createGraph = false, bool? retainGraph = null)
        => Grad([output], [input], [gradOutput], createGraph, allowUnused: false, retainGraph)[0]!;

    /// <summary>
    /// Returns f(x) and ∇f(x) for a scalar function of several tensors (each input is detached and marked as
    /// requiring gradients first).
    /// </summary>
    public static (Tensor Value, Tensor[] Grads) ValueAndGrad(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(inputs);
        var leaves = new Tensor[inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            leaves[i] = inputs[i].Detach().RequireGrad();
        }

        var value = f(leaves);
        var grads = Grad([value], leaves, allowUnused: true);
        var dense = new Tensor[grads.Length];
        for (var i = 0; i < grads.Length; i++)
        {
            dense[i] = grads[i] ?? Tensor.ZerosLike(leaves[i]);
        }

        return (value.Detach(), dense);
    }

    internal static Tensor[] Seeds(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?>? gradOutputs, string op)
    {
        if (gradOutputs != null && gradOutputs.Count != outputs.Count)
        {
            throw new ArgumentException($"{op}: got {gradOutputs.Count} gradOutputs for {outputs.Count} outputs; pass one per output (or null).", nameof(gradOutputs));
        }

        var seeds = new Tensor[outputs.Count];
        for (var k = 0; k < outputs.Count; k++)
        {
            var o = outputs[k];
            var seed = gradOutputs?[k];
            if (seed == null)
            {
                if (o.Size != 1)
                {
                    throw new ArgumentException($"{op}: output {k} has shape {o.Shape}; backward without a gradOutput needs a one-element output. Pass gradOutputs with shape {o.Shape}, or reduce the output (e.g. Sum()).", nameof(gradOutputs));
                }

                seed = Tensor.OnesLike(o);
            }
            else if (seed.Shape != o.Shape || seed.DType != o.DType)
            {
                throw new ArgumentException($"{op}: gradOutputs[{k}] is {seed.DType} {seed.Shape} but output {k} is {o.DType} {o.Shape}; they must match.", nameof(gradOutputs));
            }

            if (!o.RequiresGrad)
            {
                throw new ArgumentException($"{op}: output {k} ({o.Shape}) does not require gradients: it does not depend on any tensor with RequiresGrad = true (or was computed under NoGrad).", nameof(outputs));
            }

            seeds[k] = seed;
        }

        return seeds;
    }

    /// <summary>Records a unary op when its input requires gradients; checks for anomalies.</summary>
    internal static Tensor Record(Tensor result, string op, Tensor input, GradRule rule)
    {
        if (Anomaly.IsEnabled)
        {
            Anomaly.Check(result, op, "forward");
        }

        if (!Disabled.Value && input.RequiresGrad)
        {
            result.MarkRecorded(new Node(op, [input], rule, result.Shape));
        }

        return result;
    }

    /// <summary>Records a binary op when either input requires gradients; checks for anomalies.</summary>
    internal static Tensor Record(Tensor result, string op, Tensor a, Tensor b, GradRule rule)
    {
        if (Anomaly.IsEnabled)
        {
            Anomaly.Check(result, op, "forward");
        }

        if (!Disabled.Value && (a.RequiresGrad || b.RequiresGrad))
        {
            result.MarkRecorded(new Node(op, [a, b], rule, result.Shape));
        }

        return result;
    }

    /// <summary>Records an n-ary op when any input requires gradients; checks for anomalies.</summary>
    internal static Tensor Record(Tensor result, string op, Tensor[] inputs, GradRule rule)
    {
        if (Anomaly.IsEnabled)
        {
            Anomaly.Check(result, op, "forward");
        }

        if (!Disabled.Value)
        {
            foreach (var t in inputs)
            {
                if (t.RequiresGrad)
                {
                    result.MarkRecorded(new Node(op, inputs, rule, result.Shape));
                    break;
                }
            }
        }

        return result;
    }

    /// <summary>For ops without a gradient (Floor, comparisons, indices): only the anomaly check.</summary>
    internal static Tensor Untracked(Tensor result, string op)
    {
        if (Anomaly.IsEnabled)
        {
            Anomaly.Check(result, op, "forward");
        }

        return result;
    }
}
