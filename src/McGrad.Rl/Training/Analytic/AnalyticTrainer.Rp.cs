namespace McGrad.Rl.Training.Analytic;

/// <content>RP: the policy gradient backpropagated through the simulator (gippo rp.py, SHAC's short-horizon form).</content>
public sealed partial class AnalyticTrainer
{
    /// <summary>
    /// L_RP = −(1/|S|) Σ_{(t,i) ∈ S} (A_t,i + V_t,i) over the window starts S, with A and V on the simulator's graph, so
    /// ∇L_RP is the reparameterised gradient of the (bootstrapped) return through actions a = μ + σ⊙ε and the dynamics.
    /// </summary>
    private static Tensor RpLoss(AnalyticRollout rollout, Tensor[] advantages)
    {
        Tensor? sum = null;
        var count = 0;
        for (var t = 0; t < rollout.Steps; t++)
        {
            if (rollout.Starts[t])
            {
                var term = (advantages[t] + rollout.Values[t]).Sum();
                sum = sum is null ? term : sum + term;
                count += advantages[t].Shape[0];
            }
        }

        return -sum! / count;
    }

    private void UpdateRp(AnalyticRollout rollout, Tensor[] advantages)
    {
        _actorOptimizer.ZeroGrad();
        RpLoss(rollout, advantages).Backward();
        _actorOptimizer.Step();
        _actorOptimizer.ZeroGrad();
    }
}
