namespace McGrad;

/// <summary>
/// The element type of a <see cref="Tensor"/>, chosen at run time.
/// </summary>
/// <remarks>
/// Promotion rule: McGrad never promotes silently. A binary op on a <see cref="Float32"/> and a
/// <see cref="Float64"/> tensor throws an <see cref="ArgumentException"/> naming both dtypes; convert one side
/// with <see cref="Tensor.To(DType)"/>. A C# <see cref="double"/> scalar operand (<c>x * 2.0</c>) takes the
/// tensor's dtype. <see cref="Int64"/> holds indices (ArgMax, TopK, Sort, Gather); it supports movement ops
/// and comparisons but not differentiable arithmetic.
/// </remarks>
public enum DType
{
    /// <summary>32-bit IEEE float: the training dtype.</summary>
    Float32,

    /// <summary>64-bit IEEE float: the dtype for exact checks and gradient checking.</summary>
    Float64,

    /// <summary>64-bit signed integer: index tensors.</summary>
    Int64,
}

/// <summary>Helpers on <see cref="DType"/>.</summary>
public static class DTypeExtensions
{
    /// <summary>True for <see cref="DType.Float32"/> and <see cref="DType.Float64"/>.</summary>
    public static bool IsFloatingPoint(this DType dtype) => dtype is DType.Float32 or DType.Float64;

    /// <summary>Size of one element in bytes.</summary>
    public static int ElementSize(this DType dtype) => dtype switch
    {
        DType.Float32 => 4,
        _ => 8,
    };
}
