namespace McGrad.Lab.Tests;

/// <summary>The `rl ppo` and `rl eval` commands: outputs, checkpoints and errors (training quality is measured by Lab runs, not here).</summary>
public class RlTests
{
    [Fact]
    public void Rl_ppo_writes_curves_a_final_return_table_and_one_checkpoint_per_seed_and_rl_eval_reads_them()
    {
        var dir = LabHarness.TempDir();
        var r = LabHarness.Run("rl", "ppo", "--env", "CartPole-v1", "--steps", "2048", "--seeds", "2", "--out", dir, "--format", "json");
        Assert.True(r.ExitCode == 0, r.Err);
        var json = LabHarness.ReadJson(dir);
        var curve = json["curves"]!.AsArray().Single()!["curves"]!.AsArray().Single()!;
        Assert.Equal("CartPole-v1", (string)curve["name"]!);
        Assert.NotEmpty(curve["values"]!.AsArray());
        var table = json["tables"]!.AsArray().Single()!;
        Assert.Equal(3, table["rows"]!.AsArray().Count); // two seeds and the mean ± s.e. row
        Assert.True(File.Exists(Path.Combine(dir, "ppo-CartPole-v1-seed0.safetensors")));
        Assert.True(File.Exists(Path.Combine(dir, "ppo-CartPole-v1-seed1.safetensors")));

        var evalDir = LabHarness.TempDir();
        var e = LabHarness.Run("rl", "eval", "--checkpoint", Path.Combine(dir, "ppo-CartPole-v1-seed1.safetensors"), "--episodes", "3", "--out", evalDir, "--format", "json");
        Assert.True(e.ExitCode == 0, e.Err);
        var row = LabHarness.ReadJson(evalDir)["tables"]!.AsArray().Single()!["rows"]!.AsArray().Single()!.AsArray();
        Assert.Equal("3", (string)row[0]!);
    }

    [Fact]
    public void Bad_environments_configurations_and_checkpoints_exit_2_with_the_reason()
    {
        var unknown = LabHarness.Run("rl", "ppo", "--env", "CartPole-v9");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("CartPole-v1", unknown.Err, StringComparison.Ordinal);
        var config = LabHarness.Run("rl", "ppo", "--config", "fast");
        Assert.Equal(2, config.ExitCode);
        Assert.Contains("cleanrl", config.Err, StringComparison.Ordinal);
        var shortRun = LabHarness.Run("rl", "ppo", "--steps", "100", "--out", LabHarness.TempDir());
        Assert.Equal(2, shortRun.ExitCode);
        Assert.Contains("512", shortRun.Err, StringComparison.Ordinal);

        var dir = LabHarness.TempDir();
        var corrupt = Path.Combine(dir, "bad.safetensors");
        File.WriteAllText(corrupt, "not a checkpoint");
        var bad = LabHarness.Run("rl", "eval", "--checkpoint", corrupt, "--out", LabHarness.TempDir());
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("bad.safetensors", bad.Err, StringComparison.Ordinal);
        var missing = LabHarness.Run("rl", "eval", "--checkpoint", Path.Combine(dir, "none.safetensors"), "--out", LabHarness.TempDir());
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("none.safetensors", missing.Err, StringComparison.Ordinal);
    }
}
