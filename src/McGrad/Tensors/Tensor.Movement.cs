using McGrad.Autodiff;

namespace McGrad;

public sealed partial class Tensor
{
    /// <summary>
    /// The same elements in row-major order under a new shape (one size may be −1, inferred). Shares storage
    /// with this tensor; ∂/∂x = g reshaped back.
    /// </summary>
    /// <exception cref="ArgumentException">The sizes do not multiply to <see cref="Size"/>, or more than one −1.</exception>
    public Tensor Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var dims = (int[])shape.Clone();
        var infer = -1;
        long known = 1;
        for (var i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1)
            {
                if (infer >= 0)
                {
                    throw new ArgumentException($"Reshape: only one dimension may be -1, got [{string.Join(", ", shape)}].", nameof(shape));
                }

                infer = i;
            }
            else if (dims[i] < 0)
            {
                throw new ArgumentException($"Reshape: invalid size {dims[i]} in [{string.Join(", ", shape)}].", nameof(shape));
            }
            else
            {
                known *= dims[i];
            }
        }

        if (infer >= 0)
        {
            if (known == 0 || Size % known != 0)
            {
                throw new ArgumentException($"Reshape: cannot infer -1 in [{string.Join(", ", shape)}] for a tensor of shape {Shape} ({Size} elements).", nameof(shape));
            }

            dims[infer] = (int)(Size / known);
            known *= dims[infer];
        }

        if (known != Size)
        {
            throw new ArgumentException($"Reshape: shape [{string.Join(", ", shape)}] holds {known} elements but the tensor has shape {Shape} ({Size} elements).", nameof(shape));
        }

        var target = Shape.Wrap(dims);
        if (target == Shape)
        {
            return this;
        }

        return Autograd.Record(WithShape(target), "Reshape", this, static (g, n) => [g.Reshape(n.Inputs[0].Shape.Dims)]);
    }

    /// <summary>
    /// Repeats size-1 (and missing leading) dimensions to reach <paramref name="shape"/> (numpy broadcast_to);
    /// ∂/∂x = g summed back to x's shape.
    /// </summary>
    /// <exception cref="ArgumentException">This shape does not broadcast to <paramref name="shape"/>.</exception>
    public Tensor BroadcastTo(Shape shape)
    {
        if (shape == Shape)
        {
            return this;
        }

        if (shape.Rank < Rank || Shape.Broadcast(Shape, shape, "BroadcastTo") != shape)
        {
            throw new ArgumentException($"BroadcastTo: a tensor of shape {Shape} cannot be broadcast to {shape}; each dimension must match or be 1.", nameof(shape));
        }

        var y = Uninitialized(shape, DType);
        switch (DType)
        {
            case DType.Float32:
                Kernels.Expand.Run((float[])Storage, Shape, (float[])y.Storage, shape);
                break;
            case DType.Float64:
                Kernels.Expand.Run((double[])Storage, Shape, (double[])y.Storage, shape);
                break;
            default:
                Kernels.Expand.Run((long[])Storage, Shape, (long[])y.Storage, shape);
                break;
        }

        return Autograd.Record(y, "BroadcastTo", this, static (g, n) => [g.SumTo(n.Inputs[0].Shape)]);
    }

    /// <summary>Alias of <see cref="BroadcastTo(McGrad.Shape)"/> (PyTorch's name).</summary>
    public Tensor Expand(params int[] shape) => BroadcastTo(new Shape(shape));
}
