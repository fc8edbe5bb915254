using System.Diagnostics;
using McGrad.Data;
using McGrad.Estimators;
using McGrad.Estimators.ScoreFunction;
using McGrad.Lab.Xu;
using McGrad.Optim;
using McGrad.Randomness;

namespace McGrad.Lab.Blr;

/// <summary>q at a step of a training run, with the moving average of the per-step f estimates up to that step.</summary>
/// <param name="Step">Steps taken.</param>
/// <param name="Mean">μ.</param>
/// <param name="LogScale">ρ = log σ.</param>
/// <param name="MovingAverage">b: the moving average (decay of the config) of Ĵ = mean_k f(x_k) over the steps before,
/// the value a moving-average baseline following this run would hold (0 at step 0, as the baseline's initial state).</param>
public sealed record BlrCheckpoint(int Step, double[] Mean, double[] LogScale, double MovingAverage);

/// <summary>One training run.</summary>
/// <param name="Id">The estimator id.</param>
/// <param name="Seed">The run's seed index.</param>
/// <param name="Steps">Steps at which the ELBO was recorded.</param>
/// <param name="Elbo">The full-data ELBO there (deterministic, Gauss–Hermite).</param>
/// <param name="Final">The final q's ELBO (NaN if the run diverged).</param>
/// <param name="StepsDone">Steps completed (fewer than configured if cancelled or diverged).</param>
/// <param name="Diverged">q became non-finite.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="Checkpoints">q at the requested steps.</param>
public sealed record BlrRun(string Id, int Seed, IReadOnlyList<double> Steps, IReadOnlyList<double> Elbo, double Final, int StepsDone, bool Diverged, double Seconds, IReadOnlyList<BlrCheckpoint> Checkpoints);

/// <summary>
/// Trains q = N(μ, diag exp(2ρ)) from N(0, I) on the minibatch ELBO of mc_gradients: each step draws a minibatch of B
/// rows (epochs of uniformly random permutations, the last partial batch of each epoch dropped), estimates
/// ∇ E_q[(N/B) Σ_batch log σ(sᵢxᵢᵀw)] with the estimator (K samples) and adds the exact gradient of −KL(q ‖ N(0, I));
/// plain SGD with lr₀·cos(π/2 · t/T). Deterministic for a key.
/// </summary>
public static class BlrTraining
{
    /// <summary>Runs estimator <paramref name="id"/> with key <paramref name="key"/>; records the ELBO every config.EvalEvery steps and q at <paramref name="checkpointSteps"/>.</summary>
    public static BlrRun Run(BlrData data, DeterministicElbo elbo, string id, int seed, BlrConfig config, RngKey key, IReadOnlyCollection<int>? checkpointSteps = null, Action<int>? onStep = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(elbo);
        ArgumentNullException.ThrowIfNull(config);
        var clock = Stopwatch.StartNew();
        var estimator = BlrEstimators.Create(id, config);
        var d = data.Dimension;
        var mean = Tensor.Zeros([d], DType.Float64).RequireGrad();
        var logScale = Tensor.Zeros([d], DType.Float64).RequireGrad();
        var optimizer = new Optimizer([mean, logScale], Transforms.Sgd(Schedule.FromFunc(config.LearningRateAt, "lr₀·cos(π/2·t/T)")));
        var loader = new DataLoader(data.Rows, config.BatchSize, key.FoldIn(0), shuffle: true, dropLast: true);
        var scale = data.Rows / (double)config.BatchSize;
        var state = estimator.InitialState;
        var average = Baselines.MovingAverage(config.MovingAverageDecay);
        var tracked = (MovingAverageState)average.InitialState;
        var steps = new List<double>();
        var values = new List<double>();
        var checkpoints = new List<BlrCheckpoint>();
        int[] order = [];
        var epoch = -1;
        var done = 0;
        var diverged = false;
        void Record(int step)
        {
            var (value, _, _) = elbo.Evaluate(mean.ToDoubleArray(), logScale.ToDoubleArray());
            steps.Add(step);
            values.Add(value);
        }

        Record(0);
        for (var step = 0; step < config.Steps && !cancel.IsCancellationRequested; step++)
        {
            if (checkpointSteps?.Contains(step) == true)
            {
                checkpoints.Add(new BlrCheckpoint(step, mean.ToDoubleArray(), logScale.ToDoubleArray(), tracked.Value));
            }

            var k = step % loader.BatchesPerEpoch;
            if (step / loader.BatchesPerEpoch != epoch)
            {
                epoch = step / loader.BatchesPerEpoch;
                order = loader.EpochOrder(epoch);
            }

            var rows = Tensor.FromArray(order[(k * config.BatchSize)..((k + 1) * config.BatchSize)].Select(i => (long)i).ToArray());
            var f = new LogisticLikelihood(data.Select(rows), scale);
            optimizer.ZeroGrad();
            var estimate = estimator.Estimate(MeanField.Create(mean, logScale), f.Evaluate, key.FoldIn(1).FoldIn((uint)step), state);
            var kl = ((logScale * 2).Exp() + mean.Square() - 1 - (logScale * 2)).Sum() * 0.5;
            (kl - estimate.Surrogate).Backward();
            optimizer.Step();
            state = estimate.NextState;
            tracked = average.Observe(tracked, estimate.Value);
            done = step + 1;
            onStep?.Invoke(done);
            if (!mean.ToDoubleArray().Concat(logScale.ToDoubleArray()).All(double.IsFinite))
            {
                diverged = true;
                break;
            }

            if (done % config.EvalEvery == 0 || done == config.Steps)
            {
                Record(done);
            }
        }

        if (checkpointSteps?.Contains(done) == true && !diverged)
        {
            checkpoints.Add(new BlrCheckpoint(done, mean.ToDoubleArray(), logScale.ToDoubleArray(), tracked.Value));
        }

        var final = diverged ? double.NaN : elbo.Evaluate(mean.ToDoubleArray(), logScale.ToDoubleArray()).Value;
        return new BlrRun(id, seed, steps, values, final, done, diverged, clock.Elapsed.TotalSeconds, checkpoints);
    }
}
