using System.CommandLine;
using System.Numerics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using McGrad.Kernels;
using McGrad.Lab.Commands;

namespace McGrad.Lab;

/// <summary>Exit codes of the Lab.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>A run failed with an unexpected error (or its results could not be written).</summary>
    public const int Failure = 1;

    /// <summary>Bad command line: unknown name, number out of range, unknown option, unusable --out.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted by Ctrl-C; the partial results were written.</summary>
    public const int Interrupted = 130;
}

/// <summary>The Lab's command line: builds the System.CommandLine tree from <see cref="LabCommands"/> and runs a command.</summary>
public sealed class LabApp
{
    /// <summary>Default estimates per (problem, estimator) cell (<see cref="CommonOptions.DefaultSamples"/>).</summary>
    public const int DefaultSamples = CommonOptions.DefaultSamples;

    /// <summary>Largest accepted --samples (<see cref="CommonOptions.MaxSamples"/>).</summary>
    public const int MaxSamples = CommonOptions.MaxSamples;

    /// <summary>Default root seed (<see cref="CommonOptions.DefaultSeed"/>).</summary>
    public const ulong DefaultSeed = CommonOptions.DefaultSeed;

    private readonly LabContext _lab;
    private readonly string[] _args;

    private LabApp(string[] args, TextWriter output, TextWriter error, bool interactive, CancellationToken cancel)
    {
        _args = args;
        _lab = new LabContext(args, output, error, interactive, cancel);
    }

    /// <summary>Runs the Lab with <paramref name="args"/>, writing to the given writers; returns the exit code.</summary>
    /// <param name="args">Command-line arguments (without the program name).</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="interactive">Show the progress bar (only when output is a terminal and the format is table).</param>
    /// <param name="cancel">Stops the run between cells; what finished is written (exit code 130).</param>
    public static int Run(string[] args, TextWriter output, TextWriter error, bool interactive = false, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var app = new LabApp(args, output, error, interactive, cancel);
        return app.Execute();
    }

    /// <summary>Builds the root command (exposed for tests of the help text).</summary>
    internal RootCommand BuildRoot() => LabCommands.BuildRoot(_lab);

    private int Execute()
    {
        var root = BuildRoot();
        var parse = root.Parse(_args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                _lab.Error.WriteLine($"error: {e.Message}");
            }

            _lab.Error.WriteLine("Run with --help for usage.");
            return ExitCodes.Usage;
        }

        var config = new InvocationConfiguration { Output = _lab.Out, Error = _lab.Error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        var threads = CommonOptions.Given(parse, _lab.Common.Threads) ? parse.GetValue(_lab.Common.Threads) : (int?)null;
        using var threadScope = threads is int t ? Parallelism.UseMaxThreads(t) : null; // --threads holds for the whole command
        try
        {
            return parse.Invoke(config);
        }
        catch (LabUsageException ex)
        {
            _lab.Error.WriteLine($"error: {ex.Message}");
            _lab.Error.WriteLine("Run with --help for usage.");
            return ExitCodes.Usage;
        }
    }

    /// <summary>"Lab 1.2.3, McGrad 1.2.3".</summary>
    public static string Version()
    {
        static string V(Assembly a) => a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? a.GetName().Version?.ToString() ?? "?";
        return $"McGrad.Lab {V(typeof(LabApp).Assembly)}, McGrad {V(typeof(Tensor).Assembly)}";
    }

    /// <summary>Facts about this machine for the report.</summary>
    public static MachineInfo Machine()
    {
        string backend;
        try
        {
            backend = Gemm.EffectiveBackend.ToString();
        }
        catch (InvalidOperationException ex)
        {
            backend = "unavailable: " + ex.Message;
        }

        return new MachineInfo(Environment.ProcessorCount, Parallelism.MaxThreads, Vector<byte>.Count, Vector256.IsHardwareAccelerated, Vector512.IsHardwareAccelerated,
            Gemm.NativeLibraryName is { } lib ? $"{lib}, {Gemm.NativeLibraryKind}" : null, Gemm.NativeCoreName, backend, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription);
    }
}
