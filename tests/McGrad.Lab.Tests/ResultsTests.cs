using System.Text.Json.Nodes;

namespace McGrad.Lab.Tests;

/// <summary>The numbers a run reports, checked against REFERENCE.md values; files, determinism and partial results.</summary>
public class ResultsTests
{
    private const int Samples = 20_000;

    /// <summary>Asserts |mean − exact| &lt; 4 SE and |variance − expected| &lt; 4 variance SEs (as reported in the JSON).</summary>
    private static void AssertStat(JsonNode run, string estimator, int parameter, double exact, double variance)
    {
        var s = LabHarness.Stat(run, estimator, parameter);
        Assert.Equal(exact, LabHarness.D(s, "exact"), 12);
        var z = (LabHarness.D(s, "mean") - exact) / LabHarness.D(s, "stdError");
        Assert.True(Math.Abs(z) < 4, $"{estimator} ∂{parameter}: mean z = {z}");
        Assert.Equal(z, LabHarness.D(s, "z"), 9);
        var v = LabHarness.D(s, "variance");
        var se = LabHarness.D(s, "varianceStdError");
        Assert.True(Math.Abs(v - variance) < 4 * se, $"{estimator} ∂{parameter}: variance {v} ± {se}, expected {variance}");
    }

    [Fact]
    public void Variance_on_R1_square_k0_matches_the_reference_table()
    {
        var dir = LabHarness.TempDir();
        var r = LabHarness.Run("variance", "--problem", "gauss-square-k0", "--estimators", "reinforce,pathwise", "mvd-coupled", "--samples", $"{Samples}", "--seed", "7", "--format", "json", "--out", dir);
        Assert.True(r.ExitCode == 0, r.Err);
        var run = JsonNode.Parse(r.Out)!;
        Assert.Equal(File.ReadAllText(Path.Combine(dir, "results.json")).Trim(), r.Out.Trim());
        Assert.Equal("variance", (string)run["command"]!);
        Assert.Equal(7ul, (ulong)run["seed"]!);
        Assert.Equal(Samples, (int)run["samples"]!);
        Assert.False((bool)run["partial"]!);

        // REFERENCE.md R1, (x−k)², k = 0, x ~ N(1, 1): exact ∂μ = ∂σ = 2; one-sample variances SF 30 / 136, pathwise 4 / 12, MVD coupled 1.093 / 8.
        AssertStat(run, "reinforce", 0, 2, 30);
        AssertStat(run, "reinforce", 1, 2, 136);
        AssertStat(run, "pathwise", 0, 2, 4);
        AssertStat(run, "pathwise", 1, 2, 12);
        AssertStat(run, "mvd-coupled", 0, 2, 1.093);
        AssertStat(run, "mvd-coupled", 1, 2, 8);

        var reinforce = run["problems"]![0]!["estimators"]![0]!;
        Assert.Equal(1, (int)reinforce["evaluations"]!);
        Assert.Equal(0, (int)reinforce["backwardPasses"]!);
        var pw = LabHarness.Stat(run, "pathwise", 0);
        Assert.Equal(LabHarness.D(pw, "variance") * 2, LabHarness.D(pw, "efficiency"), 12); // cost = 1 f eval + 1 backward pass

        Assert.True(File.Exists(Path.Combine(dir, "results.csv")));
        var csv = File.ReadAllLines(Path.Combine(dir, "results.csv"));
        Assert.Equal(1 + (3 * 2), csv.Length);
        Assert.StartsWith("problem,group,estimator", csv[0], StringComparison.Ordinal);
        Assert.Contains(csv, l => l.StartsWith("gauss-square-k0,R1,pathwise,", StringComparison.Ordinal));
        var html = File.ReadAllText(Path.Combine(dir, "report.html"));
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=\"http", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"http", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Variance_on_R3_matches_the_closed_form_ES_variances()
    {
        // REFERENCE.md R3: θ = (1, −0.5, 2), σ = 0.1, c = ‖θ‖² = 5.25, d = 3. Antithetic: Var_i = 4(c + θ_i²);
        // plain: c²/σ² + 4c + 4θ_i² + 2c(d + 2) + σ²(d + 2)(d + 4).
        var dir = LabHarness.TempDir();
        var r = LabHarness.Run("variance", "-p", "es-quadratic", "-e", "es-antithetic", "es", "-n", $"{Samples}", "-f", "json", "-o", dir);
        Assert.True(r.ExitCode == 0, r.Err);
        var run = JsonNode.Parse(r.Out)!;
        double[] theta = [1, -0.5, 2];
        const double c = 5.25, s = 0.1, d = 3;
        for (var i = 0; i < 3; i++)
        {
            AssertStat(run, "es-antithetic", i, -2 * theta[i], 4 * (c + (theta[i] * theta[i])));
            AssertStat(run, "es", i, -2 * theta[i], (c * c / (s * s)) + (4 * c) + (4 * theta[i] * theta[i]) + (2 * c * (d + 2)) + (s * s * (d + 2) * (d + 4)));
        }
    }

    [Fact]
    public void Estimators_that_do_not_apply_are_listed_as_skipped_with_a_reason()
    {
        var dir = LabHarness.TempDir();
        var r = LabHarness.Run("variance", "-p", "bernoulli-0.49-theta0", "-e", "pathwise", "disarm", "vimco4", "-n", "1000", "-f", "json", "-o", dir);
        Assert.True(r.ExitCode == 0, r.Err);
        var problem = JsonNode.Parse(r.Out)!["problems"]![0]!;
        Assert.Equal(["disarm"], problem["estimators"]!.AsArray().Select(e => (string)e!["id"]!));
        var skipped = problem["skipped"]!.AsArray();
        Assert.Equal(["pathwise", "vimco4"], skipped.Select(e => (string)e!["id"]!));
        Assert.All(skipped, s => Assert.False(string.IsNullOrWhiteSpace((string)s!["reason"]!)));
    }

    /// <summary>The JSON of a run without the fields that legitimately differ between runs (timings, timestamp).</summary>
    private static string Stripped(string dir)
    {
        var run = LabHarness.ReadJson(dir).AsObject();
        run.Remove("timestamp");
        run.Remove("wallSeconds");
        foreach (var p in run["problems"]!.AsArray())
        {
            foreach (var e in p!["estimators"]!.AsArray())
            {
                e!.AsObject().Remove("microsecondsPerEstimate");
            }
        }

        return run.ToJsonString(LabHarness.Options);
    }

    [Fact]
    public void Same_seed_gives_identical_results_and_another_seed_does_not()
    {
        var dir = LabHarness.TempDir();
        string[] Args(string seed) => ["variance", "-p", "multi-bernoulli", "-e", "reinforce,rloo4,disarm,gumbel-softmax,mvd-coupled", "-n", "3000", "--seed", seed, "-f", "csv", "-o", dir];
        var args = Args("11");
        Assert.Equal(0, LabHarness.Run(args).ExitCode);
        var first = Stripped(dir);
        Assert.Equal(0, LabHarness.Run([.. args, "--threads", "1"]).ExitCode);
        var second = Stripped(dir);
        Assert.NotEqual(first, second); // the command line differs (--threads 1) …
        var a = LabHarness.ReadJson(dir);
        Assert.Equal(1, (int)a["machine"]!["maxThreads"]!);
        Assert.Equal(0, LabHarness.Run(args).ExitCode);
        Assert.Equal(first, Stripped(dir)); // … the same command line gives the same JSON, timings aside
        Assert.Equal(WithoutCommandLine(first), WithoutCommandLine(second)); // and thread count does not change the numbers

        Assert.Equal(0, LabHarness.Run(Args("12")).ExitCode);
        Assert.NotEqual(WithoutCommandLine(first), WithoutCommandLine(Stripped(dir)));
    }

    private static string WithoutCommandLine(string json)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        node.Remove("commandLine");
        node.Remove("seed");
        node["machine"]!.AsObject().Remove("maxThreads");
        return node.ToJsonString();
    }

