using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace McGrad.Kernels;

/// <summary>
/// The one copy kernel behind the movement ops (Permute, Transpose, Slice and its scatter, Flip, Concat):
/// for every multi-index i over <c>dims</c>,
/// <c>dst[dstBase + Σₖ iₖ·dstStrides[k]] = src[srcBase + Σₖ iₖ·srcStrides[k]]</c> (strides may be negative or 0).
/// </summary>
/// <remarks>
/// The index space is first simplified: size-1 dims are dropped and neighbouring dims that are contiguous in both
/// source and destination are merged, so a permutation that keeps the last dim, a slice along an outer axis or a
/// concat become a few long span copies. The inner loop is then a span copy (both unit stride), a reversed copy
/// (Flip of the last dim), a tiled 2-D transpose (the destination is contiguous along the last dim and the source
/// along another one, e.g. a matrix transpose), or a plain strided loop. Large copies are split across cores
/// over whole rows / tiles; each element is written by exactly one chunk, so results never depend on threads.
/// </remarks>
internal static class StridedCopy
{
    /// <summary>Tile edge for transposes: a 32×32 tile of doubles is 8 KiB, well inside L1.</summary>
    private const int Tile = 32;

    public static void Run<T>(T[] src, int srcBase, ReadOnlySpan<int> srcStrides, T[] dst, int dstBase, ReadOnlySpan<int> dstStrides, ReadOnlySpan<int> dims)
        where T : unmanaged
    {
        var rank = dims.Length;
        Span<int> d = stackalloc int[rank];
        Span<int> ss = stackalloc int[rank];
        Span<int> ds = stackalloc int[rank];
        var r = 0;

        // Walk from the innermost dim outwards, dropping size-1 dims and merging a dim into the group after it
        // when, in both arrays, stepping it once equals stepping the whole group after it.
        for (var k = rank - 1; k >= 0; k--)
        {
            var n = dims[k];
            if (n == 0)
            {
                return;
            }

            if (n == 1)
            {
                continue;
            }

            if (r > 0 && srcStrides[k] == ss[r - 1] * d[r - 1] && dstStrides[k] == ds[r - 1] * d[r - 1])
            {
                d[r - 1] *= n;
                continue;
            }

            d[r] = n;
            ss[r] = srcStrides[k];
            ds[r] = dstStrides[k];
            r++;
        }

        if (r == 0)
        {
            dst[dstBase] = src[srcBase];
            return;
        }

        // Reverse into outermost-first order.
        d = d[..r];
        ss = ss[..r];
        ds = ds[..r];
        d.Reverse();
        ss.Reverse();
        ds.Reverse();

        var plan = new Plan(d.ToArray(), ss.ToArray(), ds.ToArray(), srcBase, dstBase);
        var last = r - 1;
        var inner = plan.Dims[last];
        if (plan.DstStrides[last] == 1 && plan.SrcStrides[last] != 1 && plan.SrcStrides[last] != -1)
        {
            var q = -1;
            for (var k = 0; k < last; k++)
            {
                if (plan.SrcStrides[k] == 1)
                {
                    q = k;
                }
            }

            if (q >= 0 && plan.Dims[q] >= 4 && inner >= 4)
            {
                RunTiled(src, dst, plan, q);
                return;
            }
        }

        var rows = plan.Size / inner;
        var grainRows = Math.Max(1, Parallelism.ElementwiseGrain / inner);
        if (rows <= grainRows)
        {
            CopyRows(src, dst, plan, 0, rows); // small copies: no closure, no scheduling
            return;
        }

        Parallelism.For(rows, grainRows, (start, count) => CopyRows(src, dst, plan, start, count));
    }

    /// <summary>Copies output rows [start, start + count) (a row runs along the last simplified dim).</summary>
    private static void CopyRows<T>(T[] src, T[] dst, Plan plan, int start, int count)
        where T : unmanaged
    {
        var last = plan.Dims.Length - 1;
        var inner = plan.Dims[last];
        var sInner = plan.SrcStrides[last];
        var dInner = plan.DstStrides[last];
        Span<int> idx = stackalloc int[Math.Max(1, last)];
        var (sOff, dOff) = plan.Offsets(start, last, -1, idx);
        ref var s0 = ref MemoryMarshal.GetArrayDataReference(src);
        ref var d0 = ref MemoryMarshal.GetArrayDataReference(dst);
        for (var row = 0; row < count; row++)
        {
            if (sInner == 1 && dInner == 1)
            {
                src.AsSpan(sOff, inner).CopyTo(dst.AsSpan(dOff, inner));
            }
            else if (sInner == -1 && dInner == 1)
            {
                var target = dst.AsSpan(dOff, inner);
                src.AsSpan(sOff - inner + 1, inner).CopyTo(target);
                target.Reverse();
            }
            else
            {
                CheckRange(src.Length, sOff, sInner, inner);
                CheckRange(dst.Length, dOff, dInner, inner);
                int si = sOff, di = dOff;
                for (var j = 0; j < inner; j++)
                {
                    Unsafe.Add(ref d0, di) = Unsafe.Add(ref s0, si);
                    si += sInner;
                    di += dInner;
                }
            }

            plan.Advance(idx, last, -1, ref sOff, ref dOff);
        }
    }

