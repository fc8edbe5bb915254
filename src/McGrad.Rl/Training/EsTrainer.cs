using System.Diagnostics;
using System.Globalization;
using McGrad.Estimators.Evolution;
using McGrad.Nn;
using McGrad.Optim;
using McGrad.Randomness;

namespace McGrad.Rl.Training;

/// <summary>The policy family an <see cref="EsTrainer"/> searches over.</summary>
public enum EsPolicyKind
{
    /// <summary>y = W s + b (no hidden layer), θ = (W, b) initialised to 0.</summary>
    Linear,

    /// <summary>y = Mlp(s), tanh hidden layers of <see cref="EsConfig.Hidden"/> widths, torch.nn.Linear's initialisation.</summary>
    Mlp,
}

/// <summary>
/// A deterministic policy a = act(y), y = f_θ(s), whose parameters are one flat vector θ (the search space of an
/// evolution strategy): f_θ is the <see cref="Nn.Mlp"/> with widths [obs, h₁, …, h_k, A] (Linear: [obs, A]) and tanh
/// between layers; θ holds, layer by layer, the weight W [out, in] row-major and then the bias b [out].
/// act(y) = start + argmax_j y_j for Discrete(N) (A = N; ties go to the lowest index); for a Box of dimension A,
/// clip(y, low, high) for the linear policy and low + (tanh(y) + 1)/2·(high − low) for the MLP.
/// </summary>
/// <remarks>
/// The forward pass is hand-written over spans (no tensors, no allocation per step) because ES evaluates it millions of
/// times; <see cref="ToMlp"/> builds the equivalent <see cref="Nn.Mlp"/>, and the tests check that the two agree.
/// A Box action space must be bounded.
/// </remarks>
public sealed class EsPolicy
{
    private readonly int[] _sizes;
    private readonly double[] _low;
    private readonly double[] _high;

