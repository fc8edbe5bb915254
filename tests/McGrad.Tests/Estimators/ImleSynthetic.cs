using McGrad.Combinatorial;
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
    /// One optimisation run: θ ← θ₀; 100 times: z = layer(PerturbAndMap(θ, top-k, Gumbel), key.FoldIn(t)), loss ‖z − b‖²,
    /// backward, SGD(lr, momentum 0.9) step. Returns the optimality gap after every <paramref name="every"/> steps
    /// (index j: after (j + 1)·every steps).
    /// </summary>
    public static double[] Run(Func<PerturbAndMap, RngKey, Tensor> layer, double lr, double[] theta0, double[] b, RngKey key, int steps = 100, int every = 100)
    {
        var theta = Tensor.FromArray((double[])theta0.Clone()).RequireGrad();
        var target = Tensor.FromArray(b);
        var optimizer = new Optimizer([theta], Transforms.Sgd(lr, momentum: 0.9));
        var solver = new TopKSolver(TopKSynthetic.K);
        var noise = PerturbationNoise.Gumbel();
        var min = TopKSynthetic.MinLoss(b);
        var gaps = new double[steps / every];
        for (var t = 0; t < steps; t++)
        {
            var z = layer(new PerturbAndMap(theta, solver, noise), key.FoldIn((uint)t));
            (z - target).Square().Sum().Backward();
            optimizer.Step();
            optimizer.ZeroGrad();
            if ((t + 1) % every == 0)
            {
                gaps[((t + 1) / every) - 1] = TopKSynthetic.ExpectedLoss(theta.ToDoubleArray(), b) - min;
            }
        }

        return gaps;
    }
}
