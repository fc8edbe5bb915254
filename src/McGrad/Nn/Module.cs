using System.Globalization;
using System.Text;

namespace McGrad.Nn;

/// <summary>
/// Base class of neural-network building blocks: a module owns named parameters (float tensors that require
/// gradients) and named submodules, and maps an input tensor to an output with <see cref="Forward(Tensor)"/>.
/// Parameter names are hierarchical, as in PyTorch: a parameter <c>weight</c> of the submodule registered as
/// <c>0</c> inside a submodule <c>layers</c> is <c>layers.0.weight</c>.
/// </summary>
/// <remarks>
/// A subclass registers its parameters with <see cref="RegisterParameter"/> and its children with
/// <see cref="RegisterModule{TModule}"/> in its constructor and implements <see cref="Forward(Tensor)"/>.
/// Enumeration order is PyTorch's: a module's own parameters in registration order, then each child's, depth first.
/// A tensor reachable under two names (a shared submodule, tied weights) is listed once, under its first name.
/// Modules are not thread-safe while being modified (<see cref="SetParameter"/>, <see cref="ForwardWith"/>,
/// <see cref="Load(string, bool)"/>); concurrent <see cref="Forward(Tensor)"/> calls are safe when the forward pass
/// itself only reads.
/// </remarks>
public abstract class Module
{
    private readonly List<Slot> _parameters = [];
    private readonly List<KeyValuePair<string, Module>> _children = [];

    /// <summary>The output of the module for <paramref name="input"/>; recorded for autodiff like any tensor op.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>All parameters (own first, then each submodule's, depth first), each tensor once.</summary>
    public IEnumerable<Tensor> Parameters()
    {
        foreach (var (_, p) in NamedParameters())
        {
            yield return p;
        }
    }

