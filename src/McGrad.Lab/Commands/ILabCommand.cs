using System.CommandLine;

namespace McGrad.Lab.Commands;

/// <summary>
/// One Lab command (an experiment or a listing). <see cref="LabCommands"/> finds every implementation in this
/// assembly, so adding a command is one new class (and its test): a public parameterless constructor that creates the
/// command's own options, and <see cref="Run"/>. The common options (<c>--seed --samples --threads --out --format</c>),
/// running with progress and writing the report come from <see cref="LabContext"/>.
/// </summary>
public interface ILabCommand
{
    /// <summary>
    /// The command's path: words separated by single spaces, e.g. <c>"variance"</c>, or <c>"toy relax"</c> for the
    /// command <c>relax</c> under the group <c>toy</c> (groups are declared in <see cref="LabCommands.Groups"/>).
    /// It is also the <c>command</c> recorded in results.json.
    /// </summary>
    string Name { get; }

    /// <summary>One paragraph for <c>--help</c>: what the command computes and which options matter.</summary>
    string Description { get; }

    /// <summary>
    /// Where the command appears in <c>--help</c> among its siblings (ascending; ties by <see cref="Name"/>).
    /// </summary>
    int Order { get; }

    /// <summary>The command's own options (with their validators); the common options are added to every command by the registry.</summary>
    IReadOnlyList<Option> Options { get; }

    /// <summary>Runs the command on a parse result without errors; returns its exit code (<see cref="ExitCodes"/>).</summary>
    /// <param name="parse">The parse result, for reading this command's and the common options.</param>
    /// <param name="lab">The writers, the cancellation token, the common options and the shared run/report machinery.</param>
    /// <exception cref="LabUsageException">A value that only the command can check is invalid (exit code 2).</exception>
    int Run(ParseResult parse, LabContext lab);
}

/// <summary>A usage error found while running a command (an unusable <c>--out</c>, …): reported as <c>error: …</c> with exit code 2.</summary>
/// <param name="message">What is wrong: the option, the value, and what was expected.</param>
public sealed class LabUsageException(string message) : Exception(message);
