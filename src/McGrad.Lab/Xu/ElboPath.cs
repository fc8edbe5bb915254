using McGrad.Autodiff;
using McGrad.Estimators;
using McGrad.Optim;
using McGrad.Randomness;

namespace McGrad.Lab.Xu;

/// <summary>Settings of <see cref="ElboPath.Run"/>.</summary>
/// <param name="Steps">Adam steps in all (the last checkpoint).</param>
/// <param name="Checkpoints">How many q to record: step 0 and Checkpoints − 1 steps spaced geometrically up to Steps.</param>
/// <param name="SamplesPerStep">Reparameterised draws K per step.</param>
/// <param name="LearningRate">Adam's initial learning rate (cosine-decayed to 1 % of it over the steps).</param>
/// <param name="ElboSamples">Draws for the ELBO estimate recorded at each checkpoint.</param>
public sealed record ElboPathConfig(int Steps = 2000, int Checkpoints = 4, int SamplesPerStep = 16, double LearningRate = 0.05, int ElboSamples = 4096)
{
    /// <summary>
    /// The checkpoint steps: 0, then round(Steps^(k/(Checkpoints − 1))) for k = 1 … Checkpoints − 1 (e.g. 0, 13, 159, 2000),
    /// duplicates removed.
    /// </summary>
    public IReadOnlyList<int> CheckpointSteps()
    {
        var steps = new SortedSet<int> { 0 };
        for (var k = 1; k < Checkpoints; k++)
        {
            steps.Add((int)Math.Round(Math.Pow(Steps, k / (double)(Checkpoints - 1))));
        }

        return [.. steps];
    }
}

/// <summary>
/// The optimisation path along which the variances are measured: maximise the ELBO L(μ, ρ) = E_q[f] + Σᵢ ρᵢ (the
/// entropy up to a constant) from q = N(0, I) with Adam, each step's gradient the library's pathwise estimate with K
/// fresh draws (key.FoldIn(step)) plus the exact entropy gradient. Deterministic for a key.
/// </summary>
public static class ElboPath
{
    /// <summary>Runs the path and returns q at each checkpoint step, with an ELBO estimate.</summary>
    /// <param name="model">The log joint f.</param>
    /// <param name="config">Steps, checkpoints, K, learning rate.</param>
    /// <param name="key">The root key: step t uses key.FoldIn(t), the ELBO estimate at checkpoint t key.FoldIn(t).FoldIn(1).</param>
    /// <param name="onStep">Called after each step with the step count (for progress), or null.</param>
    /// <param name="cancel">Stops between steps; the checkpoints reached so far are returned.</param>
    public static IReadOnlyList<VariationalPoint> Run(ILogJoint model, ElboPathConfig config, RngKey key, Action<int>? onStep = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfLessThan(config.Steps, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(config.Checkpoints, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(config.SamplesPerStep, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(config.ElboSamples, 2);
        var d = model.Dimension;
        var mean = Tensor.Zeros([d], DType.Float64).RequireGrad();
        var logScale = Tensor.Zeros([d], DType.Float64).RequireGrad();
        var optimizer = new Optimizer([mean, logScale], Transforms.Adam(Schedule.Cosine(config.LearningRate, Math.Max(config.Steps, 1), config.LearningRate / 100)));
        var estimator = new Pathwise(config.SamplesPerStep);
        Objective f = model.Evaluate;
        var checkpoints = config.CheckpointSteps();
        var points = new List<VariationalPoint>();
        for (var step = 0; step <= config.Steps; step++)
        {
            if (checkpoints.Contains(step))
            {
                points.Add(Checkpoint(model, step, mean, logScale, config.ElboSamples, key.FoldIn((uint)step).FoldIn(1)));
            }

            if (step == config.Steps || cancel.IsCancellationRequested)
            {
                break;
            }

            optimizer.ZeroGrad();
            var estimate = estimator.Estimate(MeanField.Create(mean, logScale), f, key.FoldIn((uint)step));
            var loss = -(estimate.Surrogate + logScale.Sum());
            loss.Backward();
            optimizer.Step();
            onStep?.Invoke(step + 1);
        }

        return points;
    }

    /// <summary>q at a checkpoint: copies of μ and ρ and the ELBO estimated from <paramref name="samples"/> draws.</summary>
    private static VariationalPoint Checkpoint(ILogJoint model, int step, Tensor mean, Tensor logScale, int samples, RngKey key)
    {
        using (Autograd.NoGrad())
        {
            var q = MeanField.Create(mean.Detach(), logScale.Detach());
            var values = new List<double>(samples);
            for (var done = 0; done < samples;)
            {
                var n = Math.Min(model.Chunk, samples - done);
                values.AddRange(model.Evaluate(q.Sample(key.FoldIn((uint)done), [n])).ToDoubleArray());
                done += n;
            }

            var (mc, se) = Stats.MeanAndStdError(values);
            var entropy = logScale.Detach().Sum().Item();
            return new VariationalPoint(step, mean.ToDoubleArray(), logScale.ToDoubleArray(), mc + entropy, se, samples);
        }
    }
}
