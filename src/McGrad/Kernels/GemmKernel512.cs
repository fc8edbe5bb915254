using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace McGrad.Kernels;

/// <summary>AVX-512 micro-kernel: 12 rows × 2 Vector512 columns (24 accumulators).</summary>
internal readonly unsafe struct Kernel512<T> : IGemmKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => 12;

    public static int NR => 2 * Vector512<T>.Count;

    public static void Run(int kc, T* a, T* b, T* c, int ldc, int mr, int nr, T alpha, T beta, int mode)
    {
        if (nr <= Vector512<T>.Count)
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
        if (nr <= Vector512<T>.Count)
        {
            NarrowRows(kc, a, lda, b, c, ldc, 12, nr, alpha, beta, mode);
        }
        else
        {
            WideRows(kc, a, lda, b, c, ldc, 12, nr, alpha, beta, mode);
        }
    }

    /// <summary>12 rows × two vectors, packed A.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void WidePacked(int kc, T* a, T* b, T* c, int ldc, int mr, int nr, T alpha, T beta, int mode)
    {
        var w = Vector512<T>.Count;
        var t = stackalloc T[12 * 2 * Vector512<T>.Count]; // spill area for edge tiles (SkipLocalsInit: not zeroed)
        Vector512<T> c00 = default, c01 = default;
        Vector512<T> c10 = default, c11 = default;
        Vector512<T> c20 = default, c21 = default;
        Vector512<T> c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default;
        Vector512<T> c50 = default, c51 = default;
        Vector512<T> c60 = default, c61 = default;
        Vector512<T> c70 = default, c71 = default;
        Vector512<T> c80 = default, c81 = default;
        Vector512<T> c90 = default, c91 = default;
        Vector512<T> c100 = default, c101 = default;
        Vector512<T> c110 = default, c111 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + w);
            var a0 = Vector512.Create(a[0]);
            c00 = VecMath.Fma(a0, b0, c00);
            c01 = VecMath.Fma(a0, b1, c01);
            var a1 = Vector512.Create(a[1]);
            c10 = VecMath.Fma(a1, b0, c10);
            c11 = VecMath.Fma(a1, b1, c11);
            var a2 = Vector512.Create(a[2]);
            c20 = VecMath.Fma(a2, b0, c20);
            c21 = VecMath.Fma(a2, b1, c21);
            var a3 = Vector512.Create(a[3]);
            c30 = VecMath.Fma(a3, b0, c30);
            c31 = VecMath.Fma(a3, b1, c31);
            var a4 = Vector512.Create(a[4]);
            c40 = VecMath.Fma(a4, b0, c40);
            c41 = VecMath.Fma(a4, b1, c41);
            var a5 = Vector512.Create(a[5]);
            c50 = VecMath.Fma(a5, b0, c50);
            c51 = VecMath.Fma(a5, b1, c51);
            var a6 = Vector512.Create(a[6]);
            c60 = VecMath.Fma(a6, b0, c60);
            c61 = VecMath.Fma(a6, b1, c61);
            var a7 = Vector512.Create(a[7]);
            c70 = VecMath.Fma(a7, b0, c70);
            c71 = VecMath.Fma(a7, b1, c71);
            var a8 = Vector512.Create(a[8]);
            c80 = VecMath.Fma(a8, b0, c80);
            c81 = VecMath.Fma(a8, b1, c81);
            var a9 = Vector512.Create(a[9]);
            c90 = VecMath.Fma(a9, b0, c90);
            c91 = VecMath.Fma(a9, b1, c91);
            var a10 = Vector512.Create(a[10]);
            c100 = VecMath.Fma(a10, b0, c100);
            c101 = VecMath.Fma(a10, b1, c101);
            var a11 = Vector512.Create(a[11]);
            c110 = VecMath.Fma(a11, b0, c110);
            c111 = VecMath.Fma(a11, b1, c111);
            a += 12;
            b += 2 * w;
        }

        var va = Vector512.Create(alpha);
        var vb = Vector512.Create(beta);
        if (mr == 12 && nr == 2 * w)
        {
            Store(c + ((long)0 * ldc), c00, c01, va, vb, mode);
            Store(c + ((long)1 * ldc), c10, c11, va, vb, mode);
            Store(c + ((long)2 * ldc), c20, c21, va, vb, mode);
            Store(c + ((long)3 * ldc), c30, c31, va, vb, mode);
            Store(c + ((long)4 * ldc), c40, c41, va, vb, mode);
            Store(c + ((long)5 * ldc), c50, c51, va, vb, mode);
            Store(c + ((long)6 * ldc), c60, c61, va, vb, mode);
            Store(c + ((long)7 * ldc), c70, c71, va, vb, mode);
            Store(c + ((long)8 * ldc), c80, c81, va, vb, mode);
            Store(c + ((long)9 * ldc), c90, c91, va, vb, mode);
            Store(c + ((long)10 * ldc), c100, c101, va, vb, mode);
            Store(c + ((long)11 * ldc), c110, c111, va, vb, mode);
            return;
        }

        // Partial tile: spill α·acc to the stack, then combine the valid corner into C.
        Store(t + (0 * 2 * w), c00, c01, va, vb, 0);
        Store(t + (1 * 2 * w), c10, c11, va, vb, 0);
        Store(t + (2 * 2 * w), c20, c21, va, vb, 0);
        Store(t + (3 * 2 * w), c30, c31, va, vb, 0);
        Store(t + (4 * 2 * w), c40, c41, va, vb, 0);
        Store(t + (5 * 2 * w), c50, c51, va, vb, 0);
        Store(t + (6 * 2 * w), c60, c61, va, vb, 0);
        Store(t + (7 * 2 * w), c70, c71, va, vb, 0);
        Store(t + (8 * 2 * w), c80, c81, va, vb, 0);
        Store(t + (9 * 2 * w), c90, c91, va, vb, 0);
        Store(t + (10 * 2 * w), c100, c101, va, vb, 0);
        Store(t + (11 * 2 * w), c110, c111, va, vb, 0);
        GemmTile.Combine(t, 2 * w, c, ldc, mr, nr, beta, mode);
    }

    /// <summary>12 rows × two vectors, A read in place, rows lda apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void WideRows(int kc, T* a, nint lda, T* b, T* c, int ldc, int mr, int nr, T alpha, T beta, int mode)
    {
        var w = Vector512<T>.Count;
        var t = stackalloc T[12 * 2 * Vector512<T>.Count]; // spill area for edge tiles (SkipLocalsInit: not zeroed)
        var l2 = 2 * lda;
        var r0 = a + (0 * lda);
        var r3 = a + (3 * lda);
        var r6 = a + (6 * lda);
        var r9 = a + (9 * lda);
        Vector512<T> c00 = default, c01 = default;
        Vector512<T> c10 = default, c11 = default;
        Vector512<T> c20 = default, c21 = default;
        Vector512<T> c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default;
        Vector512<T> c50 = default, c51 = default;
        Vector512<T> c60 = default, c61 = default;
        Vector512<T> c70 = default, c71 = default;
        Vector512<T> c80 = default, c81 = default;
        Vector512<T> c90 = default, c91 = default;
        Vector512<T> c100 = default, c101 = default;
        Vector512<T> c110 = default, c111 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + w);
            var a0 = Vector512.Create(r0[0]);
            c00 = VecMath.Fma(a0, b0, c00);
            c01 = VecMath.Fma(a0, b1, c01);
            var a1 = Vector512.Create(r0[lda]);
            c10 = VecMath.Fma(a1, b0, c10);
            c11 = VecMath.Fma(a1, b1, c11);
            var a2 = Vector512.Create(r0[l2]);
            c20 = VecMath.Fma(a2, b0, c20);
            c21 = VecMath.Fma(a2, b1, c21);
            var a3 = Vector512.Create(r3[0]);
            c30 = VecMath.Fma(a3, b0, c30);
            c31 = VecMath.Fma(a3, b1, c31);
            var a4 = Vector512.Create(r3[lda]);
            c40 = VecMath.Fma(a4, b0, c40);
            c41 = VecMath.Fma(a4, b1, c41);
            var a5 = Vector512.Create(r3[l2]);
            c50 = VecMath.Fma(a5, b0, c50);
            c51 = VecMath.Fma(a5, b1, c51);
            var a6 = Vector512.Create(r6[0]);
            c60 = VecMath.Fma(a6, b0, c60);
            c61 = VecMath.Fma(a6, b1, c61);
            var a7 = Vector512.Create(r6[lda]);
            c70 = VecMath.Fma(a7, b0, c70);
            c71 = VecMath.Fma(a7, b1, c71);
            var a8 = Vector512.Create(r6[l2]);
            c80 = VecMath.Fma(a8, b0, c80);
            c81 = VecMath.Fma(a8, b1, c81);
            var a9 = Vector512.Create(r9[0]);
            c90 = VecMath.Fma(a9, b0, c90);
            c91 = VecMath.Fma(a9, b1, c91);
            var a10 = Vector512.Create(r9[lda]);
            c100 = VecMath.Fma(a10, b0, c100);
            c101 = VecMath.Fma(a10, b1, c101);
            var a11 = Vector512.Create(r9[l2]);
            c110 = VecMath.Fma(a11, b0, c110);
            c111 = VecMath.Fma(a11, b1, c111);
            r0++;
            r3++;
            r6++;
            r9++;
            b += 2 * w;
        }

        var va = Vector512.Create(alpha);
        var vb = Vector512.Create(beta);
        if (mr == 12 && nr == 2 * w)
        {
            Store(c + ((long)0 * ldc), c00, c01, va, vb, mode);
            Store(c + ((long)1 * ldc), c10, c11, va, vb, mode);
            Store(c + ((long)2 * ldc), c20, c21, va, vb, mode);
            Store(c + ((long)3 * ldc), c30, c31, va, vb, mode);
            Store(c + ((long)4 * ldc), c40, c41, va, vb, mode);
            Store(c + ((long)5 * ldc), c50, c51, va, vb, mode);
            Store(c + ((long)6 * ldc), c60, c61, va, vb, mode);
            Store(c + ((long)7 * ldc), c70, c71, va, vb, mode);
            Store(c + ((long)8 * ldc), c80, c81, va, vb, mode);
            Store(c + ((long)9 * ldc), c90, c91, va, vb, mode);
            Store(c + ((long)10 * ldc), c100, c101, va, vb, mode);
            Store(c + ((long)11 * ldc), c110, c111, va, vb, mode);
            return;
        }

        // Partial tile: spill α·acc to the stack, then combine the valid corner into C.
        Store(t + (0 * 2 * w), c00, c01, va, vb, 0);
        Store(t + (1 * 2 * w), c10, c11, va, vb, 0);
        Store(t + (2 * 2 * w), c20, c21, va, vb, 0);
        Store(t + (3 * 2 * w), c30, c31, va, vb, 0);
        Store(t + (4 * 2 * w), c40, c41, va, vb, 0);
        Store(t + (5 * 2 * w), c50, c51, va, vb, 0);
        Store(t + (6 * 2 * w), c60, c61, va, vb, 0);
        Store(t + (7 * 2 * w), c70, c71, va, vb, 0);
        Store(t + (8 * 2 * w), c80, c81, va, vb, 0);
        Store(t + (9 * 2 * w), c90, c91, va, vb, 0);
        Store(t + (10 * 2 * w), c100, c101, va, vb, 0);
        Store(t + (11 * 2 * w), c110, c111, va, vb, 0);
        GemmTile.Combine(t, 2 * w, c, ldc, mr, nr, beta, mode);
    }

    /// <summary>12 rows × one vector (nr ≤ one vector), packed A.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void NarrowPacked(int kc, T* a, T* b, T* c, int ldc, int mr, int nr, T alpha, T beta, int mode)
    {
        var w = Vector512<T>.Count;
        var t = stackalloc T[12 * 2 * Vector512<T>.Count]; // spill area for edge tiles (SkipLocalsInit: not zeroed)
        Vector512<T> c00 = default;
        Vector512<T> c10 = default;
        Vector512<T> c20 = default;
        Vector512<T> c30 = default;
        Vector512<T> c40 = default;
        Vector512<T> c50 = default;
        Vector512<T> c60 = default;
        Vector512<T> c70 = default;
        Vector512<T> c80 = default;
        Vector512<T> c90 = default;
        Vector512<T> c100 = default;
        Vector512<T> c110 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var a0 = Vector512.Create(a[0]);
            c00 = VecMath.Fma(a0, b0, c00);
            var a1 = Vector512.Create(a[1]);
            c10 = VecMath.Fma(a1, b0, c10);
            var a2 = Vector512.Create(a[2]);
            c20 = VecMath.Fma(a2, b0, c20);
            var a3 = Vector512.Create(a[3]);
            c30 = VecMath.Fma(a3, b0, c30);
            var a4 = Vector512.Create(a[4]);
            c40 = VecMath.Fma(a4, b0, c40);
            var a5 = Vector512.Create(a[5]);
            c50 = VecMath.Fma(a5, b0, c50);
            var a6 = Vector512.Create(a[6]);
            c60 = VecMath.Fma(a6, b0, c60);
            var a7 = Vector512.Create(a[7]);
            c70 = VecMath.Fma(a7, b0, c70);
            var a8 = Vector512.Create(a[8]);
            c80 = VecMath.Fma(a8, b0, c80);
            var a9 = Vector512.Create(a[9]);
            c90 = VecMath.Fma(a9, b0, c90);
            var a10 = Vector512.Create(a[10]);
            c100 = VecMath.Fma(a10, b0, c100);
            var a11 = Vector512.Create(a[11]);
            c110 = VecMath.Fma(a11, b0, c110);
            a += 12;
            b += 2 * w;
        }

        var va = Vector512.Create(alpha);
        (c00 * va).Store(t + (0 * 2 * w));
        (c10 * va).Store(t + (1 * 2 * w));
        (c20 * va).Store(t + (2 * 2 * w));
        (c30 * va).Store(t + (3 * 2 * w));
        (c40 * va).Store(t + (4 * 2 * w));
        (c50 * va).Store(t + (5 * 2 * w));
        (c60 * va).Store(t + (6 * 2 * w));
        (c70 * va).Store(t + (7 * 2 * w));
        (c80 * va).Store(t + (8 * 2 * w));
        (c90 * va).Store(t + (9 * 2 * w));
        (c100 * va).Store(t + (10 * 2 * w));
        (c110 * va).Store(t + (11 * 2 * w));
        GemmTile.Combine(t, 2 * w, c, ldc, mr, nr, beta, mode);
    }

    /// <summary>12 rows × one vector (nr ≤ one vector), A read in place, rows lda apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void NarrowRows(int kc, T* a, nint lda, T* b, T* c, int ldc, int mr, int nr, T alpha, T beta, int mode)
    {
        var w = Vector512<T>.Count;
        var t = stackalloc T[12 * 2 * Vector512<T>.Count]; // spill area for edge tiles (SkipLocalsInit: not zeroed)
        var l2 = 2 * lda;
        var r0 = a + (0 * lda);
        var r3 = a + (3 * lda);
        var r6 = a + (6 * lda);
        var r9 = a + (9 * lda);
        Vector512<T> c00 = default;
        Vector512<T> c10 = default;
        Vector512<T> c20 = default;
        Vector512<T> c30 = default;
        Vector512<T> c40 = default;
        Vector512<T> c50 = default;
        Vector512<T> c60 = default;
        Vector512<T> c70 = default;
        Vector512<T> c80 = default;
        Vector512<T> c90 = default;
        Vector512<T> c100 = default;
        Vector512<T> c110 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var a0 = Vector512.Create(r0[0]);
            c00 = VecMath.Fma(a0, b0, c00);
            var a1 = Vector512.Create(r0[lda]);
            c10 = VecMath.Fma(a1, b0, c10);
            var a2 = Vector512.Create(r0[l2]);
            c20 = VecMath.Fma(a2, b0, c20);
            var a3 = Vector512.Create(r3[0]);
            c30 = VecMath.Fma(a3, b0, c30);
            var a4 = Vector512.Create(r3[lda]);
            c40 = VecMath.Fma(a4, b0, c40);
            var a5 = Vector512.Create(r3[l2]);
            c50 = VecMath.Fma(a5, b0, c50);
            var a6 = Vector512.Create(r6[0]);
            c60 = VecMath.Fma(a6, b0, c60);
            var a7 = Vector512.Create(r6[lda]);
            c70 = VecMath.Fma(a7, b0, c70);
            var a8 = Vector512.Create(r6[l2]);
            c80 = VecMath.Fma(a8, b0, c80);
            var a9 = Vector512.Create(r9[0]);
            c90 = VecMath.Fma(a9, b0, c90);
            var a10 = Vector512.Create(r9[lda]);
            c100 = VecMath.Fma(a10, b0, c100);
            var a11 = Vector512.Create(r9[l2]);
            c110 = VecMath.Fma(a11, b0, c110);
            r0++;
            r3++;
            r6++;
            r9++;
            b += 2 * w;
        }

        var va = Vector512.Create(alpha);
        (c00 * va).Store(t + (0 * 2 * w));
        (c10 * va).Store(t + (1 * 2 * w));
        (c20 * va).Store(t + (2 * 2 * w));
        (c30 * va).Store(t + (3 * 2 * w));
        (c40 * va).Store(t + (4 * 2 * w));
        (c50 * va).Store(t + (5 * 2 * w));
        (c60 * va).Store(t + (6 * 2 * w));
        (c70 * va).Store(t + (7 * 2 * w));
        (c80 * va).Store(t + (8 * 2 * w));
        (c90 * va).Store(t + (9 * 2 * w));
        (c100 * va).Store(t + (10 * 2 * w));
        (c110 * va).Store(t + (11 * 2 * w));
        GemmTile.Combine(t, 2 * w, c, ldc, mr, nr, beta, mode);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(T* c, Vector512<T> x0, Vector512<T> x1, Vector512<T> va, Vector512<T> vb, int mode)
    {
        var w = Vector512<T>.Count;
        if (mode == 0)
        {
            (x0 * va).Store(c);
            (x1 * va).Store(c + w);
        }
        else if (mode == 1)
        {
            VecMath.Fma(x0, va, Vector512.Load(c)).Store(c);
            VecMath.Fma(x1, va, Vector512.Load(c + w)).Store(c + w);
        }
        else
        {
            VecMath.Fma(x0, va, Vector512.Load(c) * vb).Store(c);
            VecMath.Fma(x1, va, Vector512.Load(c + w) * vb).Store(c + w);
        }
    }
}
