using McGrad.Distributions;

namespace McGrad.Lab.Xu;

/// <summary>The mean-field Gaussian family q = N(μ, diag(s²)), s = exp(ρ), as a library distribution.</summary>
public static class MeanField
{
    /// <summary>Independent(Normal(μ, exp ρ), 1): batch = the leading dimensions of μ, event [d].</summary>
    public static Distribution Create(Tensor mean, Tensor logScale)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(logScale);
        return new Independent(new Normal(mean, logScale.Exp()), 1);
    }
}
