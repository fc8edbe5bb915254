using BenchmarkDotNet.Attributes;
using McGrad.Kernels;

namespace McGrad.Benchmarks;

/// <summary>
/// sgemm 512×512×512 (C = A·B, float32) on the managed kernel and on the native BLAS, the workload of
/// torch_ref.py's sgemm512_gflops. GFLOP/s = 2·512³ / time.
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmark
{
    private const int N = 512;
    private float[] _a = null!;
    private float[] _b = null!;
    private float[] _c = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(2);
        _a = Enumerable.Range(0, N * N).Select(_ => (float)rng.NextDouble()).ToArray();
        _b = Enumerable.Range(0, N * N).Select(_ => (float)rng.NextDouble()).ToArray();
        _c = new float[N * N];
    }

    [Benchmark(Baseline = true)]
    public void Native() => Run(MatMulBackend.Native);

    [Benchmark]
    public void Managed() => Run(MatMulBackend.Managed);

    private void Run(MatMulBackend backend)
    {
        using (Gemm.UseBackend(backend))
        {
            Gemm.Multiply(false, false, N, N, N, 1f, _a, N, _b, N, 0f, _c, N);
        }
    }
}
