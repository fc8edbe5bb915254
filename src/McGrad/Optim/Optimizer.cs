using System.Numerics;
using System.Numerics.Tensors;

namespace McGrad.Optim;

/// <summary>A list of parameters that share one gradient transformation (e.g. Adam for a network, SGD for logits).</summary>
public sealed class ParameterGroup
{
    private readonly Tensor[] _parameters;

    /// <summary>Creates a group.</summary>
    /// <param name="parameters">The parameter tensors: leaves, Float32 or Float64, at least one.</param>
    /// <param name="transform">The transformation that turns their gradients into steps (e.g. <see cref="Transforms.Adam"/>).</param>
    /// <param name="name">Shown in messages (default "group k").</param>
    /// <exception cref="ArgumentException">No parameters, a null entry, a non-leaf or a non-float tensor.</exception>
    public ParameterGroup(IEnumerable<Tensor> parameters, IGradientTransformation transform, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(transform);
        _parameters = [.. parameters];
        Transform = transform;
        Name = name;
        var label = name ?? "ParameterGroup";
        if (_parameters.Length == 0)
        {
            throw new ArgumentException($"{label}: got an empty parameter list; a group needs at least one parameter.", nameof(parameters));
        }

        for (var i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i] ?? throw new ArgumentException($"{label}: parameter {i} is null.", nameof(parameters));
            if (!p.DType.IsFloatingPoint())
            {
                throw new ArgumentException($"{label}: parameter {i} ({p.Shape}) is {p.DType}; only Float32 and Float64 tensors can be optimised.", nameof(parameters));
            }

            if (!p.IsLeaf)
            {
                throw new ArgumentException($"{label}: parameter {i} ({p.Shape}) is not a leaf (it was produced by an op); optimise leaf tensors, e.g. created with RequireGrad().", nameof(parameters));
            }
        }
    }

    /// <summary>The parameters, in order.</summary>
    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>The group's transformation.</summary>
    public IGradientTransformation Transform { get; }

    /// <summary>The name given at construction, or null.</summary>
    public string? Name { get; }

    internal Tensor[] ParameterArray => _parameters;
}

/// <summary>
/// Applies gradient transformations to parameters: <see cref="Step"/> reads every parameter's
/// <see cref="Tensor.Grad"/>, passes the gradients through its group's transformation and adds the resulting
/// updates to the parameters <b>in place</b> — the one place where McGrad mutates tensors that users hold.
/// </summary>
/// <remarks>
/// <para>Typical loop: <c>loss.Backward(); opt.Step(); opt.ZeroGrad();</c>.</para>
/// <para>
/// A parameter whose <see cref="Tensor.Grad"/> is null is skipped: it is not changed, and its per-parameter state
/// (Adam's moments and step count, momentum buffer) is not advanced, as in torch.optim. A group in which no
/// parameter has a gradient is skipped entirely, so its learning-rate schedule does not advance either.
/// Gradients are copied into buffers the optimizer owns, so <see cref="Tensor.Grad"/> is never modified.
/// </para>
/// <para>
/// Because parameters change in place, a graph recorded before <see cref="Step"/> and differentiated after it
/// sees the new values; call <see cref="Step"/> after the backward pass, as usual. State buffers and update
/// buffers are allocated once, at construction; a step allocates nothing for parameters below
/// 65,536 elements (larger ones are split across cores, which costs a closure per tensor).
/// </para>
/// </remarks>
public sealed class Optimizer
{
    private readonly ParameterGroup[] _groups;
    private readonly TransformState[] _states;
    private readonly Tensor[][] _buffers;
    private readonly Tensor?[][] _updates;

    /// <summary>An optimizer over one group.</summary>
    /// <param name="parameters">The parameters (leaves, float).</param>
    /// <param name="transform">E.g. <c>Transforms.Adam(1e-3)</c>.</param>
    /// <exception cref="ArgumentException">See <see cref="ParameterGroup(IEnumerable{Tensor}, IGradientTransformation, string?)"/>.</exception>
    public Optimizer(IEnumerable<Tensor> parameters, IGradientTransformation transform)
        : this(new ParameterGroup(parameters, transform))
    {
    }

    /// <summary>An optimizer over several groups, each with its own transformation.</summary>
    /// <param name="groups">At least one group; no tensor may appear twice (in one group or across groups).</param>
    /// <exception cref="ArgumentException">No groups, a null group, or a parameter listed twice.</exception>
    public Optimizer(params ParameterGroup[] groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (groups.Length == 0)
        {
            throw new ArgumentException("Optimizer: got no parameter groups; pass at least one.", nameof(groups));
        }

        _groups = (ParameterGroup[])groups.Clone();
        _states = new TransformState[_groups.Length];
        _buffers = new Tensor[_groups.Length][];
        _updates = new Tensor?[_groups.Length][];
        var seen = new Dictionary<Tensor, (int Group, int Index)>(ReferenceEqualityComparer.Instance);
        for (var g = 0; g < _groups.Length; g++)
        {
            var group = _groups[g] ?? throw new ArgumentException($"Optimizer: groups[{g}] is null.", nameof(groups));
            var ps = group.ParameterArray;
            for (var i = 0; i < ps.Length; i++)
            {
                if (!seen.TryAdd(ps[i], (g, i)))
                {
                    var first = seen[ps[i]];
                    throw new ArgumentException($"Optimizer: parameter {i} of {Label(g)} ({ps[i].Shape}) is the same tensor as parameter {first.Index} of {Label(first.Group)}; each tensor may appear only once, or it would be stepped twice.", nameof(groups));
                }
            }

            _states[g] = group.Transform.Init(ps);
            _buffers[g] = new Tensor[ps.Length];
            _updates[g] = new Tensor?[ps.Length];
            for (var i = 0; i < ps.Length; i++)
            {
                _buffers[g][i] = Tensor.Zeros(ps[i].Shape, ps[i].DType);
            }
        }
    }

