using System.Text.Json.Nodes;

namespace McGrad.Lab.Tests;

/// <summary>The `pipps chaos` and `pipps train` commands: tiny runs' reports (curves, tables, factors) and usage errors.</summary>
public class PippsTests
{
    [Fact]
    public void Pipps_chaos_writes_log_scale_variance_and_cosine_curves_and_a_factor_table_per_system()
    {
        var dir = LabHarness.TempDir();
        var r = LabHarness.Run("pipps", "chaos", "--horizons", "2,6", "--particles", "8", "--repeats", "4", "--centres", "5", "-f", "json", "-o", dir);
        Assert.True(r.ExitCode == 0, r.Err);
        var run = JsonNode.Parse(r.Out)!;
        Assert.Equal("pipps chaos", (string)run["command"]!);
        var sets = run["curves"]!.AsArray();
        Assert.Equal(4, sets.Count); // (variance, cosine) × (cart-pole, logistic map)
        foreach (var (set, logY) in sets.Zip([true, false, true, false]))
        {
            Assert.Equal(logY, (bool)set!["logY"]!);
            Assert.Equal("horizon H", (string)set["xLabel"]!);
            Assert.Equal(["RP", "LR", "TP"], set["curves"]!.AsArray().Select(c => (string)c!["name"]!));
            Assert.All(set["curves"]!.AsArray(), c => Assert.Equal([2.0, 6.0], c!["steps"]!.AsArray().Select(v => (double)v!)));
        }

        Assert.All(sets[0]!["curves"]!.AsArray().SelectMany(c => c!["values"]!.AsArray()), v => Assert.True((double)v! > 0));
        var tables = run["tables"]!.AsArray();
        Assert.Equal(2, tables.Count);
        Assert.Contains("cart-pole", (string)tables[0]!["title"]!, StringComparison.Ordinal);
        Assert.Contains("logistic", (string)tables[1]!["title"]!, StringComparison.Ordinal);
        var row = tables[1]!["rows"]!.AsArray()[1]!.AsArray().Select(c => (string)c!).ToArray();
        Assert.Equal("6", row[0]);
        var rp = double.Parse(row[1], System.Globalization.CultureInfo.InvariantCulture);
        var lr = double.Parse(row[2], System.Globalization.CultureInfo.InvariantCulture);
        var tp = double.Parse(row[3], System.Globalization.CultureInfo.InvariantCulture);
        var factor = double.Parse(row[4], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(tp / Math.Min(rp, lr), factor, 0.02 * factor); // the table's factor is computed from its own (3-digit) variances
        Assert.Contains("path class=\"curve\"", File.ReadAllText(Path.Combine(dir, "report.html")), StringComparison.Ordinal);
    }

    [Fact]
    public void Pipps_chaos_can_weigh_TP_on_per_particle_policy_gradients()
    {
        var r = LabHarness.Run("pipps", "chaos", "--system", "cartpole", "--tp-weights", "policy", "--horizons", "3", "--particles", "6", "--repeats", "4", "--centres", "3", "-f", "json", "-o", LabHarness.TempDir());
        Assert.True(r.ExitCode == 0, r.Err);
        var table = JsonNode.Parse(r.Out)!["tables"]!.AsArray().Single()!;
        Assert.Contains("TP weighs per-particle policy gradients", (string)table["title"]!, StringComparison.Ordinal);
        var k = double.Parse((string)table["rows"]![0]![9]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(k, 0, 1);
    }

    [Fact]
    public void Pipps_train_writes_a_curve_per_estimator_and_a_final_cost_table()
    {
        var r = LabHarness.Run("pipps", "train", "--iterations", "3", "--seeds", "2", "--particles", "6", "--horizon", "4", "--centres", "5", "-f", "json", "-o", LabHarness.TempDir());
        Assert.True(r.ExitCode == 0, r.Err);
        var run = JsonNode.Parse(r.Out)!;
        var set = run["curves"]!.AsArray().Single()!;
        Assert.Equal("iteration", (string)set["xLabel"]!);
        var curves = set["curves"]!.AsArray();
        Assert.Equal(["RP", "LR", "TP"], curves.Select(c => (string)c!["name"]!));
        foreach (var c in curves)
        {
            Assert.Equal([0.0, 1, 2], c!["steps"]!.AsArray().Select(v => (double)v!));
            Assert.All(c["values"]!.AsArray(), v => Assert.InRange((double)v!, 0, 4)); // 4 steps of a cost in [0, 1)
        }

        // Common random numbers: the first rollout has the same policy and noise for all three estimators.
        Assert.Equal((double)curves[0]!["values"]![0]!, (double)curves[2]!["values"]![0]!);
        Assert.Equal((double)curves[0]!["values"]![0]!, (double)curves[1]!["values"]![0]!);
        var rows = run["tables"]!.AsArray().Single()!["rows"]!.AsArray();
        Assert.Equal(["RP", "LR", "TP"], rows.Select(x => (string)x![0]!));
    }

    [Fact]
    public void Pipps_train_runs_only_the_named_estimators()
    {
        var r = LabHarness.Run("pipps", "train", "--estimators", "TP", "--tp-weights", "policy", "--iterations", "2", "--seeds", "1", "--particles", "4", "--horizon", "3", "--centres", "3", "-f", "json", "-o", LabHarness.TempDir());
        Assert.True(r.ExitCode == 0, r.Err);
        var run = JsonNode.Parse(r.Out)!;
        Assert.Equal(["TP"], run["curves"]![0]!["curves"]!.AsArray().Select(c => (string)c!["name"]!));
        Assert.Contains("per-particle policy gradients", (string)run["tables"]![0]!["title"]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("chaos", "--system", "pendulum", "Unknown system 'pendulum'")]
    [InlineData("chaos", "--horizons", "5,0", "--horizons")]
    [InlineData("chaos", "--particles", "1", "--particles")]
    [InlineData("chaos", "--start", "sideways", "Unknown start 'sideways'")]
    [InlineData("chaos", "--tp-weights", "state", "Unknown value 'state' for --tp-weights")]
    [InlineData("train", "--estimators", "RP,XX", "--estimators")]
    [InlineData("train", "--tp-weights", "x", "--tp-weights")]
    [InlineData("train", "--lr", "-1", "--lr")]
    [InlineData("train", "--horizon", "0", "--horizon")]
    public void Pipps_commands_reject_bad_options_with_usage_errors(string command, string option, string value, string message)
    {
        var r = LabHarness.Run("pipps", command, option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Err, StringComparison.Ordinal);
    }
}
