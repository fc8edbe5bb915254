namespace McGrad.Lab.Xu;

/// <summary>
/// Closed-form per-coordinate variances of one-sample gradient estimators of ∇ E_q[f] for a quadratic f under a
/// mean-field Gaussian q = N(μ, diag(s²)), s = exp(ρ): pathwise (reparameterisation) and score function (REINFORCE with
/// a constant baseline b), with respect to the means μᵢ and the log-scales ρᵢ (derivation: docs/xu.md).
/// </summary>
/// <remarks>
/// <para>Write f(μ + u) = f(μ) + gᵀu + ½uᵀHu (exact for a quadratic; the second-order Taylor expansion at μ
/// otherwise), u = s ⊙ ε, ε ∼ N(0, I). With γ = s ⊙ g, M = diag(s) H diag(s) and β = E_q[f] − b =
/// f(μ) + ½ tr M − b (the baseline's offset from the exact mean; β = 0 for the exact mean baseline):</para>
/// <list type="bullet">
/// <item>pathwise ∂μᵢ: (M²)ᵢᵢ / sᵢ² = Σⱼ Hᵢⱼ² sⱼ²;</item>
/// <item>score function ∂μᵢ: [β² + 2Mᵢᵢβ + |γ|² + γᵢ² + ½ tr M² + 2(M²)ᵢᵢ] / sᵢ²;</item>
/// <item>pathwise ∂ρᵢ: γᵢ² + Mᵢᵢ² + (M²)ᵢᵢ;</item>
/// <item>score function ∂ρᵢ: 2β² + 8Mᵢᵢβ + 2|γ|² + 8γᵢ² + tr M² + 8(M²)ᵢᵢ + 5Mᵢᵢ².</item>
/// </list>
/// <para>In one dimension with f = −(h/2)(z − m)², a = μ − m and b = 0 the score-function mean variance is
/// (h²/(4s²))(a⁴ + 14a²s² + 15s⁴), and with the mean baseline h²(2a² + 2.5s²) (Xu, Quiroz, Kohn and Sisson 2019).
/// For every β the score-function variance of ∂μᵢ is at least 1.5× the pathwise one (at least 2.5× with the mean
/// baseline), and of ∂ρᵢ at least 3×.</para>
/// </remarks>
public sealed class QuadraticVariances
{
    private readonly double[] _g;
    private readonly double[] _s;
    private readonly double[] _gamma;
    private readonly double[,] _m;
    private readonly double[] _m2Diag;
    private readonly double _gammaNorm2;
    private readonly double _traceM2;

    /// <summary>The variances for gradient <paramref name="gradient"/> g = ∇f(μ), Hessian <paramref name="hessian"/> H and scales <paramref name="scales"/> s.</summary>
    /// <exception cref="ArgumentException">The lengths disagree (g and s of length d, H of d × d), H is not symmetric to 1e-9 relative, or a scale is not positive and finite.</exception>
    public QuadraticVariances(double[] gradient, double[,] hessian, double[] scales)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        ArgumentNullException.ThrowIfNull(hessian);
        ArgumentNullException.ThrowIfNull(scales);
        var d = gradient.Length;
        if (scales.Length != d || hessian.GetLength(0) != d || hessian.GetLength(1) != d)
        {
            throw new ArgumentException($"QuadraticVariances: gradient has {d} elements, scales {scales.Length} and the Hessian is {hessian.GetLength(0)} × {hessian.GetLength(1)}; expected d, d and d × d.", nameof(hessian));
        }

        var maxAbs = 0.0;
        foreach (var h in hessian)
        {
            maxAbs = Math.Max(maxAbs, Math.Abs(h));
        }

        for (var i = 0; i < d; i++)
        {
            if (!(scales[i] > 0) || !double.IsFinite(scales[i]))
            {
                throw new ArgumentException($"QuadraticVariances: scale s[{i}] = {scales[i]}; expected a positive finite number.", nameof(scales));
            }

            for (var j = 0; j < i; j++)
            {
                if (Math.Abs(hessian[i, j] - hessian[j, i]) > 1e-9 * Math.Max(maxAbs, 1e-300))
                {
                    throw new ArgumentException($"QuadraticVariances: the Hessian is not symmetric: H[{i},{j}] = {hessian[i, j]} but H[{j},{i}] = {hessian[j, i]}.", nameof(hessian));
                }
            }
        }