    /// <summary>A policy of <paramref name="kind"/> from observations of <paramref name="observationSize"/> values to <paramref name="actionSpace"/>.</summary>
    /// <param name="kind">Linear or MLP.</param>
    /// <param name="observationSize">Observation length ≥ 1.</param>
    /// <param name="actionSpace">A <see cref="DiscreteSpace"/> or a bounded <see cref="BoxSpace"/>.</param>
    /// <param name="hidden">Hidden widths of the MLP (each ≥ 1, at least one); ignored for Linear.</param>
    /// <exception cref="ArgumentException">Unbounded Box, another space, an empty or non-positive hidden list for the MLP.</exception>
    /// <exception cref="ArgumentOutOfRangeException">observationSize &lt; 1 or an undefined kind.</exception>
    public EsPolicy(EsPolicyKind kind, int observationSize, Space actionSpace, IReadOnlyList<int>? hidden = null)
    {
        ArgumentNullException.ThrowIfNull(actionSpace);
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, $"EsPolicy: unknown policy kind {kind}; expected {string.Join(" or ", Enum.GetNames<EsPolicyKind>())}.");
        }

        if (observationSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(observationSize), observationSize, $"EsPolicy: observationSize must be ≥ 1, got {observationSize}.");
        }

        int outputs;
        switch (actionSpace)
        {
            case DiscreteSpace d:
                outputs = d.N;
                Start = d.Start;
                _low = _high = [];
                break;
            case BoxSpace b when b.IsBounded:
                outputs = b.Size;
                _low = b.Low.ToArray();
                _high = b.High.ToArray();
                break;
            default:
                throw new ArgumentException($"EsPolicy: the action space must be Discrete or a bounded Box, got {actionSpace}.", nameof(actionSpace));
        }

        if (kind == EsPolicyKind.Mlp && (hidden is null || hidden.Count == 0 || hidden.Any(h => h < 1)))
        {
            throw new ArgumentException($"EsPolicy: the MLP policy needs at least one hidden width, each ≥ 1; got [{(hidden is null ? "" : string.Join(", ", hidden))}].", nameof(hidden));
        }

        Kind = kind;
        ActionSpace = actionSpace;
        _sizes = kind == EsPolicyKind.Linear ? [observationSize, outputs] : [observationSize, .. hidden!, outputs];
        ParameterCount = 0;
        for (var i = 0; i + 1 < _sizes.Length; i++)
        {
            ParameterCount += (_sizes[i] + 1) * _sizes[i + 1];
        }

        ScratchSize = 2 * _sizes.Max();
    }

    /// <summary>Parses a policy kind name, <c>linear</c> or <c>mlp</c> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Any other name; the message lists the valid ones.</exception>
    public static EsPolicyKind ParseKind(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.ToLowerInvariant() switch
        {
            "linear" => EsPolicyKind.Linear,
            "mlp" => EsPolicyKind.Mlp,
            _ => throw new ArgumentException($"Unknown ES policy kind '{name}'; expected 'linear' or 'mlp'.", nameof(name)),
        };
    }

    /// <summary>The policy family.</summary>
    public EsPolicyKind Kind { get; }

    /// <summary>The action space actions are mapped into.</summary>
    public Space ActionSpace { get; }

    /// <summary>The first discrete action (0 for a Box).</summary>
    public int Start { get; }

    /// <summary>Layer widths [obs, h₁, …, h_k, A].</summary>
    public IReadOnlyList<int> Sizes => _sizes;

    /// <summary>d = Σ_layers (in + 1)·out, the length of θ.</summary>
    public int ParameterCount { get; }

    /// <summary>The scratch length <see cref="Act"/> needs (2 · the widest layer).</summary>
    public int ScratchSize { get; }

    /// <summary>
    /// θ₀: zeros for Linear (every action scores 0, so the first discrete action is taken: a null policy that ES
    /// perturbs symmetrically); for the MLP, the flattened parameters of <c>new Mlp(Sizes, Tanh, key)</c>.
    /// </summary>
    public double[] InitialParameters(RngKey key)
    {
        if (Kind == EsPolicyKind.Linear)
        {
            return new double[ParameterCount];
        }

        var mlp = new Nn.Mlp(_sizes, Activation.Tanh, key, dtype: DType.Float64);
        var theta = new double[ParameterCount];
        var offset = 0;
        foreach (var layer in mlp.Layers)
        {
            var w = layer.Weight.ToDoubleArray();
            w.CopyTo(theta, offset);
            offset += w.Length;
            var b = layer.Bias!.ToDoubleArray();
            b.CopyTo(theta, offset);
            offset += b.Length;
        }

        return theta;
    }

    /// <summary>The <see cref="Nn.Mlp"/> (Float64, tanh hidden activation) whose parameters are θ: y = f_θ(s) before act.</summary>
    /// <exception cref="ArgumentException">θ does not have <see cref="ParameterCount"/> values.</exception>
    public Nn.Mlp ToMlp(ReadOnlySpan<double> theta)
    {
        CheckTheta(theta, nameof(theta));
        var mlp = new Nn.Mlp(_sizes, Activation.Tanh, new RngKey(0), dtype: DType.Float64);
        var state = new Dictionary<string, Tensor>();
        var offset = 0;
        for (var l = 0; l + 1 < _sizes.Length; l++)
        {
            int n = _sizes[l], m = _sizes[l + 1];
            state[$"{2 * l}.weight"] = Tensor.FromArray(theta.Slice(offset, n * m).ToArray(), m, n);
            offset += n * m;
            state[$"{2 * l}.bias"] = Tensor.FromArray(theta.Slice(offset, m).ToArray(), m);
            offset += m;
        }

        mlp.LoadStateDict(state);
        return mlp;
    }

    /// <summary>
    /// Writes act(f_θ(s)) into <paramref name="action"/> (one value for Discrete, A for a Box), using
    /// <paramref name="scratch"/> (≥ <see cref="ScratchSize"/> values) for the layer outputs.
    /// </summary>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public void Act(ReadOnlySpan<double> theta, ReadOnlySpan<double> observation, Span<double> action, Span<double> scratch)
    {
        CheckTheta(theta, nameof(theta));
        if (observation.Length != _sizes[0])
        {
            throw new ArgumentException($"EsPolicy.Act: observation has {observation.Length} values; expected {_sizes[0]}.", nameof(observation));
        }

        var actionSize = ActionSpace.Size;
        if (action.Length != actionSize)
        {
            throw new ArgumentException($"EsPolicy.Act: action has {action.Length} values; expected {actionSize} for {ActionSpace}.", nameof(action));
        }

        if (scratch.Length < ScratchSize)
        {
            throw new ArgumentException($"EsPolicy.Act: scratch has {scratch.Length} values; expected at least {ScratchSize}.", nameof(scratch));
        }

        var width = _sizes.Max();
        var input = observation;
        var offset = 0;
        var layers = _sizes.Length - 1;
        Span<double> y = default;
        for (var l = 0; l < layers; l++)
        {
            int n = _sizes[l], m = _sizes[l + 1];
            y = scratch.Slice((l % 2) * width, m);
            var w = theta.Slice(offset, n * m);
            var b = theta.Slice(offset + (n * m), m);
            offset += (n + 1) * m;
            for (var j = 0; j < m; j++)
            {
                var row = w.Slice(j * n, n);
                var sum = b[j];
                for (var k = 0; k < n; k++)
                {
                    sum += row[k] * input[k];
                }

                y[j] = l < layers - 1 ? Math.Tanh(sum) : sum;
            }

            input = y;
        }

        if (ActionSpace is DiscreteSpace)
        {
            var best = 0;
            for (var j = 1; j < y.Length; j++)
            {
                if (y[j] > y[best])
                {
                    best = j;
                }
            }

            action[0] = Start + best;
            return;
        }

        for (var j = 0; j < y.Length; j++)
        {
            action[j] = Kind == EsPolicyKind.Linear
                ? Math.Clamp(y[j], _low[j], _high[j])
                : _low[j] + ((Math.Tanh(y[j]) + 1) / 2 * (_high[j] - _low[j]));
        }
    }

    /// <summary>
    /// The return Σ_t r_t of one episode of <paramref name="env"/> (with its time limit) under θ, reset from
    /// <paramref name="key"/>, and its length.
    /// </summary>
    /// <exception cref="ArgumentException">θ has the wrong length, or the environment's spaces do not match the policy.</exception>
    public (double Return, int Length) Episode(IEnvironment env, ReadOnlySpan<double> theta, RngKey key)
    {
        ArgumentNullException.ThrowIfNull(env);
        if (env.ObservationSpace.Size != _sizes[0] || env.ActionSpace.Size != ActionSpace.Size)
        {
            throw new ArgumentException($"EsPolicy.Episode: {env.Id} has observations of {env.ObservationSpace.Size} values and actions in {env.ActionSpace}; the policy expects {_sizes[0]} and {ActionSpace}.", nameof(env));
        }

        Span<double> obs = stackalloc double[_sizes[0]];
        Span<double> action = stackalloc double[ActionSpace.Size];
        Span<double> scratch = ScratchSize <= 1024 ? stackalloc double[ScratchSize] : new double[ScratchSize];
        env.ResetInto(key, obs);
        double total = 0;
        var length = 0;
        while (true)
        {
            Act(theta, obs, action, scratch);
            var t = env.StepInto(action, obs);
            total += t.Reward;
            length++;
            if (t.Done)
            {
                return (total, length);
            }
        }
    }

    private void CheckTheta(ReadOnlySpan<double> theta, string name)
    {
        if (theta.Length != ParameterCount)
        {
            throw new ArgumentException($"EsPolicy: θ has {theta.Length} values; the {Kind} policy with widths [{string.Join(", ", _sizes)}] has {ParameterCount} parameters.", name);
        }
    }
}

