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

    /// <summary>Regularised lower incomplete gamma P(a, x): series for x &lt; a + 1, Lentz continued fraction otherwise.</summary>
    public static double GammaP(double a, double x, Func<double, double> logGamma)
    {
        if (x <= 0)
        {
            return 0;
        }

        if (x < a + 1)
        {
            double sum = 1 / a, term = 1 / a;
            for (var n = 1; n < 1000; n++)
            {
                term *= x / (a + n);
                sum += term;
                if (Math.Abs(term) < Math.Abs(sum) * 1e-15)
                {
                    break;
                }
            }

            return sum * Math.Exp((-x) + (a * Math.Log(x)) - logGamma(a));
        }

        double b = x + 1 - a, c = 1e300, d = 1 / b, h = d;
        for (var i = 1; i < 1000; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = (an * d) + b;
            d = Math.Abs(d) < 1e-300 ? 1e-300 : d;
            c = b + (an / c);
            c = Math.Abs(c) < 1e-300 ? 1e-300 : c;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-15)
            {
                break;
            }
        }

        return 1 - (Math.Exp((-x) + (a * Math.Log(x)) - logGamma(a)) * h);
    }

    /// <summary>
    /// The Beta(a, b) CDF I_x(a, b) (Numerical Recipes' betai): the prefactor xᵃ(1 − x)ᵇ/B(a, b) in log space times
    /// the continued fraction, for x &lt; (a + 1)/(a + b + 2), else 1 − I_{1−x}(b, a). Accurate for tiny a, b and x
    /// down to the smallest double.
    /// </summary>
    public static double BetaCdf(double a, double b, double x, Func<double, double> logGamma)
    {
        if (x <= 0)
        {
            return 0;
        }

        if (x >= 1)
        {
            return 1;
        }

        var logPrefix = logGamma(a + b) - logGamma(a) - logGamma(b) + (a * Math.Log(x)) + (b * Math.Log(1 - x));
        return x < (a + 1) / (a + b + 2)
            ? Math.Exp(logPrefix) * BetaContinuedFraction(a, b, x) / a
            : 1 - (Math.Exp(logPrefix) * BetaContinuedFraction(b, a, 1 - x) / b);
    }

    private static double BetaContinuedFraction(double a, double b, double x)
    {
        const double Tiny = 1e-300;
        double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - (qab * x / qap);
        d = Math.Abs(d) < Tiny ? Tiny : d;
        d = 1 / d;
        var h = d;
        for (var m = 1; m < 10_000; m++)
        {
            var m2 = 2 * m;
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + (aa * d);
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = 1 + (aa / c);
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + (aa * d);
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = 1 + (aa / c);
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-15)
            {
                break;
            }
        }

        return h;
    }

    /// <summary>max_k |F_n(k) − F(k)| over the integers (a conservative KS statistic for discrete laws).</summary>
    public static double DiscreteKs(double[] samples, Func<int, double> cdf, int maxK)
    {
        var n = samples.Length;
        var counts = new int[maxK + 2];
        foreach (var v in samples)
        {
            counts[Math.Min((int)v, maxK + 1)]++;
        }

        var acc = 0;
        var d = 0.0;
        for (var k = 0; k <= maxK; k++)
        {
            acc += counts[k];
            d = Math.Max(d, Math.Abs(((double)acc / n) - cdf(k)));
        }

        return d;
    }
}