    /// <summary>
    /// Transposing copy: the destination is contiguous along the last dim, the source along dim q. Work units are
    /// (batch index over the other dims) × (a band of <see cref="Tile"/> indices of q); each unit walks its band in
    /// Tile×Tile blocks, so both the reads and the writes of a block stay in cache.
    /// </summary>
    private static void RunTiled<T>(T[] src, T[] dst, Plan plan, int q)
        where T : unmanaged
    {
        var last = plan.Dims.Length - 1;
        var nq = plan.Dims[q];
        var nl = plan.Dims[last];
        var bands = (nq + Tile - 1) / Tile;
        var batches = plan.Size / nq / nl;
        var units = batches * bands;
        var grainUnits = Math.Max(1, Parallelism.ElementwiseGrain / (Tile * nl));
        Parallelism.For(units, grainUnits, (start, count) =>
        {
            var dq = plan.DstStrides[q];
            var sl = plan.SrcStrides[last];
            Span<int> idx = stackalloc int[Math.Max(1, last)];
            ref var s0 = ref MemoryMarshal.GetArrayDataReference(src);
            ref var d0 = ref MemoryMarshal.GetArrayDataReference(dst);
            for (var u = start; u < start + count; u++)
            {
                var batch = u / bands;
                var i0 = (u % bands) * Tile;
                var i1 = Math.Min(nq, i0 + Tile);
                var (sb, db) = plan.Offsets(batch, last, q, idx);
                CheckRange(src.Length, sb + i0, sl, nl);
                CheckRange(src.Length, sb + i1 - 1, sl, nl);
                CheckRange(dst.Length, db + (i0 * dq), 1, nl);
                CheckRange(dst.Length, db + ((i1 - 1) * dq), 1, nl);
                for (var j0 = 0; j0 < nl; j0 += Tile)
                {
                    var j1 = Math.Min(nl, j0 + Tile);
                    for (var i = i0; i < i1; i++)
                    {
                        var si = sb + i + (j0 * sl);
                        var di = db + (i * dq) + j0;
                        for (var j = j0; j < j1; j++)
                        {
                            Unsafe.Add(ref d0, di) = Unsafe.Add(ref s0, si);
                            si += sl;
                            di++;
                        }
                    }
                }
            }
        });
    }

    /// <summary>Guards the unchecked inner loops: every index off + j·stride (0 ≤ j &lt; n) lies inside the array.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckRange(int length, int offset, int stride, int n)
    {
        var end = offset + ((n - 1) * stride);
        if ((uint)offset >= (uint)length || (uint)end >= (uint)length)
        {
            ThrowOutOfRange();
        }
    }

    private static void ThrowOutOfRange() => throw new InvalidOperationException("StridedCopy: internal error, an index left its array (a movement op computed wrong strides).");

    /// <summary>The simplified index space: dims (outermost first) with source and destination strides.</summary>
    private sealed class Plan
    {
        public Plan(int[] dims, int[] srcStrides, int[] dstStrides, int srcBase, int dstBase)
        {
            Dims = dims;
            SrcStrides = srcStrides;
            DstStrides = dstStrides;
            SrcBase = srcBase;
            DstBase = dstBase;
            var size = 1;
            foreach (var n in dims)
            {
                size *= n;
            }

            Size = size;
        }

        public int[] Dims { get; }

        public int[] SrcStrides { get; }

        public int[] DstStrides { get; }

        public int SrcBase { get; }

        public int DstBase { get; }

        public int Size { get; }

        /// <summary>
        /// Offsets of the <paramref name="flat"/>-th multi-index over dims [0, <paramref name="end"/>) excluding
        /// <paramref name="skip"/>; fills <paramref name="idx"/> (indexed by dim) for <see cref="Advance"/>.
        /// </summary>
        public (int Src, int Dst) Offsets(int flat, int end, int skip, Span<int> idx)
        {
            int s = SrcBase, d = DstBase;
            for (var k = end - 1; k >= 0; k--)
            {
                if (k == skip)
                {
                    idx[k] = 0;
                    continue;
                }

                var n = Dims[k];
                var i = flat % n;
                flat /= n;
                idx[k] = i;
                s += i * SrcStrides[k];
                d += i * DstStrides[k];
            }

            return (s, d);
        }

        /// <summary>Steps the odometer over dims [0, <paramref name="end"/>) (except <paramref name="skip"/>) by one.</summary>
        public void Advance(Span<int> idx, int end, int skip, ref int s, ref int d)
        {
            for (var k = end - 1; k >= 0; k--)
            {
                if (k == skip)
                {
                    continue;
                }

                s += SrcStrides[k];
                d += DstStrides[k];
                if (++idx[k] < Dims[k])
                {
                    return;
                }

                idx[k] = 0;
                s -= SrcStrides[k] * Dims[k];
                d -= DstStrides[k] * Dims[k];
            }
        }
    }
}
