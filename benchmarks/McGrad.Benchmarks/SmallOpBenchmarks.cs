using BenchmarkDotNet.Attributes;
namespace McGrad.Benchmarks;

/// <summary>
/// Time and allocated bytes per op on small float32 tensors (64 elements; 8×8 matrices). Inputs
/// that do not require gradients are never recorded; <see cref="MulRecorded"/> shows the extra cost of a graph node.
/// </summary>
[MemoryDiagnoser]
public class SmallOpBenchmarks
{
    private Tensor _a = null!;
    private Tensor _b = null!;
    private Tensor _row = null!;
    private Tensor _m = null!;
    private Tensor _leaf = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        float[] Data(int n) => Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();
        _a = Tensor.FromArray(Data(64));
        _b = Tensor.FromArray(Data(64));
        _row = Tensor.FromArray(Data(8), 1, 8);
        _m = Tensor.FromArray(Data(64), 8, 8);
        _leaf = Tensor.FromArray(Data(64)).RequireGrad();
    }

    [Benchmark]
    public Tensor Add() => _a + _b;

    [Benchmark]
    public Tensor AddBroadcastRow() => _m + _row;

    [Benchmark]
    public Tensor MulScalar() => _a * 2.0;

    [Benchmark]
    public Tensor Exp() => _a.Exp();

    [Benchmark]
    public Tensor Tanh() => _a.Tanh();

    [Benchmark]
    public Tensor SumAll() => _a.Sum();

    [Benchmark]
    public Tensor SumAxis() => _m.Sum(1);

    [Benchmark]
    public Tensor Reshape() => _a.Reshape(8, 8);

    [Benchmark]
    public Tensor MulRecorded() => _leaf * _b;
}
