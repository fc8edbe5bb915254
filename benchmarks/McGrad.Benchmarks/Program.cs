using BenchmarkDotNet.Running;

// Run all: dotnet run -c Release --project benchmarks/McGrad.Benchmarks -- --filter '*'
// Quick sanity timing without BenchmarkDotNet: ... -- quick
if (args.Length > 0 && args[0] == "quick")
{
    McGrad.Benchmarks.QuickTiming.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
