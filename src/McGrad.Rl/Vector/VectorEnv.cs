using System.Globalization;
using McGrad.Randomness;

namespace McGrad.Rl;

/// <summary>
/// The result of one <see cref="VectorEnv"/> step over N copies: observations as an [N, obsSize] row-major float64
/// array, per-copy rewards and flags, and for copies whose episode ended at this step the real final observation and
/// the episode's statistics (autoreset mode SAME_STEP: see <see cref="VectorEnv"/>).
/// </summary>
public sealed class VectorStep
{
    /// <summary>Buffers for <paramref name="count"/> copies with observations of <paramref name="observationSize"/> values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public VectorStep(int count, int observationSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(observationSize);
        Count = count;
        ObservationSize = observationSize;
        Observations = new double[count * observationSize];
        Rewards = new double[count];
        Terminated = new bool[count];
        Truncated = new bool[count];
        FinalObservations = new double[]?[count];
        Episodes = new EpisodeStatistics?[count];
    }

    /// <summary>N, the number of copies.</summary>
    public int Count { get; }

    /// <summary>The size of one observation.</summary>
    public int ObservationSize { get; }

    /// <summary>
    /// Row i (elements [i·obsSize, (i+1)·obsSize)) is copy i's current observation: the next observation, or — when copy i's
    /// episode ended at this step — the first observation of its new episode.
    /// </summary>
    public double[] Observations { get; }

    /// <summary>Reward of each copy's transition.</summary>
    public double[] Rewards { get; }

    /// <summary>Copy i's transition reached a terminal state.</summary>
    public bool[] Terminated { get; }

    /// <summary>Copy i's episode was truncated (time limit) at this step.</summary>
    public bool[] Truncated { get; }

    /// <summary>For a copy whose episode ended at this step (terminated or truncated): the real observation it ended on
    /// (Gymnasium's <c>info["final_obs"]</c>); null for the others. Bootstrap a truncated copy from V(final observation).</summary>
    public double[]?[] FinalObservations { get; }

    /// <summary>For a copy whose episode ended at this step: its return and length (when the copies record them); else null.</summary>
    public EpisodeStatistics?[] Episodes { get; }

    /// <summary>Terminated or truncated.</summary>
    public bool Done(int i) => Terminated[i] || Truncated[i];

    /// <summary>Copy i's observation row.</summary>
    public ReadOnlySpan<double> Observation(int i) => Observations.AsSpan(i * ObservationSize, ObservationSize);

    /// <summary>The observations as an [N, obsSize] float64 tensor sharing <see cref="Observations"/> (no copy: it changes when
    /// this buffer is reused for a later step).</summary>
    public Tensor ObservationTensor() => Tensor.Wrap(Observations, Count, ObservationSize);
}

/// <summary>
/// N copies of an environment stepped together, deterministic from one key, with Gymnasium 1.x's SAME_STEP autoreset:
/// when a copy's episode ends at a step, it is reset within that same step; the step reports its reward and flags, its
/// real final observation in <see cref="VectorStep.FinalObservations"/>, and the new episode's first observation in
/// <see cref="VectorStep.Observations"/>.
/// </summary>
/// <remarks>
/// <para><b>Keys.</b> <see cref="Reset(RngKey)"/>(key) gives copy i the key kᵢ = key.FoldIn(i); its e-th episode (e = 0 at
/// <see cref="Reset(RngKey)"/>, then 1, 2, … at each autoreset) starts from kᵢ.FoldIn(e). So a rollout depends on the key and the
/// actions alone — not on the number of threads, nor on which copies finished first.</para>
/// <para><b>Why SAME_STEP.</b> Gymnasium 1.x offers NEXT_STEP (its default: the step after a done step is a reset
/// step whose action is ignored and whose reward is 0), SAME_STEP (reset inside the done step; the final observation is
/// in <c>info["final_obs"]</c>) and DISABLED (the user resets copies). SAME_STEP keeps every step a real transition, so a
/// rollout buffer of T steps holds T·N transitions with no masked "reset steps", and the observation after every step is
/// the one the policy acts on next. The final observation is still at hand for the one place it is needed: on
/// truncation, the return must be bootstrapped from V(final observation) — the state where the time limit cut the
/// episode — not from the new episode's first observation and not from 0 (treating truncation as termination, as
/// CleanRL does, biases values towards the time limit).</para>
/// <para><b>Threads.</b> With <c>maxParallelism</c> &gt; 1 the copies are stepped in up to that many contiguous chunks
/// in parallel; the results are identical to sequential stepping. Actions are validated for all copies before any copy
/// steps, so an error leaves every copy unchanged.</para>
/// </remarks>
public sealed class VectorEnv
{
    private readonly IEnvironment[] envs;
    private readonly RngKey[] copyKeys;
    private readonly int[] episodeCounts;
    private readonly int maxParallelism;
    private readonly double[] discreteBuffer;
    private bool isReset;

