using McGrad.Kernels;

namespace McGrad.Tests.Kernels;

[Collection(ThreadCountCollection.Name)]
public class ParallelismTests
{
    [Fact]
    public void ScopesNestAndRestore()
    {
        var outside = Parallelism.MaxThreads;
        Assert.Equal(Environment.ProcessorCount, outside);
        using (Parallelism.UseMaxThreads(3))
        {
            Assert.Equal(3, Parallelism.MaxThreads);
            using (Parallelism.UseMaxThreads(1))
            {
                Assert.Equal(1, Parallelism.MaxThreads);
            }

            Assert.Equal(3, Parallelism.MaxThreads);
        }

        Assert.Equal(outside, Parallelism.MaxThreads);
    }

    [Fact]
    public void DisposingTwiceRestoresOnce()
    {
        var outer = Parallelism.UseMaxThreads(5);
        var inner = Parallelism.UseMaxThreads(2);
        inner.Dispose();
        inner.Dispose();
        Assert.Equal(5, Parallelism.MaxThreads);
        outer.Dispose();
        Assert.Equal(Environment.ProcessorCount, Parallelism.MaxThreads);
    }

    [Fact]
    public void RejectsLessThanOneNamingTheArgument()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Parallelism.UseMaxThreads(0));
        Assert.Equal("maxThreads", ex.ParamName);
    }

    [Fact]
    public async Task FlowsAcrossAwaitAndIntoTasksButNotIntoOtherFlows()
    {
        using (Parallelism.UseMaxThreads(1))
        {
            await Task.Yield();
            Assert.Equal(1, Parallelism.MaxThreads);
            Assert.Equal(1, await Task.Run(() => Parallelism.MaxThreads));

            // A thread started without this flow's context sees the default.
            var other = 0;
            using (ExecutionContext.SuppressFlow())
            {
                var t = new Thread(() => other = Parallelism.MaxThreads);
                t.Start();
                t.Join();
            }

            Assert.Equal(Environment.ProcessorCount, other);
        }

        Assert.Equal(Environment.ProcessorCount, Parallelism.MaxThreads);
    }

    [Fact]
    public void ConcurrentScopesOnTwoThreadsDoNotInterfere()
    {
        using var barrier = new Barrier(2);
        var seen = new int[2];
        var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
        {
            using (Parallelism.UseMaxThreads(i + 1))
            {
                barrier.SignalAndWait(); // both scopes are open now
                seen[i] = Parallelism.MaxThreads;
                barrier.SignalAndWait();
            }
        })).ToArray();
        foreach (var t in threads)
        {
            t.Start();
        }

        foreach (var t in threads)
        {
            t.Join();
        }

        Assert.Equal([1, 2], seen);
    }
}
