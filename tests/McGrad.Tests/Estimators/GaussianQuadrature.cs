namespace McGrad.Tests.Estimators;

/// <summary>
/// E[g(ε)] for ε ∼ N(0, 1) by the trapezoid rule on [−14, 14] with step 1/200: for smooth integrands that decay like
/// the Gaussian density it converges geometrically, so polynomial moments and the R1 costs come out to ~1e-12.
/// Independent of the code under test (plain doubles).
/// </summary>
internal static class GaussianQuadrature
{
    private const double Step = 1.0 / 200;
    private const double Limit = 14;

    public static double Expect(Func<double, double> g)
    {
        var n = (int)Math.Round(2 * Limit / Step);
        double sum = 0;
        for (var i = 0; i <= n; i++)
        {
            var e = -Limit + (i * Step);
            var w = i == 0 || i == n ? 0.5 : 1.0;
            sum += w * Math.Exp(-0.5 * e * e) * g(e);
        }

        return sum * Step / Math.Sqrt(2 * Math.PI);
    }

    /// <summary>
    /// For a one-sample score-function estimator with cost f(ε) and score s(ε): the exact b* = E[f s²]/E[s²], the exact
    /// gradient E[f s], the one-sample variance with b* (V*) and the coefficient C of the leave-one-out estimator's
    /// K·Var = V* + C/(K − 1) + O(1/K²), C = (E[s²]E[(f − b*)²s⁴] + E[(f − b*)s³]²)/E[s²]².
    /// </summary>
    public static (double BStar, double Gradient, double VStar, double C) OptimalBaseline(Func<double, double> f, Func<double, double> s)
    {
        var m = Expect(e => s(e) * s(e));
        var b = Expect(e => f(e) * s(e) * s(e)) / m;
        var g = Expect(e => f(e) * s(e));
        var v = Expect(e => Math.Pow((f(e) - b) * s(e), 2)) - (g * g);
        var a2 = Expect(e => Math.Pow((f(e) - b) * s(e) * s(e), 2));
        var as1 = Expect(e => (f(e) - b) * Math.Pow(s(e), 3));
        return (b, g, v, ((m * a2) + (as1 * as1)) / (m * m));
    }
}
