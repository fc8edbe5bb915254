using BenchmarkDotNet.Attributes;
using McGrad.Nn;
using McGrad.Optim;
using McGrad.Randomness;

namespace McGrad.Benchmarks;

/// <summary>
/// One training step of an MLP 8-64-64-1 with tanh, batch 64, float32: forward, MSE loss, backward, Adam step —
/// the workload of torch_ref.py's mlp_step_us.
/// </summary>
[MemoryDiagnoser]
public class MlpStepBenchmark
{
    private Mlp _mlp = null!;
    private Optimizer _optimizer = null!;
    private Tensor _x = null!;
    private Tensor _y = null!;

    [GlobalSetup]
    public void Setup()
    {
        var keys = new RngKey(0).Split(3);
        _mlp = new Mlp([8, 64, 64, 1], Activation.Tanh, keys[0]);
        _optimizer = new Optimizer(_mlp.Parameters(), Transforms.Adam(1e-3));
        _x = Sampler.Normal(keys[1], [64, 8]);
        _y = Sampler.Normal(keys[2], [64, 1]);
    }

    [Benchmark]
    public void Step()
    {
        _optimizer.ZeroGrad();
        var diff = _mlp.Forward(_x) - _y;
        (diff * diff).Mean().Backward();
        _optimizer.Step();
    }
}
