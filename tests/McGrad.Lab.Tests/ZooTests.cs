using System.Text.Json.Nodes;

namespace McGrad.Lab.Tests;

/// <summary>The default command: every problem, every applicable estimator, common random numbers.</summary>
public class ZooTests
{
    [Fact]
    public void Zoo_covers_every_problem_and_unbiased_estimators_are_consistent()
    {
        var dir = LabHarness.TempDir();
        var r = LabHarness.Run("zoo", "-n", "4000", "--seed", "3", "-f", "json", "-o", dir);
        Assert.True(r.ExitCode == 0, r.Err);
        var run = JsonNode.Parse(r.Out)!;
        var problems = run["problems"]!.AsArray();
        Assert.Equal(Catalog.Problems.Select(p => p.Id), problems.Select(p => (string)p!["id"]!));
        foreach (var p in problems)
        {
            var ran = p!["estimators"]!.AsArray().Select(e => (string)e!["id"]!).ToList();
            var skipped = p["skipped"]!.AsArray().Select(e => (string)e!["id"]!).ToList();
            Assert.Equal(Catalog.Estimators.Count, ran.Count + skipped.Count);
            Assert.Contains("vimco4", skipped);
            foreach (var e in p["estimators"]!.AsArray())
            {
                if (!(bool)e!["unbiased"]!)
                {
                    continue;
                }

                foreach (var s in e["parameters"]!.AsArray())
                {
                    Assert.True(Math.Abs((double)s!["z"]!) < 4, $"{p["id"]} {e["id"]} ∂{s["parameter"]}: z = {s["z"]}");
                }
            }
        }

        // Which families each estimator applies to (decided by the estimators' own checks).
        string[] Ran(string id) => problems.Single(p => (string)p!["id"]! == id)!["estimators"]!.AsArray().Select(e => (string)e!["id"]!).ToArray();
        Assert.Contains("pathwise", Ran("gauss-square-k0"));
        Assert.DoesNotContain("pathwise", Ran("bernoulli-0.49-theta0"));
        Assert.Contains("disarm", Ran("bernoulli-0.49-theta0"));
        Assert.Contains("disarm", Ran("multi-bernoulli"));
        Assert.Contains("rebar", Ran("bernoulli-0.499-theta0"));
        Assert.Contains("relax", Ran("multi-bernoulli"));
        Assert.DoesNotContain("relax", Ran("gauss-square-k0"));
        Assert.Contains("es-antithetic", Ran("es-quadratic"));
        Assert.Equal(["st-pam", "imle", "aimle", "aimle-central"], Ran("topk-synthetic"));
    }

    [Fact]
    public void Common_random_numbers_make_identical_estimators_agree_exactly()
    {
        // On the ES problem, REINFORCE with one sample and plain ES with one perturbation are the same estimator
        // (ε(θ+σε ∼ N(θ, σ²)) score = ε/σ): with the same key per problem they give bit-identical statistics.
        var r = LabHarness.Run("variance", "-p", "es-quadratic", "-e", "reinforce,es", "-n", "2000", "-f", "json", "-o", LabHarness.TempDir());
        Assert.True(r.ExitCode == 0, r.Err);
        var run = JsonNode.Parse(r.Out)!;
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(LabHarness.D(LabHarness.Stat(run, "reinforce", i), "mean"), LabHarness.D(LabHarness.Stat(run, "es", i), "mean"), 12);
            Assert.Equal(LabHarness.D(LabHarness.Stat(run, "reinforce", i), "variance"), LabHarness.D(LabHarness.Stat(run, "es", i), "variance"), 10);
        }
    }
}
