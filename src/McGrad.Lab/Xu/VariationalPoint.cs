namespace McGrad.Lab.Xu;

/// <summary>A mean-field Gaussian q = N(μ, diag(exp(2ρ))) reached after <paramref name="Step"/> optimisation steps.</summary>
/// <param name="Step">Adam steps taken from q = N(0, I).</param>
/// <param name="Mean">μ, length d.</param>
/// <param name="LogScale">ρ = log s, length d.</param>
/// <param name="Elbo">E_q[f] + entropy(q) with E_q[f] estimated from <paramref name="ElboSamples"/> draws (constants of f dropped).</param>
/// <param name="ElboStdError">The standard error of that estimate.</param>
/// <param name="ElboSamples">Draws used for the ELBO estimate.</param>
public sealed record VariationalPoint(int Step, double[] Mean, double[] LogScale, double Elbo, double ElboStdError, int ElboSamples)
{
    /// <summary>s = exp(ρ).</summary>
    public double[] Scales => [.. LogScale.Select(Math.Exp)];
}
