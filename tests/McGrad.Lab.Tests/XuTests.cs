using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;

namespace McGrad.Lab.Tests;

/// <summary>
/// The `xu` command on small synthetic files in scikit-learn's formats (so it runs without python3-sklearn): the report's
/// tables and charts, the closed-form check on the quadratic model, and its usage errors (a missing file names the package).
/// </summary>
public class XuTests
{
    private static string FakeData()
    {
        var dir = LabHarness.TempDir();
        var rng = new Random(1);
        string R(double lo, double hi) => (lo + ((hi - lo) * rng.NextDouble())).ToString("F3", CultureInfo.InvariantCulture);
        var diabetes = new StringBuilder();
        var target = new StringBuilder();
        for (var i = 0; i < 40; i++)
        {
            diabetes.AppendJoin(' ', Enumerable.Range(0, 10).Select(_ => R(0, 10))).Append('\n');
            target.Append(R(25, 346)).Append('\n');
        }

        Gzip(Path.Combine(dir, "diabetes_data_raw.csv.gz"), diabetes.ToString());
        Gzip(Path.Combine(dir, "diabetes_target.csv.gz"), target.ToString());
        var cancer = new StringBuilder("50,30,malignant,benign\n");
        for (var i = 0; i < 50; i++)
        {
            cancer.AppendJoin(',', Enumerable.Range(0, 30).Select(_ => R(-1, 1))).Append(',').Append(i % 2).Append('\n');
        }

        File.WriteAllText(Path.Combine(dir, "breast_cancer.csv"), cancer.ToString());
        return dir;
    }

    private static void Gzip(string path, string text)
    {
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        gz.Write(Encoding.UTF8.GetBytes(text));
    }

    [Fact]
    public void Xu_writes_ratio_and_closed_form_tables_and_charts()
    {
        var data = FakeData();
        var r = LabHarness.Run("xu", "--datasets", "diabetes,breast_cancer", "--data-dir", data, "-n", "1500", "--steps", "20", "--checkpoints", "2", "--baseline-samples", "300", "-f", "json", "-o", LabHarness.TempDir());
        Assert.True(r.ExitCode == 0, r.Err);
        var run = JsonNode.Parse(r.Out)!;
        Assert.Equal("xu", (string)run["command"]!);
        Assert.Equal(1500, (int)run["samples"]!);
        var titles = run["tables"]!.AsArray().Select(t => (string)t!["title"]!).ToArray();
        Assert.Equal(6, titles.Length); // path, ratios, closed forms, per coordinate, Taylor prediction, extremes

        // Path: 2 checkpoints (steps 0 and 20) per dataset.
        var path = run["tables"]![0]!["rows"]!.AsArray();
        Assert.Equal(["diabetes", "diabetes", "breast_cancer", "breast_cancer"], path.Select(row => (string)row![0]!));
        Assert.Equal(["0", "20", "0", "20"], path.Select(row => (string)row![1]!));

        // Ratios: 2 datasets × 2 checkpoints × 2 score estimators × 2 parameter groups; every measured mean ratio ≥ 1 here.
        var ratios = run["tables"]![1]!["rows"]!.AsArray();
        Assert.Equal(16, ratios.Count);
        Assert.All(ratios.Where(row => (string)row![3]! == "μ (mean)"), row => Assert.Equal(row![4]!.ToString() == "11" ? "11/11" : "31/31", (string)row[5]!));

        // Closed forms on the quadratic model: 2 checkpoints × 3 estimators × 2 groups, no |z| ≥ 4.
        var closed = run["tables"]![2]!["rows"]!.AsArray();
        Assert.Equal(12, closed.Count);
        Assert.All(closed, row => Assert.Equal("0", (string)row![6]!));
        Assert.Equal(2 * 2 * 11 * 3, run["tables"]![3]!["rows"]!.AsArray().Count);
        Assert.Equal(2 * 3 * 2, run["tables"]![4]!["rows"]!.AsArray().Count);
        Assert.Equal(2 * 9, run["tables"]![5]!["rows"]!.AsArray().Count); // per checkpoint: 3 lowest and 3 highest measured/predicted, 3 highest ratios

        // Charts: one variance chart per diabetes checkpoint, one ratio chart per breast_cancer checkpoint and one factor chart.
        var charts = run["curves"]!.AsArray();
        Assert.Equal(5, charts.Count);
        Assert.All(charts, c => Assert.True((bool)c!["logY"]!));
        Assert.Equal(6, charts[0]!["curves"]!.AsArray().Count);
        Assert.Equal(11, charts[0]!["curves"]![0]!["values"]!.AsArray().Count);
    }

    [Fact]
    public void Xu_names_the_package_when_a_file_is_missing()
    {
        var r = LabHarness.Run("xu", "--datasets", "digits", "--data-dir", LabHarness.TempDir(), "-o", LabHarness.TempDir());
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("digits.csv.gz", r.Err, StringComparison.Ordinal);
        Assert.Contains("python3-sklearn", r.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--datasets", "mnist", "Unknown dataset(s) 'mnist'")]
    [InlineData("--checkpoints", "0", "--checkpoints")]
    [InlineData("--lr", "2", "--lr")]
    [InlineData("--noise-variance", "-1", "--noise-variance")]
    public void Xu_rejects_bad_options_with_usage_errors(string option, string value, string message)
    {
        var r = LabHarness.Run("xu", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Err, StringComparison.Ordinal);
    }
}
