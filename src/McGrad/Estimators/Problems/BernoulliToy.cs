using System.Globalization;
using McGrad.Distributions;

namespace McGrad.Estimators.Problems;

/// <summary>
/// The Bernoulli toy problem of REBAR, RELAX, ARM and DisARM (REFERENCE.md R2): b ~ Bernoulli(σ(θ)) with
/// f(b) = (b − p₀)². With p = σ(θ): E f = p(1 − p₀)² + (1 − p)p₀², and ∂E f/∂θ = σ(θ)(1 − σ(θ))(1 − 2p₀).
/// </summary>
/// <remarks>
/// With p₀ close to ½ the two outcomes differ by only D = f(1) − f(0) = 1 − 2p₀, so the signal is tiny against
/// REINFORCE's noise (≈ E[f²s²]); antithetic estimators cancel the common part. Tucker et al. (2017) used p₀ = 0.45,
/// 0.49, 0.499.
/// </remarks>
public static class BernoulliToy
{
    /// <summary>The problem with target <paramref name="p0"/> and logit <paramref name="theta"/> (parameter "θ", float64 scalar).</summary>
    /// <exception cref="ArgumentOutOfRangeException">p₀ or θ is not finite.</exception>
    public static GradientProblem Create(double p0, double theta)
    {
        if (!double.IsFinite(p0))
        {
            throw new ArgumentOutOfRangeException(nameof(p0), p0, "BernoulliToy: p0 must be finite.");
        }

        if (!double.IsFinite(theta))
        {
            throw new ArgumentOutOfRangeException(nameof(theta), theta, "BernoulliToy: theta must be finite.");
        }

        var p = 1 / (1 + Math.Exp(-theta));
        return new GradientProblem(
            string.Create(CultureInfo.InvariantCulture, $"(b−p0)², p0={p0:G4}, θ={theta:G4}"),
            ["θ"],
            [Tensor.Scalar(theta, DType.Float64)],
            ps => new Bernoulli(logits: ps[0]),
            b => (b - p0).Square(),
            [Tensor.Scalar(p * (1 - p) * (1 - (2 * p0)), DType.Float64)]);
    }

    /// <summary>E f = σ(θ)(1 − p₀)² + (1 − σ(θ))p₀².</summary>
    public static double Expectation(double p0, double theta)
    {
        var p = 1 / (1 + Math.Exp(-theta));
        return (p * (1 - p0) * (1 - p0)) + ((1 - p) * p0 * p0);
    }

    /// <summary>The five (p₀, θ) rows of REFERENCE.md R2: (0.49, −2), (0.49, −1), (0.49, 0), (0.499, 0), (0.499, 1).</summary>
    public static IReadOnlyList<GradientProblem> ReferenceRows()
        => [Create(0.49, -2), Create(0.49, -1), Create(0.49, 0), Create(0.499, 0), Create(0.499, 1)];
}