/// <summary>
/// Every hyperparameter of an <see cref="EsTrainer"/> run: the policy, the population (antithetic pairs), σ, the
/// Adam learning rate, fitness shaping, L2 decay, the episodes per candidate and per evaluation, and the generations.
/// </summary>
/// <remarks>
/// Salimans, Ho, Chen, Sidor and Sutskever (2017, "Evolution strategies as a scalable alternative to reinforcement
/// learning") used antithetic sampling, centred ranks, Adam, σ = 0.02 and L2 decay 0.005 on MuJoCo with observation
/// normalisation. On classic control with a linear policy from θ₀ = 0 a larger σ explores more per generation;
/// <see cref="CartPoleLinear"/> states the values measured to reach 500 (docs/rl.md).
/// </remarks>
public sealed record EsConfig
{
    /// <summary>Policy family (default Linear).</summary>
    public EsPolicyKind Policy { get; init; } = EsPolicyKind.Linear;

    /// <summary>Hidden widths of the MLP policy (default [16, 16], tanh).</summary>
    public IReadOnlyList<int> Hidden { get; init; } = [16, 16];

    /// <summary>Antithetic pairs per generation m; the population is n = 2m candidates θ ± σε_i (default 50).</summary>
    public int Pairs { get; init; } = 50;

    /// <summary>Noise scale σ of the search distribution N(θ, σ²I) (default 0.1).</summary>
    public double Sigma { get; init; } = 0.1;

