using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace McGrad.Kernels;

/// <summary>A register-blocked micro-kernel: C[MR×NR] (+)= α·Σₚ a[p, 0..MR)·b[p, 0..NR) over packed panels.</summary>
internal unsafe interface IGemmKernel<T>
    where T : unmanaged
{
    /// <summary>Rows of C per micro-tile.</summary>
    static abstract int MR { get; }

    /// <summary>Columns of C per micro-tile.</summary>
    static abstract int NR { get; }

    /// <summary>
    /// Computes acc = Σₚ a[p·MR + r]·b[p·NR + j] and writes C = α·acc (mode 0), C = C + α·acc (mode 1) or
    /// C = β·C + α·acc (mode 2) into the top-left <paramref name="mr"/>×<paramref name="nr"/> corner.
    /// </summary>
    static abstract void Run(int kc, T* a, T* b, T* c, int ldc, int mr, int nr, T alpha, T beta, int mode);

    /// <summary>
    /// As <see cref="Run"/> for a full MR-row tile whose A rows are read in place: a[r·lda + p] (no packing).
    /// </summary>
    static abstract void RunRows(int kc, T* a, nint lda, T* b, T* c, int ldc, int nr, T alpha, T beta, int mode);
}

/// <summary>Scalar combination of a spilled micro-tile into C (edge tiles).</summary>
internal static unsafe class GemmTile
{
    /// <summary>C[r, j] = t (mode 0), C + t (mode 1) or β·C + t (mode 2) for the valid mr×nr corner; t already holds α·acc.</summary>
    public static void Combine<T>(T* t, int ldt, T* c, int ldc, int mr, int nr, T beta, int mode)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var r = 0; r < mr; r++)
        {
            var src = t + (r * ldt);
            var dst = c + ((long)r * ldc);
            if (mode == 0)
            {
                Unsafe.CopyBlockUnaligned(dst, src, (uint)(nr * sizeof(T)));
            }
            else if (mode == 1)
            {
                for (var j = 0; j < nr; j++)
                {
                    dst[j] += src[j];
                }
            }
            else
            {
                for (var j = 0; j < nr; j++)
                {
                    dst[j] = (beta * dst[j]) + src[j];
                }
            }
        }
    }
}

/// <summary>FMA helpers that fold to one instruction where the CPU has fused multiply-add (else multiply then add).</summary>
internal static class VecMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Fma<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            }

            if (typeof(T) == typeof(double))
            {
                return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
            }
        }

        return (a * b) + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Fma<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c)
    {
        if (System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            }

            if (typeof(T) == typeof(double))
            {
                return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
            }
        }

        return (a * b) + c;
    }
}
