using System.Text.Json.Nodes;
using McGrad.Estimators.Problems;

namespace McGrad.Lab.Tests;

/// <summary>The top-k synthetic experiment: the exact expected loss against brute force, and the `topk` command's output.</summary>
public class TopKTests
{
    [Fact]
    public void Exact_expected_loss_matches_a_monte_carlo_of_gumbel_top_k()
    {
        // Independent check: draw Gumbel noise with System.Random, take the top 5 of θ + ε by sorting, average the loss.
        double[] theta = [0.3, -1.2, 0.8, 0.0, 1.5, -0.4, 0.2, -2.0, 0.9, 0.1];
        var b = TopKSynthetic.PaperTarget();
        var rng = new Random(12345);
        const int draws = 40_000;
        double sum = 0, sumSq = 0;
        for (var d = 0; d < draws; d++)
        {
            var perturbed = theta.Select(t => t - Math.Log(-Math.Log(1 - rng.NextDouble()))).ToArray();
            var top = Enumerable.Range(0, 10).OrderByDescending(i => perturbed[i]).Take(5).ToHashSet();
            var loss = Enumerable.Range(0, 10).Sum(i => Math.Pow((top.Contains(i) ? 1 : 0) - b[i], 2));
            sum += loss;
            sumSq += loss * loss;
        }

        var mean = sum / draws;
        var se = Math.Sqrt(((sumSq / draws) - (mean * mean)) / draws);
        var exact = TopKSynthetic.ExpectedLoss(theta, b);
        Assert.True(Math.Abs(exact - mean) < 4 * se, $"exact {exact}, Monte Carlo {mean} ± {se}");
    }

    [Fact]
    public void Min_loss_is_the_minimum_over_all_5_subsets()
    {
        var b = TopKSynthetic.PaperTarget();
        var best = double.PositiveInfinity;
        for (var s = 0; s < 1 << 10; s++)
        {
            if (System.Numerics.BitOperations.PopCount((uint)s) == 5)
            {
                best = Math.Min(best, Enumerable.Range(0, 10).Sum(i => Math.Pow(((s >> i) & 1) - b[i], 2)));
            }
        }

        Assert.Equal(best, TopKSynthetic.MinLoss(b), 12);
        Assert.Equal(0, TopKSynthetic.MinLoss(TopKSynthetic.SubsetTarget()), 12);
    }

    [Fact]
    public void Topk_command_writes_gap_curves_that_start_at_the_documented_gap_and_fall()
    {
        var dir = LabHarness.TempDir();
        var r = LabHarness.Run("topk", "--runs", "3", "--steps", "40", "-f", "json", "-o", dir);
        Assert.True(r.ExitCode == 0, r.Err);
        var run = JsonNode.Parse(r.Out)!;
        Assert.Equal("topk", (string)run["command"]!);
        var set = run["curves"]!.AsArray().Single()!;
        var curves = set["curves"]!.AsArray();
        Assert.Equal(4, curves.Count);
        foreach (var c in curves)
        {
            var values = c!["values"]!.AsArray().Select(v => (double)v!).ToArray();
            var steps = c["steps"]!.AsArray().Select(v => (double)v!).ToArray();
            Assert.Equal(21, values.Length); // step 0 and every 2 steps
            Assert.Equal(40, steps[^1]);
            Assert.Equal(5.217, values[0], 3); // docs/estimators-imle.md: gap at θ₀ = 5.217 for the paper target
            Assert.True(values[^1] < values[0] / 2, $"{c["name"]}: gap {values[^1]} did not fall from {values[0]}");
        }

        Assert.Contains("path class=\"curve\"", File.ReadAllText(Path.Combine(dir, "report.html")), StringComparison.Ordinal);
        Assert.Equal(2, LabHarness.Run("topk", "--target", "both").ExitCode);
        Assert.Equal(2, LabHarness.Run("topk", "--runs", "0").ExitCode);
    }
}
