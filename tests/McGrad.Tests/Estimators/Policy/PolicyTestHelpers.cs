using McGrad.Autodiff;

namespace McGrad.Tests.Estimators.Policy;

/// <summary>Small helpers for the policy-loss tests (plain-double references live in each test).</summary>
internal static class PolicyTestHelpers
{
    /// <summary>A float64 tensor of the given shape.</summary>
    public static Tensor T(double[] data, params int[] shape) => Tensor.FromArray(data, shape.Length == 0 ? [data.Length] : shape);

    /// <summary>A float64 scalar (rank 0).</summary>
    public static Tensor S(double value) => Tensor.Scalar(value, DType.Float64);

    /// <summary>A float64 [rows, cols] tensor from a rectangular array.</summary>
    public static Tensor T(double[,] data) => Tensor.FromArray(data);

    /// <summary>∂f/∂x as a flat array (x must require grad).</summary>
    public static double[] Grad(Tensor output, Tensor x) => Autograd.Grad(output, x).ToDoubleArray();

    /// <summary>|expected − actual| ≤ tol·(1 + |expected|).</summary>
    public static void Close(double expected, double actual, double tol = 1e-12, string? what = null)
        => Assert.True(Math.Abs(expected - actual) <= tol * (1 + Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R} (tol {tol})");

    /// <summary>Elementwise <see cref="Close(double, double, double, string)"/>.</summary>
    public static void Close(double[] expected, double[] actual, double tol = 1e-12, string? what = null)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Close(expected[i], actual[i], tol, $"{what}[{i}]");
        }
    }

    /// <summary>Appends <paramref name="extra"/> padding columns filled from <paramref name="garbage"/> (cycled) to a [rows, cols] array.</summary>
    public static double[,] Pad(double[,] x, int extra, double[] garbage)
    {
        int rows = x.GetLength(0), cols = x.GetLength(1);
        var y = new double[rows, cols + extra];
        var k = 0;
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols + extra; j++)
            {
                y[i, j] = j < cols ? x[i, j] : garbage[k++ % garbage.Length];
            }
        }

        return y;
    }

    /// <summary>The [rows, cols] array with every position where <paramref name="mask"/> is 0 overwritten from <paramref name="garbage"/> (cycled).</summary>
    public static double[,] Scramble(double[,] x, double[,] mask, double[] garbage)
    {
        var y = (double[,])x.Clone();
        var k = 0;
        for (var i = 0; i < x.GetLength(0); i++)
        {
            for (var j = 0; j < x.GetLength(1); j++)
            {
                if (mask[i, j] == 0)
                {
                    y[i, j] = garbage[k++ % garbage.Length];
                }
            }
        }

        return y;
    }

    /// <summary>Removes the columns at and after <paramref name="cols"/> from a flat [rows, oldCols] array.</summary>
    public static double[] FirstColumns(double[] flat, int rows, int oldCols, int cols)
    {
        var y = new double[rows * cols];
        for (var i = 0; i < rows; i++)
        {
            Array.Copy(flat, i * oldCols, y, i * cols, cols);
        }

        return y;
    }
}
