using McGrad.Distributions;
using McGrad.Estimators;
using McGrad.Randomness;

namespace McGrad.Tests.Estimators.RebarRelax;

/// <summary>Categorical problems with exact gradients by enumeration, and helpers shared by the REBAR/RELAX tests.</summary>
internal static class RelaxedProblems
{
    /// <summary>
    /// One OneHotCategorical over K = 4 categories, logits ℓ = (0.3, −0.5, 1.1, 0.0) (unnormalised), f(y) = (y·w − c)² + 0.5·y·v,
    /// relaxed-friendly (a polynomial in y). Exact: ∂/∂ℓⱼ Σₖ pₖ fₖ = pⱼ(fⱼ − Σₖ pₖ fₖ).
    /// </summary>
    public static GradientProblem SingleCategorical()
    {
        double[] logits = [0.3, -0.5, 1.1, 0.0];
        double[] w = [1.0, -2.0, 0.5, 3.0];
        double[] v = [0.2, 1.0, -1.5, 0.4];
        const double c = 0.6;
        var p = Softmax(logits);
        var f = Enumerable.Range(0, 4).Select(k => ((w[k] - c) * (w[k] - c)) + (0.5 * v[k])).ToArray();
        var mean = p.Zip(f, (a, b) => a * b).Sum();
        var exact = Enumerable.Range(0, 4).Select(j => p[j] * (f[j] - mean)).ToArray();
        return new GradientProblem(
            "categorical K=4",
            ["ℓ"],
            [Tensor.FromArray(logits, 4)],
            ps => new OneHotCategorical(logits: ps[0]),
            y =>
            {
                var wt = Tensor.FromArray(w, 4).To(y.DType);
                var vt = Tensor.FromArray(v, 4).To(y.DType);
                return ((y * wt).Sum(-1) - c).Square() + ((y * vt).Sum(-1) * 0.5);
            },
            [Tensor.FromArray(exact, 4)]);
    }

    /// <summary>
    /// Two independent categoricals with 3 categories each (Independent(OneHotCategorical), event [2, 3]) and the
    /// non-separable f(y) = (Σ_dk W_dk y_dk − c)² + 2·y₀₀·y₁₂, exact gradient by enumerating the 9 outcomes.
    /// </summary>
    public static GradientProblem TwoCategoricals()
    {
        double[,] logits = { { 0.4, -0.3, 0.0 }, { -1.0, 0.5, 0.2 } };
        double[,] w = { { 1.0, -1.5, 0.5 }, { 2.0, -0.5, 1.0 } };
        const double c = 0.8;
        double F(int a, int b) => Math.Pow(w[0, a] + w[1, b] - c, 2) + (a == 0 && b == 2 ? 2.0 : 0.0);
        var p0 = Softmax([logits[0, 0], logits[0, 1], logits[0, 2]]);
        var p1 = Softmax([logits[1, 0], logits[1, 1], logits[1, 2]]);
        var exact = new double[6];
        for (var a = 0; a < 3; a++)
        {
            for (var b = 0; b < 3; b++)
            {
                var pf = p0[a] * p1[b] * F(a, b);
                for (var j = 0; j < 3; j++)
                {
                    exact[j] += pf * ((a == j ? 1 : 0) - p0[j]);
                    exact[3 + j] += pf * ((b == j ? 1 : 0) - p1[j]);
                }
            }
        }

        var wFlat = new double[] { w[0, 0], w[0, 1], w[0, 2], w[1, 0], w[1, 1], w[1, 2] };
        return new GradientProblem(
            "2 categoricals K=3",
            ["ℓ"],
            [Tensor.FromArray(logits)],
            ps => new Independent(new OneHotCategorical(logits: ps[0]), 1),
            y =>
            {
                var wt = Tensor.FromArray(wFlat, 2, 3).To(y.DType);
                var y00 = y.Narrow(-2, 0, 1).Narrow(-1, 0, 1).Squeeze(-1, -2);
                var y12 = y.Narrow(-2, 1, 1).Narrow(-1, 2, 1).Squeeze(-1, -2);
                return ((y * wt).Sum([-1, -2]) - c).Square() + (y00 * y12 * 2.0);
            },
            [Tensor.FromArray(exact, 2, 3)]);
    }

    /// <summary>The problem's parameters expanded to n independent leaf copies [n, *θ.shape] (as EstimatorCheck does).</summary>
    public static Tensor[] Expand(GradientProblem problem, int n)
        => [.. problem.Parameters.Select(t => t.Detach().Reshape([1, .. t.Shape.ToArray()]).BroadcastTo(new Shape([n, .. t.Shape.ToArray()])).Detach().RequireGrad())];

    /// <summary>
    /// Tunes the estimator's control variate for <paramref name="steps"/> steps on <paramref name="batch"/> independent
    /// copies of the problem (Σ ĝ² over the copies) with Adam(lr); θ stays fixed.
    /// </summary>
    public static void Tune(McGrad.Estimators.Relaxed.IControlVariateEstimator estimator, GradientProblem problem, int steps, int batch, double lr, RngKey key)
    {
        var tuner = new McGrad.Estimators.Relaxed.VarianceTuner(estimator, McGrad.Optim.Transforms.Adam(lr));
        for (uint t = 0; t < steps; t++)
        {
            var leaves = Expand(problem, batch);
            var est = estimator.Estimate(problem.CreateDistribution(leaves), problem.Objective, key.FoldIn(t));
            tuner.Step(est, leaves);
        }
    }

    private static double[] Softmax(double[] l)
    {
        var m = l.Max();
        var e = l.Select(x => Math.Exp(x - m)).ToArray();
        var s = e.Sum();
        return [.. e.Select(x => x / s)];
    }
}