    /// <summary>Adam learning rate on the ascent direction ĝ (default 0.05).</summary>
    public double LearningRate { get; init; } = 0.05;

    /// <summary>Fitness shaping of the candidates' returns (default centred ranks, as in Salimans et al. 2017).</summary>
    public FitnessShaping Shaping { get; init; } = FitnessShaping.CentredRanks;

    /// <summary>L2 weight decay λ, coupled into Adam (default 0; Salimans et al.: 0.005).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Episodes per candidate; its fitness is their mean return (default 1).</summary>
    public int EpisodesPerCandidate { get; init; } = 1;

    /// <summary>Episodes of the un-perturbed θ evaluated after every generation (default 10).</summary>
    public int EvaluationEpisodes { get; init; } = 10;

    /// <summary>Generations (ask/tell steps) (default 100).</summary>
    public int Generations { get; init; } = 100;

    /// <summary>
    /// The target configuration for CartPole-v1 with a linear policy: 50 antithetic pairs, σ = 0.1, Adam lr 0.05,
    /// centred ranks, no decay, 1 episode per candidate, 10 evaluation episodes, 100 generations.
    /// </summary>
    public static EsConfig CartPoleLinear { get; } = new();

    /// <summary>The MLP ([16, 16] tanh) variant of <see cref="CartPoleLinear"/> (same σ, lr, population).</summary>
    public static EsConfig CartPoleMlp { get; } = new() { Policy = EsPolicyKind.Mlp };

    /// <summary>The population size n = 2·<see cref="Pairs"/>.</summary>
    public int PopulationSize => 2 * Pairs;

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the property, its value and the range.</exception>
    public void Validate()
    {
        static void Check(bool ok, string name, object value, string expected)
        {
            if (!ok)
            {
                throw new ArgumentException($"EsConfig.{name} = {Convert.ToString(value, CultureInfo.InvariantCulture)}: expected {expected}.", name);
            }
        }

        Check(Enum.IsDefined(Policy), nameof(Policy), Policy, "Linear or Mlp");
        Check(Hidden is not null && (Policy != EsPolicyKind.Mlp || (Hidden.Count > 0 && Hidden.All(h => h >= 1))), nameof(Hidden), Hidden is null ? "null" : $"[{string.Join(", ", Hidden)}]", "at least one hidden width ≥ 1 for the MLP policy");
        Check(Pairs >= 1, nameof(Pairs), Pairs, "≥ 1");
        Check(Sigma > 0 && double.IsFinite(Sigma), nameof(Sigma), Sigma, "finite and > 0");
        Check(LearningRate >= 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "finite and ≥ 0");
        Check(Enum.IsDefined(Shaping), nameof(Shaping), Shaping, "None, CentredRanks or Standardise");
        Check(WeightDecay >= 0 && double.IsFinite(WeightDecay), nameof(WeightDecay), WeightDecay, "finite and ≥ 0");
        Check(EpisodesPerCandidate >= 1, nameof(EpisodesPerCandidate), EpisodesPerCandidate, "≥ 1");
        Check(EvaluationEpisodes >= 1, nameof(EvaluationEpisodes), EvaluationEpisodes, "≥ 1");
        Check(Generations >= 0, nameof(Generations), Generations, "≥ 0");
    }
}

