using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace McGrad.Lab.Commands;

/// <summary>The options every Lab command accepts (<c>--seed --samples --threads --out --format</c>), and validators for commands' own options.</summary>
public sealed class CommonOptions
{
    /// <summary>Default estimates per (problem, estimator) cell: the zoo runs in well under 2 minutes on 2 cores.</summary>
    public const int DefaultSamples = 50_000;

    /// <summary>Largest accepted --samples.</summary>
    public const int MaxSamples = 10_000_000;

    /// <summary>Default root seed.</summary>
    public const ulong DefaultSeed = 2026;

    /// <summary>The accepted values of --format.</summary>
    public static IReadOnlyList<string> Formats { get; } = ["table", "json", "csv"];

    /// <summary>Creates the five options with their defaults and validators.</summary>
    public CommonOptions()
    {
        Seed = new("--seed") { Description = "Root seed of the random keys (same seed, same numbers).", DefaultValueFactory = _ => DefaultSeed, Recursive = true, CustomParser = ParseSeed };
        Samples = new("--samples", "-n") { Description = $"Independent estimates per estimator and problem (2 … {MaxSamples:N0}).", DefaultValueFactory = _ => DefaultSamples, Recursive = true };
        Threads = new("--threads") { Description = "Threads one op may use (a Kernels.Parallelism.UseMaxThreads scope around the command; 1 … 1024; default: all cores).", Recursive = true };
        Out = new("--out", "-o") { Description = "Directory for results.json, results.csv and report.html (default: ./lab-results/<UTC timestamp>).", Recursive = true };
        Format = new("--format", "-f") { Description = "What to print: table, json or csv (the files are always written).", DefaultValueFactory = _ => "table", Recursive = true };

        Samples.Validators.Add(r => IntRange(r, Samples, 2, MaxSamples));
        Threads.Validators.Add(r => IntRange(r, Threads, 1, 1024));
        Format.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (!Formats.Contains(v, StringComparer.OrdinalIgnoreCase))
            {
                r.AddError($"Invalid value '{v}' for --format: expected one of {string.Join(", ", Formats)}.");
            }
        });
    }

    /// <summary>--seed: the root of every random key, 0 … 2⁶⁴ − 1.</summary>
    public Option<ulong> Seed { get; }

    /// <summary>--samples/-n: independent estimates per cell (2 … <see cref="MaxSamples"/>).</summary>
    public Option<int> Samples { get; }

    /// <summary>--threads: threads one op may use (1 … 1024); unset means all cores.</summary>
    public Option<int> Threads { get; }

    /// <summary>--out/-o: the results directory; null means ./lab-results/&lt;UTC timestamp&gt;.</summary>
    public Option<string?> Out { get; }

    /// <summary>--format/-f: table, json or csv.</summary>
    public Option<string> Format { get; }

    /// <summary>The five options, in the order of <c>--help</c>.</summary>
    public IReadOnlyList<Option> All => [Seed, Samples, Threads, Out, Format];

    /// <summary>The --format value, lower-cased.</summary>
    public string FormatOf(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return parse.GetValue(Format)!.ToLowerInvariant();
    }

    /// <summary>True when the user gave <paramref name="option"/> on the command line (not its default).</summary>
    public static bool Given(ParseResult parse, Option option)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(option);
        return parse.GetResult(option) is { Implicit: false };
    }

    /// <summary>
    /// Validator body for an integer option: when a value was given, it must parse as an integer in [<paramref name="lo"/>, <paramref name="hi"/>];
    /// the error is <c>Invalid value 'V' for --name: expected an integer from lo to hi.</c>
    /// </summary>
    public static void IntRange(OptionResult result, Option<int> option, int lo, int hi)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(option);
        if (result.Tokens.Count == 0)
        {
            return;
        }

        var text = result.Tokens[0].Value;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < lo || v > hi)
        {
            result.AddError($"Invalid value '{text}' for {option.Name}: expected an integer from {lo.ToString("N0", CultureInfo.InvariantCulture)} to {hi.ToString("N0", CultureInfo.InvariantCulture)}.");
        }
    }

    /// <summary>
    /// Validator body for a real option: when a value was given, it must parse (invariant culture) and satisfy
    /// <paramref name="accept"/>; otherwise the error is <c>Invalid value 'V' for --name: expected <paramref name="expected"/>.</c>
    /// </summary>
    public static void Real(OptionResult result, string optionName, Func<double, bool> accept, string expected)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(accept);
        if (result.Tokens.Count > 0 && (!double.TryParse(result.Tokens[0].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !accept(v)))
        {
            result.AddError($"Invalid value '{result.Tokens[0].Value}' for {optionName}: expected {expected}.");
        }
    }

    /// <summary>Names given as several tokens and/or comma-separated, trimmed, empty ones dropped.</summary>
    public static IEnumerable<string> SplitNames(string[]? values)
        => (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Parses --seed as an unsigned decimal integer; anything else is an error that states the range.</summary>
    private static ulong ParseSeed(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seed))
        {
            return seed;
        }

        result.AddError($"Invalid value '{text}' for --seed: expected a whole number from 0 to 18446744073709551615 (2^64 − 1).");
        return DefaultSeed;
    }
}
