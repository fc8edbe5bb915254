namespace McGrad.Optim;

/// <summary>
/// Composition of transformations: updates pass through each in order, u ← T_k(…T_2(T_1(g))).
/// </summary>
/// <remarks>An empty chain is the identity. Each member keeps its own state (see <see cref="ChainState"/>).</remarks>
public sealed class Chain : GradientTransformation<ChainState>
{
    private readonly IGradientTransformation[] _transforms;

    /// <summary>Chains <paramref name="transforms"/>, applied in the order given.</summary>
    /// <exception cref="ArgumentException">A member is null.</exception>
    public Chain(params IGradientTransformation[] transforms)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        for (var i = 0; i < transforms.Length; i++)
        {
            if (transforms[i] is null)
            {
                throw new ArgumentException($"Chain: transforms[{i}] is null.", nameof(transforms));
            }
        }

        _transforms = (IGradientTransformation[])transforms.Clone();
    }

    /// <inheritdoc/>
    public override string Name => "Chain";

    /// <summary>The members, in application order.</summary>
    public IReadOnlyList<IGradientTransformation> Transforms => _transforms;

    /// <inheritdoc/>
    protected override ChainState CreateState(IReadOnlyList<Tensor> parameters)
    {
        var states = new TransformState[_transforms.Length];
        for (var i = 0; i < states.Length; i++)
        {
            states[i] = _transforms[i].Init(parameters);
        }

        return new ChainState(parameters, states);
    }

    /// <inheritdoc/>
    protected override void Apply(IReadOnlyList<Tensor?> updates, ChainState state, IReadOnlyList<Tensor> parameters)
    {
        var states = state.StateArray;
        if (states.Length != _transforms.Length)
        {
            throw new ArgumentException($"Chain.Update: the state holds {states.Length} member states but the chain has {_transforms.Length} members; use the state built by this chain's Init.", nameof(state));
        }

        for (var i = 0; i < _transforms.Length; i++)
        {
            _transforms[i].Update(updates, states[i], parameters);
        }
    }
}

/// <summary>State of a <see cref="Chain"/>: one state per member, in order.</summary>
public sealed class ChainState : TransformState
{
    internal ChainState(IReadOnlyList<Tensor> parameters, TransformState[] states)
        : base(parameters) => StateArray = states;

    /// <summary>The members' states, in the chain's order.</summary>
    public IReadOnlyList<TransformState> States => StateArray;

    internal TransformState[] StateArray { get; }
}
