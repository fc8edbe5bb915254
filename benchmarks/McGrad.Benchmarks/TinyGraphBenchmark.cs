using BenchmarkDotNet.Attributes;

namespace McGrad.Benchmarks;

/// <summary>
/// Per-op overhead: tanh(exp(x)·y + x).Sum() forward + backward on 64 float32 elements, the same workload as
/// torch_ref.py's tiny_graph_us (gradients accumulate into x.Grad and y.Grad, as in the PyTorch script).
/// </summary>
[MemoryDiagnoser]
public class TinyGraphBenchmark
{
    private Tensor _x = null!;
    private Tensor _y = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(0);
        _x = Tensor.FromArray(Enumerable.Range(0, 64).Select(_ => (float)rng.NextDouble()).ToArray()).RequireGrad();
        _y = Tensor.FromArray(Enumerable.Range(0, 64).Select(_ => (float)rng.NextDouble()).ToArray()).RequireGrad();
    }

    [Benchmark]
    public void ForwardBackward() => Run(_x, _y);

    internal static void Run(Tensor x, Tensor y) => ((x.Exp() * y) + x).Tanh().Sum().Backward();
}
