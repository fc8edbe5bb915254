using System.Text.Json.Nodes;

namespace McGrad.Lab.Tests;

/// <summary>The `gippo` command: a tiny run's report (return, α and out-of-range curves, the final table, the claims) and its usage errors.</summary>
public class GiPpoTests
{
    [Fact]
    public void Gippo_reports_curves_the_final_table_and_the_claims()
    {
        var dir = LabHarness.TempDir();
        var r = LabHarness.Run("gippo", "--task", "dejong-1", "--method", "rp,gi-ppo", "--epochs", "4", "--seeds", "2", "-f", "json", "-o", dir);
        Assert.True(r.ExitCode == 0, r.Err);
        var run = JsonNode.Parse(r.Out)!;
        Assert.Equal("gippo", (string)run["command"]!);
        var sets = run["curves"]!.AsArray();
        Assert.Equal(3, sets.Count); // returns; GI-PPO's α; out-of-range ratio and improvement sign
        var returns = sets[0]!["curves"]!.AsArray();
        Assert.Equal(["RP", "GI-PPO"], returns.Select(c => (string)c!["name"]!));
        Assert.Equal([1.0, 2, 3, 4], returns[0]!["steps"]!.AsArray().Select(v => (double)v!));
        Assert.All(returns[0]!["values"]!.AsArray().Select(v => (double)v!), v => Assert.InRange(v, -5.12 * 5.12, 0)); // −f ∈ [−26.2, 0]
        Assert.True((bool)sets[1]!["logY"]!);
        var alpha = sets[1]!["curves"]![0]!["values"]!.AsArray().Select(v => (double)v!).ToArray();
        Assert.Equal(1e-5, alpha[0], 12); // the α used in epoch 1 is the initial α

        var tables = run["tables"]!.AsArray();
        var final = tables[0]!["rows"]!.AsArray();
        Assert.Equal(2, final.Count);
        Assert.Equal(["dejong-1", "RP", "2"], final[0]!.AsArray().Take(3).Select(v => (string)v!));
        var claims = tables[1]!["rows"]!.AsArray().Select(row => (string)row![0]!).ToList();
        Assert.Contains("dejong-1: RP approaches 0 (≥ −0.1)", claims);
        Assert.Contains("dejong-1: α grows", claims);
        Assert.DoesNotContain(claims, c => c.Contains("ackley", StringComparison.Ordinal)); // not run, so not claimed
        Assert.Contains("path class=\"curve\"", File.ReadAllText(Path.Combine(dir, "report.html")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--task", "rosenbrock-2", "Unknown task 'rosenbrock-2' for --task")]
    [InlineData("--method", "sac", "Unknown method 'sac' for --method")]
    [InlineData("--horizon", "0", "--horizon")]
    [InlineData("--seeds", "33", "--seeds")]
    public void Gippo_rejects_bad_options_with_usage_errors(string option, string value, string message)
    {
        var r = LabHarness.Run("gippo", option, value, "--epochs", "1");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Err, StringComparison.Ordinal);
    }
}
