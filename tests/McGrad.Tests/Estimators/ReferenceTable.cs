using McGrad.Estimators;
using McGrad.Estimators.Problems;

namespace McGrad.Tests.Estimators;

/// <summary>
/// REFERENCE.md R1 (Mohamed et al. 2020, §3): x ∼ N(1, 1), one-sample variances of each estimator for ∂μ and ∂σ,
/// computed there by quadrature. Columns: SF, SF + mean baseline, SF + b*, pathwise, MVD coupled.
/// </summary>
internal static class ReferenceTable
{
    public sealed record Row(GradientProblem Problem, double MeanOfF, double[] Sf, double[] SfMean, double[] SfOptimal, double[] Pathwise, double[] MvdCoupled);

    public static readonly Row[] R1 =
    [
        new(GaussianCosts.Square(-3), 17, [495, 1546], [138, 696], [134, 664], [4, 72], [17.49, 68]),
        new(GaussianCosts.Square(0), 2, [30, 136], [18, 96], [14, 64], [4, 12], [1.093, 8]),
        new(GaussianCosts.Square(1), 1, [15, 74], [10, 56], [6, 24], [4, 8], [0, 4]),
        new(GaussianCosts.ExpSquare(1), Math.Exp(-1.0 / 3) / Math.Sqrt(3), [0.1758, 0.1767], [0.08067, 0.2232], [0.07222, 0.1128], [0.2117, 0.1757], [0.01257, 0.07066]),
        new(GaussianCosts.Cos(1), Math.Cos(1) * Math.Exp(-0.5), [0.324, 0.8363], [0.4314, 1.266], [0.324, 0.7826], [0.2677, 0.3081], [0.028, 0.2026]),
        new(GaussianCosts.Cos(5), Math.Cos(5) * Math.Exp(-12.5), [0.5, 1], [0.5, 1], [0.5, 1], [12.5, 12.5], [0.2957, 1]),
    ];

    /// <summary>
    /// Asserts |z| &lt; 4 for the mean (exact gradient from the closed form) and |variance − table| within four standard
    /// errors of the sample variance plus the table's own rounding (half a unit in its 4th significant digit).
    /// </summary>
    public static void AssertMatches(EstimatorCheckResult r, double[] expectedVariances)
    {
        for (var p = 0; p < r.Parameters.Count; p++)
        {
            var s = r.Parameters[p];
            Assert.True(Math.Abs(s.Z) < 4, $"{r.Estimator} on {r.Problem}, ∂{s.Parameter}: mean {s.Mean}, exact {s.Exact}, z = {s.Z:F2}");
            var expected = expectedVariances[p];
            var rounding = expected == 0 ? 1e-12 : 5e-4 * Math.Pow(10, Math.Floor(Math.Log10(Math.Abs(expected))));
            Assert.True(
                Math.Abs(s.Variance - expected) <= (4 * s.VarianceStdError) + rounding,
                $"{r.Estimator} on {r.Problem}, ∂{s.Parameter}: variance {s.Variance:G5} ± {s.VarianceStdError:G3}, table {expected}");
        }
    }
    /// <summary>
    /// A REFERENCE.md R4 setting (Xu, Quiroz, Kohn, Sisson 2019): q = N(μ, s²), f(z) = −(h/2)(z − m)², a = μ − m, with
    /// E f = −(h/2)(a² + s²), ∂μ = −h·a, ∂s = −h·s and the one-sample variances of ∂μ: pathwise h²s²,
    /// SF (h²/(4s²))(a⁴ + 14a²s² + 15s⁴), SF with the mean baseline h²(2a² + 2.5s²).
    /// </summary>
    public sealed record XuRow(GradientProblem Problem, double MeanOfF, double SfMu, double SfMeanMu, double PathwiseMu);

    /// <summary>The R4 row for (a, s, h) with m = 0.5 (μ = m + a).</summary>
    public static XuRow Xu(double a, double s, double h, double m = 0.5)
    {
        var mu = m + a;
        var problem = new GradientProblem(
            $"−(h/2)(z − m)², a={a}, s={s}, h={h}",
            ["μ", "s"],
            [Tensor.Scalar(mu, DType.Float64), Tensor.Scalar(s, DType.Float64)],
            p => new McGrad.Distributions.Normal(p[0], p[1]),
            z => (z - m).Square() * (-h / 2),
            [Tensor.Scalar(-h * a, DType.Float64), Tensor.Scalar(-h * s, DType.Float64)]);
        var a2 = a * a;
        var s2 = s * s;
        return new XuRow(problem, -h / 2 * (a2 + s2), h * h / (4 * s2) * ((a2 * a2) + (14 * a2 * s2) + (15 * s2 * s2)), h * h * ((2 * a2) + (2.5 * s2)), h * h * s2);
    }

    /// <summary>Two R4 settings: (a, s, h) = (1, 0.5, 2) and (−2, 1.5, 0.5).</summary>
    public static readonly XuRow[] R4 = [Xu(1, 0.5, 2), Xu(-2, 1.5, 0.5)];
}
