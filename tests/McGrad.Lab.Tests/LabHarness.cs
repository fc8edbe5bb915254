using System.Text.Json;
using System.Text.Json.Nodes;

namespace McGrad.Lab.Tests;

/// <summary>Runs the Lab in-process and captures its output.</summary>
internal static class LabHarness
{
    internal sealed record Result(int ExitCode, string Out, string Err);

    internal static Result Run(params string[] args) => Run(CancellationToken.None, args);

    internal static Result Run(CancellationToken cancel, params string[] args)
    {
        using var o = new StringWriter();
        using var e = new StringWriter();
        var code = LabApp.Run(args, o, e, interactive: false, cancel: cancel);
        return new Result(code, o.ToString(), e.ToString());
    }

    internal static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mcgrad-lab-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    internal static JsonNode ReadJson(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "results.json")))!;

    /// <summary>The statistics of one estimator's parameter element in a results.json node.</summary>
    internal static JsonNode Stat(JsonNode run, string estimatorId, int parameter)
    {
        var problem = run["problems"]!.AsArray().Single()!;
        var est = problem["estimators"]!.AsArray().Single(e => (string)e!["id"]! == estimatorId)!;
        return est["parameters"]![parameter]!;
    }

    internal static double D(JsonNode node, string name) => node[name]!.GetValue<double>();

    internal static JsonSerializerOptions Options { get; } = new() { WriteIndented = true };
}