        _g = (double[])gradient.Clone();
        _s = (double[])scales.Clone();
        _gamma = new double[d];
        _m = new double[d, d];
        _m2Diag = new double[d];
        for (var i = 0; i < d; i++)
        {
            _gamma[i] = scales[i] * gradient[i];
            _gammaNorm2 += _gamma[i] * _gamma[i];
            for (var j = 0; j < d; j++)
            {
                // The symmetric part, so that a rounding-level asymmetry does not change the moments.
                _m[i, j] = scales[i] * 0.5 * (hessian[i, j] + hessian[j, i]) * scales[j];
            }
        }

        for (var i = 0; i < d; i++)
        {
            double sum = 0;
            for (var j = 0; j < d; j++)
            {
                sum += _m[i, j] * _m[i, j];
            }

            _m2Diag[i] = sum;
            _traceM2 += sum;
            TraceM += _m[i, i];
        }
    }

    /// <summary>Dimension d.</summary>
    public int Dimension => _g.Length;

    /// <summary>tr M = Σᵢ Hᵢᵢ sᵢ², so that E_q[f] = f(μ) + ½ tr M for the quadratic.</summary>
    public double TraceM { get; }

    /// <summary>Var of the pathwise ∂μᵢ: Σⱼ Hᵢⱼ² sⱼ² = (M²)ᵢᵢ / sᵢ², for each i.</summary>
    public double[] PathwiseMean() => [.. Enumerable.Range(0, Dimension).Select(i => _m2Diag[i] / (_s[i] * _s[i]))];

    /// <summary>Var of the score-function ∂μᵢ with baseline offset β = E_q[f] − b: [β² + 2Mᵢᵢβ + |γ|² + γᵢ² + ½ tr M² + 2(M²)ᵢᵢ] / sᵢ².</summary>
    public double[] ScoreMean(double baselineOffset)
    {
        var beta = baselineOffset;
        return [.. Enumerable.Range(0, Dimension).Select(i =>
            ((beta * beta) + (2 * _m[i, i] * beta) + _gammaNorm2 + (_gamma[i] * _gamma[i]) + (0.5 * _traceM2) + (2 * _m2Diag[i])) / (_s[i] * _s[i]))];
    }

    /// <summary>Var of the pathwise ∂ρᵢ (ρ = log s): γᵢ² + Mᵢᵢ² + (M²)ᵢᵢ.</summary>
    public double[] PathwiseLogScale() => [.. Enumerable.Range(0, Dimension).Select(i => (_gamma[i] * _gamma[i]) + (_m[i, i] * _m[i, i]) + _m2Diag[i])];

    /// <summary>Var of the score-function ∂ρᵢ with baseline offset β: 2β² + 8Mᵢᵢβ + 2|γ|² + 8γᵢ² + tr M² + 8(M²)ᵢᵢ + 5Mᵢᵢ².</summary>
    public double[] ScoreLogScale(double baselineOffset)
    {
        var beta = baselineOffset;
        return [.. Enumerable.Range(0, Dimension).Select(i =>
            (2 * beta * beta) + (8 * _m[i, i] * beta) + (2 * _gammaNorm2) + (8 * _gamma[i] * _gamma[i]) + _traceM2 + (8 * _m2Diag[i]) + (5 * _m[i, i] * _m[i, i]))];
    }

    /// <summary>E of both estimators of ∂μᵢ: gᵢ; of ∂ρᵢ: Mᵢᵢ = Hᵢᵢ sᵢ² (for the quadratic; the entropy's +1 is not included).</summary>
    public (double[] Mean, double[] LogScale) ExactGradient() => ((double[])_g.Clone(), [.. Enumerable.Range(0, Dimension).Select(i => _m[i, i])]);
}
