namespace McGrad.Kernels;

/// <summary>
/// How McGrad splits large ops across cores. Work is cut into fixed chunks whose boundaries do not depend
/// on the thread count, so results are bit-identical for any <see cref="MaxThreads"/>.
/// </summary>
public static class Parallelism
{
    private static int _maxThreads = Environment.ProcessorCount;

    /// <summary>Largest number of threads one op may use (default: the processor count; 1 disables splitting).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to less than 1.</exception>
    public static int MaxThreads
    {
        get => _maxThreads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(MaxThreads));
            _maxThreads = value;
        }
    }

    /// <summary>Elementwise ops below this many elements run on the calling thread.</summary>
    internal const int ElementwiseGrain = 1 << 16;

    /// <summary>
    /// Runs <paramref name="body"/>(start, count) over [0, n) in chunks of at least <paramref name="grain"/>
    /// items; serial when n is small or <see cref="MaxThreads"/> is 1.
    /// </summary>
    internal static void For(int n, int grain, Action<int, int> body)
    {
        if (n <= grain || _maxThreads == 1)
        {
            body(0, n);
            return;
        }

        var chunks = Math.Min((n + grain - 1) / grain, _maxThreads * 4);
        var size = (n + chunks - 1) / chunks;
        var options = new ParallelOptions { MaxDegreeOfParallelism = _maxThreads };
        Parallel.For(0, chunks, options, c =>
        {
            var start = c * size;
            var count = Math.Min(size, n - start);
            if (count > 0)
            {
                body(start, count);
            }
        });
    }
}
