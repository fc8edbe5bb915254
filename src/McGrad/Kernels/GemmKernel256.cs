using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace McGrad.Kernels;

/// <summary>AVX2 / portable micro-kernel: 6 rows × 2 Vector256 columns (12 accumulators).</summary>
internal readonly unsafe struct Kernel256<T> : IGemmKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => 6;

    public static int NR => 2 * Vector256<T>.Count;

    public static void Run(int kc, T* a, T* b, T* c, int ldc, int mr, int nr, T alpha, T beta, int mode)
    {
        if (nr <= Vector256<T>.Count)
        {
            NarrowPacked(kc, a, b, c, ldc, mr, nr, alpha, beta, mode);
        }
        else
        {
            WidePacked(kc, a, b, c, ldc, mr, nr, alpha, beta, mode);
        }
    }

    public static void RunRows(int kc, T* a, nint lda, T* b, T* c, int ldc, int nr, T alpha, T beta, int mode)
    {
        if (nr <= Vector256<T>.Count)
        {
            NarrowRows(kc, a, lda, b, c, ldc, 6, nr, alpha, beta, mode);
        }
        else
        {
            WideRows(kc, a, lda, b, c, ldc, 6, nr, alpha, beta, mode);
        }
    }

    /// <summary>6 rows × two vectors, packed A.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void WidePacked(int kc, T* a, T* b, T* c, int ldc, int mr, int nr, T alpha, T beta, int mode)
    {
        var w = Vector256<T>.Count;
        var t = stackalloc T[6 * 2 * Vector256<T>.Count]; // spill area for edge tiles (SkipLocalsInit: not zeroed)
        Vector256<T> c00 = default, c01 = default;
        Vector256<T> c10 = default, c11 = default;
        Vector256<T> c20 = default, c21 = default;
        Vector256<T> c30 = default, c31 = default;
        Vector256<T> c40 = default, c41 = default;
        Vector256<T> c50 = default, c51 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + w);
            var a0 = Vector256.Create(a[0]);
            c00 = VecMath.Fma(a0, b0, c00);
            c01 = VecMath.Fma(a0, b1, c01);
            var a1 = Vector256.Create(a[1]);
            c10 = VecMath.Fma(a1, b0, c10);
            c11 = VecMath.Fma(a1, b1, c11);
            var a2 = Vector256.Create(a[2]);
            c20 = VecMath.Fma(a2, b0, c20);
            c21 = VecMath.Fma(a2, b1, c21);
            var a3 = Vector256.Create(a[3]);
            c30 = VecMath.Fma(a3, b0, c30);
            c31 = VecMath.Fma(a3, b1, c31);
            var a4 = Vector256.Create(a[4]);
            c40 = VecMath.Fma(a4, b0, c40);
            c41 = VecMath.Fma(a4, b1, c41);
            var a5 = Vector256.Create(a[5]);
            c50 = VecMath.Fma(a5, b0, c50);
            c51 = VecMath.Fma(a5, b1, c51);
            a += 6;
            b += 2 * w;
        }

        var va = Vector256.Create(alpha);
        var vb = Vector256.Create(beta);
        if (mr == 6 && nr == 2 * w)
        {
            Store(c + ((long)0 * ldc), c00, c01, va, vb, mode);
            Store(c + ((long)1 * ldc), c10, c11, va, vb, mode);
            Store(c + ((long)2 * ldc), c20, c21, va, vb, mode);
            Store(c + ((long)3 * ldc), c30, c31, va, vb, mode);
            Store(c + ((long)4 * ldc), c40, c41, va, vb, mode);
            Store(c + ((long)5 * ldc), c50, c51, va, vb, mode);
            return;
        }

        // Partial tile: spill α·acc to the stack, then combine the valid corner into C.
        Store(t + (0 * 2 * w), c00, c01, va, vb, 0);
        Store(t + (1 * 2 * w), c10, c11, va, vb, 0);
        Store(t + (2 * 2 * w), c20, c21, va, vb, 0);
        Store(t + (3 * 2 * w), c30, c31, va, vb, 0);
        Store(t + (4 * 2 * w), c40, c41, va, vb, 0);
        Store(t + (5 * 2 * w), c50, c51, va, vb, 0);
        GemmTile.Combine(t, 2 * w, c, ldc, mr, nr, beta, mode);
    }

    /// <summary>6 rows × two vectors, A read in place, rows lda apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void WideRows(int kc, T* a, nint lda, T* b, T* c, int ldc, int mr, int nr, T alpha, T beta, int mode)
    {
        var w = Vector256<T>.Count;
        var t = stackalloc T[6 * 2 * Vector256<T>.Count]; // spill area for edge tiles (SkipLocalsInit: not zeroed)
        var l2 = 2 * lda;
        var r0 = a + (0 * lda);
        var r3 = a + (3 * lda);
        Vector256<T> c00 = default, c01 = default;
        Vector256<T> c10 = default, c11 = default;
        Vector256<T> c20 = default, c21 = default;
        Vector256<T> c30 = default, c31 = default;
        Vector256<T> c40 = default, c41 = default;
        Vector256<T> c50 = default, c51 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + w);
            var a0 = Vector256.Create(r0[0]);
            c00 = VecMath.Fma(a0, b0, c00);
            c01 = VecMath.Fma(a0, b1, c01);
            var a1 = Vector256.Create(r0[lda]);
            c10 = VecMath.Fma(a1, b0, c10);
            c11 = VecMath.Fma(a1, b1, c11);
            var a2 = Vector256.Create(r0[l2]);
            c20 = VecMath.Fma(a2, b0, c20);
            c21 = VecMath.Fma(a2, b1, c21);
            var a3 = Vector256.Create(r3[0]);
            c30 = VecMath.Fma(a3, b0, c30);
            c31 = VecMath.Fma(a3, b1, c31);
            var a4 = Vector256.Create(r3[lda]);
            c40 = VecMath.Fma(a4, b0, c40);
            c41 = VecMath.Fma(a4, b1, c41);
            var a5 = Vector256.Create(r3[l2]);
            c50 = VecMath.Fma(a5, b0, c50);
            c51 = VecMath.Fma(a5, b1, c51);
            r0++;
            r3++;
            b += 2 * w;
        }

        var va = Vector256.Create(alpha);
        var vb = Vector256.Create(beta);
        if (mr == 6 && nr == 2 * w)
        {
            Store(c + ((long)0 * ldc), c00, c01, va, vb, mode);
            Store(c + ((long)1 * ldc), c10, c11, va, vb, mode);
            Store(c + ((long)2 * ldc), c20, c21, va, vb, mode);
            Store(c + ((long)3 * ldc), c30, c31, va, vb, mode);
            Store(c + ((long)4 * ldc), c40, c41, va, vb, mode);
            Store(c + ((long)5 * ldc), c50, c51, va, vb, mode);
            return;
        }

        // Partial tile: spill α·acc to the stack, then combine the valid corner into C.
        Store(t + (0 * 2 * w), c00, c01, va, vb, 0);
        Store(t + (1 * 2 * w), c10, c11, va, vb, 0);
        Store(t + (2 * 2 * w), c20, c21, va, vb, 0);
        Store(t + (3 * 2 * w), c30, c31, va, vb, 0);
        Store(t + (4 * 2 * w), c40, c41, va, vb, 0);
        Store(t + (5 * 2 * w), c50, c51, va, vb, 0);
        GemmTile.Combine(t, 2 * w, c, ldc, mr, nr, beta, mode);
    }

    /// <summary>6 rows × one vector (nr ≤ one vector), packed A.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void NarrowPacked(int kc, T* a, T* b, T* c, int ldc, int mr, int nr, T alpha, T beta, int mode)
    {
        var w = Vector256<T>.Count;
        var t = stackalloc T[6 * 2 * Vector256<T>.Count]; // spill area for edge tiles (SkipLocalsInit: not zeroed)
        Vector256<T> c00 = default;
        Vector256<T> c10 = default;
        Vector256<T> c20 = default;
        Vector256<T> c30 = default;
        Vector256<T> c40 = default;
        Vector256<T> c50 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var a0 = Vector256.Create(a[0]);
            c00 = VecMath.Fma(a0, b0, c00);
            var a1 = Vector256.Create(a[1]);
            c10 = VecMath.Fma(a1, b0, c10);
            var a2 = Vector256.Create(a[2]);
            c20 = VecMath.Fma(a2, b0, c20);
            var a3 = Vector256.Create(a[3]);
            c30 = VecMath.Fma(a3, b0, c30);
            var a4 = Vector256.Create(a[4]);
            c40 = VecMath.Fma(a4, b0, c40);
            var a5 = Vector256.Create(a[5]);
            c50 = VecMath.Fma(a5, b0, c50);
            a += 6;
            b += 2 * w;
        }

        var va = Vector256.Create(alpha);
        (c00 * va).Store(t + (0 * 2 * w));
        (c10 * va).Store(t + (1 * 2 * w));
        (c20 * va).Store(t + (2 * 2 * w));
        (c30 * va).Store(t + (3 * 2 * w));
        (c40 * va).Store(t + (4 * 2 * w));
        (c50 * va).Store(t + (5 * 2 * w));
        GemmTile.Combine(t, 2 * w, c, ldc, mr, nr, beta, mode);
    }

    /// <summary>6 rows × one vector (nr ≤ one vector), A read in place, rows lda apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void NarrowRows(int kc, T* a, nint lda, T* b, T* c, int ldc, int mr, int nr, T alpha, T beta, int mode)
    {
        var w = Vector256<T>.Count;
        var t = stackalloc T[6 * 2 * Vector256<T>.Count]; // spill area for edge tiles (SkipLocalsInit: not zeroed)
        var l2 = 2 * lda;
        var r0 = a + (0 * lda);
        var r3 = a + (3 * lda);
        Vector256<T> c00 = default;
        Vector256<T> c10 = default;
        Vector256<T> c20 = default;
        Vector256<T> c30 = default;
        Vector256<T> c40 = default;
        Vector256<T> c50 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var a0 = Vector256.Create(r0[0]);
            c00 = VecMath.Fma(a0, b0, c00);
            var a1 = Vector256.Create(r0[lda]);
            c10 = VecMath.Fma(a1, b0, c10);
            var a2 = Vector256.Create(r0[l2]);
            c20 = VecMath.Fma(a2, b0, c20);
            var a3 = Vector256.Create(r3[0]);
            c30 = VecMath.Fma(a3, b0, c30);
            var a4 = Vector256.Create(r3[lda]);
            c40 = VecMath.Fma(a4, b0, c40);
            var a5 = Vector256.Create(r3[l2]);
            c50 = VecMath.Fma(a5, b0, c50);
            r0++;
            r3++;
            b += 2 * w;
        }

        var va = Vector256.Create(alpha);
        (c00 * va).Store(t + (0 * 2 * w));
        (c10 * va).Store(t + (1 * 2 * w));
        (c20 * va).Store(t + (2 * 2 * w));
        (c30 * va).Store(t + (3 * 2 * w));
        (c40 * va).Store(t + (4 * 2 * w));
        (c50 * va).Store(t + (5 * 2 * w));
        GemmTile.Combine(t, 2 * w, c, ldc, mr, nr, beta, mode);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(T* c, Vector256<T> x0, Vector256<T> x1, Vector256<T> va, Vector256<T> vb, int mode)
    {
        var w = Vector256<T>.Count;
        if (mode == 0)
        {
            (x0 * va).Store(c);
            (x1 * va).Store(c + w);
        }
        else if (mode == 1)
        {
            VecMath.Fma(x0, va, Vector256.Load(c)).Store(c);
            VecMath.Fma(x1, va, Vector256.Load(c + w)).Store(c + w);
        }
        else
        {
            VecMath.Fma(x0, va, Vector256.Load(c) * vb).Store(c);
            VecMath.Fma(x1, va, Vector256.Load(c + w) * vb).Store(c + w);
        }
    }
}
