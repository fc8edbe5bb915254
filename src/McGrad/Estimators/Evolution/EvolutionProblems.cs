using McGrad.Distributions;

namespace McGrad.Estimators.Evolution;

/// <summary>Gradient problems with exact answers for evolution strategies (search distribution N(θ, σ²I), σ fixed).</summary>
public static class EvolutionProblems
{
    /// <summary>
    /// F(x) = −‖x‖² under x ∼ N(θ, σ²I) in d = θ.Length dimensions: J(θ) = −‖θ‖² − dσ², exact ∇θ J = −2θ.
    /// The distribution is Independent(Normal(θ, σ), 1) with σ a constant (not a parameter).
    /// </summary>
    /// <remarks>
    /// With c = ‖θ‖², the one-perturbation variances are, plain: Var_i = c²/σ² + 4c + 4θ_i² + 2c(d + 2) + σ²(d + 2)(d + 4);
    /// antithetic: Var_i = 4(c + θ_i²), independent of σ (the pair difference is exactly −4σθ·ε).
    /// </remarks>
    /// <param name="theta">θ, at least one element, finite.</param>
    /// <param name="sigma">σ &gt; 0, finite.</param>
    /// <exception cref="ArgumentException">θ is empty or not finite, or σ is not finite and &gt; 0.</exception>
    public static GradientProblem NegativeSquaredNorm(double[] theta, double sigma)
    {
        ArgumentNullException.ThrowIfNull(theta);
        if (theta.Length == 0 || !theta.All(double.IsFinite))
        {
            throw new ArgumentException($"EvolutionProblems.NegativeSquaredNorm: theta must be a non-empty vector of finite values, got [{string.Join(", ", theta)}].", nameof(theta));
        }

        if (!(sigma > 0) || !double.IsFinite(sigma))
        {
            throw new ArgumentException($"EvolutionProblems.NegativeSquaredNorm: sigma must be finite and > 0, got {sigma}.", nameof(sigma));
        }

        var scale = Tensor.Scalar(sigma, DType.Float64);
        return new GradientProblem(
            $"−‖x‖², d={theta.Length}, σ={sigma:G4}",
            ["θ"],
            [Tensor.FromArray((double[])theta.Clone(), theta.Length)],
            p => new Independent(new Normal(p[0], scale), 1),
            x => -x.Square().Sum(-1),
            [Tensor.FromArray(theta.Select(t => -2 * t).ToArray(), theta.Length)]);
    }
}
