using McGrad.Lab.Commands;

namespace McGrad.Lab.Tests;

/// <summary>
/// An unusable --out is a usage error (exit 2) found before any computing, with a message naming --out, the path and
/// what was expected (it used to crash with exit 134 after the whole run, losing the results).
/// </summary>
public class OutputDirectoryTests
{
    private const string Expected = "expected a directory (existing, or to be created) in which results.json, results.csv and report.html can be written";

    [Fact]
    public void Empty_out_is_a_usage_error_naming_the_option()
    {
        var r = LabHarness.Run("variance", "-n", "10", "-e", "reinforce", "--out", "");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("Invalid value '' for --out: the path is empty", r.Err, StringComparison.Ordinal);
        Assert.Contains(Expected, r.Err, StringComparison.Ordinal);
        Assert.Contains("--help", r.Err, StringComparison.Ordinal);
        Assert.Equal("", r.Out);
    }

    [Fact]
    public void Out_naming_an_existing_file_is_a_usage_error_and_leaves_the_file_alone()
    {
        var file = Path.Combine(LabHarness.TempDir(), "notes.txt");
        File.WriteAllText(file, "keep me");
        var r = LabHarness.Run("variance", "-n", "10", "-e", "reinforce", "--out", file);
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains($"Invalid value '{file}' for --out: {file} is an existing file; {Expected}.", r.Err, StringComparison.Ordinal);
        Assert.Equal("", r.Out);
        Assert.Equal("keep me", File.ReadAllText(file));
    }

    [Fact]
    public void Out_below_a_file_cannot_be_created_and_the_message_names_the_file()
    {
        var file = Path.Combine(LabHarness.TempDir(), "notes.txt");
        File.WriteAllText(file, "");
        var dir = Path.Combine(file, "results");
        var r = LabHarness.Run("toy", "relax", "--steps", "10", "-n", "2", "--out", dir);
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains($"Invalid value '{dir}' for --out: {file} is a file, so the directory {dir} cannot be created", r.Err, StringComparison.Ordinal);
        Assert.Equal("", r.Out);
    }

    [Fact]
    public void Out_where_a_result_file_would_overwrite_a_directory_is_a_usage_error()
    {
        var dir = LabHarness.TempDir();
        Directory.CreateDirectory(Path.Combine(dir, "results.csv"));
        var r = LabHarness.Run("topk", "--runs", "1", "--steps", "5", "--out", dir);
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains($"for --out: {Path.Combine(dir, "results.csv")} is a directory, so results.csv cannot be written there", r.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "results.json")));
    }

    [Fact]
    public void The_directory_is_checked_before_the_work_runs()
    {
        var file = Path.Combine(LabHarness.TempDir(), "taken");
        File.WriteAllText(file, "");
        using var o = new StringWriter();
        using var e = new StringWriter();
        var lab = new LabContext(["zoo", "--out", file], o, e, interactive: false, CancellationToken.None);
        var parse = LabCommands.BuildRoot(lab).Parse(["zoo", "--out", file]);
        Assert.Empty(parse.Errors);
        var run = lab.NewRun(parse, "zoo");
        var worked = false;
        var ex = Assert.Throws<LabUsageException>(() => lab.Execute(parse, run, 1, _ => worked = true, null));
        Assert.False(worked, "the work ran before the output directory was checked");
        Assert.Contains("--out", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_nested_directory_is_created_and_no_probe_file_is_left()
    {
        var dir = Path.Combine(LabHarness.TempDir(), "a", "b");
        var r = LabHarness.Run("variance", "-n", "10", "-e", "reinforce", "--out", dir);
        Assert.Equal(ExitCodes.Ok, r.ExitCode);
        Assert.Equal(["report.html", "results.csv", "results.json"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_existing_directory_with_old_results_is_overwritten()
    {
        var dir = LabHarness.TempDir();
        File.WriteAllText(Path.Combine(dir, "results.json"), "old");
        var r = LabHarness.Run("variance", "-n", "10", "-e", "reinforce", "--out", dir);
        Assert.Equal(ExitCodes.Ok, r.ExitCode);
        Assert.Equal("variance", (string)LabHarness.ReadJson(dir)["command"]!);
    }
}
