using McGrad.Kernels;
using McGrad.Randomness;

namespace McGrad.Tests.Randomness;

[Collection(ThreadCountCollection.Name)]
public class SamplerTests
{
    private const int N = 40_000;

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void UniformHasExactMomentsAndPassesKs(DType dtype)
    {
        var x = Sampler.Uniform(new RngKey(1), [N], dtype, -1, 3).ToDoubleArray();
        var (m, v) = Stats.Moments(x);
        // Mean 1, variance 16/12; |z| < 4 with the exact standard errors.
        Assert.True(Math.Abs(m - 1) < 4 * Math.Sqrt(16.0 / 12 / N), $"mean {m}");
        Assert.True(Math.Abs(v - (16.0 / 12)) < 4 * Math.Sqrt((256.0 / 80) - Math.Pow(16.0 / 12, 2)) / Math.Sqrt(N), $"var {v}");
        Assert.True(Stats.KolmogorovSmirnov(x, t => Math.Clamp((t + 1) / 4, 0, 1)) < Stats.KsCritical(N));
        Assert.All(x, t => Assert.True(t > -1 && t < 3));
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void NormalHasExactMomentsAndPassesKs(DType dtype)
    {
        var x = Sampler.Normal(new RngKey(2), [N + 1], dtype, 0.5, 2).ToDoubleArray();
        var (m, v) = Stats.Moments(x);
        Assert.True(Math.Abs(m - 0.5) < 4 * 2 / Math.Sqrt(N), $"mean {m}");
        Assert.True(Math.Abs(v - 4) < 4 * 4 * Math.Sqrt(2.0 / N), $"var {v}");
        Assert.True(Stats.KolmogorovSmirnov(x, t => Stats.NormalCdf((t - 0.5) / 2)) < Stats.KsCritical(N));
    }

    [Fact]
    public void OpenIntervalKeepsLogsFinite()
    {
        var u = Sampler.Uniform(new RngKey(3), [N], DType.Float32).ToDoubleArray();
        Assert.All(u, t => Assert.True(t > 0 && t < 1));
        Assert.Equal(0.5 / (1 << 23), Sampler.Unit24(0));
        Assert.Equal(1 - (0.5 / (1 << 23)), Sampler.Unit24(uint.MaxValue));
        Assert.True(Sampler.Unit52(uint.MaxValue, uint.MaxValue) < 1);
        Assert.True(Sampler.Unit52(0, 0) > 0);
    }

    [Fact]
    public void ResultDependsOnTheKeyAloneNotOnThreadCount()
    {
        var (one, two) = ThreadCount.OneAndTwo(() => Sampler.Normal(new RngKey(4), [100_001]).ToFloatArray());
        Assert.Equal(one, two);
    }

    [Fact]
    public void PrefixesAgreeAcrossSizesAndKeysDiffer()
    {
        // Element i depends on (key, i) only: a longer draw extends a shorter one.
        var small = Sampler.Uniform(new RngKey(5), [10], DType.Float64).ToDoubleArray();
        var large = Sampler.Uniform(new RngKey(5), [20_000], DType.Float64).ToDoubleArray();
        Assert.Equal(small, large.Take(10));
        Assert.NotEqual(small, Sampler.Uniform(new RngKey(6), [10], DType.Float64).ToDoubleArray());
        var keys = new RngKey(5).Split(2);
        Assert.NotEqual(Sampler.Normal(keys[0], [8]).ToFloatArray(), Sampler.Normal(keys[1], [8]).ToFloatArray());
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        Assert.Contains("std", Assert.Throws<ArgumentException>(() => Sampler.Normal(new RngKey(1), [2], std: -1)).Message);
        Assert.Contains("low", Assert.Throws<ArgumentException>(() => Sampler.Uniform(new RngKey(1), [2], low: 1, high: 1)).Message);
        Assert.Contains("Int64", Assert.Throws<ArgumentException>(() => Sampler.Uniform(new RngKey(1), [2], DType.Int64)).Message);
    }
}
