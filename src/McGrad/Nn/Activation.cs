using System.Globalization;

namespace McGrad.Nn;

/// <summary>
/// A parameterless module applying an elementwise function, e.g. <see cref="Tanh"/> or
/// <see cref="FromFunc(Func{Tensor, Tensor}, string)"/> for any <c>Func&lt;Tensor, Tensor&gt;</c>. Gradients are those
/// of the underlying tensor ops.
/// </summary>
public sealed class Activation : Module
{
    private readonly Func<Tensor, Tensor> _f;

    private Activation(string name, Func<Tensor, Tensor> f, Nonlinearity? nonlinearity, double? slope)
    {
        Name = name;
        _f = f;
        Nonlinearity = nonlinearity;
        NegativeSlope = slope;
    }

    /// <summary>tanh(x); ∂/∂x = 1 − tanh²(x).</summary>
    public static Activation Tanh => new("Tanh", static x => x.Tanh(), Nn.Nonlinearity.Tanh, null);

    /// <summary>max(x, 0); ∂/∂x = 1 for x &gt; 0, else 0.</summary>
    public static Activation Relu => new("Relu", static x => x.Relu(), Nn.Nonlinearity.Relu, null);

    /// <summary>σ(x) = 1/(1 + e⁻ˣ); ∂/∂x = σ(x)(1 − σ(x)).</summary>
    public static Activation Sigmoid => new("Sigmoid", static x => x.Sigmoid(), Nn.Nonlinearity.Sigmoid, null);

    /// <summary>log(1 + eˣ); ∂/∂x = σ(x).</summary>
    public static Activation Softplus => new("Softplus", static x => x.Softplus(), null, null);

    /// <summary>SiLU (swish) x·σ(x); ∂/∂x = σ(x)(1 + x(1 − σ(x))).</summary>
    public static Activation Silu => new("Silu", static x => x * x.Sigmoid(), null, null);

    /// <summary>The identity x (no nonlinearity).</summary>
    public static Activation Identity => new("Identity", static x => x, Nn.Nonlinearity.Linear, null);

    /// <summary>The nonlinearity for initialisation gains (<see cref="Init.Gain"/>), or null when torch defines none.</summary>
    public Nonlinearity? Nonlinearity { get; }

    /// <summary>The negative slope of a leaky ReLU; null otherwise.</summary>
    public double? NegativeSlope { get; }

    /// <summary>The name shown by <see cref="Module.ToString"/>, e.g. <c>Tanh</c>.</summary>
    public string Name { get; }

    /// <summary>Leaky ReLU: x for x &gt; 0, a·x otherwise (a = <paramref name="negativeSlope"/>).</summary>
    public static Activation LeakyRelu(double negativeSlope = 0.01) =>
        new(string.Create(CultureInfo.InvariantCulture, $"LeakyRelu(negativeSlope={negativeSlope})"), x => x.LeakyRelu(negativeSlope), Nn.Nonlinearity.LeakyRelu, negativeSlope);

    /// <summary>ELU: x for x &gt; 0, α(eˣ − 1) otherwise.</summary>
    public static Activation Elu(double alpha = 1.0) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Elu(alpha={alpha})"), x => x.Elu(alpha), null, null);

    /// <summary>Wraps any function of a tensor (it should be elementwise or at least shape-preserving).</summary>
    public static Activation FromFunc(Func<Tensor, Tensor> f, string name = "Lambda")
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(name);
        return new Activation(name, f, null, null);
    }

    /// <summary>The function applied to <paramref name="input"/>.</summary>
    public override Tensor Forward(Tensor input) => _f(input);

    /// <inheritdoc/>
    protected override string ExtraDescription() => Name;
}
