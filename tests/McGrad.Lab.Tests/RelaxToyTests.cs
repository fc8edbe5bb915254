using System.Text.Json.Nodes;

namespace McGrad.Lab.Tests;

/// <summary>The `toy relax` command: RELAX-toy training curves of the exact loss and the gradient variance.</summary>
public class RelaxToyTests
{
    [Fact]
    public void Toy_relax_writes_loss_and_variance_curves_and_relax_learns_a_low_variance_control_variate()
    {
        var dir = LabHarness.TempDir();
        var r = LabHarness.Run("toy", "relax", "--steps", "300", "--samples", "2000", "-f", "json", "-o", dir);
        Assert.True(r.ExitCode == 0, r.Err);
        var run = JsonNode.Parse(r.Out)!;
        Assert.Equal("toy relax", (string)run["command"]!);
        var sets = run["curves"]!.AsArray();
        Assert.Equal(3, sets.Count);
        var loss = sets[0]!["curves"]!.AsArray();
        var variance = sets[1]!["curves"]!.AsArray();
        Assert.Equal(4, loss.Count);
        Assert.Equal(4, variance.Count);
        double[] Values(JsonNode c) => c["values"]!.AsArray().Select(v => (double)v!).ToArray();
        foreach (var c in loss)
        {
            // θ = 0, t = 0.499: E f = ½(0.501² + 0.499²) = 0.250001, min = 0.499² = 0.249001.
            Assert.Equal(0.001, Values(c!)[0], 12);
        }

        // REFERENCE.md R2: Var REINFORCE(1) at p0 = 0.499, θ = 0 is 1.5625e-2 (2,000 estimates: within 10 %).
        var reinforce = variance.Single(c => (string)c!["name"]! == "REINFORCE")!;
        Assert.InRange(Values(reinforce)[0], 0.9 * 1.5625e-2, 1.1 * 1.5625e-2);
        var relax = variance.Single(c => ((string)c!["name"]!).StartsWith("RELAX", StringComparison.Ordinal))!;
        Assert.True(Values(relax)[^1] < Values(reinforce)[^1] / 10, $"RELAX variance {Values(relax)[^1]} vs REINFORCE {Values(reinforce)[^1]}");
        Assert.All(sets[2]!["curves"]!.AsArray(), c => Assert.Equal(0.5, Values(c!)[0], 12)); // σ(0)
        Assert.Contains("path class=\"curve\"", File.ReadAllText(Path.Combine(dir, "report.html")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--target", "1.5", "strictly between 0 and 1")]
    [InlineData("--lr", "0", "(0, 1]")]
    [InlineData("--steps", "5", "from 10 to 100,000")]
    public void Toy_relax_rejects_bad_numbers(string option, string value, string allowed)
    {
        var r = LabHarness.Run("toy", "relax", option, value);
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains($"'{value}' for {option}", r.Err, StringComparison.Ordinal);
        Assert.Contains(allowed, r.Err, StringComparison.Ordinal);
    }
}
