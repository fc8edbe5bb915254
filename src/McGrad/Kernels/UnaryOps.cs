using System.Numerics;
using System.Numerics.Tensors;

namespace McGrad.Kernels;

#pragma warning disable CA1812 // instantiated only as generic arguments

internal struct NegOp : IUnaryOp
{
    public readonly void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Negate(x, y);
}

internal struct ExpOp : IUnaryOp
{
    public readonly void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Exp(x, y);
}

internal struct TanhOp : IUnaryOp
{
    public readonly void Apply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Tanh(x, y);
}