    /// <summary>The parameter groups, in order.</summary>
    public IReadOnlyList<ParameterGroup> Groups => _groups;

    /// <summary>Number of <see cref="Step"/> calls so far.</summary>
    public int StepCount { get; private set; }

    /// <summary>The transformation state of group <paramref name="group"/> (moments, counters; for inspection).</summary>
    /// <param name="group">Group index.</param>
    public TransformState GetState(int group)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(group);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(group, _groups.Length);
        return _states[group];
    }

    /// <summary>
    /// One optimisation step, in place: for each group, u = T(∇) from the parameters' <see cref="Tensor.Grad"/>,
    /// then p ← p + u. Parameters with a null gradient are skipped (see the class remarks).
    /// </summary>
    /// <exception cref="ArgumentException">A gradient's shape or dtype differs from its parameter's.</exception>
    public void Step()
    {
        // Gather and check every gradient before changing any parameter, so that a bad gradient leaves all
        // parameters and states as they were.
        for (var g = 0; g < _groups.Length; g++)
        {
            var ps = _groups[g].ParameterArray;
            var updates = _updates[g];
            for (var i = 0; i < ps.Length; i++)
            {
                var grad = ps[i].Grad;
                if (grad is not null && (grad.Shape != ps[i].Shape || grad.DType != ps[i].DType))
                {
                    throw new ArgumentException($"Optimizer.Step: parameter {i} of {Label(g)} is {ps[i].Shape} {ps[i].DType} but its Grad is {grad.Shape} {grad.DType}; a gradient must have its parameter's shape and dtype.");
                }

                updates[i] = grad;
            }
        }

        for (var g = 0; g < _groups.Length; g++)
        {
            var ps = _groups[g].ParameterArray;
            var buffers = _buffers[g];
            var updates = _updates[g];
            var any = false;
            for (var i = 0; i < ps.Length; i++)
            {
                if (updates[i] is { } grad)
                {
                    // Copy: Grad may be shared with other tensors and must not be modified.
                    CopyStorage(grad, buffers[i]);
                    updates[i] = buffers[i];
                    any = true;
                }
            }

            if (any)
            {
                _groups[g].Transform.Update(updates, _states[g], ps);
                ApplyUpdatesInPlace(ps, updates);
            }

            Array.Clear(updates);
        }

        StepCount++;
    }

    /// <summary>Sets <see cref="Tensor.Grad"/> of every parameter to null (the next backward pass starts afresh).</summary>
    public void ZeroGrad()
    {
        foreach (var group in _groups)
        {
            foreach (var p in group.ParameterArray)
            {
                p.ZeroGrad();
            }
        }
    }

    /// <summary>
    /// p_i ← p_i + u_i for every non-null update, <b>in place</b> (mutates the parameters' storage). For use with
    /// transformations outside an <see cref="Optimizer"/>.
    /// </summary>
    /// <param name="parameters">The parameters to change.</param>
    /// <param name="updates">One update (or null to skip) per parameter, with its shape and dtype.</param>
    /// <exception cref="ArgumentException">Counts, shapes or dtypes differ.</exception>
    public static void ApplyUpdatesInPlace(IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor?> updates)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(updates);
        if (parameters.Count != updates.Count)
        {
            throw new ArgumentException($"ApplyUpdatesInPlace: got {updates.Count} updates for {parameters.Count} parameters.", nameof(updates));
        }

        for (var i = 0; i < parameters.Count; i++)
        {
            var u = updates[i];
            if (u is null)
            {
                continue;
            }

            var p = parameters[i];
            if (u.Shape != p.Shape || u.DType != p.DType || !p.DType.IsFloatingPoint())
            {
                throw new ArgumentException($"ApplyUpdatesInPlace: parameter {i} is {p.Shape} {p.DType} but its update is {u.Shape} {u.DType}; expected the same shape and a float dtype.", nameof(updates));
            }

            OptimKernels.Run(p.DType, p.Size, new AddKernel(p, u));
        }
    }

    private static void CopyStorage(Tensor from, Tensor to)
    {
        if (from.DType == DType.Float32)
        {
            from.Span<float>().CopyTo(to.Span<float>());
        }
        else
        {
            from.Span<double>().CopyTo(to.Span<double>());
        }
    }

    private string Label(int g) => _groups[g].Name is { } n ? $"group '{n}'" : $"group {g}";

    private readonly struct AddKernel(Tensor p, Tensor u) : ISliceKernel
    {
        public void Run<T>(int start, int count)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var ps = OptimKernels.Slice<T>(p, start, count);
            TensorPrimitives.Add<T>(ps, OptimKernels.Slice<T>(u, start, count), ps);
        }
    }
}
