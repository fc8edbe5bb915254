using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using McGrad.Kernels;
using Spectre.Console;

namespace McGrad.Lab.Commands;

/// <summary>
/// What every command shares: the output and error writers, the cancellation token, the common options, and the
/// run machinery (a new <see cref="LabRun"/>, a checked output directory, progress, report files, printing).
/// </summary>
public sealed class LabContext
{
    /// <summary>The files every run (except <c>list</c>) writes into its output directory.</summary>
    public static IReadOnlyList<string> ReportFiles { get; } = ["results.json", "results.csv", "report.html"];

    private readonly string[] _args;

    /// <summary>A context for one invocation of the Lab.</summary>
    /// <param name="args">The command line (without the program name), recorded in results.json.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="interactive">Show the progress bar and use the terminal's console (table format only).</param>
    /// <param name="cancel">Stops a run between units of work; what finished is written (exit code 130).</param>
    public LabContext(string[] args, TextWriter output, TextWriter error, bool interactive, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        _args = args;
        Out = output;
        Error = error;
        Interactive = interactive;
        Cancel = cancel;
    }

    /// <summary>Standard output.</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error.</summary>
    public TextWriter Error { get; }

    /// <summary>Whether output goes to a terminal (progress bar, colours).</summary>
    public bool Interactive { get; }

    /// <summary>Requested stop (Ctrl-C); commands check it between units of work.</summary>
    public CancellationToken Cancel { get; }

    /// <summary>The directory the running command writes into (set by <see cref="Execute"/> before the work starts), for extra files such as checkpoints.</summary>
    public string? OutputDirectory { get; private set; }

    /// <summary>The common options, shared by every command of this invocation.</summary>
    public CommonOptions Common { get; } = new();

