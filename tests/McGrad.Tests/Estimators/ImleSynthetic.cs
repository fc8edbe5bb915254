using System.Numerics;
using McGrad.Combinatorial;
using McGrad.Optim;
using McGrad.Randomness;

namespace McGrad.Tests.Estimators;

/// <summary>
/// The top-k synthetic experiment of Niepert et al. (2021) / Minervini et al. (2023): n = 10, k = 5, loss ‖z − b‖² with
/// z = top-k(θ + ε), ε ∼ Gumbel(0, 1); SGD with momentum 0.9 for 100 steps; the optimality gap E_ε[‖z − b‖²] − min_z ‖z − b‖²
/// is computed exactly from the closed-form perturb-and-MAP subset probabilities.
/// </summary>
internal static class ImleSynthetic
{
    public const int N = 10;
    public const int K = 5;

    /// <summary>θ₀ ∼ N(0, I) from a fixed key.</summary>
    public static double[] Theta0() => Sampler.Normal(new RngKey(2023), [N], DType.Float64).ToDoubleArray();

    /// <summary>b = the indicator of a random k-subset (a fixed key): a feasible target, optimum 0.</summary>
    public static double[] SubsetTarget()
    {
        var u = Sampler.Uniform(new RngKey(77), [N], DType.Float64).ToDoubleArray();
        var order = Enumerable.Range(0, N).OrderBy(i => u[i]).ToArray();
        var b = new double[N];
        foreach (var i in order[..K])
        {
            b[i] = 1;
        }

        return b;
    }

    /// <summary>b = |x|, x ∼ N(0, I) from a fixed key: the target of the paper's experiment (not feasible).</summary>
    public static double[] PaperTarget() => Sampler.Normal(new RngKey(78), [N], DType.Float64).ToDoubleArray().Select(Math.Abs).ToArray();

    /// <summary>
    /// P(top-k(θ + G) = S) for G i.i.d. Gumbel(0, 1), for every k-subset S (as bit masks):
    /// P(S) = Σ_{A ⊆ S} (−1)^{|A|} Z_out/(Z_out + Z_A), Z_X = Σ_{i ∈ X} e^{θ_i}, Z_out over the complement of S.
    /// (P(min_S x > max_out x) with max_out ∼ Gumbel(ln Z_out), integrated in u = e^{−t}.)
    /// </summary>
    public static (int[] Masks, double[] Probabilities) SubsetProbabilities(double[] theta, int k)
    {
        var n = theta.Length;
        var max = theta.Max();
        var e = theta.Select(t => Math.Exp(t - max)).ToArray();
        var masks = new List<int>();
        var probs = new List<double>();
        for (var s = 0; s < 1 << n; s++)
        {
            if (BitOperations.PopCount((uint)s) != k)
            {
                continue;
            }

            var zOut = 0.0;
            for (var i = 0; i < n; i++)
            {
                if (((s >> i) & 1) == 0)
                {
                    zOut += e[i];
                }
            }

            double p;
            if (k == n)
            {
                p = 1;
            }
            else
            {
                p = 0;
                for (var a = s; ; a = (a - 1) & s)
                {
                    var zA = 0.0;
                    for (var i = 0; i < n; i++)
                    {
                        if (((a >> i) & 1) == 1)
                        {
                            zA += e[i];
                        }
                    }

                    p += (BitOperations.PopCount((uint)a) % 2 == 0 ? 1 : -1) * zOut / (zOut + zA);
                    if (a == 0)
                    {
                        break;
                    }
                }
            }

            masks.Add(s);
            probs.Add(p);
        }

        return ([.. masks], [.. probs]);
    }

    private static double Loss(int mask, double[] b)
    {
        var l = 0.0;
        for (var i = 0; i < b.Length; i++)
        {
            var d = ((mask >> i) & 1) - b[i];
            l += d * d;
        }

        return l;
    }

    /// <summary>E_ε[‖top-k(θ + ε) − b‖²], exact (enumeration of the C(n, k) subsets with their probabilities).</summary>
    public static double ExpectedLoss(double[] theta, double[] b)
    {
        var (masks, probs) = SubsetProbabilities(theta, K);
        var s = 0.0;
        for (var j = 0; j < masks.Length; j++)
        {
            s += probs[j] * Loss(masks[j], b);
        }

        return s;
    }

    /// <summary>min over k-subsets of ‖z − b‖².</summary>
    public static double MinLoss(double[] b) => SubsetProbabilities(new double[b.Length], K).Masks.Min(m => Loss(m, b));

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
        var solver = new TopKSolver(K);
        var noise = PerturbationNoise.Gumbel();
        var min = MinLoss(b);
        var gaps = new double[steps / every];
        for (var t = 0; t < steps; t++)
        {
            var z = layer(new PerturbAndMap(theta, solver, noise), key.FoldIn((uint)t));
            (z - target).Square().Sum().Backward();
            optimizer.Step();
            optimizer.ZeroGrad();
            if ((t + 1) % every == 0)
            {
                gaps[((t + 1) / every) - 1] = ExpectedLoss(theta.ToDoubleArray(), b) - min;
            }
        }

        return gaps;
    }
}
