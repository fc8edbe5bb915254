namespace McGrad.Tests.Randomness;

/// <summary>Reference statistics for sampler tests, written independently of the library.</summary>
internal static class Stats
{
    /// <summary>Φ(x) via erfc with the Numerical-Recipes Chebyshev fit (|error| &lt; 1.2e-7).</summary>
    public static double NormalCdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    private static readonly double[] ErfcCoefficients =
        [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];

    private static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + (0.5 * z));
        var poly = 0.0;
        for (var i = ErfcCoefficients.Length - 1; i >= 0; i--)
        {
            poly = ErfcCoefficients[i] + (t * poly);
        }

        var r = t * Math.Exp((-z * z) + poly);
        return x >= 0 ? r : 2 - r;
    }

    /// <summary>Kolmogorov–Smirnov statistic D = sup |F_n − F|.</summary>
    public static double KolmogorovSmirnov(double[] samples, Func<double, double> cdf)
    {
        var s = (double[])samples.Clone();
        Array.Sort(s);
        var n = s.Length;
        var d = 0.0;
        for (var i = 0; i < n; i++)
        {
            var f = cdf(s[i]);
            d = Math.Max(d, Math.Max(((i + 1.0) / n) - f, f - ((double)i / n)));
        }

        return d;
    }

    /// <summary>KS critical value at α = 0.001: 1.949/√n.</summary>
    public static double KsCritical(int n) => 1.949 / Math.Sqrt(n);

    public static (double Mean, double Var) Moments(double[] x)
    {
        var m = x.Average();
        var v = x.Sum(v => (v - m) * (v - m)) / (x.Length - 1);
        return (m, v);
    }
}
