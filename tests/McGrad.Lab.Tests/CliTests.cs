using System.Text.Json.Nodes;

namespace McGrad.Lab.Tests;

/// <summary>Command-line parsing, help and usage errors (exit code 2 with messages that name the option and valid values).</summary>
public class CliTests
{
    [Fact]
    public void Help_lists_commands_and_common_options()
    {
        var r = LabHarness.Run("--help");
        Assert.Equal(0, r.ExitCode);
        foreach (var word in new[] { "zoo", "variance", "topk", "toy", "list", "--seed", "--samples", "--threads", "--out", "--format" })
        {
            Assert.Contains(word, r.Out, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Variance_help_describes_its_options()
    {
        var r = LabHarness.Run("variance", "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("--problem", r.Out, StringComparison.Ordinal);
        Assert.Contains("--estimators", r.Out, StringComparison.Ordinal);
        Assert.Contains("--seed", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_estimator_lists_the_valid_ones()
    {
        var r = LabHarness.Run("variance", "--estimators", "reinforce,frobnicator", "--out", LabHarness.TempDir());
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("Unknown estimator 'frobnicator'", r.Err, StringComparison.Ordinal);
        foreach (var e in Catalog.Estimators)
        {
            Assert.Contains(e.Id, r.Err, StringComparison.Ordinal);
        }

        Assert.Equal("", r.Out);
    }

    [Fact]
    public void Unknown_problem_lists_the_valid_ones()
    {
        var r = LabHarness.Run("variance", "--problem", "gauss-square-k7");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("Unknown problem 'gauss-square-k7'", r.Err, StringComparison.Ordinal);
        foreach (var p in Catalog.Problems)
        {
            Assert.Contains(p.Id, r.Err, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--samples", "1", "from 2 to 10,000,000")]
    [InlineData("--samples", "abc", "from 2 to 10,000,000")]
    [InlineData("--samples", "99999999999", "from 2 to 10,000,000")]
    [InlineData("--threads", "0", "from 1 to 1,024")]
    [InlineData("--format", "xml", "table, json, csv")]
    public void Invalid_values_name_the_option_and_the_allowed_range(string option, string value, string allowed)
    {
        var r = LabHarness.Run("variance", option, value);
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains($"'{value}' for {option}", r.Err, StringComparison.Ordinal);
        Assert.Contains(allowed, r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_value_on_the_default_zoo_command_is_a_usage_error()
    {
        var r = LabHarness.Run("--samples", "0");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("--samples", r.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("--bogus")]
    [InlineData("variance", "--seed", "-1")]
    public void Unknown_commands_options_and_bad_seeds_exit_with_2(params string[] args)
    {
        var r = LabHarness.Run(args);
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.StartsWith("error:", r.Err, StringComparison.Ordinal);
        Assert.Contains("--help", r.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("18446744073709551616")]
    [InlineData("1e3")]
    [InlineData("abc")]
    public void An_invalid_seed_states_the_range(string value)
    {
        var r = LabHarness.Run("variance", "--seed", value);
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains($"Invalid value '{value}' for --seed: expected a whole number from 0 to 18446744073709551615", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", r.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", 0UL)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    public void The_ends_of_the_seed_range_are_accepted_and_recorded(string value, ulong seed)
    {
        var dir = LabHarness.TempDir();
        var r = LabHarness.Run("variance", "-n", "10", "-e", "reinforce", "--seed", value, "--out", dir);
        Assert.Equal(ExitCodes.Ok, r.ExitCode);
        Assert.Equal(seed, LabHarness.ReadJson(dir)["seed"]!.GetValue<ulong>());
    }

    [Fact]
    public void List_as_json_has_every_estimator_with_traits_and_every_problem_with_its_exact_gradient()
    {
        var r = LabHarness.Run("list", "--format", "json");
        Assert.Equal(0, r.ExitCode);
        var json = JsonNode.Parse(r.Out)!;
        var estimators = json["estimators"]!.AsArray();
        Assert.Equal(Catalog.Estimators.Select(e => e.Id), estimators.Select(e => (string)e!["id"]!));
        var pathwise = estimators.Single(e => (string)e!["id"]! == "pathwise")!;
        Assert.True((bool)pathwise["needsRSample"]!);
        Assert.Equal(1, (int)pathwise["backwardPasses"]!);
        var st = estimators.Single(e => (string)e!["id"]! == "straight-through")!;
        Assert.False((bool)st["unbiased"]!);
        var problems = json["problems"]!.AsArray();
        Assert.Equal(Catalog.Problems.Count, problems.Count);
        var k0 = problems.Single(p => (string)p!["id"]! == "gauss-square-k0")!;
        Assert.Equal([2.0, 2.0], k0["exactGradient"]!.AsArray().Select(x => (double)x!));
    }

    [Fact]
    public void List_as_table_shows_ids_and_traits()
    {
        var r = LabHarness.Run("list");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("disarm", r.Out, StringComparison.Ordinal);
        Assert.Contains("needs rsample", r.Out, StringComparison.Ordinal);
        Assert.Contains("es-quadratic", r.Out, StringComparison.Ordinal);
    }
}
