// McGrad Lab: `dotnet run --project src/McGrad.Lab -- [command] [options]`; see docs/lab.md.
using McGrad.Lab;

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
