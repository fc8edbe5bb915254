using McGrad.Autodiff;
using McGrad.Optim;

namespace McGrad.Rl.Training.Analytic;

/// <content>GI-PPO's α-policy update and α adaptation (Son et al. 2023; gippo gippo.py).</content>
public sealed partial class AnalyticTrainer
{
    private readonly Optimizer _alphaOptimizer;
    private readonly RunningMeanStd _improvementStats = new(1);
    private double _alpha;
    private double _alphaLearningRate;
    private double _alphaStepLearningRate;

    /// <summary>GI-PPO's current α.</summary>
    public double Alpha => _alpha;

    /// <summary>
    /// The α-update: (1) fit the actor, by <see cref="AnalyticConfig.AlphaIterations"/> Adam steps on
    /// mean ‖μ(s) + σ(s)⊙ε − (a + α·∂A/∂a)‖², to the α-policy (restore and retry at lr/1.5 when the loss rose);
    /// (2) estimate det(I + α∇²_a A) per sample as det(∂a_new/∂ε)/det(∂a_old/∂ε) = Π σ_new/σ_old and multiply α by 1.1 if
    /// every estimate lies in [1 − 0.4, 1 + 0.4], else divide it; (3) divide α instead when the out-of-range ratio of
    /// π_α(a)/π_old(a) exceeds 0.5, or when the estimated improvement Σ A·π_α/π_old − Σ A is negative and below −1 in
    /// running-normalised units; α ≤ max α. If the fit failed, α stays and the fit's learning rate is divided by 1.5.
    /// </summary>
    /// <returns>The out-of-range ratio and the estimated improvement.</returns>
    private (double OutOfRange, double Improvement) UpdateAlphaPolicy(AnalyticRollout rollout, Tensor[] advantages)
    {
        var gradients = rollout.AdvantageActionGradients(advantages, Config.Gamma, Config.Lambda);
        var observations = AnalyticRollout.Flatten(rollout.Observations);
        var noise = AnalyticRollout.Flatten(rollout.Noise);
        var actions = AnalyticRollout.Flatten(rollout.Actions);
        var targets = actions + (AnalyticRollout.Flatten(gradients) * _alpha);
        var saved = SaveActor();
        var converged = false;
        for (var attempt = 0; attempt < Config.MaxOptimisationTries; attempt++)
        {
            double first = 0, last = 0;
            for (var j = 0; j < Config.AlphaIterations; j++)
            {
                var (mean, std) = _actor.Distribution(observations);
                var loss = (mean + (std * noise) - targets).Square().Sum(1).Mean();
                var value = loss.Item();
                first = j == 0 ? value : first;
                last = value;
                _alphaOptimizer.ZeroGrad();
                loss.Backward();
                _alphaOptimizer.Step();
            }

            _alphaOptimizer.ZeroGrad();
            converged = first > last;
            if (converged)
            {
                _alphaStepLearningRate = _alphaLearningRate;
                break;
            }

            RestoreActor(saved);
            _alphaStepLearningRate /= Config.LearningRateBackoff;
        }

        using var _ = Autograd.NoGrad();
        var (newMean, newStd) = _actor.Distribution(observations);
        var nextAlpha = _alpha;
        if (!converged)
        {
            _alphaLearningRate = Math.Max(_alphaLearningRate / Config.LearningRateBackoff, MinLearningRate);
        }
        else
        {
            var determinant = (newStd.Log() - AnalyticRollout.Flatten(rollout.Stds).Log()).Sum(1).Exp().To(DType.Float64).AsReadOnlySpan<double>().ToArray();
            var safe = determinant.Min() >= 1 - Config.AlphaInterval && determinant.Max() <= 1 + Config.AlphaInterval;
            nextAlpha = safe ? _alpha * Config.AlphaFactor : _alpha / Config.AlphaFactor;
        }

        _alphaStepLearningRate = _alphaLearningRate;
        var oldNegLog = AnalyticRollout.Flatten(rollout.NegativeLogProbs);
        var ratio = (oldNegLog - GaussianActor.NegativeLogProb(actions, newMean, newStd)).Clamp(max: 16).Exp();
        var ratios = ratio.To(DType.Float64).AsReadOnlySpan<double>();
        var outside = 0;
        foreach (var r in ratios)
        {
            outside += r < 1 - Config.Clip || r > 1 + Config.Clip ? 1 : 0;
        }

        var outOfRange = (double)outside / ratios.Length;
        var raw = AnalyticRollout.Flatten(advantages);
        var improvement = ((raw * ratio).Sum() - raw.Sum()).Item();
        var normalisedImprovement = (improvement - _improvementStats.Mean[0]) / Math.Sqrt(_improvementStats.Var[0] + 1e-5);
        _improvementStats.UpdateFromMoments([improvement], [0.0], 1);
        if (outOfRange > Config.MaxOutOfRangeRatio || (improvement < 0 && normalisedImprovement < -1))
        {
            nextAlpha = _alpha / Config.AlphaFactor;
        }

        _alpha = Math.Min(nextAlpha, Config.MaxAlpha);
        return (outOfRange, improvement);
    }
}
