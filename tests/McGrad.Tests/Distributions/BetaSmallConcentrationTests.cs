using Xunit.Abstractions;
using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Kernels;
using McGrad.Randomness;
using McGrad.Tests.Randomness;

namespace McGrad.Tests.Distributions;

/// <summary>
/// Beta at concentrations far below 1, where both Gamma draws underflow (ln X ≈ ln U/a ≈ −1000 at a = 0.001): the
/// draws must follow the exact law and the RSample gradient must be finite and unbiased. Drawing x = X/(X + Y) from
/// the underflowed Gammas fails all of these (Beta(0.01, 0.01) in Float32 returned exactly 0.5 on 17.6% of draws
/// and put 20% of them in (0.1, 0.9), where the exact share is 2.2%; its ∂x/∂a was ±∞ on some draws and averaged
/// half the exact value).
/// </summary>
public class BetaSmallConcentrationTests(ITestOutputHelper output)
{
    private const int N = 100_000;

    /// <summary>
    /// KS statistic over the samples in [lo, hi]: the supremum of |F_n − F| over a sub-interval, which is at most the
    /// full statistic, so the α = 0.001 critical value still applies (conservatively). The interval leaves out the
    /// values where the dtype's rounding piles draws onto one number (x within 2⁻²⁵ of 1 rounds to 1 in Float32,
    /// x below the smallest normal loses precision); the share of draws outside it is checked by F(lo) and F(hi)
    /// through the first and last sample inside.
    /// </summary>
    private static double RestrictedKs(double[] samples, Func<double, double> cdf, double lo, double hi)
    {
        var s = (double[])samples.Clone();
        Array.Sort(s);
        var n = s.Length;
        var d = 0.0;
        for (var i = 0; i < n; i++)
        {
            if (s[i] < lo || s[i] > hi)
            {
                continue;
            }

            var f = cdf(s[i]);
            d = Math.Max(d, Math.Max(((i + 1.0) / n) - f, f - ((double)i / n)));
        }

        return d;
    }

    private static double Cdf(double a, double t) => Stats.BetaCdf(a, a, t, SpecialFunctions.LogGamma);

    [Theory]
    [InlineData(0.001, DType.Float64)]
    [InlineData(0.01, DType.Float64)]
    [InlineData(0.05, DType.Float64)]
    [InlineData(0.001, DType.Float32)]
    [InlineData(0.01, DType.Float32)]
    [InlineData(0.05, DType.Float32)]
    public void DrawsFollowTheExactLaw(double alpha, DType dtype)
    {
        var x = new Beta(alpha, alpha, dtype).Sample(new RngKey(31), [N]).ToDoubleArray();
        Assert.True(x.All(v => v >= 0 && v <= 1), $"Beta({alpha}, {alpha}) {dtype}: a draw outside [0, 1]");

        // The exact chance of a draw rounding to exactly 0.5 is density(0.5)·ulp ≈ 1e-9 per draw (expected count
        // below 1e-3 here); the X/(X + Y) sampler returned 0.5 whenever both Gammas underflowed.
        Assert.Equal(0, x.Count(v => v == 0.5));

        // The share in (0.1, 0.9) against the exact one: binomial z-test, |z| < 4.
        var p = Cdf(alpha, 0.9) - Cdf(alpha, 0.1);
        var share = x.Count(v => v > 0.1 && v < 0.9) / (double)N;
        var z = (share - p) / Math.Sqrt(p * (1 - p) / N);
        Assert.True(Math.Abs(z) < 4, $"Beta({alpha}, {alpha}) {dtype}: share in (0.1, 0.9) {share}, exact {p} (z = {z})");

        var (lo, hi) = dtype == DType.Float32 ? (1e-37, 1 - 1e-6) : (1e-300, 1 - 1e-14);
        var d = RestrictedKs(x, t => Cdf(alpha, t), lo, hi);
        output.WriteLine($"Beta({alpha}, {alpha}) {dtype}: share in (0.1, 0.9) {share} (exact {p}, z = {z:F2}); KS D = {d:F5} (critical {Stats.KsCritical(N):F5})");
        Assert.True(d < Stats.KsCritical(N), $"Beta({alpha}, {alpha}) {dtype}: KS D = {d}, critical {Stats.KsCritical(N)}");
    }

    /// <summary>
    /// E[∂x/∂a] = ∂E[x]/∂a = b/(a + b)², E[∂x/∂b] = −a/(a + b)², and for x², with s = a + b, q = s(s + 1):
    /// ∂E[x²]/∂a = ((2a + 1)q − a(a + 1)(2s + 1))/q², ∂E[x²]/∂b = −a(a + 1)(2s + 1)/q². z-test, |z| &lt; 4, over
    /// 200 000 per-sample pathwise derivatives (each sample has its own copy of the parameters); every derivative
    /// must be finite. Catches an underflowed Gamma in the gradient (±∞ or a biased mean) and a swapped sign on b.
    /// </summary>
    [Theory]
    [InlineData(0.01, 0.01, DType.Float64)]
    [InlineData(0.01, 0.01, DType.Float32)]
    [InlineData(0.05, 0.05, DType.Float32)]
    [InlineData(0.01, 0.3, DType.Float64)]
    [InlineData(0.05, 0.02, DType.Float32)]
    public void RSampleGradientIsFiniteAndUnbiased(double a, double b, DType dtype)
    {
        const int n = 200_000;
        var s = a + b;
        var q = s * (s + 1);
        (string Name, Func<Tensor, Tensor> F, double Da, double Db)[] cases =
        [
            ("x", x => x, b / (s * s), -a / (s * s)),
            ("x²", x => x * x, ((((2 * a) + 1) * q) - (a * (a + 1) * ((2 * s) + 1))) / (q * q), -(a * (a + 1) * ((2 * s) + 1)) / (q * q)),
        ];
        foreach (var (name, f, exactA, exactB) in cases)
        {
            var pa = Tensor.Full([n], a, dtype).RequireGrad();
            var pb = Tensor.Full([n], b, dtype).RequireGrad();
            var y = f(new Beta(pa, pb).RSample(new RngKey(41))).Sum();
            var grads = Autograd.Grad([y], [pa, pb]);
            foreach (var (g, exact, which) in new[] { (grads[0]!, exactA, "a"), (grads[1]!, exactB, "b") })
            {
                var v = g.ToDoubleArray();
                var bad = v.Where(d => !double.IsFinite(d)).ToArray();
                Assert.True(bad.Length == 0, $"Beta({a}, {b}) {dtype}: ∂{name}/∂{which} is not finite on {bad.Length} of {n} draws (first: {bad.FirstOrDefault()})");
                var (m, var) = Stats.Moments(v);
                var z = (m - exact) / Math.Sqrt(var / n);
                output.WriteLine($"Beta({a}, {b}) {dtype}: mean ∂{name}/∂{which} {m:G5}, exact {exact:G5}, z = {z:F2}");
                Assert.True(Math.Abs(z) < 4, $"Beta({a}, {b}) {dtype}: mean ∂{name}/∂{which} {m}, exact {exact} (z = {z})");
            }
        }
    }
}
