using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using McGrad.Randomness;

namespace McGrad.Benchmarks;

/// <summary>
/// Throughput of drawing 1M float32 standard normals from an RngKey (Philox4x32-10 + Box–Muller), beside
/// TensorPrimitives.Exp over 1M floats as a yardstick for one vectorised transcendental pass.
/// Normals per second = 1M / time.
/// </summary>
[MemoryDiagnoser]
public class SamplingBenchmark
{
    private const int N = 1 << 20;
    private float[] _src = null!;
    private float[] _dst = null!;
    private uint _step;

    [GlobalSetup]
    public void Setup()
    {
        _src = Enumerable.Range(0, N).Select(i => (i % 1000) / 1000f).ToArray();
        _dst = new float[N];
    }

    [Benchmark]
    public Tensor Normal1M() => Sampler.Normal(new RngKey(7).FoldIn(_step++), [N]);

    [Benchmark]
    public Tensor Uniform1M() => Sampler.Uniform(new RngKey(7).FoldIn(_step++), [N]);

    [Benchmark(Baseline = true)]
    public void TensorPrimitivesExp1M() => TensorPrimitives.Exp<float>(_src, _dst);
}
