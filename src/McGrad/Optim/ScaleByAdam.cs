using System.Numerics;
using System.Numerics.Tensors;

namespace McGrad.Optim;

/// <summary>
/// Adam's rescaling (Kingma and Ba 2015, Algorithm 1), per parameter with its own step count t:
/// m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ), u = m̂/(√v̂ + ε).
/// </summary>
/// <remarks>
/// Follow with <see cref="ScaleByLearningRate"/> to get the step −lr·u (see <see cref="Transforms.Adam"/>).
/// ε is added outside the square root, as in the paper and torch.optim.Adam; the moments start at zero and
/// t counts the updates this parameter has received (a parameter skipped for lack of a gradient keeps its t).
/// Computed as √v̂ = √v/√(1 − β2ᵗ), as torch does.
/// </remarks>
public sealed class ScaleByAdam : GradientTransformation<AdamState>
{
    /// <summary>Creates the transformation.</summary>
    /// <param name="beta1">Decay of the first moment, in [0, 1) (default 0.9).</param>
    /// <param name="beta2">Decay of the second moment, in [0, 1) (default 0.999).</param>
    /// <param name="epsilon">Added to √v̂ in the denominator, &gt; 0 (default 1e-8).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public ScaleByAdam(double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        OptimArgs.InUnitInterval(beta1, "ScaleByAdam", nameof(beta1));
        OptimArgs.InUnitInterval(beta2, "ScaleByAdam", nameof(beta2));
        OptimArgs.Positive(epsilon, "ScaleByAdam", nameof(epsilon));
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    /// <inheritdoc/>
    public override string Name => "ScaleByAdam";

    /// <summary>β1, the first-moment decay.</summary>
    public double Beta1 { get; }

    /// <summary>β2, the second-moment decay.</summary>
    public double Beta2 { get; }

    /// <summary>ε, added to √v̂.</summary>
    public double Epsilon { get; }

    /// <inheritdoc/>
    protected override AdamState CreateState(IReadOnlyList<Tensor> parameters) => new(parameters);

    /// <inheritdoc/>
    protected override void Apply(IReadOnlyList<Tensor?> updates, AdamState state, IReadOnlyList<Tensor> parameters)
    {
        for (var i = 0; i < updates.Count; i++)
        {
            var u = updates[i];
            if (u is null)
            {
                continue;
            }

            var t = ++state.CountArray[i];
            var bc1 = 1 - Math.Pow(Beta1, t);
            var bc2 = 1 - Math.Pow(Beta2, t);
            var kernel = new Kernel(u, state.MuArray[i], state.NuArray[i], Beta1, Beta2, Epsilon, 1 / Math.Sqrt(bc2), 1 / bc1);
            OptimKernels.Run(u.DType, u.Size, kernel);
        }
    }

    private readonly struct Kernel(Tensor u, Tensor m, Tensor v, double b1, double b2, double eps, double invSqrtBc2, double invBc1) : ISliceKernel
    {
        public void Run<T>(int start, int count)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var us = OptimKernels.Slice<T>(u, start, count);
            var ms = OptimKernels.Slice<T>(m, start, count);
            var vs = OptimKernels.Slice<T>(v, start, count);

            // m ← m + (1 − β1)(g − m) = β1·m + (1 − β1)·g
            TensorPrimitives.Lerp<T>(ms, us, T.CreateChecked(1 - b1), ms);

            // v ← β2·v + (1 − β2)·g²  (g is not needed after this, so u holds g² as scratch)
            TensorPrimitives.Multiply<T>(vs, T.CreateChecked(b2), vs);
            TensorPrimitives.Multiply<T>(us, us, us);
            TensorPrimitives.MultiplyAdd<T>(us, T.CreateChecked(1 - b2), vs, vs);

            // u ← (m / (1 − β1ᵗ)) / (√v / √(1 − β2ᵗ) + ε)
            TensorPrimitives.Sqrt<T>(vs, us);
            TensorPrimitives.Multiply<T>(us, T.CreateChecked(invSqrtBc2), us);
            TensorPrimitives.Add<T>(us, T.CreateChecked(eps), us);
            TensorPrimitives.Divide<T>(ms, us, us);
            TensorPrimitives.Multiply<T>(us, T.CreateChecked(invBc1), us);
        }
    }
}

/// <summary>State of <see cref="ScaleByAdam"/>: first and second moments and a step count per parameter.</summary>
public sealed class AdamState : TransformState
{
    internal AdamState(IReadOnlyList<Tensor> parameters)
        : base(parameters)
    {
        MuArray = new Tensor[parameters.Count];
        NuArray = new Tensor[parameters.Count];
        CountArray = new int[parameters.Count];
        for (var i = 0; i < parameters.Count; i++)
        {
            MuArray[i] = Tensor.ZerosLike(parameters[i]);
            NuArray[i] = Tensor.ZerosLike(parameters[i]);
        }
    }

    /// <summary>First moments m, one per parameter.</summary>
    public IReadOnlyList<Tensor> Mu => MuArray;

    /// <summary>Second moments v, one per parameter.</summary>
    public IReadOnlyList<Tensor> Nu => NuArray;

    /// <summary>Updates received so far, per parameter (the t of the bias corrections).</summary>
    public IReadOnlyList<int> Counts => CountArray;

    internal Tensor[] MuArray { get; }

    internal Tensor[] NuArray { get; }

    internal int[] CountArray { get; }
}
