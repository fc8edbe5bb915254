using System.Numerics;
using System.Numerics.Tensors;

namespace McGrad.Optim;

/// <summary>
/// Heavy-ball momentum with torch.optim.SGD semantics (optax: trace): b ← μ·b + u, then u ← b, or with Nesterov
/// u ← u + μ·b.
/// </summary>
/// <remarks>
/// The buffer b starts at zero, so the first step gives b = u, as torch's first step does (torch's dampening is
/// not offered: it is 0 here). Placed after <see cref="ScaleByRms"/> it is RMSProp's momentum
/// (b ← μ·b + g/(√v + ε)). Reference: Polyak 1964; Nesterov form of Sutskever et al. 2013 as written in torch.
/// </remarks>
public sealed class Momentum : GradientTransformation<MomentumState>
{
    /// <summary>Creates the transformation.</summary>
    /// <param name="momentum">μ, in [0, 1).</param>
    /// <param name="nesterov">Use the Nesterov form u + μ·b.</param>
    /// <exception cref="ArgumentOutOfRangeException">μ is outside [0, 1).</exception>
    public Momentum(double momentum, bool nesterov = false)
    {
        OptimArgs.InUnitInterval(momentum, "Momentum", nameof(momentum));
        Mu = momentum;
        Nesterov = nesterov;
    }

    /// <inheritdoc/>
    public override string Name => "Momentum";

    /// <summary>μ, the momentum coefficient.</summary>
    public double Mu { get; }

    /// <summary>Whether the Nesterov form is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    protected override MomentumState CreateState(IReadOnlyList<Tensor> parameters) => new(parameters);

    /// <inheritdoc/>
    protected override void Apply(IReadOnlyList<Tensor?> updates, MomentumState state, IReadOnlyList<Tensor> parameters)
    {
        for (var i = 0; i < updates.Count; i++)
        {
            var u = updates[i];
            if (u is not null)
            {
                OptimKernels.Run(u.DType, u.Size, new Kernel(u, state.BufferArray[i], Mu, Nesterov));
            }
        }
    }

    private readonly struct Kernel(Tensor u, Tensor b, double mu, bool nesterov) : ISliceKernel
    {
        public void Run<T>(int start, int count)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var us = OptimKernels.Slice<T>(u, start, count);
            var bs = OptimKernels.Slice<T>(b, start, count);
            var m = T.CreateChecked(mu);
            TensorPrimitives.MultiplyAdd<T>(bs, m, us, bs);
            if (nesterov)
            {
                TensorPrimitives.MultiplyAdd<T>(bs, m, us, us);
            }
            else
            {
                bs.CopyTo(us);
            }
        }
    }
}

/// <summary>State of <see cref="Momentum"/>: the momentum buffer b of each parameter.</summary>
public sealed class MomentumState : TransformState
{
    internal MomentumState(IReadOnlyList<Tensor> parameters)
        : base(parameters)
    {
        BufferArray = new Tensor[parameters.Count];
        for (var i = 0; i < parameters.Count; i++)
        {
            BufferArray[i] = Tensor.ZerosLike(parameters[i]);
        }
    }

    /// <summary>Momentum buffers, one per parameter.</summary>
    public IReadOnlyList<Tensor> Buffers => BufferArray;

    internal Tensor[] BufferArray { get; }
}
