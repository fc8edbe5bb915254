namespace McGrad.Optim;

/// <summary>
/// A gradient transformation (as in optax): an <see cref="Init"/> that builds state from the parameters and an
/// <see cref="Update"/> that maps incoming updates (at first the gradients) to outgoing updates, advancing its
/// state. Transformations compose with <see cref="Transforms.Chain(IGradientTransformation[])"/>; an
/// <see cref="Optimizer"/> adds the final updates to the parameters.
/// </summary>
/// <remarks>
/// <para>
/// To avoid allocating on every step, <see cref="Update"/> works in place: the tensors in <c>updates</c> are
/// scratch buffers owned by the caller, holding the incoming updates on entry and the transformed updates on
/// return, and the state object is advanced in place (it is the "new state" of the functional formulation).
/// A transformation never keeps a reference to an update buffer and never writes to a parameter.
/// </para>
/// <para>
/// A null entry in <c>updates</c> means "parameter i has no gradient this step": the transformation leaves that
/// parameter's state (moments, step count) untouched and leaves the entry null.
/// </para>
/// </remarks>
public interface IGradientTransformation
{
    /// <summary>Creates the state for <paramref name="parameters"/> (per-parameter buffers start at zero).</summary>
    /// <param name="parameters">The parameters this state will serve, in the order later passed to <see cref="Update"/>.</param>
    /// <exception cref="ArgumentException">A parameter is null or not a floating-point tensor.</exception>
    TransformState Init(IReadOnlyList<Tensor> parameters);

    /// <summary>Transforms <paramref name="updates"/> in place and advances <paramref name="state"/>.</summary>
    /// <param name="updates">One buffer per parameter (or null to skip it), each with its parameter's shape and dtype.</param>
    /// <param name="state">State returned by <see cref="Init"/> of this transformation for the same parameter list.</param>
    /// <param name="parameters">The current parameter values (read only).</param>
    /// <exception cref="ArgumentException">Counts, shapes or dtypes disagree with the state, or the state came
    /// from another transformation.</exception>
    void Update(IReadOnlyList<Tensor?> updates, TransformState state, IReadOnlyList<Tensor> parameters);
}

/// <summary>
/// State of a gradient transformation. Records the shapes and dtypes of the parameters it was built for, so
/// that an update with a different parameter list is a clear error rather than silent corruption.
/// </summary>
public abstract class TransformState
{
    private readonly Shape[] _shapes;
    private readonly DType[] _dtypes;

    /// <summary>Records the parameters' shapes and dtypes.</summary>
    /// <param name="parameters">The parameters the state is built for.</param>
    protected TransformState(IReadOnlyList<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _shapes = new Shape[parameters.Count];
        _dtypes = new DType[parameters.Count];
        for (var i = 0; i < _shapes.Length; i++)
        {
            _shapes[i] = parameters[i].Shape;
            _dtypes[i] = parameters[i].DType;
        }
    }

    /// <summary>Number of parameters the state was built for.</summary>
    public int ParameterCount => _shapes.Length;

    /// <summary>Throws unless <paramref name="parameters"/> and <paramref name="updates"/> match the recorded parameters.</summary>
    internal void Validate(string op, IReadOnlyList<Tensor?> updates, IReadOnlyList<Tensor> parameters)
    {
        if (parameters.Count != _shapes.Length)
        {
            throw new ArgumentException($"{op}.Update: the state was built by Init for {_shapes.Length} parameters but {parameters.Count} parameters were passed; pass the same parameter list as to Init.", nameof(parameters));
        }

        if (updates.Count != _shapes.Length)
        {
            throw new ArgumentException($"{op}.Update: got {updates.Count} updates for {_shapes.Length} parameters; pass one update (or null) per parameter.", nameof(updates));
        }

        for (var i = 0; i < _shapes.Length; i++)
        {
            var p = parameters[i];
            if (p is null || p.Shape != _shapes[i] || p.DType != _dtypes[i])
            {
                var got = p is null ? "null" : $"{p.Shape} {p.DType}";
                throw new ArgumentException($"{op}.Update: parameter {i} is {got} but the state was built for {_shapes[i]} {_dtypes[i]}; pass the same parameter list as to Init.", nameof(parameters));
            }

            var u = updates[i];
            if (u is not null && (u.Shape != p.Shape || u.DType != p.DType))
            {
                throw new ArgumentException($"{op}.Update: updates[{i}] is {u.Shape} {u.DType} but parameter {i} is {p.Shape} {p.DType}; an update must have its parameter's shape and dtype.", nameof(updates));
            }
        }
    }
}

/// <summary>
/// Base class for transformations with a typed state: validates arguments once, so that implementations only
/// write the arithmetic.
/// </summary>
/// <typeparam name="TState">The state type built by <see cref="CreateState"/>.</typeparam>
public abstract class GradientTransformation<TState> : IGradientTransformation
    where TState : TransformState
{
    /// <summary>Name used in error messages (e.g. "ScaleByAdam").</summary>
    public abstract string Name { get; }

    /// <summary>Creates the state for <paramref name="parameters"/>; see <see cref="IGradientTransformation.Init"/>.</summary>
    /// <exception cref="ArgumentException">A parameter is null or not a floating-point tensor.</exception>
    public TState Init(IReadOnlyList<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        for (var i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i] ?? throw new ArgumentException($"{Name}.Init: parameter {i} is null.", nameof(parameters));
            if (!p.DType.IsFloatingPoint())
            {
                throw new ArgumentException($"{Name}.Init: parameter {i} ({p.Shape}) is {p.DType}; only Float32 and Float64 tensors can be optimised.", nameof(parameters));
            }
        }

        return CreateState(parameters);
    }

    /// <summary>Transforms <paramref name="updates"/> in place; see <see cref="IGradientTransformation.Update"/>.</summary>
    /// <exception cref="ArgumentException">Counts, shapes or dtypes disagree with the state.</exception>
    public void Update(IReadOnlyList<Tensor?> updates, TState state, IReadOnlyList<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(updates);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(parameters);
        state.Validate(Name, updates, parameters);
        Apply(updates, state, parameters);
    }

    /// <summary>Builds the state; parameters are already checked to be non-null floating-point tensors.</summary>
    /// <param name="parameters">The parameters.</param>
    protected abstract TState CreateState(IReadOnlyList<Tensor> parameters);

    /// <summary>Transforms the non-null updates in place; arguments are already validated against the state.</summary>
    /// <param name="updates">Update buffers (null entries: skip).</param>
    /// <param name="state">The state.</param>
    /// <param name="parameters">The parameters.</param>
    protected abstract void Apply(IReadOnlyList<Tensor?> updates, TState state, IReadOnlyList<Tensor> parameters);

    TransformState IGradientTransformation.Init(IReadOnlyList<Tensor> parameters) => Init(parameters);

    void IGradientTransformation.Update(IReadOnlyList<Tensor?> updates, TransformState state, IReadOnlyList<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state is not TState typed)
        {
            throw new ArgumentException($"{Name}.Update: the state is a {state.GetType().Name}, expected a {typeof(TState).Name} built by {Name}.Init.", nameof(state));
        }

        Update(updates, typed, parameters);
    }
}
