using McGrad.Distributions;

namespace McGrad.Estimators.Problems;

/// <summary>
/// The Gaussian cost functions of Mohamed, Rosca, Figurnov and Mnih (2020, §3): x ∼ N(μ, σ²) with f = (x − k)²,
/// exp(−kx²) or cos(kx), and their exact gradients w.r.t. μ and σ in closed form.
/// </summary>
public static class GaussianCosts
{
    /// <summary>f = (x − k)²: E f = (μ − k)² + σ², ∂μ = 2(μ − k), ∂σ = 2σ.</summary>
    public static GradientProblem Square(double k, double mu = 1, double sigma = 1)
        => Create($"(x−k)², k={k:G4}", mu, sigma, x => (x - k).Square(), 2 * (mu - k), 2 * sigma);

    /// <summary>
    /// f = exp(−kx²): with a = 1 + 2kσ², E f = a^{−½}·exp(−kμ²/a), ∂μ = E f·(−2kμ/a), ∂σ = E f·(−1/(2a) + kμ²/a²)·4kσ.
    /// </summary>
    public static GradientProblem ExpSquare(double k, double mu = 1, double sigma = 1)
    {
        var a = 1 + (2 * k * sigma * sigma);
        var e = Math.Exp(-k * mu * mu / a) / Math.Sqrt(a);
        return Create($"exp(−kx²), k={k:G4}", mu, sigma, x => (x.Square() * -k).Exp(), e * (-2 * k * mu / a), e * ((-1 / (2 * a)) + (k * mu * mu / (a * a))) * 4 * k * sigma);
    }

    /// <summary>f = cos(kx): E f = cos(kμ)·e^{−k²σ²/2}, ∂μ = −k sin(kμ)·e^{−k²σ²/2}, ∂σ = −k²σ cos(kμ)·e^{−k²σ²/2}.</summary>
    public static GradientProblem Cos(double k, double mu = 1, double sigma = 1)
    {
        var damp = Math.Exp(-k * k * sigma * sigma / 2);
        return Create($"cos(kx), k={k:G4}", mu, sigma, x => (x * k).Cos(), -k * Math.Sin(k * mu) * damp, -k * k * sigma * Math.Cos(k * mu) * damp);
    }

    /// <summary>The twelve rows of the reference table: (x−k)² for k = −3, 0, 1; exp(−x²); cos(x); cos(5x).</summary>
    public static IReadOnlyList<GradientProblem> All() => [Square(-3), Square(0), Square(1), ExpSquare(1), Cos(1), Cos(5)];

    private static GradientProblem Create(string name, double mu, double sigma, Func<Tensor, Tensor> f, double dMu, double dSigma) => new(
        name,
        ["μ", "σ"],
        [Tensor.Scalar(mu, DType.Float64), Tensor.Scalar(sigma, DType.Float64)],
        p => new Normal(p[0], p[1]),
        x => f(x),
        [Tensor.Scalar(dMu, DType.Float64), Tensor.Scalar(dSigma, DType.Float64)]);
}
