using System.Numerics;

namespace McGrad.Kernels;

/// <summary>Element type conversion between storage arrays.</summary>
internal static class Convert
{
    public static void Run<TFrom, TTo>(ReadOnlySpan<TFrom> src, Span<TTo> dst)
        where TFrom : unmanaged, INumberBase<TFrom>
        where TTo : unmanaged, INumberBase<TTo>
    {
        for (var i = 0; i < src.Length; i++)
        {
            dst[i] = TTo.CreateTruncating(src[i]);
        }
    }
}
