namespace McGrad.Autodiff;

/// <summary>The backward pass: topological ordering, pruning, rule execution and gradient accumulation.</summary>
internal static class Engine
{
    private const byte Visited = 1;
    private const byte Reaches = 2;

    /// <summary>
    /// Propagates <paramref name="seeds"/> from <paramref name="outputs"/> back through the graph. With
    /// <paramref name="targets"/> the pass is pruned to paths that reach them and their gradients are returned;
    /// with <paramref name="accumulateIntoLeaves"/> leaf gradients are added to <see cref="Tensor.Grad"/>.
    /// </summary>
    public static Tensor?[] Run(IReadOnlyList<Tensor> outputs, Tensor[] seeds, IReadOnlyList<Tensor>? targets, bool retainGraph, bool createGraph, bool accumulateIntoLeaves)
    {
        var order = new List<Tensor>();
        var targetCount = targets?.Count ?? 0;
        for (var i = 0; i < targetCount; i++)
        {
            targets![i].EngineTarget = true;
        }

        try
        {
            foreach (var o in outputs)
            {
                TopologicalOrder(o, order, targets == null);
            }

            for (var k = 0; k < outputs.Count; k++)
            {
                var o = outputs[k];
                o.PendingGrad = o.PendingGrad == null ? seeds[k] : o.PendingGrad + seeds[k];
            }

            using var mode = new GradScope(createGraph);
            for (var idx = order.Count - 1; idx >= 0; idx--)
            {
                var t = order[idx];
                var g = t.PendingGrad;
                if (g == null || (t.EngineState & Reaches) == 0)
                {
                    continue;
                }

                var node = t.GradFn;
                if (node == null)
                {
                    if (accumulateIntoLeaves)
                    {
                        t.Grad = t.Grad == null ? g : t.Grad + g;
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

                if (!t.EngineTarget)
                {
                    t.PendingGrad = null;
                }

                for (var i = 0; i < node.Inputs.Length; i++)
                {
                    var input = node.Inputs[i];
                    var gi = i < grads.Length ? grads[i] : null;
                    if (gi == null || !input.RequiresGrad || (input.EngineState & Reaches) == 0)
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

                    input.PendingGrad = input.PendingGrad == null ? gi : input.PendingGrad + gi;
                }
            }

            var result = new Tensor?[targetCount];
            for (var i = 0; i < targetCount; i++)
            {
                result[i] = targets![i].PendingGrad;
            }

            return result;
        }
        finally
        {
            foreach (var t in order)
            {
                t.PendingGrad = null;
                t.EngineState = 0;
            }

            for (var i = 0; i < targetCount; i++)
            {
                targets![i].EngineTarget = false;
                targets[i].PendingGrad = null;
            }
        }
    }

    /// <summary>Iterative post-order DFS; marks each tensor Visited, and Reaches when a gradient should flow to it.</summary>
    private static void TopologicalOrder(Tensor root, List<Tensor> order, bool allLeaves)
    {
        if ((root.EngineState & Visited) != 0 || !root.RequiresGrad)
        {
            return;
        }

        var stack = new Stack<(Tensor T, int Next)>();
        root.EngineState = Visited;
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            var inputs = t.GradFn?.Inputs;
            if (inputs != null && next < inputs.Length)
            {
                stack.Push((t, next + 1));
                var child = inputs[next];
                if (child.RequiresGrad && (child.EngineState & Visited) == 0)
                {
                    child.EngineState = Visited;
                    stack.Push((child, 0));
                }

                continue;
            }

            var reaches = t.EngineTarget || (inputs == null && allLeaves);
            if (inputs != null)
            {
                foreach (var c in inputs)
                {
                    reaches |= (c.EngineState & Reaches) != 0;
                }
            }

            if (reaches)
            {
                t.EngineState |= Reaches;
            }

            order.Add(t);
        }
    }
}
