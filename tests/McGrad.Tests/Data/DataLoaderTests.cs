using McGrad.Data;
using McGrad.Kernels;
using McGrad.Randomness;

namespace McGrad.Tests.Data;

[Collection(ThreadCountCollection.Name)]
public class DataLoaderTests
{
    private static readonly RngKey Key = new(42);

    [Fact]
    public void EveryIndexExactlyOncePerEpoch()
    {
        var loader = new DataLoader(103, 10, Key);
        Assert.Equal(11, loader.BatchesPerEpoch);
        for (var epoch = 0; epoch < 3; epoch++)
        {
            var batches = loader.IndexBatches(epoch).ToList();
            Assert.Equal(11, batches.Count);
            Assert.All(batches.Take(10), b => Assert.Equal(new Shape(10), b.Shape));
            Assert.Equal(new Shape(3), batches[10].Shape);
            Assert.All(batches, b => Assert.Equal(DType.Int64, b.DType));
            var all = batches.SelectMany(b => b.ToLongArray()).ToArray();
            Assert.Equal(loader.EpochOrder(epoch).Select(i => (long)i), all); // batches are consecutive slices of the order
            Array.Sort(all);
            Assert.Equal(Enumerable.Range(0, 103).Select(i => (long)i), all);
        }
    }

    [Fact]
    public void SameKeySameOrderOtherEpochOrKeyAnotherOrder()
    {
        var a = new DataLoader(1000, 32, Key);
        var b = new DataLoader(1000, 32, new RngKey(42));
        Assert.Equal(a.EpochOrder(5), b.EpochOrder(5));
        Assert.NotEqual(a.EpochOrder(0), a.EpochOrder(1));
        Assert.NotEqual(a.EpochOrder(0), new DataLoader(1000, 32, new RngKey(43)).EpochOrder(0));
        Assert.NotEqual(Enumerable.Range(0, 1000), a.EpochOrder(0)); // it does shuffle
        // The epoch order is the permutation of key.FoldIn(epoch), as documented.
        Assert.Equal(DataLoader.Permutation(Key.FoldIn(7), 1000), a.EpochOrder(7));
        Assert.Equal(Enumerable.Range(0, 1000), new DataLoader(1000, 32, Key, shuffle: false).EpochOrder(3));
    }

    [Fact]
    public void DropLastLeavesOutTheShortBatch()
    {
        var loader = new DataLoader(103, 10, Key, dropLast: true);
        Assert.Equal(10, loader.BatchesPerEpoch);
        var batches = loader.IndexBatches(2).ToList();
        Assert.Equal(10, batches.Count);
        Assert.All(batches, b => Assert.Equal(10, b.Size));
        var seen = batches.SelectMany(b => b.ToLongArray()).ToArray();
        Assert.Equal(100, seen.Distinct().Count());
        Assert.Equal(loader.EpochOrder(2)[..100].Select(i => (long)i), seen);

        Assert.Empty(new DataLoader(5, 10, Key, dropLast: true).IndexBatches(0));
        Assert.Single(new DataLoader(5, 10, Key).IndexBatches(0));
        Assert.Empty(new DataLoader(0, 10, Key).IndexBatches(0));
    }

    [Fact]
    public void GatheredBatchesHoldTheIndexedRows()
    {
        // x row i is [i, i + 0.5, i + 0.25] and label i is 10·i, so every gathered row names its source.
        const int n = 23;
        var xs = new double[n * 3];
        var ys = new long[n];
        for (var i = 0; i < n; i++)
        {
            xs[3 * i] = i;
            xs[(3 * i) + 1] = i + 0.5;
            xs[(3 * i) + 2] = i + 0.25;
            ys[i] = 10 * i;
        }

        var x = Tensor.FromArray(xs, n, 3);
        var y = Tensor.FromArray(ys);
        var loader = new DataLoader(n, 5, Key);
        var order = loader.EpochOrder(1);
        var k = 0;
        foreach (var (xb, yb) in loader.Batches(1, x, y))
        {
            Assert.Equal(DType.Float64, xb.DType);
            Assert.Equal(xb.Shape[0], yb.Shape[0]);
            Assert.Equal(3, xb.Shape[1]);
            for (var r = 0; r < xb.Shape[0]; r++, k++)
            {
                var i = order[k];
                Assert.Equal([i, i + 0.5, i + 0.25], new[] { xb[r, 0], xb[r, 1], xb[r, 2] });
                Assert.Equal(10 * i, yb[r]);
            }
        }

        Assert.Equal(n, k);

        var three = loader.Batches(1, x, y, x.Reshape(n, 3, 1)).First();
        Assert.Equal(new Shape(5, 3, 1), three[2].Shape);
        Assert.Equal(three[0].ToDoubleArray(), three[2].ToDoubleArray());
        Assert.Equal(loader.Batches(1, x).First().ToDoubleArray(), three[0].ToDoubleArray());
    }

    [Fact]
    public void BatchesDoNotDependOnThreadCount()
    {
        // Rows of 2000 floats in batches of 256 rows are large enough for the gather to run in parallel.
        const int n = 600;
        var data = Sampler.Uniform(new RngKey(9), [n, 2000]);
        var loader = new DataLoader(n, 256, Key);
        var (one, two) = ThreadCount.OneAndTwo(() => loader.Batches(3, data).Select(b => b.ToFloatArray()).ToList());
        Assert.Equal(one.Count, two.Count);
        Assert.True(one.Zip(two).All(pair => pair.First.AsSpan().SequenceEqual(pair.Second)));
        var first = loader.IndexBatches(3).First().ToLongArray();
        Assert.True(data.ToFloatArray().AsSpan((int)first[0] * 2000, 2000).SequenceEqual(one[0].AsSpan(0, 2000)));
    }

    [Fact]
    public void PermutationsOfFourAreUniform()
    {
        // 24 000 permutations of 4 items from keys FoldIn(0…): each of the 24 orders should appear ≈ 1000 times.
        // Chi-square with 23 degrees of freedom; 57.3 is its 1 − 1e-4 quantile (Wilson–Hilferty). A biased shuffle
        // (j drawn from 0…n−1 every step, or Sattolo's j < i) fails by far.
        var counts = new Dictionary<int, int>();
        const int draws = 24_000;
        for (uint s = 0; s < draws; s++)
        {
            var p = DataLoader.Permutation(Key.FoldIn(s), 4);
            var code = (((((p[0] * 4) + p[1]) * 4) + p[2]) * 4) + p[3];
            counts[code] = counts.GetValueOrDefault(code) + 1;
        }

        Assert.Equal(24, counts.Count);
        var chi2 = counts.Values.Sum(c => (c - 1000.0) * (c - 1000.0) / 1000.0);
        Assert.True(chi2 < 57.3, $"chi-square {chi2}");
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(-1, 2, Key));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(10, 0, Key));
        var loader = new DataLoader(10, 3, Key);
        Assert.Throws<ArgumentOutOfRangeException>(() => loader.IndexBatches(-1));
        var e = Assert.Throws<ArgumentException>(() => loader.Batches(0, Tensor.Zeros([9, 2])));
        Assert.Contains("[9, 2]", e.Message, StringComparison.Ordinal);
        Assert.Contains("row count 10", e.Message, StringComparison.Ordinal);
    }
}