/// <summary>One generation of an ES run: the return of the un-perturbed θ after it, and the population's returns.</summary>
/// <param name="Generation">Generations completed (0 = θ₀ before any update).</param>
/// <param name="Steps">Environment steps of the candidates so far (evaluation episodes not counted).</param>
/// <param name="EvaluationSteps">Environment steps of the evaluation episodes so far.</param>
/// <param name="Return">Mean return of the un-perturbed θ over <see cref="EsConfig.EvaluationEpisodes"/> episodes.</param>
/// <param name="ReturnStdError">Standard error of that mean (0 for one episode).</param>
/// <param name="PopulationMean">Mean fitness of this generation's candidates (NaN for generation 0).</param>
/// <param name="PopulationMax">Best candidate fitness (NaN for generation 0).</param>
/// <param name="Seconds">Wall-clock seconds since the run started.</param>
public sealed record EsGeneration(int Generation, long Steps, long EvaluationSteps, double Return, double ReturnStdError, double PopulationMean, double PopulationMax, double Seconds);

/// <summary>The outcome of an ES run: one record per generation (0 … G), the final θ and the throughput.</summary>
/// <param name="Generations">Records for generations 0 … G.</param>
/// <param name="Theta">The final θ.</param>
/// <param name="Policy">The policy θ parameterises.</param>
/// <param name="StepsPerSecond">All environment steps (candidates and evaluation) per wall-clock second.</param>
public sealed record EsRun(IReadOnlyList<EsGeneration> Generations, double[] Theta, EsPolicy Policy, double StepsPerSecond)
{
    /// <summary>The mean evaluation return of the final θ.</summary>
    public double FinalReturn => Generations[^1].Return;

    /// <summary>The first generation g ≥ 0 whose un-perturbed return is ≥ <paramref name="target"/>, or null if none.</summary>
    public int? GenerationsTo(double target) => Generations.FirstOrDefault(g => g.Return >= target)?.Generation;
}

/// <summary>
/// Evolution strategies on a policy's parameters (Salimans et al. 2017), using the library's ask/tell
/// <see cref="EvolutionStrategy"/>: for each generation t, ask the 2m candidates θ ± σε_i; run each for
/// <see cref="EsConfig.EpisodesPerCandidate"/> episodes (in parallel) and take F_i = its mean return; tell F, which
/// steps θ with Adam along ĝ = (1/(mσ)) Σ_i w_i ε_i (w from the shaped F of each pair); then evaluate θ.
/// </summary>
/// <remarks>
/// <para><b>Determinism.</b> ES noise comes from key.FoldIn(0) (generation t: FoldIn(t), inside EvolutionStrategy); the
/// MLP's θ₀ from key.FoldIn(3). Episode e of both candidates of pair i (θ + σε_i and θ − σε_i) in generation t resets
/// from key.FoldIn(1).FoldIn(t).FoldIn(i).FoldIn(e) (common random numbers within a pair); evaluation episode e after
/// generation t from key.FoldIn(2).FoldIn(t).FoldIn(e). Every candidate is run on its own environment and writes its
/// own slot, so the run is bit-identical for any <see cref="Threads"/>.</para>
/// <para><b>Parallelism.</b> Candidates (and evaluation episodes) are spread over <see cref="Threads"/> workers with
/// Parallel.For(MaxDegreeOfParallelism = Threads); the default is Environment.ProcessorCount.</para>
/// </remarks>
public sealed class EsTrainer
{
    private readonly RngKey _key;

