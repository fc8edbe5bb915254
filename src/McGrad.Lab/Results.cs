namespace McGrad.Lab;

/// <summary>Statistics of one estimator on one parameter element.</summary>
public sealed record ParameterResult(string Parameter, double Exact, double Mean, double StdError, double Z, double Variance, double VarianceStdError, double Efficiency);

/// <summary>One estimator on one problem.</summary>
public sealed record EstimatorResult(string Id, string Name, bool Unbiased, int Evaluations, int BackwardPasses, int Estimates, IReadOnlyList<ParameterResult> Parameters, double MicrosecondsPerEstimate);

/// <summary>An estimator that could not run on a problem, with the reason (its ArgumentException message).</summary>
public sealed record SkippedEstimator(string Id, string Reason);

/// <summary>All estimators on one problem (common random numbers: one key for every estimator).</summary>
public sealed record ProblemResult(string Id, string Group, string Name, string Description, IReadOnlyList<string> Parameters, IReadOnlyList<double> Exact, List<EstimatorResult> Estimators, List<SkippedEstimator> Skipped);

/// <summary>A training curve: a value (e.g. the exact loss, averaged over runs) against step for one estimator, with standard errors where averaged.</summary>
public sealed record Curve(string Name, IReadOnlyList<double> Steps, IReadOnlyList<double> Values, IReadOnlyList<double>? StdErrors = null);

/// <summary>A chart of training curves.</summary>
public sealed record CurveSet(string Title, string XLabel, string YLabel, bool LogY, List<Curve> Curves);

/// <summary>A table of text cells (a summary a command wants shown as is: final returns per seed, throughput).</summary>
/// <param name="Title">The table's title.</param>
/// <param name="Columns">Column headers.</param>
/// <param name="Rows">Rows, one cell per column.</param>
public sealed record SummaryTable(string Title, IReadOnlyList<string> Columns, List<IReadOnlyList<string>> Rows);

/// <summary>Facts about the machine that ran the Lab.</summary>
public sealed record MachineInfo(int Cores, int MaxThreads, int VectorByteCount, bool Vector256Accelerated, bool Vector512Accelerated, string? BlasLibrary, string? BlasCore, string BlasBackend, string Os, string Runtime);

/// <summary>Everything one Lab run produced; serialised to results.json.</summary>
public sealed class LabRun
{
    /// <summary>The subcommand ("zoo", "variance", …).</summary>
    public required string Command { get; init; }

    /// <summary>The full command line as typed (arguments after the program name).</summary>
    public required string CommandLine { get; init; }

    /// <summary>Root seed.</summary>
    public required ulong Seed { get; init; }

    /// <summary>Estimates (or steps) per cell.</summary>
    public required int Samples { get; set; }

    /// <summary>Lab and library version.</summary>
    public required string Version { get; init; }

    /// <summary>UTC start time (ISO 8601); excluded from determinism comparisons.</summary>
    public required string Timestamp { get; init; }

    /// <summary>Machine facts.</summary>
    public required MachineInfo Machine { get; init; }

    /// <summary>True when the run was interrupted (Ctrl-C) and holds only what finished.</summary>
    public bool Partial { get; set; }

    /// <summary>Wall time of the whole run in seconds; excluded from determinism comparisons.</summary>
    public double WallSeconds { get; set; }

    /// <summary>Per-problem tables.</summary>
    public List<ProblemResult> Problems { get; } = [];

    /// <summary>Training curves, where the command produces them.</summary>
    public List<CurveSet> Curves { get; } = [];

    /// <summary>Summary tables, where the command produces them.</summary>
    public List<SummaryTable> Tables { get; } = [];
}
