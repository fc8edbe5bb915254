using McGrad.Autodiff;
using McGrad.Optim;

namespace McGrad.Rl.Training.Analytic;

/// <content>PPO's actor update as in gippo ppo.py, and GI-PPO's variant with the mixture behaviour density.</content>
public sealed partial class AnalyticTrainer
{
    private readonly Optimizer _ppoOptimizer;
    private double _ppoLearningRate;

    /// <summary>
    /// E epochs over the rollout in minibatches (in rollout order) of L = mean max(−Â ρ, −Â clip(ρ, 1 ± ε)), Â the
    /// normalised advantages. PPO: ρ = π(a)/π_old(a) (log-ratio clamped at 64). GI-PPO (<paramref name="mixture"/>): the
    /// behaviour density is the mixture ½(π_old + π_α) of the policies before and after the α-update,
    /// ρ = π(a) / ½(π_old(a) + π_α(a)) (log-ratio clamped to ±16), unless some |log π_α/π_old| &gt; 4, when ρ = π/π_α.
    /// If the last epoch's mean loss exceeds the first's, the actor is restored and the update retried at lr₀/1.5
    /// (up to <see cref="AnalyticConfig.MaxOptimisationTries"/> tries; after a final failure the next epoch starts at lr₀/1.5).
    /// The choice between the mixture and π_α is made per minibatch, as in gippo.
    /// </summary>
    private void UpdatePpo(AnalyticRollout rollout, Tensor[] advantages, bool mixture)
    {
        var observations = AnalyticRollout.Flatten(rollout.Observations);
        var actions = AnalyticRollout.Flatten(rollout.Actions);
        var oldNegLog = AnalyticRollout.Flatten(rollout.NegativeLogProbs);
        var normalised = NormalisedAdvantages(advantages);
        Tensor? alphaNegLog = null;
        if (mixture)
        {
            using (Autograd.NoGrad())
            {
                var (m, s) = _actor.Distribution(observations);
                alphaNegLog = GaussianActor.NegativeLogProb(actions, m, s);
            }
        }

        var saved = SaveActor();
        var initial = _ppoLearningRate;
        var n = observations.Shape[0];
        var size = Config.PpoMinibatchSize;
        var batches = n / size;
        var behaviour = new Tensor[batches];
        for (var b = 0; b < batches; b++)
        {
            behaviour[b] = BehaviourNegativeLogProb(oldNegLog.Narrow(0, b * size, size), alphaNegLog?.Narrow(0, b * size, size));
        }

        for (var attempt = 0; attempt < Config.MaxOptimisationTries; attempt++)
        {
            double first = 0, last = 0;
            for (var epoch = 0; epoch < Config.PpoEpochs; epoch++)
            {
                var sum = 0.0;
                for (var b = 0; b < batches; b++)
                {
                    var (mean, std) = _actor.Distribution(observations.Narrow(0, b * size, size));
                    var negLog = GaussianActor.NegativeLogProb(actions.Narrow(0, b * size, size), mean, std);
                    var logRatio = behaviour[b] - negLog;
                    var ratio = (mixture ? logRatio.Clamp(-16, 16) : logRatio.Clamp(max: 64)).Exp();
                    var adv = normalised.Narrow(0, b * size, size);
                    var loss = (-adv * ratio).Maximum(-adv * ratio.Clamp(1 - Config.Clip, 1 + Config.Clip)).Mean();
                    sum += loss.Item();
                    _ppoOptimizer.ZeroGrad();
                    loss.Backward();
                    _ppoOptimizer.Step();
                }

                if (epoch == 0)
                {
                    first = sum / batches;
                }

                last = sum / batches;
            }

            _ppoOptimizer.ZeroGrad();
            if (last > first)
            {
                RestoreActor(saved);
                _ppoLearningRate = initial / Config.LearningRateBackoff;
            }
            else
            {
                _ppoLearningRate = initial;
                break;
            }
        }

    }

    /// <summary>
    /// −log of the behaviour density: π_old for PPO (<paramref name="alphaNegLog"/> null); for GI-PPO the mixture
    /// −log ½(π_old + π_α) = log 2 − log(π_α/π_old + 1) − log π_old, or −log π_α when some |log π_α/π_old| &gt; 4.
    /// </summary>
    private static Tensor BehaviourNegativeLogProb(Tensor oldNegLog, Tensor? alphaNegLog)
    {
        if (alphaNegLog is null)
        {
            return oldNegLog;
        }

        var logRatio = oldNegLog - alphaNegLog;
        return logRatio.Abs().Max().Item() > 4 ? alphaNegLog : Math.Log(2) - (logRatio.Exp() + 1).Log() + oldNegLog;
    }
}
