using McGrad.Randomness;

namespace McGrad.Nn;

/// <summary>
/// Multilayer perceptron: Linear(s₀→s₁), activation, Linear(s₁→s₂), activation, …, Linear(sₖ₋₁→sₖ), then the optional
/// output activation. It is a <see cref="Sequential"/>, so the parameter names are torch.nn.Sequential's: with an
/// activation between layers, the Linear layers sit at positions 0, 2, 4, … ("0.weight", "0.bias", "2.weight", …),
/// exactly as <c>nn.Sequential(nn.Linear(1, 64), nn.Tanh(), nn.Linear(64, 1))</c>, so a state dict saved from that
/// torch model loads into <c>new Mlp([1, 64, 1], Activation.Tanh, key)</c>.
/// </summary>
/// <remarks>
/// Layer i is initialised as torch.nn.Linear with key <c>key.Split(k)[i]</c> (k = number of Linear layers).
/// The output activation, when given, is the last module (position 2k − 1).
/// </remarks>
public sealed class Mlp : Sequential
{
    /// <summary>Creates the MLP.</summary>
    /// <param name="sizes">Layer widths s₀ (input), s₁, …, sₖ (output); at least two, each ≥ 0.</param>
    /// <param name="activation">The activation after every hidden layer (e.g. <see cref="Activation.Tanh"/>).</param>
    /// <param name="key">The random key for the initial weights.</param>
    /// <param name="outputActivation">Applied to the output; none when null.</param>
    /// <param name="bias">Whether the Linear layers have biases.</param>
    /// <param name="dtype">Float32 (default) or Float64.</param>
    /// <exception cref="ArgumentException">Fewer than two sizes, or a negative size.</exception>
    public Mlp(int[] sizes, Activation activation, RngKey key, Activation? outputActivation = null, bool bias = true, DType dtype = Tensor.DefaultDType)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(activation);
        if (sizes.Length < 2 || sizes.Any(s => s < 0))
        {
            throw new ArgumentException($"Mlp: sizes must list at least an input and an output width, each ≥ 0; got [{string.Join(", ", sizes)}].", nameof(sizes));
        }

        Sizes = (int[])sizes.Clone();
        var layers = sizes.Length - 1;
        var keys = key.Split(layers);
        for (var i = 0; i < layers; i++)
        {
            Add(new Linear(sizes[i], sizes[i + 1], keys[i], bias, dtype));
            if (i < layers - 1)
            {
                // The same parameterless instance at every position.
                Add(activation);
            }
        }

        if (outputActivation != null)
        {
            Add(outputActivation);
        }
    }

    /// <summary>Creates the MLP with any function as the hidden activation (see the other constructor).</summary>
    public Mlp(int[] sizes, Func<Tensor, Tensor> activation, RngKey key, Func<Tensor, Tensor>? outputActivation = null, bool bias = true, DType dtype = Tensor.DefaultDType)
        : this(sizes, Activation.FromFunc(activation), key, outputActivation == null ? null : Activation.FromFunc(outputActivation), bias, dtype)
    {
    }

    /// <summary>The layer widths s₀, …, sₖ.</summary>
    public IReadOnlyList<int> Sizes { get; }

    /// <summary>The Linear layers, in order.</summary>
    public IReadOnlyList<Linear> Layers => this.OfType<Linear>().ToList();
}
