using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace McGrad.Kernels;

/// <summary>The managed GEMM driver: special cases (tiny, GEMV), cache blocking, the parallel split and scratch buffers; packing is in GemmPacking.cs, the micro-kernels in GemmKernel*.cs.</summary>
internal static unsafe partial class ManagedGemm
{
    /// <summary>Products with at least this many multiply-adds are split across cores.</summary>
    internal const long ParallelWork = 1L << 20;

    /// <summary>Products with at most this many multiply-adds use plain loops (no packing).</summary>
    internal const long TinyWork = 128;

    private const int KcMax = 256;
    private const int McMax = 192;
    private const int NcMax = 4096;

    /// <summary>Forces the Vector256 kernel on this thread (tests cover it on AVX-512 machines).</summary>
    [ThreadStatic]
    internal static bool ForceVector256;

    internal static bool UsesVector512 => Vector512.IsHardwareAccelerated && !ForceVector256;

    public static void Run<T>(bool transA, bool transB, int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc, bool parallel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0 || alpha == T.Zero)
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }

        var work = (long)m * n * k;
        parallel &= work >= ParallelWork && Parallelism.MaxThreads > 1;
        if (work <= TinyWork)
        {
            Naive(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        }
        else if (n == 1)
        {
            GemvColumn(transA, transB, m, k, alpha, a, lda, b, ldb, beta, c, ldc, parallel);
        }
        else if (m == 1)
        {
            GemvRow(transA, transB, n, k, alpha, a, lda, b, ldb, beta, c, parallel);
        }
        else if (UsesVector512)
        {
            Blocked<T, Kernel512<T>>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, parallel);
        }
        else
        {
            Blocked<T, Kernel256<T>>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, parallel);
        }
    }

    /// <summary>C ← β·C (β = 0 writes zeros without reading C).</summary>
    private static void ScaleC<T>(int m, int n, T beta, T* c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = 0; i < m; i++)
        {
            var row = new Span<T>(c + ((long)i * ldc), n);
            if (beta == T.Zero)
            {
                row.Clear();
            }
            else if (beta != T.One)
            {
                TensorPrimitives.Multiply(row, beta, row);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Combine<T>(T acc, T alpha, T beta, T* c)
        where T : unmanaged, IFloatingPointIeee754<T>
        => beta == T.Zero ? alpha * acc : (alpha * acc) + (beta * *c);

    private static void Naive<T>(bool transA, bool transB, int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long sa = transA ? 1 : lda, ka = transA ? lda : 1;
        long sb = transB ? ldb : 1, kb = transB ? 1 : ldb;
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var pa = a + (i * sa);
                var pb = b + (j * sb);
                var acc = T.Zero;
                for (var p = 0; p < k; p++)
                {
                    acc = T.FusedMultiplyAdd(pa[p * ka], pb[p * kb], acc);
                }

                var pc = c + ((long)i * ldc) + j;
                *pc = Combine(acc, alpha, beta, pc);
            }
        }
    }

    /// <summary>n = 1: C[:, 0] = α·op(A)·x + β·C[:, 0] with x = op(B)[:, 0].</summary>
    private static void GemvColumn<T>(bool transA, bool transB, int m, int k, T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc, bool parallel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // op(B) is k×1: element p lies at b[p] when B is stored 1×k (transB), else at b[p·ldb].
        var scratch = Scratch<T>.Rent(k + m);
        try
        {
            fixed (T* ps = scratch)
            {
                var x = transB || ldb == 1 ? b : Gather(b, ldb, k, ps);
                var y = ps + k;
                if (!transA)
                {
                    // y_i = ⟨A_i, x⟩: independent rows.
                    nint ia = (nint)a, ix = (nint)x, iy = (nint)y;
                    RowRanges(m, k, parallel, (s, cnt) =>
                    {
                        for (var i = s; i < s + cnt; i++)
                        {
                            ((T*)iy)[i] = TensorPrimitives.Dot(new ReadOnlySpan<T>((T*)ia + ((long)i * lda), k), new ReadOnlySpan<T>((T*)ix, k));
                        }
                    });
                }
                else
                {
                    // A stored k×m: y = Σ_p x_p·A_p (rows of the stored matrix), split by column segments.
                    Axpy(a, lda, x, k, m, y, parallel);
                }

                for (var i = 0; i < m; i++)
                {
                    var pc = c + ((long)i * ldc);
                    *pc = Combine(y[i], alpha, beta, pc);
                }
            }
        }
        finally
        {
            Scratch<T>.Return(scratch);
        }
    }

    /// <summary>m = 1: C[0, :] = α·x·op(B) + β·C[0, :] with x = op(A)[0, :].</summary>
    private static void GemvRow<T>(bool transA, bool transB, int n, int k, T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, bool parallel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var scratch = Scratch<T>.Rent(k + n);
        try
        {
            fixed (T* ps = scratch)
            {
                var x = !transA || lda == 1 ? a : Gather(a, lda, k, ps);
                var y = ps + k;
                if (transB)
                {
                    // B stored n×k: y_j = ⟨B_j, x⟩.
                    nint ib = (nint)b, ix = (nint)x, iy = (nint)y;
                    RowRanges(n, k, parallel, (s, cnt) =>
                    {
                        for (var j = s; j < s + cnt; j++)
                        {
                            ((T*)iy)[j] = TensorPrimitives.Dot(new ReadOnlySpan<T>((T*)ib + ((long)j * ldb), k), new ReadOnlySpan<T>((T*)ix, k));
                        }
                    });
                }
                else
                {
                    Axpy(b, ldb, x, k, n, y, parallel);
                }

                var row = new Span<T>(c, n);
                var yy = new ReadOnlySpan<T>(y, n);
                if (beta == T.Zero)
                {
                    TensorPrimitives.Multiply(yy, alpha, row);
                }
                else
                {
                    for (var j = 0; j < n; j++)
                    {
                        row[j] = (alpha * yy[j]) + (beta * row[j]);
                    }
                }
            }
        }
        finally
        {
            Scratch<T>.Return(scratch);
        }
    }

    private static T* Gather<T>(T* src, int stride, int count, T* dst)
        where T : unmanaged
    {
        for (var p = 0; p < count; p++)
        {
            dst[p] = src[(long)p * stride];
        }

        return dst;
    }

    /// <summary>y[0..len) = Σ_p x_p·M[p, 0..len) for a row-major k×len matrix M with row stride ld.</summary>
    private static void Axpy<T>(T* mat, int ld, T* x, int k, int len, T* y, bool parallel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var ip = (nint)mat;
        var ix = (nint)x;
        var iy = (nint)y;
        void Segment(int s, int cnt)
        {
            var dst = new Span<T>((T*)iy + s, cnt);
            dst.Clear();
            for (var p = 0; p < k; p++)
            {
                TensorPrimitives.FusedMultiplyAdd(new ReadOnlySpan<T>((T*)ip + ((long)p * ld) + s, cnt), ((T*)ix)[p], dst, dst);
            }
        }

        if (!parallel)
        {
            Segment(0, len);
            return;
        }

        // Fixed 256-column segments: boundaries depend on len only.
        const int Seg = 256;
        var segs = (len + Seg - 1) / Seg;
        Parallelism.For(segs, Math.Max(1, (int)(ParallelWork / 8 / ((long)k * Seg))), (s, cnt) =>
        {
            var start = s * Seg;
            Segment(start, Math.Min(len, (s + cnt) * Seg) - start);
        });
    }

    private static void RowRanges(int rows, int k, bool parallel, Action<int, int> body)
    {
        if (!parallel)
        {
            body(0, rows);
            return;
        }

        Parallelism.For(rows, Math.Max(1, (int)(ParallelWork / 8 / Math.Max(1, k))), body);
    }

    /// <summary>
    /// The blocked algorithm (Goto and van de Geijn, 2008). In parallel, C is cut into a grid of regions whose edges
    /// lie on the MR×NR micro-tile grid, and each region runs the whole blocked loop on its own (one parallel step, no
    /// barriers). Every output element is accumulated over the same KC blocks, in the same order and with the same
    /// store as in the serial loop, so results do not depend on the thread count or the grid.
    /// </summary>
    private static void Blocked<T, TK>(bool transA, bool transB, int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc, bool parallel)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
    {
        var mr = TK.MR;
        var nr = TK.NR;

        // KC splits k into equal blocks (the summation order depends on k alone).
        var kBlocks = (k + KcMax - 1) / KcMax;
        var kc = (k + kBlocks - 1) / kBlocks;

        if (!parallel)
        {
            Region<T, TK>(transA, transB, 0, m, 0, n, k, kc, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }

        // About two regions per thread: rows first (each row group re-packs B, a cheap copy), then columns.
        var target = 2 * Parallelism.MaxThreads;
        var rowPanels = (m + mr - 1) / mr;
        var colPanels = (n + nr - 1) / nr;
        var rGroups = Math.Clamp(rowPanels / 4, 1, target);
        var cGroups = Math.Clamp(colPanels / 2, 1, (target + rGroups - 1) / rGroups);
        var rowsPer = (rowPanels + rGroups - 1) / rGroups * mr;
        var colsPer = (colPanels + cGroups - 1) / cGroups * nr;
        rGroups = (m + rowsPer - 1) / rowsPer;
        cGroups = (n + colsPer - 1) / colsPer;
        nint ia = (nint)a, ib = (nint)b, ic = (nint)c;
        Parallelism.For(rGroups * cGroups, 1, (s, cnt) =>
        {
            for (var t = s; t < s + cnt; t++)
            {
                var i0 = t / cGroups * rowsPer;
                var j0 = t % cGroups * colsPer;
                Region<T, TK>(transA, transB, i0, Math.Min(m, i0 + rowsPer), j0, Math.Min(n, j0 + colsPer), k, kc, alpha, (T*)ia, lda, (T*)ib, ldb, beta, (T*)ic, ldc);
            }
        });
    }

    /// <summary>
    /// C[i0..i1, j0..j1) of the product: loops jc (NC columns), pc (KC depth: packs B), ic (MC rows: packs A), then
    /// NR-panels × MR-panels of micro-kernel calls. i0 and j0 lie on the micro-tile grid.
    /// </summary>
    private static void Region<T, TK>(bool transA, bool transB, int i0, int i1, int j0, int j1, int k, int kc, T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
    {
        var mr = TK.MR;
        var nr = TK.NR;
        var m = i1 - i0;
        var n = j1 - j0;
        var mBlocks = (m + McMax - 1) / McMax;
        var mc = RoundUp((m + mBlocks - 1) / mBlocks, mr);
        var ncMax = Math.Min(NcMax, RoundUp(n, nr));
        var bBuf = Scratch<T>.Rent((ncMax * kc) + 64);
        var aBuf = Scratch<T>.RentA((mc * kc) + 64);
        try
        {
            fixed (T* bRaw = bBuf, aRaw = aBuf)
            {
                var pb = Align(bRaw);
                var pa = Align(aRaw);
                for (var jc = j0; jc < j1; jc += ncMax)
                {
                    var nc = Math.Min(ncMax, j1 - jc);
                    var nPanels = (nc + nr - 1) / nr;

                    // With few B panels each A panel is used once or twice: full MR-row panels are then read in place
                    // (a transposing pack would cost as much as the product); only a ragged last panel is packed.
                    var rowsA = !transA && nPanels <= 2;
                    for (var pc = 0; pc < k; pc += kc)
                    {
                        var kcur = Math.Min(kc, k - pc);
                        var mode = pc > 0 ? 1 : beta == T.Zero ? 0 : beta == T.One ? 1 : 2;
                        PackB(b, ldb, transB, pc, kcur, jc, nc, 0, nPanels, nr, pb);
                        for (var ib = i0; ib < i1; ib += mc)
                        {
                            var mcur = Math.Min(mc, i1 - ib);
                            var full = rowsA ? mcur / mr * mr : 0;
                            PackA(a, lda, transA, ib + full, mcur - full, pc, kcur, mr, pa);
                            for (var jp = 0; jp < nPanels; jp++)
                            {
                                var ncols = Math.Min(nr, nc - (jp * nr));
                                var bp = pb + ((long)jp * nr * kcur);
                                var cp = c + ((long)ib * ldc) + jc + (jp * nr);
                                for (var ir = 0; ir < mcur; ir += mr)
                                {
                                    if (ir < full)
                                    {
                                        TK.RunRows(kcur, a + ((long)(ib + ir) * lda) + pc, lda, bp, cp, ldc, ncols, alpha, beta, mode);
                                    }
                                    else
                                    {
                                        TK.Run(kcur, pa + ((long)(ir - full) * kcur), bp, cp, ldc, Math.Min(mr, mcur - ir), ncols, alpha, beta, mode);
                                    }

                                    cp += (long)mr * ldc;
                                }
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            Scratch<T>.ReturnA(aBuf);
            Scratch<T>.Return(bBuf);
        }
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    private static T* Align<T>(T* p)
        where T : unmanaged
    {
        var addr = (nint)p;
        return (T*)((addr + 63) & ~(nint)63);
    }

    /// <summary>Per-thread pinned packing buffers, reused across calls (rented, so re-entrant use allocates).</summary>
    private static class Scratch<T>
        where T : unmanaged
    {
        [ThreadStatic]
        private static T[]? t_main;

        [ThreadStatic]
        private static T[]? t_a;

        public static T[] Rent(int length) => Take(ref t_main, length);

        public static void Return(T[] buffer) => t_main = buffer;

        public static T[] RentA(int length) => Take(ref t_a, length);

        public static void ReturnA(T[] buffer) => t_a = buffer;

        private static T[] Take(ref T[]? slot, int length)
        {
            var buf = slot;
            slot = null;
            if (buf == null || buf.Length < length)
            {
                buf = GC.AllocateUninitializedArray<T>(Math.Max(length, 1024), pinned: true);
            }

            return buf;
        }
    }
}