    /// <summary>
    /// Starts a run of <paramref name="command"/>: records the command line, --seed, --samples, the versions, the UTC time
    /// and the machine (--threads is applied by <see cref="LabApp"/> as a scope around the whole command).
    /// </summary>
    public LabRun NewRun(ParseResult parse, string command)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return new LabRun
        {
            Command = command,
            CommandLine = string.Join(' ', _args.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a)),
            Seed = parse.GetValue(Common.Seed),
            Samples = parse.GetValue(Common.Samples),
            Version = LabApp.Version(),
            Timestamp = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            Machine = LabApp.Machine(),
        };
    }

    /// <summary>Measures every estimator on every problem with <see cref="Runner"/> (<c>run.Samples</c> estimates per cell), then writes and prints.</summary>
    public int Measure(ParseResult parse, LabRun run, IReadOnlyList<ProblemEntry> problems, IReadOnlyList<EstimatorEntry> estimators)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentNullException.ThrowIfNull(estimators);
        return Execute(parse, run, problems.Count * estimators.Count, onCell => Runner.Run(run, problems, estimators, run.Samples, onCell, Cancel), null);
    }

    /// <summary>
    /// Checks the output directory (before any computing), runs <paramref name="work"/> (with a progress bar of
    /// <paramref name="units"/> steps when interactive: <paramref name="work"/> calls its argument with a label at the
    /// start of each unit), calls <paramref name="finish"/>, writes results.json, results.csv and report.html, and
    /// prints the run in the --format. Returns 0, or 130 when cancelled (partial results are written).
    /// </summary>
    /// <exception cref="LabUsageException">The output directory is unusable (see <see cref="PrepareOutputDirectory"/>).</exception>
    public int Execute(ParseResult parse, LabRun run, int units, Action<Action<string>?> work, Action? finish)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(work);
        var format = Common.FormatOf(parse);
        var dir = PrepareOutputDirectory(parse.GetValue(Common.Out), CommonOptions.Given(parse, Common.Out));
        OutputDirectory = dir;
        var clock = Stopwatch.StartNew();
        if (Interactive && format == "table")
        {
            AnsiConsole.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(run.Command, maxValue: units);
                    var started = false;
                    work(unit =>
                    {
                        if (started)
                        {
                            task.Increment(1);
                        }

                        started = true;
                        task.Description = Markup.Escape($"{run.Command}: {unit}");
                    });
                    task.Value = task.MaxValue;
                });
        }
        else
        {
            work(null);
        }

        finish?.Invoke();
        run.Partial = Cancel.IsCancellationRequested;
        run.WallSeconds = clock.Elapsed.TotalSeconds;
        string? writeError = null;
        try
        {
            Report.WriteAll(run, dir);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The directory was checked before computing; if it became unusable since, still print the results.
            writeError = $"could not write the results into {Path.GetFullPath(dir)}: {ex.Message}";
        }

        var full = Path.GetFullPath(dir);
        switch (format)
        {
            case "json":
                Out.Write(Report.ToJson(run));
                Out.WriteLine();
                if (writeError is null)
                {
                    Error.WriteLine($"wrote {Path.Combine(full, "report.html")}");
                }

                break;
            case "csv":
                Out.Write(Report.ToCsv(run));
                if (writeError is null)
                {
                    Error.WriteLine($"wrote {Path.Combine(full, "report.html")}");
                }

                break;
            default:
                ResultTables.Write(Console(), run);
                Out.WriteLine(writeError is null
                    ? $"Wall time {run.WallSeconds:F1} s. Wrote {Path.Combine(full, "results.json")}, results.csv and report.html."
                    : $"Wall time {run.WallSeconds:F1} s.");
                break;
        }

        if (writeError is not null)
        {
            Error.WriteLine($"error: {writeError}");
            return ExitCodes.Failure;
        }

        if (run.Partial)
        {
            Error.WriteLine("Interrupted: partial results written.");
            return ExitCodes.Interrupted;
        }

        return ExitCodes.Ok;
    }

    /// <summary>
    /// The directory a run writes into, checked before computing: <paramref name="outOption"/>, or
    /// ./lab-results/&lt;UTC yyyyMMdd-HHmmss&gt; when null. It is created if missing, and must be a directory in which
    /// results.json, results.csv and report.html can be written (a probe file is created and deleted).
    /// </summary>
    /// <param name="outOption">The --out value (null when not given).</param>
    /// <param name="given">Whether --out was on the command line (for the message).</param>
    /// <returns>The directory, as given.</returns>
    /// <exception cref="LabUsageException">The value is empty, names an existing file, or the directory cannot be created or written;
    /// the message names --out, the path and what was expected.</exception>
    public static string PrepareOutputDirectory(string? outOption, bool given)
    {
        var dir = outOption ?? Path.Combine("lab-results", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        var what = given || outOption is not null ? $"Invalid value '{dir}' for --out" : $"The default output directory '{dir}' (no --out given) is unusable";
        const string Expected = "expected a directory (existing, or to be created) in which results.json, results.csv and report.html can be written";
        if (string.IsNullOrWhiteSpace(dir))
        {
            throw new LabUsageException($"{what}: the path is empty; {Expected}.");
        }

        string full;
        try
        {
            full = Path.GetFullPath(dir);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new LabUsageException($"{what}: not a valid path ({ex.Message}); {Expected}.");
        }

        if (File.Exists(full))
        {
            throw new LabUsageException($"{what}: {full} is an existing file; {Expected}.");
        }

        for (var up = Path.GetDirectoryName(full); up != null; up = Path.GetDirectoryName(up))
        {
            if (File.Exists(up))
            {
                throw new LabUsageException($"{what}: {up} is a file, so the directory {full} cannot be created under it; {Expected}.");
            }

            if (Directory.Exists(up))
            {
                break;
            }
        }

        try
        {
            Directory.CreateDirectory(full);
            foreach (var name in ReportFiles)
            {
                var path = Path.Combine(full, name);
                if (Directory.Exists(path))
                {
                    throw new LabUsageException($"{what}: {path} is a directory, so {name} cannot be written there; {Expected}.");
                }

                if (File.Exists(path))
                {
                    using var existing = new FileStream(path, FileMode.Open, FileAccess.Write); // opens without truncating
                }
            }

            var probe = Path.Combine(full, $".mcgrad-lab-write-check-{Environment.ProcessId}-{Guid.NewGuid():N}");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new LabUsageException($"{what}: cannot create or write to the directory {full} ({ex.Message}); {Expected}.");
        }

        return dir;
    }

    /// <summary>A Spectre console on <see cref="Out"/>: the terminal's when interactive, otherwise plain text without colours.</summary>
    public IAnsiConsole Console()
        => Interactive ? AnsiConsole.Console : AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No, Out = new AnsiConsoleOutput(Out) });
}
