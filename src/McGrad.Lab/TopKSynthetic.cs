using System.Numerics;
using McGrad.Combinatorial;
using McGrad.Estimators;
using McGrad.Estimators.Imle;
using McGrad.Optim;
using McGrad.Randomness;

namespace McGrad.Lab;

/// <summary>
/// The top-k synthetic problem of Niepert et al. (2021) and Minervini et al. (2023): n = 10 scores θ, z = top-5(θ + ε)
/// with ε ∼ Gumbel(0, 1), loss ‖z − b‖². The expected loss is exact: for Gumbel noise the perturb-and-MAP probability of a
/// k-subset S is P(S) = Σ_{A⊆S} (−1)^{|A|} Z_out/(Z_out + Z_A), Z_X = Σ_{i∈X} e^{θᵢ}, Z_out over the complement of S.
/// </summary>
public static class TopKSynthetic
{
    /// <summary>Number of scores.</summary>
    public const int N = 10;

    /// <summary>Subset size.</summary>
    public const int K = 5;

    /// <summary>θ₀ ∼ N(0, I) from the fixed key 2023 (as in docs/estimators-imle.md).</summary>
    public static double[] Theta0() => Sampler.Normal(new RngKey(2023), [N], DType.Float64).ToDoubleArray();

    /// <summary>The papers' target b = |x|, x ∼ N(0, I) from the fixed key 78 (infeasible: not a subset indicator).</summary>
    public static double[] PaperTarget() => Sampler.Normal(new RngKey(78), [N], DType.Float64).ToDoubleArray().Select(Math.Abs).ToArray();

    /// <summary>A feasible target: the indicator of the k smallest of N uniforms from the fixed key 77 (optimum 0).</summary>
    public static double[] SubsetTarget()
    {
        var u = Sampler.Uniform(new RngKey(77), [N], DType.Float64).ToDoubleArray();
        var b = new double[N];
        foreach (var i in Enumerable.Range(0, N).OrderBy(i => u[i]).Take(K))
        {
            b[i] = 1;
        }

        return b;
    }

    /// <summary>E_ε‖top-k(θ + ε) − b‖², by enumerating the k-subsets with their exact Gumbel perturb-and-MAP probabilities.</summary>
    public static double ExpectedLoss(double[] theta, double[] b)
    {
        ArgumentNullException.ThrowIfNull(theta);
        ArgumentNullException.ThrowIfNull(b);
        var n = theta.Length;
        var top = theta.Max();
        var w = theta.Select(t => Math.Exp(t - top)).ToArray();
        var total = 0.0;
        for (var s = 0; s < 1 << n; s++)
        {
            if (BitOperations.PopCount((uint)s) != K)
            {
                continue;
            }

            var outside = 0.0;
            var loss = 0.0;
            for (var i = 0; i < n; i++)
            {
                var inS = (s >> i) & 1;
                if (inS == 0)
                {
                    outside += w[i];
                }

                loss += (inS - b[i]) * (inS - b[i]);
            }

            // Inclusion–exclusion over the subsets A of S (A = 0 included).
            var p = 0.0;
            var a = s;
            while (true)
            {
                var za = 0.0;
                for (var i = 0; i < n; i++)
                {
                    if (((a >> i) & 1) == 1)
                    {
                        za += w[i];
                    }
                }

                p += ((BitOperations.PopCount((uint)a) & 1) == 0 ? 1 : -1) * outside / (outside + za);
                if (a == 0)
                {
                    break;
                }

                a = (a - 1) & s;
            }

            total += p * loss;
        }

        return total;
    }

    /// <summary>min over k-subsets z of ‖z − b‖²: choose the k largest bᵢ.</summary>
    public static double MinLoss(double[] b)
    {
        ArgumentNullException.ThrowIfNull(b);
        var chosen = Enumerable.Range(0, b.Length).OrderByDescending(i => b[i]).Take(K).ToHashSet();
        return Enumerable.Range(0, b.Length).Sum(i => chosen.Contains(i) ? (1 - b[i]) * (1 - b[i]) : b[i] * b[i]);
    }

    /// <summary>The exact gradient of the expected loss by central differences of the closed form (h = 1e-5; error ≈ 1e-10).</summary>
    public static double[] ExactGradient(double[] theta, double[] b)
    {
        ArgumentNullException.ThrowIfNull(theta);
        const double h = 1e-5;
        var g = new double[theta.Length];
        for (var i = 0; i < theta.Length; i++)
        {
            var up = (double[])theta.Clone();
            var down = (double[])theta.Clone();
            up[i] += h;
            down[i] -= h;
            g[i] = (ExpectedLoss(up, b) - ExpectedLoss(down, b)) / (2 * h);
        }

        return g;
    }

    /// <summary>The problem at θ₀ with the papers' target, for the zoo: parameter θ [10], exact gradient of E‖z − b‖².</summary>
    public static GradientProblem Problem()
    {
        var theta = Theta0();
        var b = PaperTarget();
        var target = Tensor.FromArray(b);
        return new GradientProblem(
            "‖top-5(θ+ε) − b‖², n=10",
            ["θ"],
            [Tensor.FromArray(theta)],
            ps => new PerturbAndMap(ps[0], new TopKSolver(K), PerturbationNoise.Gumbel()),
            z => (z - target).Square().Sum(-1),
            [Tensor.FromArray(ExactGradient(theta, b))]);
    }

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
        var theta = Tensor.FromArray(Theta0()).RequireGrad();
        var target = Tensor.FromArray(b);
        var estimator = method.Create();
        var optimizer = new Optimizer([theta], Transforms.Sgd(method.LearningRate, momentum: 0.9));
        var min = MinLoss(b);
        var gaps = new List<double> { ExpectedLoss(theta.ToDoubleArray(), b) - min };
        for (var t = 0; t < steps; t++)
        {
            var pm = new PerturbAndMap(theta, new TopKSolver(K), PerturbationNoise.Gumbel());
            estimator.Estimate(pm, z => (z - target).Square().Sum(-1), key.FoldIn((uint)t)).Surrogate.Backward();
            optimizer.Step();
            optimizer.ZeroGrad();
            if ((t + 1) % every == 0)
            {
                gaps.Add(ExpectedLoss(theta.ToDoubleArray(), b) - min);
            }
        }

        return [.. gaps];
    }
}
