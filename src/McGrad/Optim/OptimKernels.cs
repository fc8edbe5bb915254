using System.Globalization;
using System.Numerics;
using McGrad.Kernels;

namespace McGrad.Optim;

/// <summary>An elementwise optimiser kernel over the slice [start, start + count) of its tensors.</summary>
internal interface ISliceKernel
{
    void Run<T>(int start, int count)
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>Dispatch of optimiser kernels on dtype, split across cores for large parameters.</summary>
internal static class OptimKernels
{
    /// <summary>Runs <paramref name="kernel"/> over n elements of dtype <paramref name="dtype"/>; serial (and
    /// allocation-free) below <see cref="Parallelism.ElementwiseGrain"/> elements.</summary>
    public static void Run<TKernel>(DType dtype, int n, TKernel kernel)
        where TKernel : struct, ISliceKernel
    {
        if (n <= Parallelism.ElementwiseGrain)
        {
            RunSlice(dtype, 0, n, kernel);
            return;
        }

        RunParallel(dtype, n, kernel);
    }

    private static void RunParallel<TKernel>(DType dtype, int n, TKernel kernel)
        where TKernel : struct, ISliceKernel
        => Parallelism.For(n, Parallelism.ElementwiseGrain, (s, c) => RunSlice(dtype, s, c, kernel));

    private static void RunSlice<TKernel>(DType dtype, int start, int count, TKernel kernel)
        where TKernel : struct, ISliceKernel
    {
        if (dtype == DType.Float32)
        {
            kernel.Run<float>(start, count);
        }
        else
        {
            kernel.Run<double>(start, count);
        }
    }

    /// <summary>The slice [start, start + count) of a tensor's storage.</summary>
    public static Span<T> Slice<T>(Tensor t, int start, int count)
        where T : unmanaged
        => t.Span<T>().Slice(start, count);
}

/// <summary>Argument checks for hyperparameters: messages name the op, the argument and its value.</summary>
internal static class OptimArgs
{
    public static void InUnitInterval(double value, string op, string name)
    {
        if (!(value >= 0 && value < 1))
        {
            throw new ArgumentOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture, $"{op}: {name} must be in [0, 1); got {value}."));
        }
    }

    public static void Positive(double value, string op, string name)
    {
        if (!(value > 0) || double.IsPositiveInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture, $"{op}: {name} must be finite and > 0; got {value}."));
        }
    }

    public static void NonNegative(double value, string op, string name)
    {
        if (!(value >= 0) || double.IsPositiveInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture, $"{op}: {name} must be finite and >= 0; got {value}."));
        }
    }

    public static void Finite(double value, string op, string name)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture, $"{op}: {name} must be finite; got {value}."));
        }
    }

    public static void AtLeast(int value, int min, string op, string name)
    {
        if (value < min)
        {
            throw new ArgumentOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture, $"{op}: {name} must be >= {min}; got {value}."));
        }
    }
}
