using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using McGrad.Randomness;
using McGrad.Rl.Training;

namespace McGrad.Benchmarks;

/// <summary>
/// PPO on CartPole-v1 end to end (rollouts + updates) with CleanRL ppo.py's configuration, timed with a Stopwatch:
/// steps/s over the whole run (including JIT warm-up) and after the first update (excluding it). Prints one JSON object.
/// Run: dotnet run -c Release --project benchmarks/McGrad.Benchmarks -- ppo [total steps = 500000] [seed = 1]
/// </summary>
public static class PpoEndToEnd
{
    public static void Run(string[] args)
    {
        var total = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 500_000;
        var seed = args.Length > 2 ? ulong.Parse(args[2], CultureInfo.InvariantCulture) : 1;
        if (Environment.GetEnvironmentVariable("MCGRAD_MATMUL") is { Length: > 0 } backend)
        {
            Kernels.Gemm.Backend = Enum.Parse<Kernels.MatMulBackend>(backend, ignoreCase: true);
        }

        using var threadScope = Environment.GetEnvironmentVariable("MCGRAD_THREADS") is { Length: > 0 } threads
            ? Kernels.Parallelism.UseMaxThreads(int.Parse(threads, CultureInfo.InvariantCulture))
            : null;

        var config = PpoConfig.CleanRlDiscrete with { TotalSteps = total };
        var trainer = new PpoTrainer("CartPole-v1", config, new RngKey(seed));
        double firstAt = 0;
        long firstSteps = 0;
        var trace = Environment.GetEnvironmentVariable("MCGRAD_PPO_TRACE") == "1";
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var alloc0 = GC.GetTotalAllocatedBytes(precise: false);
        var gc0 = GC.CollectionCount(0);
        var clock = Stopwatch.StartNew();
        var lastAt = 0.0;
        var run = trainer.Train(p =>
        {
            if (trace)
            {
                var now = clock.Elapsed.TotalSeconds;
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"update {p.Update}: {(now - lastAt) * 1e3:F2} ms, cpu {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F3} s, gen0 {GC.CollectionCount(0)}"));
                lastAt = now;
            }

            if (p.Update == 1)
            {
                firstAt = clock.Elapsed.TotalSeconds;
                firstSteps = p.Steps;
            }
        });
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: false) - alloc0;
        var gcs = GC.CollectionCount(0) - gc0;
        var parameters = trainer.Agent.Parameters().SelectMany(p => p.ToDoubleArray()).SelectMany(BitConverter.GetBytes).ToArray();
        var hash = Convert.ToHexStringLower(SHA256.HashData(parameters))[..16];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $$"""
            {"env": "CartPole-v1", "envs": {{config.Envs}}, "steps_per_rollout": {{config.StepsPerRollout}}, "updates": {{config.Updates}}, "steps": {{run.Steps}}, "seconds": {{seconds:F3}}, "steps_per_s": {{run.Steps / seconds:F0}}, "first_update_seconds": {{firstAt:F3}}, "steps_per_s_after_first_update": {{(run.Steps - firstSteps) / (seconds - firstAt):F0}}, "cpu_seconds": {{cpu:F3}}, "allocated_bytes_per_step": {{allocated / (double)run.Steps:F0}}, "gen0_collections": {{gcs}}, "trainer_steps_per_s": {{run.StepsPerSecond:F0}}, "episodes": {{run.Episodes.Count}}, "mean_return_last_100": {{run.MeanReturnOfLast(100):R}}, "parameter_hash": "{{hash}}", "matmul": "{{Kernels.Gemm.EffectiveBackend}}", "max_threads": {{Kernels.Parallelism.MaxThreads}}, "dotnet": "{{Environment.Version}}"}
            """));
    }
}
