using System.Diagnostics;

namespace McGrad.Benchmarks;

/// <summary>Stopwatch timings for a fast look during development (BenchmarkDotNet gives the recorded numbers).</summary>
internal static class QuickTiming
{
    public static void Run()
    {
        var bench = new TinyGraphBenchmark();
        bench.Setup();
        Console.WriteLine($"tiny graph fwd+bwd: {Time(bench.ForwardBackward):F2} µs");
    }

    private static double Time(Action a)
    {
        for (var i = 0; i < 2000; i++)
        {
            a();
        }

        var best = double.MaxValue;
        for (var rep = 0; rep < 5; rep++)
        {
            var sw = Stopwatch.StartNew();
            var n = 0;
            while (sw.ElapsedMilliseconds < 300)
            {
                a();
                n++;
            }

            best = Math.Min(best, sw.Elapsed.TotalMicroseconds / n);
        }

        return best;
    }
}
