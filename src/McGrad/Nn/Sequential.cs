using System.Collections;

namespace McGrad.Nn;

/// <summary>
/// Modules applied one after another: Forward(x) = mₖ(…m₁(m₀(x))). The modules are registered under their positions
/// "0", "1", …, so parameter names match torch.nn.Sequential's ("0.weight", "2.bias", …).
/// </summary>
/// <example><code>
/// var net = new Sequential { new Linear(4, 8, k1), Activation.Relu, new Linear(8, 1, k2) };
/// </code></example>
public class Sequential : Module, IReadOnlyList<Module>
{
    private readonly List<Module> _modules = [];

    /// <summary>Creates a sequence of the given modules.</summary>
    public Sequential(params IEnumerable<Module> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var m in modules)
        {
            Add(m);
        }
    }

    /// <summary>Number of modules.</summary>
    public int Count => _modules.Count;

    /// <summary>The module at position <paramref name="index"/>.</summary>
    public Module this[int index] => _modules[index];

    /// <summary>Appends a module (registered as the next position).</summary>
    public void Add(Module module)
    {
        RegisterModule(_modules.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        _modules.Add(module);
    }

    /// <summary>Applies the modules in order; the empty sequence is the identity.</summary>
    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var m in _modules)
        {
            x = m.Forward(x);
        }

        return x;
    }

    /// <inheritdoc/>
    public IEnumerator<Module> GetEnumerator() => _modules.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
