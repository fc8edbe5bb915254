using System.Runtime.CompilerServices;

namespace McGrad.Autodiff;

/// <summary>The backward pass: topological ordering, pruning, rule execution and gradient accumulation.</summary>
/// <remarks>
/// All scratch of one pass (visit and reach marks, pending gradients, which tensors are targets) lives in a
/// <see cref="Pass"/> object owned by that call, indexed by a per-pass node id; nothing is written to the tensors
/// except the leaves' <see cref="Tensor.Grad"/> (and the freeing of rules when the graph is not retained). So two threads
/// may differentiate graphs that share leaves (parameters) at the same time. Accumulation into a leaf's
/// <see cref="Tensor.Grad"/> is atomic: it runs under a lock chosen by the leaf, so concurrent Backward calls never lose
/// an update; the order in which two threads' contributions are added is unspecified (results are bit-identical only when
/// the additions commute exactly). <see cref="Autograd.Grad(IReadOnlyList{Tensor}, IReadOnlyList{Tensor}, IReadOnlyList{Tensor?}?, bool, bool, bool?)"/>
/// touches no tensor, so its results do not depend on other threads at all.
/// </remarks>
internal static class Engine
{
    private const byte Visited = 1;
    private const byte Reaches = 2;
    private const byte Target = 4;

    /// <summary>Locks for leaf accumulation, chosen by the leaf's identity hash (striped: a lock per leaf would cost a field on every tensor).</summary>
    private static readonly Lock[] GradLocks = CreateLocks(64);

    /// <summary>
    /// Propagates <paramref name="seeds"/> from <paramref name="outputs"/> back through the graph. With
    /// <paramref name="targets"/> the pass is pruned to paths that reach them and their gradients are returned;
    /// with <paramref name="accumulateIntoLeaves"/> leaf gradients are added to <see cref="Tensor.Grad"/>.
    /// </summary>
    public static Tensor?[] Run(IReadOnlyList<Tensor> outputs, Tensor[] seeds, IReadOnlyList<Tensor>? targets, bool retainGraph, bool createGraph, bool accumulateIntoLeaves)
    {
        var pass = new Pass();
        var targetCount = targets?.Count ?? 0;
        var targetIds = new int[targetCount];
        for (var i = 0; i < targetCount; i++)
        {
            targetIds[i] = pass.Id(targets![i]);
            pass.Flags[targetIds[i]] |= Target;
        }

        foreach (var o in outputs)
        {
            pass.TopologicalOrder(o, targets == null);
        }

        var pending = new Tensor?[pass.Nodes.Count];
        for (var k = 0; k < outputs.Count; k++)
        {
            var id = pass.Id(outputs[k]);
            pending[id] = pending[id] is { } p ? p + seeds[k] : seeds[k];
        }

        using var mode = new GradScope(createGraph);
        var order = pass.Order;
        for (var idx = order.Count - 1; idx >= 0; idx--)
        {
            var id = order[idx];
            var t = pass.Nodes[id];
            var g = pending[id];
            if (g == null || (pass.Flags[id] & Reaches) == 0)
            {
                continue;
            }

            var node = t.GradFn;
            if (node == null)
            {
                if (accumulateIntoLeaves)
                {
                    lock (GradLocks[RuntimeHelpers.GetHashCode(t) & (GradLocks.Length - 1)])
                    {
                        t.Grad = t.Grad == null ? g : t.Grad + g;
                    }
                }

                continue;
            }

            var rule = node.Rule ?? throw new InvalidOperationException($"Backward through a freed graph: op '{node.Op}' (output {node.OutputShape}) was already differentiated and its saved tensors released. Pass retainGraph: true to the first backward call to differentiate twice.");
            Tensor?[] grads;
            var outer = Anomaly.CurrentBackwardOp;
            Anomaly.CurrentBackwardOp = node.Op;
            try
            {
                grads = rule(g, node);
            }
            finally
            {
                Anomaly.CurrentBackwardOp = outer;
            }

            if (!retainGraph)
            {
                node.Rule = null;
            }

            if ((pass.Flags[id] & Target) == 0)
            {
                pending[id] = null; // release early: nothing reads it again
            }

            for (var i = 0; i < node.Inputs.Length; i++)
            {
                var input = node.Inputs[i];
                var gi = i < grads.Length ? grads[i] : null;
                if (gi == null || !input.RequiresGrad)
                {
                    continue;
                }

                var inputId = pass.Id(input);
                if ((pass.Flags[inputId] & Reaches) == 0)
                {
                    continue;
                }

                if (gi.Shape != input.Shape || gi.DType != input.DType)
                {
                    throw new InvalidOperationException($"Gradient rule of '{node.Op}' returned {gi.DType} {gi.Shape} for input {i}, which is {input.DType} {input.Shape}.");
                }

                if (Anomaly.IsEnabled)
                {
                    Anomaly.Check(gi, node.Op, $"backward (gradient for input {i})");
                }

                pending[inputId] = pending[inputId] is { } p ? p + gi : gi;
            }
        }

        var result = new Tensor?[targetCount];
        for (var i = 0; i < targetCount; i++)
        {
            result[i] = pending[targetIds[i]];
        }

        return result;
    }

    private static Lock[] CreateLocks(int count)
    {
        var locks = new Lock[count];
        for (var i = 0; i < count; i++)
        {
            locks[i] = new Lock();
        }

        return locks;
    }

    /// <summary>The scratch of one backward pass: a dense id per tensor met, its marks, and the post-order.</summary>
    private sealed class Pass
    {
        private readonly Dictionary<Tensor, int> _ids = new(ReferenceEqualityComparer.Instance);

        public List<Tensor> Nodes { get; } = [];

        public List<byte> Flags { get; } = [];

        /// <summary>Ids in post-order (inputs before the tensors computed from them).</summary>
        public List<int> Order { get; } = [];

        public int Id(Tensor t)
        {
            if (!_ids.TryGetValue(t, out var id))
            {
                id = Nodes.Count;
                _ids.Add(t, id);
                Nodes.Add(t);
                Flags.Add(0);
            }

            return id;
        }

        /// <summary>Iterative post-order DFS; marks each tensor Visited, and Reaches when a gradient should flow to it.</summary>
        public void TopologicalOrder(Tensor root, bool allLeaves)
        {
            if (!root.RequiresGrad)
            {
                return;
            }

            var rootId = Id(root);
            if ((Flags[rootId] & Visited) != 0)
            {
                return;
            }

            var stack = new Stack<(int Id, int Next)>();
            Flags[rootId] |= Visited;
            stack.Push((rootId, 0));
            while (stack.Count > 0)
            {
                var (id, next) = stack.Pop();
                var inputs = Nodes[id].GradFn?.Inputs;
                if (inputs != null && next < inputs.Length)
                {
                    stack.Push((id, next + 1));
                    var child = inputs[next];
                    if (child.RequiresGrad)
                    {
                        var childId = Id(child);
                        if ((Flags[childId] & Visited) == 0)
                        {
                            Flags[childId] |= Visited;
                            stack.Push((childId, 0));
                        }
                    }

                    continue;
                }

                var reaches = (Flags[id] & Target) != 0 || (inputs == null && allLeaves);
                if (inputs != null)
                {
                    foreach (var c in inputs)
                    {
                        reaches |= c.RequiresGrad && (Flags[Id(c)] & Reaches) != 0;
                    }
                }

                if (reaches)
                {
                    Flags[id] |= Reaches;
                }

                Order.Add(id);
            }
        }
    }
}
