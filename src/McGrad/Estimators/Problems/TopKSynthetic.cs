using System.Numerics;
using McGrad.Combinatorial;
using McGrad.Randomness;

namespace McGrad.Estimators.Problems;

/// <summary>
/// The top-k synthetic problem of Niepert et al. (2021) and Minervini et al. (2023): n = 10 scores θ, z = top-5(θ + ε) with
/// ε ∼ Gumbel(0, 1), loss ‖z − b‖². The expected loss is exact: for Gumbel noise the perturb-and-MAP probability of a
/// k-subset S is P(S) = Σ_{A⊆S} (−1)^{|A|} Z_out/(Z_out + Z_A), Z_X = Σ_{i∈X} e^{θᵢ}, Z_out over the complement of S.
/// </summary>
public static class TopKSynthetic
{
    /// <summary>Number of scores.</summary>
    public const int N = 10;

    /// <summary>Subset size.</summary>
    public const int K = 5;

    /// <summary>θ₀ ∼ N(0, I) from the fixed key 2023.</summary>
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

    /// <summary>
    /// P(top-k(θ + G) = S) for G i.i.d. Gumbel(0, 1), for every k-subset S (as bit masks):
    /// P(S) = Σ_{A ⊆ S} (−1)^{|A|} Z_out/(Z_out + Z_A), Z_X = Σ_{i ∈ X} e^{θ_i}, Z_out over the complement of S.
    /// (P(min_S x > max_out x) with max_out ∼ Gumbel(ln Z_out), integrated in u = e^{−t}.)
    /// </summary>
    public static (int[] Masks, double[] Probabilities) SubsetProbabilities(double[] theta, int k)
    {
        ArgumentNullException.ThrowIfNull(theta);
        var n = theta.Length;
        var masks = new List<int>();
        var probs = new List<double>();
        for (var s = 0; s < 1 << n; s++)
        {
            if (BitOperations.PopCount((uint)s) != k)
            {
                continue;
            }

            var p = 1.0;
            if (k < n)
            {
                // Z_out/(Z_out + Z_A) = 1/(1 + exp(lse_A − lse_out)), in log space so that very confident θ cannot underflow.
                var lseOut = LogSumExp(theta, ((1 << n) - 1) & ~s);
                p = 0;
                for (var a = s; ; a = (a - 1) & s)
                {
                    var ratio = a == 0 ? 1 : 1 / (1 + Math.Exp(LogSumExp(theta, a) - lseOut));
                    p += (BitOperations.PopCount((uint)a) % 2 == 0 ? 1 : -1) * ratio;
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

    private static double LogSumExp(double[] theta, int mask)
    {
        var max = double.NegativeInfinity;
        for (var i = 0; i < theta.Length; i++)
        {
            if (((mask >> i) & 1) == 1)
            {
                max = Math.Max(max, theta[i]);
            }
        }

        var sum = 0.0;
        for (var i = 0; i < theta.Length; i++)
        {
            if (((mask >> i) & 1) == 1)
            {
                sum += Math.Exp(theta[i] - max);
            }
        }

        return max + Math.Log(sum);
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
        ArgumentNullException.ThrowIfNull(b);
        var (masks, probs) = SubsetProbabilities(theta, K);
        var s = 0.0;
        for (var j = 0; j < masks.Length; j++)
        {
            s += probs[j] * Loss(masks[j], b);
        }

        return s;
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
}
