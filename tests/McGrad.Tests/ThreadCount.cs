using McGrad.Kernels;

namespace McGrad.Tests;

/// <summary>
/// The collection of tests that compare results across thread counts. It runs alone (no other test class in parallel),
/// so a "2 threads" run really has the cores to itself; the thread limit itself is a scoped setting and would be
/// correct either way.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadCountCollection
{
    /// <summary>The collection name used with <c>[Collection]</c>.</summary>
    public const string Name = "Thread count (runs alone)";
}

/// <summary>Runs code under one and then two threads, asserting that the scope really set the effective count.</summary>
internal static class ThreadCount
{
    public static (T One, T Two) OneAndTwo<T>(Func<T> f)
    {
        T one;
        using (Parallelism.UseMaxThreads(1))
        {
            Assert.Equal(1, Parallelism.MaxThreads);
            one = f();
        }

        T two;
        using (Parallelism.UseMaxThreads(2))
        {
            Assert.Equal(2, Parallelism.MaxThreads);
            two = f();
        }

        return (one, two);
    }
}
