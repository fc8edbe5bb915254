using System.Globalization;

namespace McGrad.Nn;

/// <summary>
/// Layer normalisation over the last dimension: y = (x − mean(x)) / √(var(x) + ε) · γ + β, with the biased variance
/// (divisor n) as torch.nn.LayerNorm; γ (<c>weight</c>) starts at 1 and β (<c>bias</c>) at 0.
/// </summary>
/// <remarks>
/// Written in tensor ops (mean, variance, arithmetic), so its gradient has every order. Parameter names are torch's
/// (<c>weight</c>, <c>bias</c>), so a state dict saved from <c>nn.LayerNorm(n)</c> loads. Ba, Kiros and Hinton (2016).
/// </remarks>
public sealed class LayerNorm : Module
{
    /// <summary>Normalises vectors of <paramref name="features"/> values.</summary>
    /// <param name="features">Size of the normalised (last) dimension, ≥ 1.</param>
    /// <param name="epsilon">ε added to the variance (torch's default 1e-5), &gt; 0.</param>
    /// <param name="dtype">Float32 (default) or Float64.</param>
    /// <exception cref="ArgumentOutOfRangeException">features &lt; 1 or ε ≤ 0.</exception>
    public LayerNorm(int features, double epsilon = 1e-5, DType dtype = Tensor.DefaultDType)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        if (!(epsilon > 0) || !double.IsFinite(epsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "LayerNorm: epsilon must be a finite number > 0.");
        }

        Features = features;
        Epsilon = epsilon;
        RegisterParameter("weight", Tensor.Ones([features], dtype));
        RegisterParameter("bias", Tensor.Zeros([features], dtype));
    }

    /// <summary>Size of the normalised (last) dimension.</summary>
    public int Features { get; }

    /// <summary>ε added to the variance.</summary>
    public double Epsilon { get; }

    /// <summary>The scale γ, [features].</summary>
    public Tensor Weight => OwnParameter("weight");

    /// <summary>The shift β, [features].</summary>
    public Tensor Bias => OwnParameter("bias");

    /// <summary>y = (x − mean) / √(var + ε) · γ + β over the last dimension of x ([..., features]).</summary>
    /// <exception cref="ArgumentException">x is rank 0 or its last dimension is not <see cref="Features"/>.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 0 || input.Shape[^1] != Features)
        {
            throw new ArgumentException($"LayerNorm: input {input.Shape} must end in the normalised dimension of size {Features.ToString(CultureInfo.InvariantCulture)}.", nameof(input));
        }

        var axis = input.Rank - 1;
        var centred = input - input.Mean(axis, keepDim: true);
        var variance = centred.Square().Mean(axis, keepDim: true);
        return (centred / (variance + Epsilon).Sqrt()) * Weight + Bias;
    }

    /// <inheritdoc/>
    protected override string ExtraDescription() => string.Create(CultureInfo.InvariantCulture, $"{Features}, eps={Epsilon}");
}
