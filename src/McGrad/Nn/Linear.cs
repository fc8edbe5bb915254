using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using McGrad.Autodiff;
using McGrad.Kernels;
using McGrad.Randomness;

namespace McGrad.Nn;

/// <summary>
/// Affine layer y = x·Wᵀ + b with PyTorch's layout: <see cref="Weight"/> W is [out, in], <see cref="Bias"/> b is
/// [out]; x is [..., in] (any number of leading dimensions, or a single vector [in]) and y is [..., out].
/// Gradients: ∂L/∂x = g·W, ∂L/∂W = Σ gᵀ·x over the leading dimensions, ∂L/∂b = Σ g over them; all are tensor ops, so
/// derivatives of any order are available.
/// </summary>
/// <remarks>
/// Default initialisation is torch.nn.Linear's: W ~ U(−1/√in, 1/√in) (Kaiming-uniform with a = √5) and
/// b ~ U(−1/√in, 1/√in), drawn from the two halves of <c>key.Split(2)</c>. The product multiplies by Wᵀ with a
/// transpose flag (no transposed copy), and the bias is added into the product's buffer: one output allocation and
/// one graph node per call. Parameter names: <c>weight</c>, <c>bias</c>.
/// </remarks>
public sealed class Linear : Module
{
    /// <summary>Creates the layer and initialises it as torch.nn.Linear does (see the class remarks).</summary>
    /// <param name="inFeatures">Size of the input's last dimension (≥ 0).</param>
    /// <param name="outFeatures">Size of the output's last dimension (≥ 0).</param>
    /// <param name="key">The random key for the initial weights: the same key gives the same layer.</param>
    /// <param name="bias">Whether the layer has a bias b.</param>
    /// <param name="dtype">Float32 (default) or Float64.</param>
    /// <exception cref="ArgumentOutOfRangeException">A negative size.</exception>
    /// <exception cref="ArgumentException">dtype is not floating point.</exception>
    public Linear(int inFeatures, int outFeatures, RngKey key, bool bias = true, DType dtype = Tensor.DefaultDType)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegative(outFeatures);
        if (!dtype.IsFloatingPoint())
        {
            throw new ArgumentException($"Linear: dtype must be Float32 or Float64, got {dtype}.", nameof(dtype));
        }

        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        var keys = key.Split(2);
        var bound = inFeatures > 0 ? 1.0 / Math.Sqrt(inFeatures) : 0.0;

