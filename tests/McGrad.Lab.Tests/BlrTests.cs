using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace McGrad.Lab.Tests;

/// <summary>
/// The `blr` command on a small synthetic file in breast_cancer's format (so it runs without python3-sklearn): the
/// report's tables, charts and their sizes, and its usage errors (a missing file names the package).
/// </summary>
public class BlrTests
{
    private static string FakeData()
    {
        var dir = LabHarness.TempDir();
        var rng = new Random(3);
        var cancer = new StringBuilder("50,30,malignant,benign\n");
        for (var i = 0; i < 50; i++)
        {
            cancer.AppendJoin(',', Enumerable.Range(0, 30).Select(_ => ((2 * rng.NextDouble()) - 1).ToString("F3", CultureInfo.InvariantCulture))).Append(',').Append(i % 2).Append('\n');
        }

        File.WriteAllText(Path.Combine(dir, "breast_cancer.csv"), cancer.ToString());
        return dir;
    }

    [Fact]
    public void Blr_writes_the_anchor_runs_basket_and_orderings()
    {
        var r = LabHarness.Run("blr", "--data-dir", FakeData(), "--steps", "20", "--seeds", "1", "--estimates", "20", "--posterior-samples", "4", "--eval-every", "10", "-f", "json", "-o", LabHarness.TempDir());
        Assert.True(r.ExitCode == 0, r.Err);
        var run = JsonNode.Parse(r.Out)!;
        Assert.Equal("blr", (string)run["command"]!);
        var tables = run["tables"]!.AsArray();
        Assert.Equal(5, tables.Count); // anchor, runs, per estimator, basket, orderings
        Assert.Single(tables[0]!["rows"]!.AsArray());
        var runs = tables[1]!["rows"]!.AsArray();
        Assert.Equal(["pathwise", "score function", "SF + moving average", "SF + delta-method CV", "MVD coupled", "MVD uncoupled"], runs.Select(row => (string)row![0]!));
        Assert.All(runs, row => Assert.Equal("20", (string)row![2]!));
        var basket = tables[3]!["rows"]!.AsArray();
        Assert.Equal(18, basket.Count); // checkpoints 0, 2, 20 × six estimators
        Assert.Equal(["0", "2", "20"], basket.Select(row => (string)row![0]!).Distinct());
        Assert.Equal(24, tables[4]!["rows"]!.AsArray().Count); // 3 checkpoints × 4 orderings × (μ, ρ)
        var charts = run["curves"]!.AsArray();
        Assert.Equal(3, charts.Count); // Σ Var ∂μ, Σ Var ∂ρ, ELBO gap
        Assert.True((bool)charts[0]!["logY"]!);
        Assert.Equal(6, charts[2]!["curves"]!.AsArray().Count);
        Assert.Equal(3, charts[2]!["curves"]![0]!["steps"]!.AsArray().Count); // steps 0, 10, 20
    }

    [Fact]
    public void Blr_names_the_package_when_the_file_is_missing()
    {
        var r = LabHarness.Run("blr", "--data-dir", LabHarness.TempDir(), "-o", LabHarness.TempDir());
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("breast_cancer.csv", r.Err, StringComparison.Ordinal);
        Assert.Contains("python3-sklearn", r.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--estimators", "reinforce", "Unknown estimator(s) 'reinforce'")]
    [InlineData("--cv-samples", "1", "--cv-samples")]
    [InlineData("--steps", "0", "--steps")]
    [InlineData("--lr", "2", "--lr")]
    public void Blr_rejects_bad_options_with_usage_errors(string option, string value, string message)
    {
        var r = LabHarness.Run("blr", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Err, StringComparison.Ordinal);
    }
}
