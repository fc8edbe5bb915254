using McGrad.Autodiff;

namespace McGrad.Tests.Autodiff;

/// <summary>
/// Two threads differentiating graphs that share parameter leaves. Before per-pass scratch, the engine kept its marks and
/// pending gradients on the tensors, so a shared leaf's state was overwritten by the other thread's pass (wrong or lost
/// gradients, "freed graph" errors).
/// </summary>
public class ConcurrencyTests
{
    private const int Iterations = 1000;

    private static (Tensor W, Tensor B) Parameters()
    {
        var w = TestUtil.Rand(1, [4, 3], -0.5, 0.5).RequireGrad();
        var b = TestUtil.Rand(2, [3], -0.5, 0.5).RequireGrad();
        return (w, b);
    }

    /// <summary>A small MLP-like loss on input batch <paramref name="i"/>: Σ tanh(x·W + b)² + Σ exp(b)·W.</summary>
    private static Tensor Loss(Tensor w, Tensor b, int i)
    {
        var x = TestUtil.Rand(100 + i, [5, 4]);
        var h = (x.MatMul(w) + b).Tanh();
        return (h * h).Sum() + (b.Exp() * w).Sum();
    }

    [Fact]
    public void GradOnSharedParametersFromTwoThreadsEqualsTheSequentialResult()
    {
        var (w, b) = Parameters();
        var expected = new double[2 * Iterations][];
        for (var i = 0; i < 2 * Iterations; i++)
        {
            var g = Autograd.Grad([Loss(w, b, i)], [w, b]);
            expected[i] = [.. g[0]!.ToDoubleArray(), .. g[1]!.ToDoubleArray()];
        }

        var actual = new double[2 * Iterations][];
        RunOnTwoThreads(thread =>
        {
            for (var k = 0; k < Iterations; k++)
            {
                var i = (2 * k) + thread; // the threads interleave over the same inputs
                var g = Autograd.Grad([Loss(w, b, i)], [w, b]);
                actual[i] = [.. g[0]!.ToDoubleArray(), .. g[1]!.ToDoubleArray()];
            }
        });

        for (var i = 0; i < 2 * Iterations; i++)
        {
            Assert.True(expected[i].AsSpan().SequenceEqual(actual[i]), $"iteration {i} differs from the sequential gradient");
        }

        Assert.Null(w.Grad); // Grad touches no leaf
    }

    [Fact]
    public void BackwardFromTwoThreadsAccumulatesEveryContribution()
    {
        // Integer-valued data: each contribution and every partial sum is exact, so the accumulated gradient must equal
        // the sum whatever order the two threads' additions interleave in.
        var w = Tensor.FromArray([1.0, -2, 3, 0.5], 4).RequireGrad();
        var shared = Tensor.FromArray([2.0, 1, -1, 4], 4).RequireGrad();
        var expectedW = new double[4];
        var expectedShared = new double[4];
        for (var i = 0; i < 2 * Iterations; i++)
        {
            var x = Input(i);
            for (var j = 0; j < 4; j++)
            {
                // loss = Σ (w ⊙ x ⊙ shared) + Σ shared·i  →  ∂/∂w = x ⊙ shared, ∂/∂shared = w ⊙ x + i
                expectedW[j] += x[j] * shared.ToDoubleArray()[j];
                expectedShared[j] += (w.ToDoubleArray()[j] * x[j]) + (i % 7);
            }
        }

        RunOnTwoThreads(thread =>
        {
            for (var k = 0; k < Iterations; k++)
            {
                var i = (2 * k) + thread;
                var x = Tensor.FromArray(Input(i), 4);
                var loss = (w * x * shared).Sum() + (shared * (i % 7)).Sum();
                loss.Backward();
            }
        });

        Assert.Equal(expectedW, w.Grad!.ToDoubleArray());
        Assert.Equal(expectedShared, shared.Grad!.ToDoubleArray());
    }

    private static double[] Input(int i) => [i % 5, (i % 3) - 1, 2 - (i % 4), i % 2];

    [Fact]
    public async Task NoGradFlowsAcrossAwaitAndDoesNotLeakToOtherThreads()
    {
        var x = Tensor.FromArray([1.0, 2.0], 2).RequireGrad();
        using (Autograd.NoGrad())
        {
            await Task.Yield();
            Assert.False(Autograd.IsEnabled);
            Assert.False((x * 2).RequiresGrad);
            Assert.False(await Task.Run(() => (x * 3).RequiresGrad)); // a task started inside the scope inherits it

            var recordedElsewhere = false;
            using (ExecutionContext.SuppressFlow())
            {
                var t = new Thread(() => recordedElsewhere = (x * 4).RequiresGrad);
                t.Start();
                t.Join();
            }

            Assert.True(recordedElsewhere); // another thread still records
        }

        Assert.True(Autograd.IsEnabled);
        Assert.True((x * 2).RequiresGrad);
    }

    [Fact]
    public async Task AnomalyModeFlowsAcrossAwait()
    {
        var x = Tensor.FromArray([-1.0], 1);
        using (Anomaly.Detect())
        {
            await Task.Yield();
            Assert.True(Anomaly.IsEnabled);
            var ex = Assert.Throws<AnomalyException>(() => x.Log().Sqrt());
            Assert.Equal("Log", ex.Op);
        }

        Assert.False(Anomaly.IsEnabled);
        Assert.True(double.IsNaN(x.Log().ToDoubleArray()[0]));
    }

    private static void RunOnTwoThreads(Action<int> body)
    {
        var errors = new Exception?[2];
        using var start = new Barrier(2);
        var threads = new Thread[2];
        for (var t = 0; t < 2; t++)
        {
            var id = t;
            threads[t] = new Thread(() =>
            {
                try
                {
                    start.SignalAndWait();
                    body(id);
                }
#pragma warning disable CA1031 // rethrown on the test thread below
                catch (Exception e)
#pragma warning restore CA1031
                {
                    errors[id] = e;
                }
            });
            threads[t].Start();
        }

        foreach (var t in threads)
        {
            t.Join();
        }

        foreach (var e in errors)
        {
            if (e != null)
            {
                throw new AggregateException(e);
            }
        }
    }
}
