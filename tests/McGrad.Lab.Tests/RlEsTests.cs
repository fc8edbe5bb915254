using System.Text.Json.Nodes;

namespace McGrad.Lab.Tests;

/// <summary>The `rl es` command: a tiny run's report (curves against generations and steps, the summary table) and its usage errors.</summary>
public class RlEsTests
{
    [Fact]
    public void Rl_es_writes_curves_by_generation_and_by_steps_and_a_summary_table()
    {
        var dir = LabHarness.TempDir();
        var r = LabHarness.Run("rl", "es", "--seeds", "2", "--generations", "3", "--pairs", "5", "--eval-episodes", "2", "--threads", "2", "-f", "json", "-o", dir);
        Assert.True(r.ExitCode == 0, r.Err);
        var run = JsonNode.Parse(r.Out)!;
        Assert.Equal("rl es", (string)run["command"]!);
        var sets = run["curves"]!.AsArray();
        Assert.Equal(2, sets.Count);
        Assert.Equal("generation", (string)sets[0]!["xLabel"]!);
        Assert.Equal("environment steps", (string)sets[1]!["xLabel"]!);
        var byGeneration = sets[0]!["curves"]!.AsArray().Single()!;
        Assert.Equal([0.0, 1, 2, 3], byGeneration["steps"]!.AsArray().Select(v => (double)v!));
        Assert.All(byGeneration["values"]!.AsArray().Select(v => (double)v!), v => Assert.InRange(v, 8, 500)); // CartPole returns
        Assert.Equal(4, byGeneration["stdErrors"]!.AsArray().Count);
        var bySteps = sets[1]!["curves"]!.AsArray().Single()!["steps"]!.AsArray().Select(v => (double)v!).ToArray();
        Assert.NotEmpty(bySteps);
        Assert.True(bySteps.SequenceEqual(bySteps.Order()), "the steps axis ascends");

        var table = run["tables"]!.AsArray().Single()!;
        Assert.Contains("first generation ≥ 500", table["columns"]!.AsArray().Select(c => (string)c!));
        var rows = table["rows"]!.AsArray();
        Assert.Equal(3, rows.Count); // 2 seeds and the mean ± s.e.
        Assert.Equal("mean ± s.e.", (string)rows[2]![0]!);
        Assert.True(File.Exists(Path.Combine(dir, "results.csv")));
        Assert.Contains("path class=\"curve\"", File.ReadAllText(Path.Combine(dir, "report.html")), StringComparison.Ordinal);

        // The same run on one thread gives the same report numbers (the population's parallelism does not change them).
        var one = JsonNode.Parse(LabHarness.Run("rl", "es", "--seeds", "2", "--generations", "3", "--pairs", "5", "--eval-episodes", "2", "--threads", "1", "-f", "json", "-o", LabHarness.TempDir()).Out)!;
        Assert.Equal(byGeneration["values"]!.ToJsonString(), one["curves"]![0]!["curves"]![0]!["values"]!.ToJsonString());
    }

    [Theory]
    [InlineData("--policy", "cnn", "Unknown policy 'cnn' for --policy")]
    [InlineData("--env", "CartPole-v0", "Valid ids")]
    [InlineData("--hidden", "16,0", "--hidden")]
    [InlineData("--pairs", "0", "--pairs")]
    [InlineData("--sigma", "-1", "--sigma")]
    public void Rl_es_rejects_bad_options_with_usage_errors(string option, string value, string message)
    {
        var r = LabHarness.Run("rl", "es", option, value, "--generations", "1");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Err, StringComparison.Ordinal);
    }
}
