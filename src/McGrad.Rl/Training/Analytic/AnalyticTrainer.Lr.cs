namespace McGrad.Rl.Training.Analytic;

/// <content>LR: the likelihood-ratio policy gradient with normalised GAE advantages (gippo lr.py).</content>
public sealed partial class AnalyticTrainer
{
    /// <summary>
    /// Per-sample L_LR,j = Â_j·(−log π(a_j|s_j)) over the flattened rollout, Â = (A − mean A)/(std A + 1e-8) (detached);
    /// the LR loss is their mean, whose gradient is −mean(Â ∇log π).
    /// </summary>
    private Tensor LrSampleLosses(AnalyticRollout rollout, Tensor[] advantages)
    {
        var observations = AnalyticRollout.Flatten(rollout.Observations);
        var actions = AnalyticRollout.Flatten(rollout.Actions);
        var normalised = NormalisedAdvantages(advantages);
        var (mean, std) = _actor.Distribution(observations);
        return normalised * GaussianActor.NegativeLogProb(actions, mean, std);
    }

    /// <summary>Â = (A − mean A)/(std A + 1e-8) over the flattened rollout (unbiased std, as torch), detached.</summary>
    private static Tensor NormalisedAdvantages(Tensor[] advantages)
    {
        var a = AnalyticRollout.Flatten(advantages);
        return (a - a.Mean()) / (a.Std() + 1e-8);
    }

    private void UpdateLr(AnalyticRollout rollout, Tensor[] advantages)
    {
        _actorOptimizer.ZeroGrad();
        LrSampleLosses(rollout, advantages).Mean().Backward();
        _actorOptimizer.Step();
        _actorOptimizer.ZeroGrad();
    }
}