    /// <summary>
    /// Creates <paramref name="count"/> copies from <paramref name="factory"/> (called with the copy index), stepped by up to
    /// <paramref name="maxParallelism"/> threads (1: sequential).
    /// </summary>
    /// <exception cref="ArgumentException">count ≤ 0, maxParallelism ≤ 0, or the copies' spaces differ in size or kind.</exception>
    public VectorEnv(Func<int, IEnvironment> factory, int count, int maxParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (count <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "VectorEnv needs at least one copy.");
        }

        if (maxParallelism <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxParallelism), maxParallelism, "VectorEnv: maxParallelism must be ≥ 1 (1 steps the copies sequentially).");
        }

        envs = new IEnvironment[count];
        for (var i = 0; i < count; i++)
        {
            envs[i] = factory(i) ?? throw new ArgumentException($"VectorEnv: the factory returned null for copy {i}.", nameof(factory));
            if (i > 0 && (envs[i].ObservationSpace.Size != envs[0].ObservationSpace.Size
                || envs[i].ActionSpace.Size != envs[0].ActionSpace.Size
                || envs[i].ActionSpace.GetType() != envs[0].ActionSpace.GetType()))
            {
                throw new ArgumentException(
                    $"VectorEnv: copy {i} ({envs[i].Id}: observation {envs[i].ObservationSpace}, action {envs[i].ActionSpace}) differs from copy 0 ({envs[0].Id}: observation {envs[0].ObservationSpace}, action {envs[0].ActionSpace}).",
                    nameof(factory));
            }
        }

        copyKeys = new RngKey[count];
        episodeCounts = new int[count];
        this.maxParallelism = maxParallelism;
        discreteBuffer = new double[count];
    }

    /// <summary><paramref name="count"/> copies of <see cref="Environments.Make"/>(<paramref name="id"/>) (time limit and episode statistics included).</summary>
    /// <exception cref="ArgumentException">Unknown id (the message lists the valid ids), or count/maxParallelism ≤ 0.</exception>
    public static VectorEnv Make(string id, int count, int maxParallelism = 1)
    {
        _ = Environments.MaxEpisodeSteps(id);
        return new VectorEnv(_ => Environments.Make(id), count, maxParallelism);
    }

    /// <summary>N, the number of copies.</summary>
    public int Count => envs.Length;

    /// <summary>The copies (to read wrapper state such as normalisation statistics; stepping one directly desynchronises this vector env).</summary>
    public IReadOnlyList<IEnvironment> Copies => envs;

    /// <summary>One copy's observation space.</summary>
    public Space SingleObservationSpace => envs[0].ObservationSpace;

    /// <summary>One copy's action space.</summary>
    public Space SingleActionSpace => envs[0].ActionSpace;

    /// <summary>The size of one observation.</summary>
    public int ObservationSize => envs[0].ObservationSpace.Size;

    /// <summary>The size of one action (1 for a discrete action).</summary>
    public int ActionSize => envs[0].ActionSpace.Size;

    /// <summary>Episodes started so far by each copy (1 after <see cref="Reset(RngKey)"/>).</summary>
    public IReadOnlyList<int> EpisodeCounts => episodeCounts;

    /// <summary>Resets every copy (copy i from key.FoldIn(i).FoldIn(0)); returns the [N, obsSize] observations, row-major.</summary>
    public double[] Reset(RngKey key)
    {
        var obs = new double[Count * ObservationSize];
        for (var i = 0; i < Count; i++)
        {
            copyKeys[i] = key.FoldIn((uint)i);
            episodeCounts[i] = 0;
        }

        Run(i => ResetCopy(i, obs.AsSpan(i * ObservationSize, ObservationSize)));
        isReset = true;
        return obs;
    }

    /// <summary><see cref="Reset(RngKey)"/> with <c>new RngKey(seed)</c>.</summary>
    public double[] Reset(ulong seed) => Reset(new RngKey(seed));

    /// <summary>Steps every copy with its action (row i of the [N, actionSize] row-major <paramref name="actions"/>); returns fresh buffers.</summary>
    /// <exception cref="ArgumentException">Wrong length, or some copy's action is outside the action space (the message names the copy).</exception>
    /// <exception cref="InvalidOperationException">Before <see cref="Reset(RngKey)"/>.</exception>
    public VectorStep Step(ReadOnlySpan<double> actions)
    {
        var result = new VectorStep(Count, ObservationSize);
        Step(actions, result);
        return result;
    }

    /// <summary>Steps every copy with a discrete action each; returns fresh buffers.</summary>
    /// <exception cref="ArgumentException">The action space is not discrete, the length is not N, or an action is out of range.</exception>
    /// <exception cref="InvalidOperationException">Before <see cref="Reset(RngKey)"/>.</exception>
    public VectorStep Step(ReadOnlySpan<int> actions)
    {
        var result = new VectorStep(Count, ObservationSize);
        Step(actions, result);
        return result;
    }

    /// <summary>Steps every copy with a discrete action each, writing into <paramref name="result"/> (reused: no allocation but the final observations).</summary>
    /// <exception cref="ArgumentException">As <see cref="Step(ReadOnlySpan{int})"/>, or <paramref name="result"/> has the wrong sizes.</exception>
    public void Step(ReadOnlySpan<int> actions, VectorStep result)
    {
        if (SingleActionSpace is not DiscreteSpace)
        {
            throw new ArgumentException($"VectorEnv: integer actions given, but the action space is {SingleActionSpace}; pass {Count}×{ActionSize} doubles.", nameof(actions));
        }

        if (actions.Length != Count)
        {
            throw new ArgumentException($"VectorEnv: got {actions.Length} actions for {Count} copies.", nameof(actions));
        }

        for (var i = 0; i < Count; i++)
        {
            discreteBuffer[i] = actions[i];
        }

        Step(discreteBuffer, result);
    }

    /// <summary>Steps every copy, writing into <paramref name="result"/> (reused: no allocation but the final observations of copies that finished).</summary>
    /// <exception cref="ArgumentException">As <see cref="Step(ReadOnlySpan{double})"/>, or <paramref name="result"/> has the wrong sizes.</exception>
    /// <exception cref="InvalidOperationException">Before <see cref="Reset(RngKey)"/>.</exception>
    public void Step(ReadOnlySpan<double> actions, VectorStep result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!isReset)
        {
            throw new InvalidOperationException("VectorEnv: Step before Reset; call Reset(key) first.");
        }

        if (result.Count != Count || result.ObservationSize != ObservationSize)
        {
            throw new ArgumentException($"VectorEnv: the result buffers are for {result.Count} copies × {result.ObservationSize} values; this vector env has {Count} × {ObservationSize}.", nameof(result));
        }

        var a = ActionSize;
        if (actions.Length != Count * a)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"VectorEnv: got {actions.Length} action values; {Count} copies × {SingleActionSpace} need {Count * a} ([N, {a}] row-major)."), nameof(actions));
        }

        for (var i = 0; i < Count; i++)
        {
            var ai = actions.Slice(i * a, a);
            if (!envs[i].ActionSpace.Contains(ai))
            {
                try
                {
                    envs[i].ActionSpace.Validate(ai, "action");
                }
                catch (ArgumentException e)
                {
                    throw new ArgumentException($"VectorEnv: copy {i}: {e.Message}", nameof(actions), e);
                }
            }
        }

        var actionArray = actions.ToArray();
        Run(i => StepCopy(i, actionArray, result));
    }

    private void StepCopy(int i, double[] actions, VectorStep result)
    {
        var a = ActionSize;
        var obs = result.Observations.AsSpan(i * ObservationSize, ObservationSize);
        var t = envs[i].StepInto(actions.AsSpan(i * a, a), obs);
        result.Rewards[i] = t.Reward;
        result.Terminated[i] = t.Terminated;
        result.Truncated[i] = t.Truncated;
        result.Episodes[i] = t.Episode;
        if (t.Done)
        {
            result.FinalObservations[i] = obs.ToArray();
            ResetCopy(i, obs);
        }
        else
        {
            result.FinalObservations[i] = null;
        }
    }

    private void ResetCopy(int i, Span<double> obs)
    {
        envs[i].ResetInto(copyKeys[i].FoldIn((uint)episodeCounts[i]), obs);
        episodeCounts[i]++;
    }

    private void Run(Action<int> body)
    {
        var n = Count;
        var chunks = Math.Min(maxParallelism, n);
        if (chunks <= 1)
        {
            for (var i = 0; i < n; i++)
            {
                body(i);
            }

            return;
        }

        try
        {
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, c =>
            {
                var lo = (int)((long)n * c / chunks);
                var hi = (int)((long)n * (c + 1) / chunks);
                for (var i = lo; i < hi; i++)
                {
                    body(i);
                }
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }
}
