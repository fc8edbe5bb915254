using McGrad.Distributions;

namespace McGrad.Estimators.Problems;

/// <summary>
/// The Gaussian cost functions of Mohamed, Rosca, Figurnov and Mnih (2020, §3): x ∼ N(μ, σ²) with f = (x − k)²,
/// exp(−kx²) or cos(kx), and their exact gradients w.r.t. μ and σ in closed form.
/// </summary>
public static class GaussianCosts
{
    /// <summary>f = (x − k)²: E f = (μ − k)² + σ², ∂μ = 2(μ − k), ∂σ = 2σ.</summary>
    /// <exception cref="ArgumentOutOfRangeException">k or μ is not finite, or σ is not finite and &gt; 0.</exception>
    public static GradientProblem Square(double k, double mu = 1, double sigma = 1)
    {
        Check(k, mu, sigma, "Square");
        return Create($"(x−k)², k={k:G4}", mu, sigma, x => (x - k).Square(), 2 * (mu - k), 2 * sigma);
    }

    /// <summary>
    /// f = exp(−kx²): with a = 1 + 2kσ², E f = a^{−½}·exp(−kμ²/a), ∂μ = E f·(−2kμ/a), ∂σ = E f·(−1/(2a) + kμ²/a²)·4kσ.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k or μ is not finite, σ is not finite and &gt; 0, or
    /// 1 + 2kσ² ≤ 0 (then E f is infinite).</exception>
    public static GradientProblem ExpSquare(double k, double mu = 1, double sigma = 1)
    {
        Check(k, mu, sigma, "ExpSquare");
        var a = 1 + (2 * k * sigma * sigma);
        if (!(a > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"GaussianCosts.ExpSquare: needs 1 + 2kσ² > 0 for a finite E[exp(−kx²)]; with σ = {sigma}, k = {k} gives {a}.");
        }

        var e = Math.Exp(-k * mu * mu / a) / Math.Sqrt(a);
        return Create($"exp(−kx²), k={k:G4}", mu, sigma, x => (x.Square() * -k).Exp(), e * (-2 * k * mu / a), e * ((-1 / (2 * a)) + (k * mu * mu / (a * a))) * 4 * k * sigma);
    }

    /// <summary>f = cos(kx): E f = cos(kμ)·e^{−k²σ²/2}, ∂μ = −k sin(kμ)·e^{−k²σ²/2}, ∂σ = −k²σ cos(kμ)·e^{−k²σ²/2}.</summary>
    /// <exception cref="ArgumentOutOfRangeException">k or μ is not finite, or σ is not finite and &gt; 0.</exception>
    public static GradientProblem Cos(double k, double mu = 1, double sigma = 1)
    {
        Check(k, mu, sigma, "Cos");
        var damp = Math.Exp(-k * k * sigma * sigma / 2);
        return Create($"cos(kx), k={k:G4}", mu, sigma, x => (x * k).Cos(), -k * Math.Sin(k * mu) * damp, -k * k * sigma * Math.Cos(k * mu) * damp);
    }

    /// <summary>The twelve rows of the reference table: (x−k)² for k = −3, 0, 1; exp(−x²); cos(x); cos(5x).</summary>
    public static IReadOnlyList<GradientProblem> All() => [Square(-3), Square(0), Square(1), ExpSquare(1), Cos(1), Cos(5)];

    private static void Check(double k, double mu, double sigma, string cost)
    {
        if (!double.IsFinite(k))
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"GaussianCosts.{cost}: k must be finite, got {k}.");
        }

        if (!double.IsFinite(mu))
        {
            throw new ArgumentOutOfRangeException(nameof(mu), mu, $"GaussianCosts.{cost}: mu must be finite, got {mu}.");
        }

        if (!(sigma > 0) || !double.IsFinite(sigma))
        {
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, $"GaussianCosts.{cost}: sigma must be finite and > 0, got {sigma}.");
        }
    }

    private static GradientProblem Create(string name, double mu, double sigma, Func<Tensor, Tensor> f, double dMu, double dSigma) => new(
        name,
        ["μ", "σ"],
        [Tensor.Scalar(mu, DType.Float64), Tensor.Scalar(sigma, DType.Float64)],
        p => new Normal(p[0], p[1]),
        x => f(x),
        [Tensor.Scalar(dMu, DType.Float64), Tensor.Scalar(dSigma, DType.Float64)]);
}
