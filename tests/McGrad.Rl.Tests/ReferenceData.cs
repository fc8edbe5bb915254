using System.Text.Json;

namespace McGrad.Rl.Tests;

/// <summary>A reference trajectory file under Data/ (see Data/README.md): episodes from given initial states.</summary>
internal sealed record ReferenceFile(string Env, int Seed0, List<ReferenceEpisode> Episodes)
{
    public static ReferenceFile Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Data", name);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var episodes = new List<ReferenceEpisode>();
        foreach (var e in root.GetProperty("episodes").EnumerateArray())
        {
            var steps = new List<ReferenceStep>();
            foreach (var s in e.GetProperty("steps").EnumerateArray())
            {
                var a = s.GetProperty("action");
                var action = a.ValueKind == JsonValueKind.Array ? Doubles(a) : [a.GetInt32()];
                steps.Add(new ReferenceStep(action, Doubles(s.GetProperty("observation")), s.GetProperty("reward").GetDouble(),
                    s.GetProperty("terminated").GetBoolean(), s.GetProperty("truncated").GetBoolean(), Doubles(s.GetProperty("state"))));
            }

            episodes.Add(new ReferenceEpisode(Doubles(e.GetProperty("initial_state")), steps));
        }

        return new ReferenceFile(root.GetProperty("env").GetString()!, root.GetProperty("seed0").GetInt32(), episodes);
    }

    private static double[] Doubles(JsonElement a) => a.EnumerateArray().Select(v => v.GetDouble()).ToArray();
}

internal sealed record ReferenceEpisode(double[] InitialState, List<ReferenceStep> Steps);

internal sealed record ReferenceStep(double[] Action, double[] Observation, double Reward, bool Terminated, bool Truncated, double[] State);
