using BenchmarkDotNet.Running;
using McGrad.Kernels;

// As the Lab does: OpenBLAS's kernel set for this CPU, configured before the first product (a user-set value is kept).
if (Gemm.SuggestedOpenBlasCoreType is { } core)
{
    Gemm.ConfigureNative(core);
}

// Run all: dotnet run -c Release --project benchmarks/McGrad.Benchmarks -- --filter '*'
// Quick sanity timing without BenchmarkDotNet: ... -- quick
if (args.Length > 0 && args[0] == "quick")
{
    McGrad.Benchmarks.QuickTiming.Run();
    return;
}

// Raw environment throughput (Stopwatch, a few seconds): ... -- env-throughput
if (args.Length > 0 && args[0] == "env-throughput")
{
    McGrad.Benchmarks.VectorEnvBenchmark.RunStopwatch();
    return;
}

// PPO CartPole-v1 end to end, CleanRL's configuration (Stopwatch, JSON): ... -- ppo [total steps] [seed]
if (args.Length > 0 && args[0] == "ppo")
{
    McGrad.Benchmarks.PpoEndToEnd.Run(args);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
