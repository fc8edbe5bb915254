using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace McGrad.Kernels;

/// <summary>Packing of A and B panels into the micro-kernels' layouts (with register transposes where the CPU allows).</summary>
internal static unsafe partial class ManagedGemm
{
    /// <summary>
    /// Packs rows [i0, i0+mc) × cols [p0, p0+kc) of op(A) into MR-row micro-panels: panel r holds, for each p,
    /// MR consecutive values (zero-padded past the last row).
    /// </summary>
    internal static void PackA<T>(T* a, int lda, bool transA, int i0, int mc, int p0, int kc, int mr, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var ir = 0; ir < mc; ir += mr)
        {
            var rows = Math.Min(mr, mc - ir);
            var d = dst + ((long)ir * kc);
            if (transA)
            {
                // op(A)(i, p) = a[p·lda + i]: MR contiguous values per p.
                CopyRows(a + ((long)p0 * lda) + i0 + ir, lda, kc, rows, d, mr);
            }
            else
            {
                // op(A)(i, p) = a[i·lda + p]: a transpose.
                TransposeInto(a + ((long)(i0 + ir) * lda) + p0, lda, rows, kc, d, mr);
            }
        }
    }

    /// <summary>
    /// Packs NR-column micro-panels [panel0, panel0+count) of op(B) rows [p0, p0+kc) × cols [j0, j0+nc): panel q holds,
    /// for each p, NR consecutive values (zero-padded past the last column).
    /// </summary>
    internal static void PackB<T>(T* b, int ldb, bool transB, int p0, int kc, int j0, int nc, int panel0, int count, int nr, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var q = panel0; q < panel0 + count; q++)
        {
            var j = q * nr;
            var cols = Math.Min(nr, nc - j);
            var d = dst + ((long)q * nr * kc);
            if (!transB)
            {
                CopyRows(b + ((long)p0 * ldb) + j0 + j, ldb, kc, cols, d, nr);
            }
            else
            {
                // op(B)(p, j) = b[j·ldb + p]: a transpose.
                TransposeInto(b + ((long)(j0 + j) * ldb) + p0, ldb, cols, kc, d, nr);
            }
        }
    }

    /// <summary>dst[p·width + c] = src[p·ld + c] for c &lt; cols, zero for cols ≤ c &lt; width, over p &lt; rows.</summary>
    private static void CopyRows<T>(T* src, int ld, int rows, int cols, T* dst, int width)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var bytes = (uint)(cols * sizeof(T));
        for (var p = 0; p < rows; p++)
        {
            var d = dst + ((long)p * width);
            Unsafe.CopyBlockUnaligned(d, src + ((long)p * ld), bytes);
            if (cols < width)
            {
                new Span<T>(d + cols, width - cols).Clear();
            }
        }
    }

    /// <summary>
    /// dst[p·width + r] = src[r·ld + p] for r &lt; rows, p &lt; count; zero for rows ≤ r &lt; width. Blocks of 4×4 are
    /// transposed in registers (SSE for float32, AVX for float64) where the CPU allows.
    /// </summary>
    private static void TransposeInto<T>(T* src, int ld, int rows, int count, T* dst, int width)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = 0;
        var vector = typeof(T) == typeof(float) ? Sse.IsSupported : typeof(T) == typeof(double) && Avx.IsSupported;
        if (vector)
        {
            for (; r + 4 <= rows; r += 4)
            {
                var s0 = src + ((long)r * ld);
                var s1 = s0 + ld;
                var s2 = s1 + ld;
                var s3 = s2 + ld;
                var d = dst + r;
                var p = 0;
                for (; p + 4 <= count; p += 4)
                {
                    if (typeof(T) == typeof(float))
                    {
                        Transpose4((float*)s0 + p, (float*)s1 + p, (float*)s2 + p, (float*)s3 + p, (float*)d + (p * width), width);
                    }
                    else
                    {
                        Transpose4((double*)s0 + p, (double*)s1 + p, (double*)s2 + p, (double*)s3 + p, (double*)d + (p * width), width);
                    }
                }

                for (; p < count; p++)
                {
                    var dd = d + (p * width);
                    dd[0] = s0[p];
                    dd[1] = s1[p];
                    dd[2] = s2[p];
                    dd[3] = s3[p];
                }
            }
        }

        for (; r < rows; r++)
        {
            var s = src + ((long)r * ld);
            var d = dst + r;
            for (var p = 0; p < count; p++)
            {
                d[p * width] = s[p];
            }
        }

        for (r = rows; r < width; r++)
        {
            for (var p = 0; p < count; p++)
            {
                dst[(p * width) + r] = T.Zero;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4(float* s0, float* s1, float* s2, float* s3, float* d, int width)
    {
        var r0 = Sse.LoadVector128(s0);
        var r1 = Sse.LoadVector128(s1);
        var r2 = Sse.LoadVector128(s2);
        var r3 = Sse.LoadVector128(s3);
        var t0 = Sse.UnpackLow(r0, r1);
        var t1 = Sse.UnpackLow(r2, r3);
        var t2 = Sse.UnpackHigh(r0, r1);
        var t3 = Sse.UnpackHigh(r2, r3);
        Sse.Store(d, Sse.MoveLowToHigh(t0, t1));
        Sse.Store(d + width, Sse.MoveHighToLow(t1, t0));
        Sse.Store(d + (2 * width), Sse.MoveLowToHigh(t2, t3));
        Sse.Store(d + (3 * width), Sse.MoveHighToLow(t3, t2));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4(double* s0, double* s1, double* s2, double* s3, double* d, int width)
    {
        var r0 = Avx.LoadVector256(s0);
        var r1 = Avx.LoadVector256(s1);
        var r2 = Avx.LoadVector256(s2);
        var r3 = Avx.LoadVector256(s3);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        Avx.Store(d, Avx.Permute2x128(t0, t2, 0x20));
        Avx.Store(d + width, Avx.Permute2x128(t1, t3, 0x20));
        Avx.Store(d + (2 * width), Avx.Permute2x128(t0, t2, 0x31));
        Avx.Store(d + (3 * width), Avx.Permute2x128(t1, t3, 0x31));
    }
}
