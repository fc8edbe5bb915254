using System.Diagnostics;

namespace McGrad.Benchmarks;

/// <summary>Stopwatch timings for a fast look during development (BenchmarkDotNet gives the recorded numbers).</summary>
internal static class QuickTiming
{
    public static void Run()
    {
        Console.WriteLine($"BLAS: {Kernels.Gemm.NativeLibraryName ?? "none"}, core {Kernels.Gemm.NativeCoreName ?? "-"} (hint {Kernels.Gemm.NativeCoreTypeHint ?? "none"}), Auto uses {Kernels.Gemm.EffectiveBackend}");
        var gemm = new GemmBenchmark();
        gemm.Setup();
        var flops = 2.0 * 512 * 512 * 512;
        Console.WriteLine($"sgemm 512 native : {flops / Time(gemm.Native) / 1e3:F1} GFLOP/s");
        Console.WriteLine($"sgemm 512 managed: {flops / Time(gemm.Managed) / 1e3:F1} GFLOP/s");
        var bench = new TinyGraphBenchmark();
        bench.Setup();
        Console.WriteLine($"tiny graph fwd+bwd: {Time(bench.ForwardBackward):F2} µs");
        var mlp = new MlpStepBenchmark();
        mlp.Setup();
        Console.WriteLine($"mlp 8-64-64-1 step: {Time(mlp.Step):F2} µs");
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
