namespace McGrad.Kernels;

/// <summary>
/// How McGrad splits large ops across cores. Work is cut into fixed chunks whose boundaries do not depend
/// on the thread count, so results are bit-identical for any <see cref="MaxThreads"/>.
/// </summary>
/// <remarks>
/// The thread limit is a scoped setting, not a process-wide static: <see cref="UseMaxThreads"/> sets it for the
/// calling flow of execution until the scope is disposed. It is held in an <see cref="AsyncLocal{T}"/>, so it follows
/// the code that set it across <c>await</c> and into tasks started inside the scope (a <c>[ThreadStatic]</c> would be
/// lost after an <c>await</c> resumed on another thread, and its scope would then restore the wrong thread), while two
/// threads or two concurrent tests each see only their own scope. Kernels read the limit once on the calling thread
/// before they fan out, so the workers of one op all obey the limit that was in force when the op started.
/// </remarks>
/// <example><code>using (Parallelism.UseMaxThreads(1)) { var y = x.Exp(); } // serial, bit-identical to any other count</code></example>
public static class Parallelism
{
    private static readonly AsyncLocal<int> Override = new();

    /// <summary>
    /// The largest number of threads one op started now may use: the innermost <see cref="UseMaxThreads"/> scope in force
    /// on this flow of execution, else the processor count.
    /// </summary>
    public static int MaxThreads
    {
        get
        {
            var v = Override.Value;
            return v > 0 ? v : Environment.ProcessorCount;
        }
    }

    /// <summary>
    /// Limits ops started in this flow of execution (this thread, and code after an <c>await</c> or in tasks started
    /// inside the scope) to <paramref name="maxThreads"/> threads until the returned scope is disposed; scopes nest, and
    /// other threads are not affected. 1 disables splitting.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxThreads"/> is less than 1.</exception>
    public static IDisposable UseMaxThreads(int maxThreads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxThreads, 1, nameof(maxThreads));
        var scope = new Scope(Override.Value);
        Override.Value = maxThreads;
        return scope;
    }

    /// <summary>Elementwise ops below this many elements run on the calling thread.</summary>
    internal const int ElementwiseGrain = 1 << 16;

    /// <summary>
    /// Runs <paramref name="body"/>(start, count) over [0, n) in chunks of at least <paramref name="grain"/>
    /// items; serial when n is small or <see cref="MaxThreads"/> is 1. The limit is read here, on the calling thread.
    /// </summary>
    internal static void For(int n, int grain, Action<int, int> body)
    {
        if (n <= grain)
        {
            body(0, n);
            return;
        }

        var threads = MaxThreads;
        if (threads == 1)
        {
            body(0, n);
            return;
        }

        var chunks = Math.Min((n + grain - 1) / grain, threads * 4);
        var size = (n + chunks - 1) / chunks;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
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

    private sealed class Scope(int previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                Override.Value = previous;
            }
        }
    }
}