    /// <summary>
    /// All parameters with their hierarchical names (e.g. <c>layers.0.weight</c>), in <see cref="Parameters"/> order;
    /// a tensor reachable under several names is listed once, under the first.
    /// </summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedParameters()
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var list = new List<KeyValuePair<string, Tensor>>();
        Collect(string.Empty, list, seen, new HashSet<Module>(ReferenceEqualityComparer.Instance));
        return list;
    }

    /// <summary>The directly registered submodules, in registration order.</summary>
    public IEnumerable<Module> Children() => _children.Select(c => c.Value);

    /// <summary>The directly registered submodules with their (one-segment) names.</summary>
    public IReadOnlyList<KeyValuePair<string, Module>> NamedChildren() => _children;

    /// <summary>The parameters registered on this module itself (not on submodules), with their one-segment names.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> OwnParameters() => _parameters.Select(s => new KeyValuePair<string, Tensor>(s.Name, s.Value));

    /// <summary>Total number of parameter elements, Σ size(p) over <see cref="Parameters"/>.</summary>
    public long ParameterCount() => Parameters().Sum(p => (long)p.Size);

    /// <summary>Clears the accumulated gradient (<c>Grad = null</c>) of every parameter.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters())
        {
            p.ZeroGrad();
        }
    }

    /// <summary>The parameter with hierarchical name <paramref name="name"/> (e.g. <c>0.weight</c>).</summary>
    /// <exception cref="KeyNotFoundException">No parameter has that name; the message lists the names there are.</exception>
    public Tensor GetParameter(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var (owner, leaf) = Resolve(name);
        var slot = owner?.FindSlot(leaf) ?? throw UnknownName(name);
        return slot.Value;
    }

    /// <summary>
    /// Replaces the tensor held under the parameter name <paramref name="name"/> by <paramref name="value"/> (the
    /// reference is swapped; nothing is copied). The new tensor must have the old one's shape and dtype; its
    /// <see cref="Tensor.RequiresGrad"/> flag is left as it is, so a non-leaf (e.g. θ − α∇θ in meta-learning, or a
    /// perturbed θ + σε in evolution strategies) can stand in for a parameter. To copy values instead, use
    /// <see cref="LoadStateDict"/>.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No parameter has that name.</exception>
    /// <exception cref="ArgumentException">The shape or dtype differs from the current parameter's.</exception>
    public void SetParameter(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        var (owner, leaf) = Resolve(name);
        var slot = owner?.FindSlot(leaf) ?? throw UnknownName(name);
        if (value.Shape != slot.Value.Shape || value.DType != slot.Value.DType)
        {
            throw new ArgumentException($"SetParameter: parameter '{name}' is {slot.Value.DType} {slot.Value.Shape}; the replacement is {value.DType} {value.Shape}.", nameof(value));
        }

        slot.Value = value;
    }

    /// <summary>
    /// Functional call: runs <see cref="Forward(Tensor)"/> with the parameters named in <paramref name="parameters"/>
    /// replaced by the given tensors (as <see cref="SetParameter"/>), and restores the module's own tensors
    /// afterwards, also when Forward throws. Gradients flow to the substituted tensors, so
    /// <c>Autograd.Grad(loss, [..substitutes])</c> differentiates with respect to them (torch.func.functional_call).
    /// </summary>
    /// <exception cref="KeyNotFoundException">A name is not a parameter of this module.</exception>
    /// <exception cref="ArgumentException">A substitute's shape or dtype differs from the parameter's.</exception>
    public Tensor ForwardWith(IReadOnlyDictionary<string, Tensor> parameters, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var saved = new List<(Slot Slot, Tensor Value)>(parameters.Count);
        try
        {
            foreach (var (name, value) in parameters)
            {
                ArgumentNullException.ThrowIfNull(value, name);
                var (owner, leaf) = Resolve(name);
                var slot = owner?.FindSlot(leaf) ?? throw UnknownName(name);
                if (value.Shape != slot.Value.Shape || value.DType != slot.Value.DType)
                {
                    throw new ArgumentException($"ForwardWith: parameter '{name}' is {slot.Value.DType} {slot.Value.Shape}; the substitute is {value.DType} {value.Shape}.", nameof(parameters));
                }

                saved.Add((slot, slot.Value));
                slot.Value = value;
            }

            return Forward(input);
        }
        finally
        {
            for (var i = saved.Count - 1; i >= 0; i--)
            {
                saved[i].Slot.Value = saved[i].Value;
            }
        }
    }

    /// <summary>
    /// The parameters by hierarchical name, as tensors that share storage with the parameters but are cut from the
    /// graph (<see cref="Tensor.Detach"/>): what <see cref="Save"/> writes.
    /// </summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, p) in NamedParameters())
        {
            d[name] = p.Detach();
        }

        return d;
    }

    /// <summary>
    /// Copies the values in <paramref name="state"/> into the parameters of the same names, in place (the module keeps
    /// its tensors, so an optimizer built on them stays valid). Everything is checked before anything is written.
    /// </summary>
    /// <param name="state">Tensors by hierarchical name.</param>
    /// <param name="strict">When true (the default) the names must match exactly: missing and unexpected names are
    /// an error that lists them all. When false, only the names present in both are copied.</param>
    /// <param name="source">Where the state came from (a file name), used in error messages.</param>
    /// <exception cref="ArgumentException">Missing or unexpected names (strict), or a tensor whose shape or dtype
    /// differs from its parameter's; the message names the parameter, the source and both shapes.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var from = source == null ? "the state dictionary" : $"'{source}'";
        var named = NamedParameters().ToList();
        if (strict)
        {
            var missing = named.Where(p => !state.ContainsKey(p.Key)).Select(p => p.Key).ToList();
            var known = named.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
            var unexpected = state.Keys.Where(k => !known.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
            {
                var sb = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Load: the names in {from} do not match the parameters of {GetType().Name}.");
                if (missing.Count > 0)
                {
                    sb.Append(CultureInfo.InvariantCulture, $" Missing ({missing.Count}): {string.Join(", ", missing)}.");
                }

                if (unexpected.Count > 0)
                {
                    sb.Append(CultureInfo.InvariantCulture, $" Unexpected ({unexpected.Count}): {string.Join(", ", unexpected)}.");
                }

                throw new ArgumentException(sb.ToString(), nameof(state));
            }
        }

        var plan = new List<(Tensor Target, Tensor Value)>();
        foreach (var (name, p) in named)
        {
            if (!state.TryGetValue(name, out var v))
            {
                continue;
            }

            ArgumentNullException.ThrowIfNull(v, name);
            if (v.Shape != p.Shape)
            {
                throw new ArgumentException($"Load: parameter '{name}' has shape {p.Shape} in {GetType().Name} but {v.Shape} in {from}.", nameof(state));
            }

            if (v.DType != p.DType)
            {
                throw new ArgumentException($"Load: parameter '{name}' is {p.DType} in {GetType().Name} but {v.DType} in {from}; McGrad does not convert silently (convert the module's tensors or the file).", nameof(state));
            }

            plan.Add((p, v));
        }

        foreach (var (target, value) in plan)
        {
            if (!ReferenceEquals(target.Storage, value.Storage))
            {
                Array.Copy(value.Storage, target.Storage, target.Size);
            }
        }
    }

    /// <summary>
    /// Writes the parameters to a safetensors file (<see cref="SafeTensors.Save(string, IEnumerable{KeyValuePair{string, Tensor}}, IReadOnlyDictionary{string, string}?)"/>)
    /// under their hierarchical names.
    /// </summary>
    public void Save(string path, IReadOnlyDictionary<string, string>? metadata = null) => SafeTensors.Save(path, StateDict(), metadata);

    /// <summary>
    /// Reads a safetensors file and copies its tensors into the parameters of the same names
    /// (<see cref="LoadStateDict"/>): names, shapes and dtypes must match; errors name the parameter and the file.
    /// </summary>
    /// <exception cref="ArgumentException">Names, shapes or dtypes do not match.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file.</exception>
    public void Load(string path, bool strict = true) => LoadStateDict(SafeTensors.Load(path), strict, path);

    /// <summary>A PyTorch-style description: the type, its settings and the submodules, indented.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Describe(sb, 0);
        return sb.ToString();
    }

    /// <summary>One-line settings shown between the parentheses of <see cref="ToString"/> (e.g. <c>in=3, out=4</c>).</summary>
    protected virtual string ExtraDescription() => string.Empty;

    /// <summary>
    /// Registers a parameter under <paramref name="name"/> (no dots; unique within this module) and marks it as
    /// requiring gradients. Returns the tensor.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty, contains a dot or is taken; the tensor is not a
    /// floating-point leaf.</exception>
    protected Tensor RegisterParameter(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        CheckName(name);
        if (!value.DType.IsFloatingPoint())
        {
            throw new ArgumentException($"RegisterParameter: parameter '{name}' of {GetType().Name} is {value.DType}; parameters must be Float32 or Float64.", nameof(value));
        }

        if (!value.IsLeaf)
        {
            throw new ArgumentException($"RegisterParameter: parameter '{name}' of {GetType().Name} is the result of an op; register a leaf (use Detach()).", nameof(value));
        }

        value.RequiresGrad = true;
        _parameters.Add(new Slot(name, value));
        return value;
    }

    /// <summary>Registers a submodule under <paramref name="name"/> (no dots; unique within this module). Returns it.</summary>
    /// <exception cref="ArgumentException">The name is empty, contains a dot or is taken, or the module is this one.</exception>
    protected TModule RegisterModule<TModule>(string name, TModule module)
        where TModule : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckName(name);
        if (ReferenceEquals(module, this))
        {
            throw new ArgumentException($"RegisterModule: a module cannot be its own submodule ('{name}').", nameof(module));
        }

        _children.Add(new KeyValuePair<string, Module>(name, module));
        return module;
    }

    /// <summary>The tensor currently held under this module's own parameter <paramref name="name"/>.</summary>
    protected Tensor OwnParameter(string name) => (FindSlot(name) ?? throw UnknownName(name)).Value;

    private void CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.Contains('.', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{GetType().Name}: the name '{name}' is not valid; names are non-empty and contain no '.'.", nameof(name));
        }

        if (FindSlot(name) != null || _children.Any(c => c.Key == name))
        {
            throw new ArgumentException($"{GetType().Name}: the name '{name}' is already registered.", nameof(name));
        }
    }

    private Slot? FindSlot(string name)
    {
        foreach (var s in _parameters)
        {
            if (s.Name == name)
            {
                return s;
            }
        }

        return null;
    }

    private (Module? Owner, string Leaf) Resolve(string name)
    {
        var parts = name.Split('.');
        Module? m = this;
        for (var i = 0; i < parts.Length - 1 && m != null; i++)
        {
            Module? next = null;
            foreach (var (n, c) in m._children)
            {
                if (n == parts[i])
                {
                    next = c;
                    break;
                }
            }

            m = next;
        }

        return (m, parts[^1]);
    }

    private KeyNotFoundException UnknownName(string name)
    {
        var names = NamedParameters().Select(p => p.Key).ToList();
        return new KeyNotFoundException($"{GetType().Name} has no parameter '{name}'; its parameters are: {(names.Count == 0 ? "(none)" : string.Join(", ", names))}.");
    }

    private void Collect(string prefix, List<KeyValuePair<string, Tensor>> list, HashSet<Tensor> seen, HashSet<Module> visiting)
    {
        if (!visiting.Add(this))
        {
            throw new InvalidOperationException($"{GetType().Name}: the module tree has a cycle at '{prefix.TrimEnd('.')}'.");
        }

        foreach (var s in _parameters)
        {
            if (seen.Add(s.Value))
            {
                list.Add(new KeyValuePair<string, Tensor>(prefix + s.Name, s.Value));
            }
        }

        foreach (var (n, c) in _children)
        {
            c.Collect(prefix + n + ".", list, seen, visiting);
        }

        visiting.Remove(this);
    }

    private void Describe(StringBuilder sb, int indent)
    {
        sb.Append(GetType().Name).Append('(').Append(ExtraDescription());
        if (_children.Count == 0)
        {
            sb.Append(')');
            return;
        }

        sb.AppendLine();
        foreach (var (n, c) in _children)
        {
            sb.Append(' ', (indent + 1) * 2).Append('(').Append(n).Append("): ");
            c.Describe(sb, indent + 1);
            sb.AppendLine();
        }

        sb.Append(' ', indent * 2).Append(')');
    }

    private sealed class Slot(string name, Tensor value)
    {
        public string Name { get; } = name;

        public Tensor Value { get; set; } = value;
    }
}
