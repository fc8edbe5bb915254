using System.Globalization;
using McGrad.Autodiff;
using McGrad.Nn;
using McGrad.Randomness;
using McGrad.Rl.Policies;

namespace McGrad.Rl.Training;

/// <summary>
/// A trained agent saved as safetensors (the <see cref="ActorCritic"/> state dict, PyTorch-compatible names) with the
/// metadata needed to rebuild it: the environment id, the hidden width and the format version.
/// </summary>
public static class PolicyCheckpoint
{
    private const string Format = "mcgrad-actor-critic-1";

    /// <summary>Writes <paramref name="agent"/> for <paramref name="environmentId"/> to <paramref name="path"/>.</summary>
    public static void Save(string path, ActorCritic agent, string environmentId, int hidden)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(environmentId);
        agent.Save(path, new Dictionary<string, string>
        {
            ["format"] = Format,
            ["env"] = environmentId,
            ["hidden"] = hidden.ToString(CultureInfo.InvariantCulture),
        });
    }

    /// <summary>Reads a checkpoint written by <see cref="Save"/>: the agent and its environment id.</summary>
    /// <exception cref="InvalidDataException">The file is not such a checkpoint, names an unknown environment, or its
    /// tensors do not fit the agent (the message names the file and the problem).</exception>
    public static (ActorCritic Agent, string EnvironmentId) Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        IReadOnlyDictionary<string, string> meta;
        Dictionary<string, Tensor> tensors;
        try
        {
            tensors = SafeTensors.Load(path, out meta);
        }
        catch (Exception ex) when (ex is InvalidDataException or ArgumentException or IOException or FormatException or System.Text.Json.JsonException)
        {
            throw new InvalidDataException($"{path}: not a readable safetensors checkpoint ({ex.Message}).", ex);
        }

        if (!meta.TryGetValue("format", out var format) || format != Format)
        {
            throw new InvalidDataException($"{path}: metadata 'format' is {(format is null ? "missing" : $"'{format}'")}; expected '{Format}' (a checkpoint written by PolicyCheckpoint.Save).");
        }

        if (!meta.TryGetValue("env", out var env) || !Environments.Ids.Contains(env))
        {
            throw new InvalidDataException($"{path}: metadata 'env' is {(env is null ? "missing" : $"'{env}'")}; expected one of {string.Join(", ", Environments.Ids)}.");
        }

        if (!meta.TryGetValue("hidden", out var h) || !int.TryParse(h, NumberStyles.Integer, CultureInfo.InvariantCulture, out var hidden) || hidden < 1)
        {
            throw new InvalidDataException($"{path}: metadata 'hidden' is {(h is null ? "missing" : $"'{h}'")}; expected a positive integer.");
        }

        var probe = Environments.Make(env);
        var dtype = tensors.Values.FirstOrDefault()?.DType ?? DType.Float32;
        var agent = new ActorCritic(probe.ObservationSpace.Size, probe.ActionSpace, new RngKey(0), hidden, dtype);
        try
        {
            agent.LoadStateDict(tensors, strict: true, source: path);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"{path}: the tensors do not fit an ActorCritic for {env} with hidden width {hidden} ({ex.Message}).", ex);
        }

        return (agent, env);
    }
}

/// <summary>The returns of evaluation episodes of a policy.</summary>
/// <param name="Returns">One return per episode.</param>
/// <param name="Lengths">One length per episode.</param>
public sealed record EvaluationResult(IReadOnlyList<double> Returns, IReadOnlyList<int> Lengths)
{
    /// <summary>Mean return.</summary>
    public double Mean => Returns.Average();

    /// <summary>Standard error of the mean return (0 for one episode).</summary>
    public double StdError => Returns.Count < 2 ? 0 : Math.Sqrt(Returns.Sum(r => (r - Mean) * (r - Mean)) / (Returns.Count - 1) / Returns.Count);
}

/// <summary>Runs a policy on fresh episodes of its environment.</summary>
public static class PolicyEvaluation
{
    /// <summary>
    /// <paramref name="episodes"/> episodes of <paramref name="environmentId"/> (with its time limit), episode i reset
    /// from key.FoldIn(i); actions greedy (argmax / Gaussian mean) or sampled from key.FoldIn(i).FoldIn(t), clipped to
    /// a Box. Observations pass through <paramref name="wrap"/> (e.g. the training-time normalisation) when given.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">episodes &lt; 1.</exception>
    public static EvaluationResult Run(ActorCritic agent, string environmentId, int episodes, RngKey key, bool greedy = true, Func<IEnvironment, IEnvironment>? wrap = null)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentOutOfRangeException.ThrowIfLessThan(episodes, 1);
        var env = Environments.Make(environmentId);
        if (wrap is not null)
        {
            env = wrap(env);
        }

        var returns = new List<double>();
        var lengths = new List<int>();
        for (var i = 0; i < episodes; i++)
        {
            var obs = env.Reset(key.FoldIn((uint)i));
            double total = 0;
            var length = 0;
            while (true)
            {
                double[] action;
                using (Autograd.NoGrad())
                {
                    var s = Tensor.FromArray(obs.Select(v => (float)v).ToArray(), 1, obs.Length);
                    var a = greedy ? agent.GreedyAction(s) : agent.Policy(s).Sample(key.FoldIn((uint)i).FoldIn((uint)length));
                    action = a.ToDoubleArray();
                }

                agent.ToEnvironmentActions(action);
                var step = env.Step(action);
                total += step.Reward;
                length++;
                obs = step.Observation;
                if (step.Done)
                {
                    break;
                }
            }

            returns.Add(total);
            lengths.Add(length);
        }

        return new EvaluationResult(returns, lengths);
    }
}
