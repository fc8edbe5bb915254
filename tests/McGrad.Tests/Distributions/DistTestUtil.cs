using McGrad.Kernels;

namespace McGrad.Tests.Distributions;

/// <summary>Reference math for distribution tests, written independently of the library (Math.* and LogGamma only).</summary>
internal static class Ref
{
    public const double EulerGamma = 0.57721566490153286061;

    public static Tensor T(params double[] values) => Tensor.FromArray(values);

    public static Tensor T(double[] values, params int[] shape) => Tensor.FromArray(values, shape);

    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    public static double LogGamma(double x) => SpecialFunctions.LogGamma(x);

    public static double Gamma(double x) => Math.Exp(SpecialFunctions.LogGamma(x));

    /// <summary>ψ(x) as a Richardson-extrapolated central difference of ln Γ (independent of the library's digamma).</summary>
    public static double Digamma(double x)
    {
        var h = 1e-3 * Math.Min(1, x);
        double D(double s) => (LogGamma(x + s) - LogGamma(x - s)) / (2 * s);
        return ((4 * D(h / 2)) - D(h)) / 3;
    }

    /// <summary>Composite Simpson rule of f on [a, b] with n (even) intervals.</summary>
    public static double Simpson(Func<double, double> f, double a, double b, int n = 20000)
    {
        var h = (b - a) / n;
        var s = f(a) + f(b);
        for (var i = 1; i < n; i++)
        {
            s += f(a + (i * h)) * ((i & 1) == 1 ? 4 : 2);
        }

        return s * h / 3;
    }

    /// <summary>(mean, variance, entropy) of a density by quadrature on [a, b] (terms with p = 0 contribute 0).</summary>
    public static (double Mean, double Var, double Entropy) Quadrature(Func<double, double> logp, double a, double b)
    {
        double P(double x) => Math.Exp(logp(x));
        var mass = Simpson(P, a, b);
        var mean = Simpson(x => x * P(x), a, b);
        var second = Simpson(x => x * x * P(x), a, b);
        var h = Simpson(x => { var p = P(x); return p > 0 ? -p * logp(x) : 0; }, a, b);
        Assert.True(Math.Abs(mass - 1) < 1e-6, $"quadrature mass {mass}");
        return (mean, second - (mean * mean), h);
    }

    public static void Close(double[] expected, Tensor actual, double tol = 1e-12) => TestUtil.AssertClose(expected, actual, tol);

    public static void Close(double expected, double actual, double tol, string what)
        => Assert.True(Math.Abs(expected - actual) <= tol * (1 + Math.Abs(expected)), $"{what}: expected {expected}, got {actual} (tol {tol})");

    /// <summary>Sample mean and (n − 1) variance of every column j of a row-major [n, cols] array, with the fourth central moment.</summary>
    public static (double Mean, double Var, double M4)[] ColumnMoments(double[] x, int cols)
    {
        var n = x.Length / cols;
        var r = new (double, double, double)[cols];
        for (var j = 0; j < cols; j++)
        {
            var m = 0.0;
            for (var i = 0; i < n; i++)
            {
                m += x[(i * cols) + j];
            }

            m /= n;
            double v = 0, m4 = 0;
            for (var i = 0; i < n; i++)
            {
                var d = x[(i * cols) + j] - m;
                v += d * d;
                m4 += d * d * d * d;
            }

            r[j] = (m, v / (n - 1), m4 / n);
        }

        return r;
    }

    /// <summary>|z| &lt; 4 for the sample mean and variance of each column against the given mean/variance.</summary>
    public static void AssertMoments(double[] samples, double[] mean, double[] variance, string family)
    {
        var cols = mean.Length;
        var n = samples.Length / cols;
        var m = ColumnMoments(samples, cols);
        for (var j = 0; j < cols; j++)
        {
            var zMean = (m[j].Mean - mean[j]) / Math.Sqrt(variance[j] / n);
            Assert.True(Math.Abs(zMean) < 4, $"{family}[{j}]: sample mean {m[j].Mean}, expected {mean[j]} (z = {zMean})");
            var seVar = Math.Sqrt(Math.Max(m[j].M4 - (m[j].Var * m[j].Var), 1e-300) / n);
            var zVar = (m[j].Var - variance[j]) / seVar;
            Assert.True(Math.Abs(zVar) < 4, $"{family}[{j}]: sample variance {m[j].Var}, expected {variance[j]} (z = {zVar})");
        }
    }
}
