using McGrad.Data;
using McGrad.Kernels;
using McGrad.Randomness;

namespace McGrad.Tests.Data;

[Collection(ThreadCountCollection.Name)]
public class BinarizeTests
{
    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void MeanMatchesProbabilityWithinFourStandardErrors(DType dtype)
    {
        // 20 000 pixels for each of p = 0.05, 0.3, 0.5, 0.9; z = (mean − p)/√(p(1−p)/n), |z| < 4.
        double[] ps = [0.05, 0.3, 0.5, 0.9];
        const int n = 20_000;
        var p = new double[ps.Length * n];
        for (var i = 0; i < p.Length; i++)
        {
            p[i] = ps[i % ps.Length];
        }

        var b = Binarize.Dynamic(new RngKey(11), Tensor.FromArray(p, n, ps.Length).To(dtype));
        Assert.Equal(dtype, b.DType);
        Assert.Equal(new Shape(n, ps.Length), b.Shape);
        var values = b.ToDoubleArray();
        Assert.True(values.All(v => v is 0 or 1));
        for (var j = 0; j < ps.Length; j++)
        {
            var mean = 0.0;
            for (var i = j; i < values.Length; i += ps.Length)
            {
                mean += values[i];
            }

            mean /= n;
            var z = (mean - ps[j]) / Math.Sqrt(ps[j] * (1 - ps[j]) / n);
            Assert.True(Math.Abs(z) < 4, $"p = {ps[j]}: mean {mean}, z = {z}");
        }
    }

    [Fact]
    public void IsTheIndicatorOfAUniformBelowP()
    {
        // b = 1[u < p] with u = Sampler.Uniform(key, shape): the common-random-numbers contract.
        var key = new RngKey(5);
        var p = Sampler.Uniform(new RngKey(6), [7, 13]).ToFloatArray();
        var u = Sampler.Uniform(key, [7, 13]).ToFloatArray();
        var b = Binarize.Dynamic(key, Tensor.FromArray(p, 7, 13)).ToFloatArray();
        for (var i = 0; i < p.Length; i++)
        {
            Assert.Equal(u[i] < p[i] ? 1f : 0f, b[i]);
        }

        Assert.NotEqual(b, Binarize.Dynamic(new RngKey(7), Tensor.FromArray(p, 7, 13)).ToFloatArray());
    }

    [Fact]
    public void ZeroAndOneAreDeterministic()
    {
        var b = Binarize.Dynamic(new RngKey(1), Tensor.FromArray([0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0], 5, 2));
        Assert.Equal([0.0, 1, 0, 1, 0, 1, 0, 1, 0, 1], b.ToDoubleArray());
        Assert.Equal(new Shape(0, 3), Binarize.Dynamic(new RngKey(1), Tensor.Zeros([0, 3])).Shape);
    }

    [Fact]
    public void DoesNotDependOnThreadCount()
    {
        var p = Sampler.Uniform(new RngKey(2), [300_001]);
        var (one, two) = ThreadCount.OneAndTwo(() => Binarize.Dynamic(new RngKey(3), p).ToFloatArray());
        Assert.True(one.AsSpan().SequenceEqual(two));
    }

    [Fact]
    public void RejectsValuesOutsideTheUnitIntervalAndIntegers()
    {
        var e = Assert.Throws<ArgumentException>(() => Binarize.Dynamic(new RngKey(1), Tensor.FromArray([0.5f, 0.2f, 255f])));
        Assert.Contains("element 2 is 255", e.Message, StringComparison.Ordinal);
        Assert.Contains("255", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Binarize.Dynamic(new RngKey(1), Tensor.FromArray([0.5, double.NaN])));
        Assert.Contains("element 1 is NaN", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Binarize.Dynamic(new RngKey(1), Tensor.FromArray([-0.1])));
        Assert.Throws<ArgumentException>(() => Binarize.Dynamic(new RngKey(1), Tensor.FromArray(new long[] { 0, 1 })));
    }
}
