using McGrad.Autodiff;

namespace McGrad.Tests;

/// <summary>Shared helpers: deterministic random tensors and gradient-check assertions.</summary>
internal static class TestUtil
{
    /// <summary>The repository root: the nearest folder above the test binaries that holds McGrad.slnx.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "McGrad.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"McGrad.slnx not found above {AppContext.BaseDirectory}.");
    }

    /// <summary>A float64 tensor with values uniform in [lo, hi) from a fixed seed (System.Random is fine in tests).</summary>
    public static Tensor Rand(int seed, int[] shape, double lo = -1, double hi = 1)
    {
        var rng = new Random(seed);
        var s = new Shape(shape);
        var data = new double[s.Size];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = lo + ((hi - lo) * rng.NextDouble());
        }

        return Tensor.FromArray(data, shape.Length == 0 ? [] : shape).Reshape(shape);
    }

    public static void AssertGrad(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        var r = GradCheck.Check(f, inputs);
        Assert.True(r.Passed, r.Report);
    }

    public static void AssertGradGrad(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        var r = GradCheck.CheckSecondOrder(f, inputs);
        Assert.True(r.Passed, r.Report);
    }

    public static void AssertClose(double[] expected, Tensor actual, double tol)
    {
        var a = actual.ToDoubleArray();
        Assert.Equal(expected.Length, a.Length);
        for (var i = 0; i < a.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - a[i]) <= tol * (1 + Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {a[i]} (tol {tol})");
        }
    }
}
