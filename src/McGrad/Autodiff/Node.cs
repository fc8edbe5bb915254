namespace McGrad.Autodiff;

/// <summary>
/// A gradient rule: given ∂L/∂output, returns ∂L/∂input for each input (null where not needed).
/// Rules are written in tensor ops, so under <c>createGraph</c> they are themselves recorded.
/// </summary>
internal delegate Tensor?[] GradRule(Tensor gradOutput, Node node);

/// <summary>One recorded op in the define-by-run graph: its name, inputs and gradient rule.</summary>
internal sealed class Node
{
    public Node(string op, Tensor[] inputs, GradRule rule, Shape outputShape)
    {
        Op = op;
        Inputs = inputs;
        Rule = rule;
        OutputShape = outputShape;
    }

    public string Op { get; }

    public Tensor[] Inputs { get; }

    /// <summary>The rule; null once a backward pass without <c>retainGraph</c> has freed it.</summary>
    public GradRule? Rule { get; set; }

    public Shape OutputShape { get; }

    /// <summary>Whether input <paramref name="i"/> needs a gradient (rules may skip the others).</summary>
    public bool NeedsGrad(int i) => Inputs[i].RequiresGrad;
}
