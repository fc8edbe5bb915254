using McGrad.Combinatorial;
using McGrad.Estimators;
using McGrad.Estimators.Perturbed;
using McGrad.Estimators.Problems;
using McGrad.Optim;
using McGrad.Randomness;

namespace McGrad.Lab;

/// <summary>
/// Training runs on <see cref="TopKSynthetic"/>: the methods with their tuned hyperparameters and the SGD loop that
/// records the exact optimality gap.
/// </summary>
public static class TopKTraining
{
    /// <summary>A training method: a name, a fresh estimator per run (AIMLE keeps state) and a learning rate.</summary>
    public sealed record Method(string Name, Func<IGradientEstimator> Create, double LearningRate);

    /// <summary>The methods with the hyperparameters tuned in docs/estimators-imle.md for the paper target or the subset target.</summary>
    public static IReadOnlyList<Method> TunedMethods(bool subsetTarget) => subsetTarget
        ?
        [
            new("ST-PaM, lr 1", () => new MapStraightThrough(), 1.0),
            new("I-MLE λ=1, 1/λ, lr 0.5", () => new Imle(1.0, scaleByInverseLambda: true), 0.5),
            new("AIMLE β₀=1, lr 1", () => new Imle(new AdaptiveLambda(initialBeta: 1.0)), 1.0),
            new("AIMLE central β₀=1, lr 1", () => new Imle(new AdaptiveLambda(initialBeta: 1.0), centralDifference: true), 1.0),
        ]
        :
        [
            new("ST-PaM, lr 0.03", () => new MapStraightThrough(), 0.03),
            new("I-MLE λ=0.75, 1/λ, lr 0.1", () => new Imle(0.75, scaleByInverseLambda: true), 0.1),
            new("AIMLE β₀=0.3, lr 0.03", () => new Imle(new AdaptiveLambda(initialBeta: 0.3)), 0.03),
            new("AIMLE central β₀=0.3, lr 0.03", () => new Imle(new AdaptiveLambda(initialBeta: 0.3), centralDifference: true), 0.03),
        ];

    /// <summary>
    /// One training run: θ ← θ₀, then <paramref name="steps"/> SGD steps (momentum 0.9) on the surrogate of one sample,
    /// key.FoldIn(step). Returns the exact optimality gap at step 0 and after every <paramref name="every"/> steps.
    /// </summary>
    public static double[] Train(Method method, double[] b, RngKey key, int steps, int every)
    {
        ArgumentNullException.ThrowIfNull(method);
        var theta = Tensor.FromArray(TopKSynthetic.Theta0()).RequireGrad();
        var target = Tensor.FromArray(b);
        var loop = new TrainingLoop(method.Create(), new Optimizer([theta], Transforms.Sgd(method.LearningRate, momentum: 0.9)));
        var min = TopKSynthetic.MinLoss(b);
        var gaps = new List<double> { TopKSynthetic.ExpectedLoss(theta.ToDoubleArray(), b) - min };
        loop.Run(
            steps,
            () => new PerturbAndMap(theta, new TopKSolver(TopKSynthetic.K), PerturbationNoise.Gumbel()),
            z => (z - target).Square().Sum(-1),
            key,
            evaluateEvery: every,
            evaluate: _ => gaps.Add(TopKSynthetic.ExpectedLoss(theta.ToDoubleArray(), b) - min));

        return [.. gaps];
    }
}