    [Fact]
    public void Interrupted_run_writes_partial_results_and_exits_130()
    {
        var dir = LabHarness.TempDir();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var r = LabHarness.Run(cts.Token, "zoo", "-n", "100", "-o", dir);
        Assert.Equal(ExitCodes.Interrupted, r.ExitCode);
        Assert.Contains("partial", r.Err, StringComparison.OrdinalIgnoreCase);
        var run = LabHarness.ReadJson(dir);
        Assert.True((bool)run["partial"]!);
        Assert.Contains("Partial results", File.ReadAllText(Path.Combine(dir, "report.html")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir, "results.csv")));
    }

    [Fact]
    public void Runner_stops_between_cells_and_keeps_the_finished_ones()
    {
        using var cts = new CancellationTokenSource();
        var run = new LabRun { Command = "zoo", CommandLine = "", Seed = 1, Samples = 100, Version = "", Timestamp = "", Machine = LabApp.Machine() };
        var cells = 0;
        Runner.Run(run, Catalog.Problems, Catalog.Estimators, 100, _ =>
        {
            if (++cells == 4)
            {
                cts.Cancel();
            }
        }, cts.Token);
        Assert.Single(run.Problems);
        Assert.Equal(4, run.Problems[0].Estimators.Count); // the 4th cell finishes, then the run stops
        Assert.Equal(["reinforce", "reinforce-mean", "rloo4", "optimal-baseline4"], run.Problems[0].Estimators.Select(e => e.Id));
    }

    [Fact]
    public void Report_records_reproducibility_facts()
    {
        var dir = LabHarness.TempDir();
        var r = LabHarness.Run("variance", "-e", "pathwise", "-n", "100", "--seed", "5", "-o", dir);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Pathwise", r.Out, StringComparison.Ordinal); // table format prints the table
        var run = LabHarness.ReadJson(dir);
        Assert.Contains("--seed 5", (string)run["commandLine"]!, StringComparison.Ordinal);
        Assert.Contains("McGrad", (string)run["version"]!, StringComparison.Ordinal);
        var m = run["machine"]!;
        Assert.Equal(Environment.ProcessorCount, (int)m["cores"]!);
        Assert.Equal(System.Numerics.Vector<byte>.Count, (int)m["vectorByteCount"]!);
        Assert.NotNull(m["vector512Accelerated"]);
        Assert.False(string.IsNullOrEmpty((string)m["blasBackend"]!));
        Assert.True((double)run["wallSeconds"]! > 0);
        var html = File.ReadAllText(Path.Combine(dir, "report.html"));
        foreach (var fact in new[] { "--seed 5", "Vector&lt;byte&gt;.Count", "BLAS", "wall time" })
        {
            Assert.Contains(fact, html, StringComparison.Ordinal);
        }
    }
}