        // Kaiming-uniform with a = √5: gain √(2/(1+5)), bound gain·√3/√fan_in = 1/√fan_in.
        RegisterParameter("weight", Init.KaimingUniform([outFeatures, inFeatures], keys[0], a: Math.Sqrt(5), dtype: dtype));
        HasBias = bias;
        if (bias)
        {
            RegisterParameter("bias", Init.Uniform([outFeatures], keys[1], -bound, bound, dtype));
        }
    }

    /// <summary>Size of the input's last dimension.</summary>
    public int InFeatures { get; }

    /// <summary>Size of the output's last dimension.</summary>
    public int OutFeatures { get; }

    /// <summary>Whether the layer has a bias.</summary>
    public bool HasBias { get; }

    /// <summary>The weight W, [out, in] (the tensor currently registered as <c>weight</c>).</summary>
    public Tensor Weight => OwnParameter("weight");

    /// <summary>The bias b, [out] (the tensor registered as <c>bias</c>); null when the layer has none.</summary>
    public Tensor? Bias => HasBias ? OwnParameter("bias") : null;

    /// <summary>y = x·Wᵀ + b for x of shape [..., in] (or [in]); y is [..., out] (or [out]).</summary>
    /// <exception cref="ArgumentException">x is rank 0, its last dimension is not <see cref="InFeatures"/>, or its
    /// dtype differs from the weight's.</exception>
    public override Tensor Forward(Tensor input) => Apply(input, Weight, Bias);

    /// <summary>
    /// The affine map y = x·Wᵀ + b as a single recorded op (functional form of <see cref="Linear"/>): W is [out, in],
    /// b is [out] or null, x is [..., in] or [in]. Gradients: ∂/∂x = g·W, ∂/∂W = Σ gᵀx, ∂/∂b = Σ g (sums over the
    /// leading dimensions), written in tensor ops so they can be differentiated again.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes or dtypes do not fit; the message names all shapes.</exception>
    public static Tensor Apply(Tensor input, Tensor weight, Tensor? bias)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 2 || (bias != null && (bias.Rank != 1 || bias.Shape[0] != weight.Shape[0])))
        {
            throw new ArgumentException($"Linear: weight must be [out, in] and bias [out]; got weight {weight.Shape}{(bias == null ? string.Empty : $" and bias {bias.Shape}")}.", nameof(weight));
        }

        var inF = weight.Shape[1];
        var outF = weight.Shape[0];
        if (input.Rank == 0 || input.Shape[^1] != inF)
        {
            throw new ArgumentException($"Linear: input {input.Shape} does not fit weight {weight.Shape}: the input's last dimension must be in = {inF.ToString(CultureInfo.InvariantCulture)}.", nameof(input));
        }

        if (input.DType != weight.DType || (bias != null && bias.DType != weight.DType))
        {
            throw new ArgumentException($"Linear: input is {input.DType} but weight is {weight.DType}{(bias == null ? string.Empty : $" and bias {bias.DType}")}; McGrad does not convert silently (use .To(DType)).", nameof(input));
        }

        Elementwise.RequireFloat(input, "Linear");
        if (input.Rank == 1)
        {
            return Apply(input.Reshape(1, inF), weight, bias).Reshape(outF);
        }

        Tensor y;
        using (Autograd.NoGrad())
        {
            y = Tensor.MatMulT(input, weight, transA: false, transB: true);
        }

        if (bias != null && y.Size > 0)
        {
            if (y.DType == DType.Float32)
            {
                AddRows<float>(y, bias);
            }
            else
            {
                AddRows<double>(y, bias);
            }
        }

        if (bias == null)
        {
            return Autograd.Record(y, "Linear", input, weight, static (g, node) =>
            [
                node.NeedsGrad(0) ? GradInput(g, node.Inputs[1]) : null,
                node.NeedsGrad(1) ? GradWeight(g, node.Inputs[0]) : null,
            ]);
        }

        return Autograd.Record(y, "Linear", [input, weight, bias], static (g, node) =>
        [
            node.NeedsGrad(0) ? GradInput(g, node.Inputs[1]) : null,
            node.NeedsGrad(1) ? GradWeight(g, node.Inputs[0]) : null,
            node.NeedsGrad(2) ? Rows(g).Sum(0) : null,
        ]);
    }

    /// <inheritdoc/>
    protected override string ExtraDescription() => string.Create(CultureInfo.InvariantCulture, $"in={InFeatures}, out={OutFeatures}, bias={HasBias}, dtype={Weight.DType}");

    // g [..., out] · W [out, in] → [..., in].
    private static Tensor GradInput(Tensor g, Tensor w) => Tensor.MatMulT(g, w, transA: false, transB: false);

    // Σ over leading dims of gᵀ·x: one product [out, rows] · [rows, in].
    private static Tensor GradWeight(Tensor g, Tensor x) =>
        Tensor.MatMulT(Rows(g), Rows(x), transA: true, transB: false);

    // [..., n] viewed as [rows, n] (no −1 inference, so n = 0 works).
    private static Tensor Rows(Tensor t) => t.Rank == 2 ? t : t.Reshape(LeadingSize(t), t.Shape[^1]);

    private static int LeadingSize(Tensor t)
    {
        var n = 1;
        for (var i = 0; i < t.Rank - 1; i++)
        {
            n *= t.Shape[i];
        }

        return n;
    }

    private static void AddRows<T>(Tensor y, Tensor bias)
        where T : unmanaged, INumberBase<T>, IAdditionOperators<T, T, T>
    {
        var yy = (T[])y.Storage;
        var bb = (T[])bias.Storage;
        var n = bias.Size;
        var rows = y.Size / n;
        var grain = Math.Max(1, Parallelism.ElementwiseGrain / Math.Max(n, 1));
        if (rows <= grain)
        {
            AddRange(yy, bb, n, 0, rows);
        }
        else
        {
            Parallelism.For(rows, grain, (start, count) => AddRange(yy, bb, n, start, count));
        }
    }

    private static void AddRange<T>(T[] y, T[] b, int n, int startRow, int rowCount)
        where T : unmanaged, INumberBase<T>, IAdditionOperators<T, T, T>
    {
        var bs = new ReadOnlySpan<T>(b, 0, n);
        for (var r = startRow; r < startRow + rowCount; r++)
        {
            var row = y.AsSpan(r * n, n);
            TensorPrimitives.Add(row, bs, row);
        }
    }
}
