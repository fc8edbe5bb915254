namespace McGrad.Tests.Tensors;

/// <summary>Inputs and independent reference functions for the elementwise op tests.</summary>
internal static class ElementwiseTestData
{
    /// <summary>Shapes every first-order check runs on: plain, broadcast-style size-1 dims, size-0 dims and rank 0.</summary>
    public static readonly int[][] Shapes = [[2, 3], [1, 4, 1], [0, 3], [3, 0, 2], [1], []];

    /// <summary>Float64 values c ± (gap + span·u), u uniform in [0, 1), random sign: keeps inputs away from a kink at c.</summary>
    public static Tensor AwayFrom(int seed, int[] shape, double center, double gap = 0.1, double span = 1.5)
    {
        var rng = new Random(seed);
        var s = new Shape(shape);
        var data = new double[s.Size];
        for (var i = 0; i < data.Length; i++)
        {
            var m = gap + (span * rng.NextDouble());
            data[i] = center + (rng.Next(2) == 0 ? -m : m);
        }

        return Tensor.FromArray(data).Reshape(shape);
    }

    /// <summary>Float64 values on a grid offset + 0.2·k, k ∈ [−8, 8]: two tensors with offsets 0 and 0.1 never tie.</summary>
    public static Tensor Grid(int seed, int[] shape, double offset)
    {
        var rng = new Random(seed);
        var s = new Shape(shape);
        var data = new double[s.Size];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = offset + (0.2 * rng.Next(-8, 9));
        }

        return Tensor.FromArray(data).Reshape(shape);
    }

    /// <summary>Float64 values that are exactly representable in float32 (so both dtypes see the same input).</summary>
    public static Tensor Float32Exact(int seed, int[] shape, double lo, double hi)
    {
        var rng = new Random(seed);
        var s = new Shape(shape);
        var data = new double[s.Size];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (float)(lo + ((hi - lo) * rng.NextDouble()));
        }

        return Tensor.FromArray(data).Reshape(shape);
    }

    /// <summary>log(1 + z) by its Taylor series for |z| &lt; 0.01 (to 1e−17), Math.Log(1 + z) otherwise.</summary>
    public static double RefLog1p(double z)
    {
        if (Math.Abs(z) >= 0.01)
        {
            return Math.Log(1 + z);
        }

        double sum = 0, p = z;
        for (var k = 1; k <= 10; k++)
        {
            sum += (k % 2 == 1 ? p : -p) / k;
            p *= z;
        }

        return sum;
    }

    /// <summary>eᶻ − 1 by its Taylor series for |z| &lt; 0.01, Math.Exp(z) − 1 otherwise.</summary>
    public static double RefExpm1(double z)
    {
        if (Math.Abs(z) >= 0.01)
        {
            return Math.Exp(z) - 1;
        }

        double sum = 0, term = 1;
        for (var k = 1; k <= 10; k++)
        {
            term *= z / k;
            sum += term;
        }

        return sum;
    }

    /// <summary>ln(1 + eˣ) from the definition, rearranged only where the definition overflows or cancels.</summary>
    public static double RefSoftplus(double x) => x > 0 ? x + RefLog1p(Math.Exp(-x)) : RefLog1p(Math.Exp(x));

    /// <summary>1/(1 + e⁻ˣ), rearranged as eˣ/(1 + eˣ) for x &lt; 0.</summary>
    public static double RefSigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <summary>Asserts |expected − actual| ≤ rel·|expected| elementwise (exact equality for infinities and NaN).</summary>
    public static void AssertRelative(double[] expected, double[] actual, double rel, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var e = expected[i];
            var a = actual[i];
            if (double.IsNaN(e) || double.IsInfinity(e) || e == 0)
            {
                Assert.True(e.Equals(a) || (e == 0 && a == 0), $"{what} element {i}: expected {e:R}, got {a:R}");
                continue;
            }

            Assert.True(Math.Abs(e - a) <= rel * Math.Abs(e), $"{what} element {i}: expected {e:R}, got {a:R} (relative error {Math.Abs(e - a) / Math.Abs(e):G3} > {rel})");
        }
    }
}
