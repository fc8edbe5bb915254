namespace McGrad.Kernels;

/// <summary>Copies a tensor into a larger broadcast shape.</summary>
internal static class Expand
{
    public static void Run<T>(T[] src, Shape srcShape, T[] dst, Shape dstShape)
        where T : unmanaged
    {
        if (dstShape.Size == 0)
        {
            return;
        }

        var plan = BroadcastPlan.Create(dstShape, srcShape, dstShape);
        var inner = plan.Inner;
        var rows = dstShape.Size / inner;
        var grainRows = Math.Max(1, Parallelism.ElementwiseGrain / inner);
        Parallelism.For(rows, grainRows, (start, count) =>
        {
            for (var r = start; r < start + count; r++)
            {
                var (offset, _) = plan.RowOffsets(r);
                var row = dst.AsSpan(r * inner, inner);
                if (plan.InnerStrideA == 1)
                {
                    src.AsSpan(offset, inner).CopyTo(row);
                }
                else
                {
                    row.Fill(src[offset]);
                }
            }
        });
    }
}
