using McGrad.Combinatorial;
using McGrad.Estimators;
using McGrad.Estimators.Problems;
using McGrad.Optim;
using McGrad.Randomness;

namespace McGrad.Tests.Estimators;

/// <summary>
/// The top-k synthetic experiment of Niepert et al. (2021) / Minervini et al. (2023): n = 10, k = 5, loss ‖z − b‖² with
/// z = top-k(θ + ε), ε ∼ Gumbel(0, 1); SGD with momentum 0.9 for 100 steps; the optimality gap E_ε[‖z − b‖²] − min_z ‖z − b‖²
/// is computed exactly by <see cref="TopKSynthetic"/>. This class holds the training loop the tests share.
/// </summary>
internal static class ImleSynthetic
{
    /// <summary>
    /// One optimisation run with <see cref="TrainingLoop"/>: θ ← θ₀; for t &lt; steps: estimate ∇ E‖z − b‖² with
    /// z = top-k(θ + Gumbel) and key.FoldIn(t), backward, SGD(lr, momentum 0.9) step (the estimator's state, e.g. AIMLE's
    /// adaptive λ, threaded by the loop). Returns the optimality gap after every <paramref name="every"/> steps
    /// (index j: after (j + 1)·every steps).
    /// </summary>
    public static double[] Run(IGradientEstimator estimator, double lr, double[] theta0, double[] b, RngKey key, int steps = 100, int every = 100)
    {
        var theta = Tensor.FromArray((double[])theta0.Clone()).RequireGrad();
        var target = Tensor.FromArray(b);
        var loop = new TrainingLoop(estimator, new Optimizer([theta], Transforms.Sgd(lr, momentum: 0.9)));
        var solver = new TopKSolver(TopKSynthetic.K);
        var noise = PerturbationNoise.Gumbel();
        var min = TopKSynthetic.MinLoss(b);
        var gaps = new double[steps / every];
        loop.Run(
            steps,
            () => new PerturbAndMap(theta, solver, noise),
            z => (z - target).Square().Sum(-1),
            key,
            evaluateEvery: every,
            evaluate: t => gaps[(t / every) - 1] = TopKSynthetic.ExpectedLoss(theta.ToDoubleArray(), b) - min);
        return gaps;
    }
}
