namespace McGrad.Estimators.Policy;

/// <summary>Advantages and value targets from <see cref="Gae.Compute"/>, both constants (not recorded).</summary>
/// <param name="Advantages">A_t, shape of the rewards.</param>
/// <param name="Returns">A_t + V_t (the λ-returns), shape of the rewards: the targets of the value loss.</param>
public sealed record GaeResult(Tensor Advantages, Tensor Returns);

/// <summary>
/// Generalised advantage estimation (Schulman et al. 2016): δ_t = r_t + γ·V_{t+1}·(1 − done_t) − V_t,
/// A_t = δ_t + γλ·(1 − done_t)·A_{t+1}, returns R_t = A_t + V_t, computed backwards over a rollout.
/// </summary>
/// <remarks>
/// λ trades bias for variance: λ = 0 gives the one-step TD error (low variance, biased by V), λ = 1 the Monte Carlo
/// return minus V (unbiased, high variance). done_t = 1 marks that the episode ended at step t: the value after it
/// is not bootstrapped and the recursion restarts, so no advantage leaks across episode boundaries. V_T, the value
/// of the state after the last step, is the bootstrap value (ignored where the last step is done). A truncated (not
/// terminated) episode should be bootstrapped: fold γ·V(s_{t+1}) into r_t and mark it done, or do not mark it.
/// </remarks>
public static class Gae
{
    /// <summary>
    /// A_t and R_t = A_t + V_t for a rollout of T steps, rewards/values/dones of shape [T] or [T, *envs] and a bootstrap
    /// value of shape [*envs] (a scalar for [T]). No gradient flows through the result (these are targets).
    /// </summary>
    /// <param name="rewards">r_t, float, shape [T, *envs].</param>
    /// <param name="values">V(s_t), same shape and dtype (read as constants).</param>
    /// <param name="dones">done_t ∈ {0, 1}, same shape, any dtype: 1 where the episode ended at step t.</param>
    /// <param name="bootstrapValue">V(s_T), the value after the last step, shape [*envs], same dtype as rewards.</param>
    /// <param name="gamma">Discount γ ∈ [0, 1].</param>
    /// <param name="lambda">GAE λ ∈ [0, 1].</param>
    /// <exception cref="ArgumentException">Shapes or dtypes mismatch, a done flag is not 0 or 1, or rewards is a scalar.</exception>
    /// <exception cref="ArgumentOutOfRangeException">γ or λ is outside [0, 1].</exception>
    public static GaeResult Compute(Tensor rewards, Tensor values, Tensor dones, Tensor bootstrapValue, double gamma = 0.99, double lambda = 0.95)
    {
        const string op = "Gae.Compute";
        PolicyChecks.RequireFloat(rewards, op, nameof(rewards));
        if (rewards.Rank == 0)
        {
            throw new ArgumentException($"{op}: rewards is a scalar; expected shape [T] or [T, *envs] with time first.", nameof(rewards));
        }

        PolicyChecks.RequireLike(values, rewards, op, nameof(values), nameof(rewards));
        ArgumentNullException.ThrowIfNull(dones);
        PolicyChecks.RequireShape(dones, rewards.Shape, op, nameof(dones), "the shape of rewards");
        PolicyChecks.RequireDType(bootstrapValue, rewards.DType, op, nameof(bootstrapValue), nameof(rewards));
        var envShape = new Shape(rewards.Shape.ToArray()[1..]);
        PolicyChecks.RequireShape(bootstrapValue, envShape, op, nameof(bootstrapValue), "the shape of rewards without its time axis");
        if (!(gamma is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, $"{op}: γ = {PolicyChecks.Format(gamma)}; expected a discount in [0, 1].");
        }

        if (!(lambda is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, $"{op}: λ = {PolicyChecks.Format(lambda)}; expected λ in [0, 1].");
        }

        var r = rewards.ToDoubleArray();
        var v = values.ToDoubleArray();
        var d = PolicyChecks.MaskValues(dones, op, nameof(dones));
        var boot = bootstrapValue.ToDoubleArray();
        var steps = rewards.Shape[0];
        var envs = envShape.Size;
        var adv = new double[r.Length];
        var ret = new double[r.Length];
        for (var e = 0; e < envs; e++)
        {
            var nextValue = boot[e];
            var nextAdvantage = 0.0;
            for (var t = steps - 1; t >= 0; t--)
            {
                var i = (t * envs) + e;
                var notDone = 1 - d[i];
                var delta = r[i] + (gamma * nextValue * notDone) - v[i];
                nextAdvantage = delta + (gamma * lambda * notDone * nextAdvantage);
                adv[i] = nextAdvantage;
                ret[i] = nextAdvantage + v[i];
                nextValue = v[i];
            }
        }

        return new GaeResult(PolicyChecks.Constant(adv, rewards.Shape, rewards.DType), PolicyChecks.Constant(ret, rewards.Shape, rewards.DType));
    }
}
