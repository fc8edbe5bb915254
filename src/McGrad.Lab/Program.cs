// McGrad Lab: `dotnet run --project src/McGrad.Lab -- [command] [options]`; see docs/lab.md.
using McGrad.Kernels;
using McGrad.Lab;

// Before any matrix product: name OpenBLAS's kernel set for this CPU (it falls back to slow pre-AVX2 kernels on CPUs it
// does not recognise); a user-set OPENBLAS_CORETYPE is kept.
if (Gemm.SuggestedOpenBlasCoreType is { } core)
{
    Gemm.ConfigureNative(core);
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl-C: stop after the current cell and write what finished; a second one kills the process.
    if (!cts.IsCancellationRequested)
    {
        e.Cancel = true;
        Console.Error.WriteLine("Ctrl-C: stopping after the current cell and writing partial results (press again to abort).");
        cts.Cancel();
    }
};

return LabApp.Run(args, Console.Out, Console.Error, interactive: !Console.IsOutputRedirected, cancel: cts.Token);
