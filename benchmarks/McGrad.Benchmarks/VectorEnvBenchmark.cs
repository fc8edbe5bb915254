using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using McGrad.Randomness;
using McGrad.Rl;

namespace McGrad.Benchmarks;

/// <summary>
/// Raw environment throughput: one step of a 64-copy vector CartPole-v1 (time limit, episode statistics, SAME_STEP
/// autoreset included) with uniformly random actions, so episodes are short (≈ 22 steps) and resets frequent, as at
/// the start of training. Env steps per second = 64 / time per vector step.
/// </summary>
[MemoryDiagnoser]
public class VectorEnvBenchmark
{
    private const int Copies = 64;
    private const int Rows = 4096;
    private VectorEnv _vec = null!;
    private VectorStep _result = null!;
    private int[] _actions = null!;
    private int _row;

    /// <summary>Threads stepping the copies (1: sequential).</summary>
    [Params(1, 2)]
    public int MaxParallelism { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _vec = VectorEnv.Make("CartPole-v1", Copies, MaxParallelism);
        _vec.Reset(new RngKey(0));
        _result = new VectorStep(Copies, _vec.ObservationSize);
        var u = Sampler.Uniform(new RngKey(1), new Shape(Copies * Rows), DType.Float64).AsReadOnlySpan<double>();
        _actions = new int[Copies * Rows];
        for (var i = 0; i < _actions.Length; i++)
        {
            _actions[i] = u[i] < 0.5 ? 0 : 1;
        }
    }

    /// <summary>One vector step into reused buffers.</summary>
    [Benchmark]
    public void Step64()
    {
        _vec.Step(_actions.AsSpan(_row * Copies, Copies), _result);
        _row = (_row + 1) % Rows;
    }

    /// <summary>Stopwatch timing of the same workload (sequential and 2 threads; single env too), printed as steps/s.</summary>
    public static void RunStopwatch()
    {
        foreach (var p in new[] { 1, 2 })
        {
            var b = new VectorEnvBenchmark { MaxParallelism = p };
            b.Setup();
            Console.WriteLine($"CartPole-v1 x64 vector env, maxParallelism {p}: {Copies / Time(b.Step64) * 1e6:N0} env steps/s");
        }

        var env = Rl.Environments.Make("CartPole-v1");
        env.Reset(new RngKey(0));
        var obs = new double[4];
        var a = new double[1];
        var k = 0u;
        var key = new RngKey(3);
        Console.WriteLine($"CartPole-v1 single env (StepInto): {1 / Time(() =>
        {
            a[0] = (k * 2654435761u) >> 31;
            if (env.StepInto(a, obs).Done)
            {
                env.ResetInto(key.FoldIn(k), obs);
            }

            k++;
        }) * 1e6:N0} env steps/s");
    }

    private static double Time(Action a)
    {
        for (var i = 0; i < 20000; i++)
        {
            a();
        }

        var best = double.MaxValue;
        for (var rep = 0; rep < 5; rep++)
        {
            var sw = Stopwatch.StartNew();
            var n = 0;
            while (sw.ElapsedMilliseconds < 400)
            {
                a();
                n++;
            }

            best = Math.Min(best, sw.Elapsed.TotalMicroseconds / n);
        }

        return best;
    }
}
