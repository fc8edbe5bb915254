using System.Globalization;
using McGrad.Randomness;

namespace McGrad.Lab.Blr;

/// <summary>Settings of <see cref="BlrExperiment.Run"/>.</summary>
/// <param name="Training">The training configuration (mc_gradients' defaults).</param>
/// <param name="Seeds">Training runs per estimator.</param>
/// <param name="Estimators">Estimator ids (<see cref="BlrEstimators.Ids"/>).</param>
/// <param name="Estimates">N, K-sample estimates per estimator and checkpoint in the variance basket (0: no basket).</param>
/// <param name="CheckpointSteps">Steps of the reference run (pathwise, seed 0) at which the basket is measured.</param>
public sealed record BlrExperimentConfig(BlrConfig Training, int Seeds, IReadOnlyList<string> Estimators, int Estimates, IReadOnlyList<int> CheckpointSteps)
{
    /// <summary>Progress units: the anchor, one per EvalEvery steps of each run, one per basket measurement.</summary>
    public int Units => 1 + (Estimators.Count * Seeds * (int)Math.Ceiling(Training.Steps / (double)Training.EvalEvery)) + (Estimates > 0 ? CheckpointSteps.Count * Estimators.Count : 0);
}

/// <summary>The basket at one checkpoint: q, its ELBO, and each estimator's variances.</summary>
/// <param name="Point">q and the moving average there.</param>
/// <param name="Elbo">The deterministic ELBO at q.</param>
/// <param name="Entries">One per estimator.</param>
public sealed record BasketCheckpoint(BlrCheckpoint Point, double Elbo, IReadOnlyList<BasketEntry> Entries);

/// <summary>Everything the BLR workload measured.</summary>
/// <param name="Anchor">The deterministic optimum of the mean-field ELBO.</param>
/// <param name="Runs">The training runs.</param>
/// <param name="Basket">The variance basket at the checkpoints of the reference run.</param>
/// <param name="Config">The settings.</param>
public sealed record BlrResult(ElboOptimum Anchor, IReadOnlyList<BlrRun> Runs, IReadOnlyList<BasketCheckpoint> Basket, BlrExperimentConfig Config);

/// <summary>
/// The Bayesian logistic regression workload: the deterministic anchor (Gauss–Hermite + L-BFGS), the reference run
/// (pathwise, seed 0) with its checkpoints, the variance basket at them, then the other training runs. Keys: run
/// (estimator e, seed s) uses key.FoldIn(1).FoldIn(s) — the same minibatches and step keys for every estimator of a
/// seed — and the basket at checkpoint c key.FoldIn(2).FoldIn(c) for every estimator (common random numbers).
/// </summary>
public static class BlrExperiment
{
    /// <summary>Runs the workload.</summary>
    public static BlrResult Run(BlrData data, BlrExperimentConfig config, RngKey key, Action<string>? onUnit = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(config);
        onUnit?.Invoke("deterministic anchor (Gauss–Hermite + L-BFGS)");
        var elbo = new DeterministicElbo(data);
        var anchor = elbo.Maximise();
        var runs = new List<BlrRun>();
        var basket = new List<BasketCheckpoint>();
        var t = config.Training;
        BlrRun Train(string id, int seed, IReadOnlyCollection<int>? checkpoints) => BlrTraining.Run(data, elbo, id, seed, t, key.FoldIn(1).FoldIn((uint)seed), checkpoints, done =>
        {
            if (done % t.EvalEvery == 0 && done < t.Steps)
            {
                onUnit?.Invoke($"{BlrEstimators.Label(id)}, seed {seed}: step {done.ToString("N0", CultureInfo.InvariantCulture)}/{t.Steps.ToString("N0", CultureInfo.InvariantCulture)}");
            }
        }, cancel);

        onUnit?.Invoke($"pathwise, seed 0 (reference run): step 0/{t.Steps}");
        var reference = Train("pathwise", 0, [.. config.CheckpointSteps]);
        if (config.Estimators.Contains("pathwise"))
        {
            runs.Add(reference);
        }

        if (config.Estimates > 0)
        {
            for (var c = 0; c < reference.Checkpoints.Count && !cancel.IsCancellationRequested; c++)
            {
                var point = reference.Checkpoints[c];
                var entries = new List<BasketEntry>();
                foreach (var id in config.Estimators)
                {
                    if (cancel.IsCancellationRequested)
                    {
                        break;
                    }

                    onUnit?.Invoke($"variance basket at step {point.Step}: {BlrEstimators.Label(id)} ({config.Estimates.ToString("N0", CultureInfo.InvariantCulture)} estimates)");
                    entries.Add(VarianceBasket.Measure(id, data, t, point.Mean, point.LogScale, point.MovingAverage, key.FoldIn(2).FoldIn((uint)c), config.Estimates));
                }

                basket.Add(new BasketCheckpoint(point, elbo.Evaluate(point.Mean, point.LogScale).Value, entries));
            }
        }

        foreach (var id in config.Estimators)
        {
            for (var seed = 0; seed < config.Seeds && !cancel.IsCancellationRequested; seed++)
            {
                if (id == "pathwise" && seed == 0)
                {
                    continue;
                }

                onUnit?.Invoke($"{BlrEstimators.Label(id)}, seed {seed}: step 0/{t.Steps}");
                runs.Add(Train(id, seed, null));
            }
        }

        return new BlrResult(anchor, runs, basket, config);
    }
}
