using System.CommandLine;
using System.Globalization;
using McGrad.Randomness;
using McGrad.Rl.Training;

namespace McGrad.Lab.Commands;

/// <summary><c>rl eval</c>: loads a checkpoint written by <c>rl ppo</c> and reports the return of fresh episodes (mean ± s.e.).</summary>
public sealed class RlEvalCommand : ILabCommand
{
    private readonly Option<string> _checkpoint = new("--checkpoint") { Description = "A .safetensors checkpoint written by rl ppo.", Required = true };
    private readonly Option<int> _episodes = new("--episodes") { Description = "Evaluation episodes (1 … 10,000).", DefaultValueFactory = _ => 100 };
    private readonly Option<bool> _sample = new("--sample") { Description = "Sample actions from the policy instead of taking the greedy (argmax / mean) action." };

    /// <summary>Creates the command's options with their validators.</summary>
    public RlEvalCommand()
    {
        _episodes.Validators.Add(r => CommonOptions.IntRange(r, _episodes, 1, 10_000));
        Options = [_checkpoint, _episodes, _sample];
    }

    /// <inheritdoc/>
    public string Name => "rl eval";

    /// <inheritdoc/>
    public string Description => "Evaluates a saved policy (rl ppo's checkpoint) on fresh episodes of its environment: return mean ± s.e.";

    /// <inheritdoc/>
    public int Order => 42;

    /// <inheritdoc/>
    public IReadOnlyList<Option> Options { get; }

    /// <inheritdoc/>
    public int Run(ParseResult parse, LabContext lab)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(lab);
        var path = parse.GetValue(_checkpoint)!;
        if (!File.Exists(path))
        {
            throw new LabUsageException($"--checkpoint {path}: no such file; pass a .safetensors file written by rl ppo.");
        }

        (Rl.Policies.ActorCritic Agent, string Env) loaded;
        try
        {
            loaded = PolicyCheckpoint.Load(path);
        }
        catch (InvalidDataException ex)
        {
            throw new LabUsageException($"--checkpoint: {ex.Message}");
        }

        var episodes = parse.GetValue(_episodes);
        var greedy = !parse.GetValue(_sample);
        var run = lab.NewRun(parse, Name);
        run.Samples = episodes;
        EvaluationResult? result = null;
        return lab.Execute(parse, run, 1, onUnit =>
        {
            onUnit?.Invoke($"{loaded.Env}, {episodes} episodes");
            result = PolicyEvaluation.Run(loaded.Agent, loaded.Env, episodes, new RngKey(run.Seed), greedy);
        }, () =>
        {
            if (result is null)
            {
                return;
            }

            var table = new SummaryTable($"{Path.GetFileName(path)} on {loaded.Env} ({(greedy ? "greedy" : "sampled")} actions)", ["episodes", "mean return", "± s.e.", "min", "max", "mean length"], []);
            table.Rows.Add([episodes.ToString(CultureInfo.InvariantCulture), F(result.Mean), F(result.StdError), F(result.Returns.Min()), F(result.Returns.Max()), F(result.Lengths.Average())]);
            run.Tables.Add(table);
        });
    }

    private static string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
}
