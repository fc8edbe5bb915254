using McGrad.Distributions;
using McGrad.Estimators;

namespace McGrad.Tests.Estimators;

/// <summary>Small problems with exact gradients for the score-function tests (closed forms computed here).</summary>
internal static class ScoreFunctionProblems
{
    /// <summary>
    /// REFERENCE.md R2: b ∼ Bernoulli(σ(θ)), f(b) = (b − p0)², exact ∂θ E f = p(1 − p)(1 − 2p0).
    /// </summary>
    public static GradientProblem BernoulliToy(double p0, double theta)
    {
        var p = 1 / (1 + Math.Exp(-theta));
        return new GradientProblem(
            $"Bernoulli toy p0={p0}, θ={theta}",
            ["θ"],
            [Tensor.Scalar(theta, DType.Float64)],
            ps => new Bernoulli(logits: ps[0]),
            b => (b - p0).Square(),
            [Tensor.Scalar(p * (1 - p) * (1 - (2 * p0)), DType.Float64)]);
    }

    /// <summary>
    /// x ∼ Categorical(softmax(ℓ)), f(x) = values[x]; exact ∂ℓⱼ E f = pⱼ(values[j] − E f).
    /// </summary>
    public static GradientProblem CategoricalLookup(double[] logits, double[] values)
    {
        var z = logits.Select(Math.Exp).ToArray();
        var p = z.Select(v => v / z.Sum()).ToArray();
        var mean = p.Zip(values, (a, b) => a * b).Sum();
        var table = Tensor.FromArray(values, values.Length);
        return new GradientProblem(
            "categorical lookup",
            ["ℓ"],
            [Tensor.FromArray(logits, logits.Length)],
            ps => new Categorical(logits: ps[0]),
            x => table.IndexSelect(0, x.Reshape(-1)).Reshape(x.Shape.ToArray()),
            [Tensor.FromArray(p.Select((pj, j) => pj * (values[j] - mean)).ToArray(), logits.Length)]);
    }

    /// <summary>
    /// x ∼ N(μ, σ²) with a batch of means μ [B] and one scale σ shared by the batch, f = x²:
    /// E Σ_b f = Σ_b μ_b² + Bσ², exact ∂μ_b = 2μ_b, ∂σ = 2Bσ.
    /// </summary>
    public static GradientProblem SharedScale(double[] mu, double sigma) => new(
        "x², shared σ",
        ["μ", "σ"],
        [Tensor.FromArray(mu, mu.Length), Tensor.Scalar(sigma, DType.Float64)],
        ps => new Normal(ps[0], ps[1]),
        x => x.Square(),
        [Tensor.FromArray(mu.Select(m => 2 * m).ToArray(), mu.Length), Tensor.Scalar(2 * mu.Length * sigma, DType.Float64)]);

    /// <summary>Asserts |z| &lt; 4 for every parameter element.</summary>
    public static void AssertUnbiased(EstimatorCheckResult r)
    {
        foreach (var s in r.Parameters)
        {
            Assert.True(Math.Abs(s.Z) < 4, $"{r.Estimator} on {r.Problem}, ∂{s.Parameter}: mean {s.Mean}, exact {s.Exact}, z = {s.Z:F2}");
        }
    }

    /// <summary>Asserts the variance of each parameter element lies within 4 standard errors (+ slack) of the expected one.</summary>
    public static void AssertVariance(EstimatorCheckResult r, double[] expected, double slack = 0)
    {
        for (var p = 0; p < expected.Length; p++)
        {
            var s = r.Parameters[p];
            Assert.True(
                Math.Abs(s.Variance - expected[p]) <= (4 * s.VarianceStdError) + slack + (1e-12 * Math.Abs(expected[p])),
                $"{r.Estimator} on {r.Problem}, ∂{s.Parameter}: variance {s.Variance:G6} ± {s.VarianceStdError:G3}, expected {expected[p]:G6} (slack {slack:G3})");
        }
    }

    /// <summary>Identical gradient samples (to a relative 1e-10) from two estimators with the same key.</summary>
    public static void AssertSameSamples(IGradientEstimator a, IGradientEstimator b, GradientProblem problem, ulong seed, int count)
    {
        var sa = EstimatorCheck.GradientSamples(a, problem, new McGrad.Randomness.RngKey(seed), count);
        var sb = EstimatorCheck.GradientSamples(b, problem, new McGrad.Randomness.RngKey(seed), count);
        for (var p = 0; p < sa.Length; p++)
        {
            var scale = sa[p].Max(Math.Abs) + 1e-300;
            for (var i = 0; i < sa[p].Length; i++)
            {
                Assert.True(Math.Abs(sa[p][i] - sb[p][i]) <= 1e-10 * scale, $"{a.Name} vs {b.Name} on {problem.Name}: parameter {p} sample {i}: {sa[p][i]} vs {sb[p][i]}");
            }
        }
    }
}