    /// <summary>A trainer for <paramref name="environmentId"/> (see <see cref="Environments.Ids"/>).</summary>
    /// <param name="environmentId">The environment, made with its Gymnasium time limit.</param>
    /// <param name="config">The hyperparameters (validated).</param>
    /// <param name="key">The key of the whole run.</param>
    /// <param name="threads">Workers for the population, ≥ 1 (default: Environment.ProcessorCount); the result does not depend on it.</param>
    /// <exception cref="ArgumentException">Unknown environment id (the message lists the valid ones), an invalid config, or an
    /// unsupported action space.</exception>
    /// <exception cref="ArgumentOutOfRangeException">threads &lt; 1.</exception>
    public EsTrainer(string environmentId, EsConfig config, RngKey key, int? threads = null)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var t = threads ?? Environment.ProcessorCount;
        if (t < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(threads), t, $"EsTrainer: threads must be ≥ 1, got {t}.");
        }

        var env = Environments.Make(environmentId);
        EnvironmentId = environmentId;
        Config = config;
        Threads = t;
        _key = key;
        Policy = new EsPolicy(config.Policy, env.ObservationSpace.Size, env.ActionSpace, config.Hidden);
    }

    /// <summary>The environment id.</summary>
    public string EnvironmentId { get; }

    /// <summary>The configuration.</summary>
    public EsConfig Config { get; }

    /// <summary>Parallel.For's MaxDegreeOfParallelism for candidates and evaluation episodes.</summary>
    public int Threads { get; }

    /// <summary>The policy whose parameters are searched.</summary>
    public EsPolicy Policy { get; }

    /// <summary>Runs <see cref="EsConfig.Generations"/> generations; <paramref name="progress"/> is called after θ₀'s evaluation and after each generation.</summary>
    public EsRun Train(Action<EsGeneration>? progress = null, CancellationToken cancel = default)
    {
        var c = Config;
        int d = Policy.ParameterCount, n = c.PopulationSize, m = c.Pairs;
        var theta0 = Tensor.FromArray(Policy.InitialParameters(_key.FoldIn(3)), d);
        var es = new EvolutionStrategy(theta0, c.Sigma, n, Transforms.Adam(c.LearningRate), _key.FoldIn(0), antithetic: true, c.Shaping, c.WeightDecay);
        var options = new ParallelOptions { MaxDegreeOfParallelism = Threads };
        var records = new List<EsGeneration>();
        var fitness = new double[n];
        var candidateSteps = new long[n];
        long steps = 0, evalSteps = 0;
        var clock = Stopwatch.StartNew();
        var theta = theta0.ToDoubleArray();

        void Evaluate(int generation, double popMean, double popMax)
        {
            var returns = new double[c.EvaluationEpisodes];
            var lengths = new long[c.EvaluationEpisodes];
            var evalKey = _key.FoldIn(2).FoldIn((uint)generation);
            Parallel.For(0, c.EvaluationEpisodes, options, e =>
            {
                var (r, l) = Policy.Episode(Environments.Make(EnvironmentId), theta, evalKey.FoldIn((uint)e));
                returns[e] = r;
                lengths[e] = l;
            });
            evalSteps += lengths.Sum();
            var mean = returns.Average();
            var se = returns.Length < 2 ? 0 : Math.Sqrt(returns.Sum(r => (r - mean) * (r - mean)) / (returns.Length - 1) / returns.Length);
            var record = new EsGeneration(generation, steps, evalSteps, mean, se, popMean, popMax, clock.Elapsed.TotalSeconds);
            records.Add(record);
            progress?.Invoke(record);
        }

        Evaluate(0, double.NaN, double.NaN);
        for (var g = 0; g < c.Generations && !cancel.IsCancellationRequested; g++)
        {
            var population = es.Ask().ToDoubleArray();
            var genKey = _key.FoldIn(1).FoldIn((uint)g);
            Parallel.For(0, n, options, i =>
            {
                var env = Environments.Make(EnvironmentId);
                var x = population.AsSpan(i * d, d);
                var pairKey = genKey.FoldIn((uint)(i % m));
                double total = 0;
                long length = 0;
                for (var e = 0; e < c.EpisodesPerCandidate; e++)
                {
                    var (r, l) = Policy.Episode(env, x, pairKey.FoldIn((uint)e));
                    total += r;
                    length += l;
                }

                fitness[i] = total / c.EpisodesPerCandidate;
                candidateSteps[i] = length;
            });
            steps += candidateSteps.Sum();
            es.Tell(Tensor.FromArray((double[])fitness.Clone(), n));
            theta = es.Theta.ToDoubleArray();
            Evaluate(g + 1, fitness.Average(), fitness.Max());
        }

        var seconds = clock.Elapsed.TotalSeconds;
        return new EsRun(records, theta, Policy, seconds > 0 ? (steps + evalSteps) / seconds : double.NaN);
    }
}
