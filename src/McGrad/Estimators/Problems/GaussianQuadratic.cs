using McGrad.Distributions;

namespace McGrad.Estimators.Problems;

/// <summary>
/// The mean-field Gaussian quadratic of Xu, Quiroz, Kohn and Sisson (2019): z ∼ N(μ, diag s²) as one d-dimensional event,
/// f(z) = −½(z − m)ᵀH(z − m) with H symmetric. E f = −½[(μ − m)ᵀH(μ − m) + Σᵢ Hᵢᵢsᵢ²], so the exact gradients are
/// ∂μ = −H(μ − m) and ∂sᵢ = −Hᵢᵢsᵢ. Pathwise variance of ∂μᵢ is Σⱼ Hᵢⱼ²sⱼ².
/// </summary>
public static class GaussianQuadratic
{
    /// <summary>The problem with parameters μ and s (both [d]), Hessian <paramref name="h"/> [d, d] and centre <paramref name="m"/> [d].</summary>
    /// <exception cref="ArgumentException">Lengths differ, H is not d×d or not symmetric, or a scale is not &gt; 0.</exception>
    public static GradientProblem Create(double[] mu, double[] s, double[,] h, double[] m)
    {
        ArgumentNullException.ThrowIfNull(mu);
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(h);
        ArgumentNullException.ThrowIfNull(m);
        var d = mu.Length;
        if (s.Length != d || m.Length != d || h.GetLength(0) != d || h.GetLength(1) != d)
        {
            throw new ArgumentException($"GaussianQuadratic: μ has {d} entries; s ({s.Length}), m ({m.Length}) and H ({h.GetLength(0)}×{h.GetLength(1)}) must match it.", nameof(h));
        }

        var exactMu = new double[d];
        var exactS = new double[d];
        for (var i = 0; i < d; i++)
        {
            if (!(s[i] > 0))
            {
                throw new ArgumentException($"GaussianQuadratic: scales must be > 0; s[{i}] is {s[i]}.", nameof(s));
            }

            for (var j = 0; j < d; j++)
            {
                if (h[i, j] != h[j, i])
                {
                    throw new ArgumentException($"GaussianQuadratic: H must be symmetric; H[{i},{j}] = {h[i, j]} but H[{j},{i}] = {h[j, i]}.", nameof(h));
                }

                exactMu[i] -= h[i, j] * (mu[j] - m[j]);
            }

            exactS[i] = -h[i, i] * s[i];
        }

        var hT = Tensor.FromArray(h);
        var mT = Tensor.FromArray(m);
        return new GradientProblem(
            "−½(z − m)ᵀH(z − m)",
            ["μ", "s"],
            [Tensor.FromArray(mu), Tensor.FromArray(s)],
            p => new Independent(new Normal(p[0], p[1]), 1),
            z =>
            {
                var diff = z - mT;
                return (diff * diff.MatMul(hT)).Sum(-1) * -0.5;
            },
            [Tensor.FromArray(exactMu), Tensor.FromArray(exactS)]);
    }
}
