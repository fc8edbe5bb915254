using System.Numerics;
using System.Numerics.Tensors;

namespace McGrad.Optim;

/// <summary>
/// RMSProp's rescaling as in torch.optim.RMSprop: v ← α·v + (1 − α)·g², and u = g/(√v + ε); centered:
/// ḡ ← α·ḡ + (1 − α)·g and u = g/(√(v − ḡ²) + ε).
/// </summary>
/// <remarks>
/// Follow with <see cref="Momentum"/> (for RMSProp's momentum) and <see cref="ScaleByLearningRate"/>, as
/// <see cref="Transforms.RmsProp"/> does. ε is added outside the square root (torch; optax's scale_by_rms adds it
/// inside). v and ḡ start at zero and there is no bias correction. In the centered form v − ḡ² ≥ 0 holds in exact
/// arithmetic; it is not clamped (torch does not clamp either). Reference: Tieleman and Hinton 2012 (lecture 6e);
/// centered: Graves 2013.
/// </remarks>
public sealed class ScaleByRms : GradientTransformation<RmsState>
{
    /// <summary>Creates the transformation.</summary>
    /// <param name="decay">α, the decay of the squared-gradient average, in [0, 1) (torch default 0.99).</param>
    /// <param name="epsilon">Added to the root in the denominator, &gt; 0 (torch default 1e-8).</param>
    /// <param name="centered">Divide by an estimate of the standard deviation rather than the root mean square.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public ScaleByRms(double decay = 0.99, double epsilon = 1e-8, bool centered = false)
    {
        OptimArgs.InUnitInterval(decay, "ScaleByRms", nameof(decay));
        OptimArgs.Positive(epsilon, "ScaleByRms", nameof(epsilon));
        Decay = decay;
        Epsilon = epsilon;
        Centered = centered;
    }

    /// <inheritdoc/>
    public override string Name => "ScaleByRms";

    /// <summary>α, the decay of the averages.</summary>
    public double Decay { get; }

    /// <summary>ε, added to the root.</summary>
    public double Epsilon { get; }

    /// <summary>Whether the mean gradient is subtracted (centered RMSProp).</summary>
    public bool Centered { get; }

    /// <inheritdoc/>
    protected override RmsState CreateState(IReadOnlyList<Tensor> parameters) => new(parameters, Centered);

    /// <inheritdoc/>
    protected override void Apply(IReadOnlyList<Tensor?> updates, RmsState state, IReadOnlyList<Tensor> parameters)
    {
        for (var i = 0; i < updates.Count; i++)
        {
            var u = updates[i];
            if (u is null)
            {
                continue;
            }

            var scratch = u.DType == DType.Float32 ? state.Scratch32 : state.Scratch64;
            var kernel = new Kernel(u, state.SquareAverageArray[i], state.GradAverageArray?[i], scratch, Decay, Epsilon);
            OptimKernels.Run(u.DType, u.Size, kernel);
        }
    }

    private readonly struct Kernel(Tensor u, Tensor v, Tensor? gAvg, Tensor scratch, double alpha, double eps) : ISliceKernel
    {
        public void Run<T>(int start, int count)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var us = OptimKernels.Slice<T>(u, start, count);
            var vs = OptimKernels.Slice<T>(v, start, count);
            var s = OptimKernels.Slice<T>(scratch, start, count);

            // v ← α·v + (1 − α)·g²
            TensorPrimitives.Multiply<T>(us, us, s);
            TensorPrimitives.Multiply<T>(vs, T.CreateChecked(alpha), vs);
            TensorPrimitives.MultiplyAdd<T>(s, T.CreateChecked(1 - alpha), vs, vs);

            if (gAvg is null)
            {
                TensorPrimitives.Sqrt<T>(vs, s);
            }
            else
            {
                // ḡ ← ḡ + (1 − α)(g − ḡ); s = √(v − ḡ²)
                var gs = OptimKernels.Slice<T>(gAvg, start, count);
                TensorPrimitives.Lerp<T>(gs, us, T.CreateChecked(1 - alpha), gs);
                TensorPrimitives.Multiply<T>(gs, gs, s);
                TensorPrimitives.Subtract<T>(vs, s, s);
                TensorPrimitives.Sqrt<T>(s, s);
            }

            TensorPrimitives.Add<T>(s, T.CreateChecked(eps), s);
            TensorPrimitives.Divide<T>(us, s, us);
        }
    }
}

/// <summary>State of <see cref="ScaleByRms"/>: the squared-gradient average v (and the gradient average ḡ when centered).</summary>
public sealed class RmsState : TransformState
{
    internal RmsState(IReadOnlyList<Tensor> parameters, bool centered)
        : base(parameters)
    {
        SquareAverageArray = new Tensor[parameters.Count];
        GradAverageArray = centered ? new Tensor[parameters.Count] : null;
        int max32 = 0, max64 = 0;
        for (var i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            SquareAverageArray[i] = Tensor.ZerosLike(p);
            if (GradAverageArray != null)
            {
                GradAverageArray[i] = Tensor.ZerosLike(p);
            }

            if (p.DType == DType.Float32)
            {
                max32 = Math.Max(max32, p.Size);
            }
            else
            {
                max64 = Math.Max(max64, p.Size);
            }
        }

        // One scratch buffer per dtype, as long as the largest parameter, shared by all parameters.
        Scratch32 = Tensor.Zeros([max32], DType.Float32);
        Scratch64 = Tensor.Zeros([max64], DType.Float64);
    }

    /// <summary>Squared-gradient averages v, one per parameter.</summary>
    public IReadOnlyList<Tensor> SquareAverage => SquareAverageArray;

    /// <summary>Gradient averages ḡ (centered form only; null otherwise).</summary>
    public IReadOnlyList<Tensor>? GradAverage => GradAverageArray;

    internal Tensor[] SquareAverageArray { get; }

    internal Tensor[]? GradAverageArray { get; }

    internal Tensor Scratch32 { get; }

    internal Tensor Scratch64 { get; }
}
