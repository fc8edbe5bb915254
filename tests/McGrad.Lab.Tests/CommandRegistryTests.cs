using McGrad.Lab.Commands;

namespace McGrad.Lab.Tests;

/// <summary>The command registry: one class per command, found by reflection, in help order, each with working help.</summary>
public class CommandRegistryTests
{
    [Fact]
    public void The_registry_lists_every_command_in_help_order()
        => Assert.Equal(["zoo", "variance", "topk", "toy relax", "xu", "blr", "rl ppo", "rl es", "rl eval", "pipps chaos", "pipps train", "gippo", "list"], LabCommands.Create().Select(c => c.Name));

    [Fact]
    public void Every_command_has_a_description_and_its_own_option_instances()
    {
        var a = LabCommands.Create();
        var b = LabCommands.Create();
        foreach (var (x, y) in a.Zip(b))
        {
            Assert.False(string.IsNullOrWhiteSpace(x.Description), x.Name);
            Assert.NotSame(x, y);
            Assert.All(x.Options.Zip(y.Options), p => Assert.NotSame(p.First, p.Second));
        }
    }

    [Theory]
    [InlineData("zoo")]
    [InlineData("variance")]
    [InlineData("topk")]
    [InlineData("toy relax")]
    [InlineData("xu")]
    [InlineData("blr")]
    [InlineData("gippo")]
    [InlineData("list")]
    [InlineData("pipps chaos")]
    [InlineData("pipps train")]
    public void Every_command_has_help_with_its_options_and_the_common_ones(string name)
    {
        var command = LabCommands.Create().Single(c => c.Name == name);
        var r = LabHarness.Run([.. name.Split(' '), "--help"]);
        Assert.Equal(ExitCodes.Ok, r.ExitCode);
        Assert.Contains(command.Description[..40], r.Out, StringComparison.Ordinal);
        foreach (var option in command.Options.Select(o => o.Name).Concat(["--seed", "--samples", "--threads", "--out", "--format"]))
        {
            Assert.Contains(option, r.Out, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_toy_group_lists_its_commands()
    {
        var r = LabHarness.Run("toy", "--help");
        Assert.Equal(ExitCodes.Ok, r.ExitCode);
        Assert.Contains(LabCommands.Groups["toy"], r.Out, StringComparison.Ordinal);
        Assert.Contains("relax", r.Out, StringComparison.Ordinal);
    }
}
