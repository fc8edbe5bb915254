using McGrad.Autodiff;

namespace McGrad.Tests.Tensors;

[Collection(ThreadCountCollection.Name)]
public class IndexingTests
{
    /// <summary>Reference torch.gather / scatter_add on rank-3 arrays with explicit loops.</summary>
    private static double[] RefGather(double[] x, int[] xs, long[] idx, int[] ids, int axis)
    {
        var y = new double[idx.Length];
        for (var i = 0; i < ids[0]; i++)
        {
            for (var j = 0; j < ids[1]; j++)
            {
                for (var k = 0; k < ids[2]; k++)
                {
                    var p = (((i * ids[1]) + j) * ids[2]) + k;
                    int[] c = [i, j, k];
                    c[axis] = (int)idx[p];
                    y[p] = x[(((c[0] * xs[1]) + c[1]) * xs[2]) + c[2]];
                }
            }
        }

        return y;
    }

    private static double[] RefScatterAdd(double[] self, int[] ss, long[] idx, int[] ids, double[] src, int axis)
    {
        var y = (double[])self.Clone();
        for (var i = 0; i < ids[0]; i++)
        {
            for (var j = 0; j < ids[1]; j++)
            {
                for (var k = 0; k < ids[2]; k++)
                {
                    var p = (((i * ids[1]) + j) * ids[2]) + k;
                    int[] c = [i, j, k];
                    c[axis] = (int)idx[p];
                    y[(((c[0] * ss[1]) + c[1]) * ss[2]) + c[2]] += src[p];
                }
            }
        }

        return y;
    }

    private static Tensor RandIndex(int seed, int[] shape, int high)
    {
        var rng = new Random(seed);
        var n = new Shape(shape).Size;
        var data = new long[n];
        for (var i = 0; i < n; i++)
        {
            data[i] = rng.Next(high);
        }

        return Tensor.FromArray(data, shape);
    }

    private static readonly (int[] Self, int[] Index, int Axis)[] GatherCases =
    [
        ([3, 4, 2], [5, 4, 2], 0),   // index longer than self along the axis, equal elsewhere
        ([3, 4, 2], [2, 3, 2], 1),   // index smaller along another axis
        ([3, 4, 2], [3, 2, 1], 2),   // gather along the last axis
        ([3, 4, 2], [1, 6, 2], -2),  // negative axis
        ([2, 1, 3], [2, 1, 4], 2),   // size-1 dims
        ([3, 4, 2], [4, 2, 1], 0),   // index smaller along the trailing axes (strided inner offsets)
    ];

    [Fact]
    public void GatherAndScatterAddMatchLoops()
    {
        var seed = 300;
        foreach (var (ss, ids, axis) in GatherCases)
        {
            var a = axis < 0 ? axis + 3 : axis;
            var x = TestUtil.Rand(seed++, ss);
            var idx = RandIndex(seed++, ids, ss[a]);
            var label = $"self [{string.Join(",", ss)}] index [{string.Join(",", ids)}] axis {axis}";
            var g = x.Gather(axis, idx);
            Assert.Equal(idx.Shape, g.Shape);
            RefLoops.Close(RefGather(x.ToDoubleArray(), ss, idx.ToLongArray(), ids, a), g, 0, "Gather " + label);

            var src = TestUtil.Rand(seed++, ids);
            var s = x.ScatterAdd(axis, idx, src);
            Assert.Equal(x.Shape, s.Shape);
            RefLoops.Close(RefScatterAdd(x.ToDoubleArray(), ss, idx.ToLongArray(), ids, src.ToDoubleArray(), a), s, 1e-15, "ScatterAdd " + label);
        }

        // Known small case: row-wise pick, as used for log-probabilities of chosen actions.
        var logits = Tensor.FromArray([10.0, 11, 12, 20, 21, 22], 2, 3);
        RefLoops.Close([12, 10, 20, 20], logits.Gather(1, Tensor.FromArray([2L, 0, 0, 0], 2, 2)), 0);
        var acc = Tensor.Zeros([4], DType.Float64).ScatterAdd(0, Tensor.FromArray([1L, 3, 1, 1]), Tensor.FromArray([1.0, 2, 3, 4]));
        RefLoops.Close([0, 8, 0, 2], acc, 0);

        // Gather works on Int64 data (not differentiable).
        var labels = Tensor.FromArray([5L, 6, 7, 8], 2, 2);
        RefLoops.Close([6, 5, 8, 8], labels.Gather(1, Tensor.FromArray([1L, 0, 1, 1], 2, 2)), 0);
        Assert.Equal(DType.Int64, labels.Gather(0, Tensor.FromArray([1L, 0], 1, 2)).DType);
    }

    [Fact]
    public void GatherScatterAddGradCheckFirstOrder()
    {
        var seed = 320;
        foreach (var (ss, ids, axis) in GatherCases)
        {
            var a = axis < 0 ? axis + 3 : axis;
            var x = TestUtil.Rand(seed++, ss);
            var idx = RandIndex(seed++, ids, ss[a]); // repeats are likely: gradients must accumulate
            var src = TestUtil.Rand(seed++, ids);
            var label = $"self [{string.Join(",", ss)}] index [{string.Join(",", ids)}] axis {axis}";
            RefLoops.Grad(v => v[0].Gather(axis, idx), "Gather " + label, x);
            RefLoops.Grad(v => v[0].ScatterAdd(axis, idx, v[1]), "ScatterAdd " + label, x, src);
        }

        // Size-0 index: empty result, zero gradient of the right shape.
        var y = TestUtil.Rand(330, [3, 2]).RequireGrad();
        var e = y.Gather(0, Tensor.Zeros([0, 2], DType.Int64));
        Assert.Equal(new Shape(0, 2), e.Shape);
        var ge = Autograd.Grad(e, y, Tensor.Zeros([0, 2], DType.Float64));
        RefLoops.Close(new double[6], ge, 0);
    }

    [Fact]
    public void GatherScatterAddSecondOrder()
    {
        var x = TestUtil.Rand(340, [3, 4]);
        var idx = Tensor.FromArray([0L, 3, 3, 1, 2, 2, 0, 0], 2, 4);
        var idx0 = Tensor.FromArray([2L, 0, 2, 1, 1, 1, 0, 2], 2, 4);

        // (gather x)²: the gradient 2·gather·v is scattered back, and differentiating that needs ScatterAdd's
        // own backward (a Gather) to be recorded.
        RefLoops.GradGrad(v => { var g = v[0].Gather(1, idx); return g * g; }, "Gather", x);
        RefLoops.GradGrad(v => v[0].Gather(0, idx0).Exp(), "Gather axis 0", x);
        var src = TestUtil.Rand(341, [2, 4]);
        RefLoops.GradGrad(v => { var s = v[0].ScatterAdd(0, idx0, v[1]); return s * s; }, "ScatterAdd", x, src);
        RefLoops.GradGrad(v => v[0].ScatterAdd(1, idx, v[1] * v[1]).Exp(), "ScatterAdd exp", x, src);
    }

    [Fact]
    public void IndexSelectAndIndexAddMatchLoopsAndGradCheck()
    {
        var x = TestUtil.Rand(350, [3, 4, 2]);
        var d = x.ToDoubleArray();
        var idx = Tensor.FromArray([3L, 0, 3]);
        var y = x.IndexSelect(1, idx);
        Assert.Equal(new Shape(3, 3, 2), y.Shape);
        var expected = new double[18];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                for (var k = 0; k < 2; k++)
                {
                    expected[(((i * 3) + j) * 2) + k] = d[(((i * 4) + (int)idx.ToLongArray()[j]) * 2) + k];
                }
            }
        }

        RefLoops.Close(expected, y, 0, "IndexSelect");
        RefLoops.Close([7, 5, 7], Tensor.FromArray([5L, 6, 7]).IndexSelect(0, Tensor.FromArray([2L, 0, 2])), 0);

        var src = TestUtil.Rand(351, [3, 3, 2]);
        var sd = src.ToDoubleArray();
        var add = (double[])d.Clone();
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                for (var k = 0; k < 2; k++)
                {
                    add[(((i * 4) + (int)idx.ToLongArray()[j]) * 2) + k] += sd[(((i * 3) + j) * 2) + k];
                }
            }
        }

        RefLoops.Close(add, x.IndexAdd(1, idx, src), 1e-15, "IndexAdd");

        foreach (var axis in new[] { 0, 1, -1 })
        {
            var a = axis < 0 ? axis + 3 : axis;
            var ix = Tensor.FromArray([(long)(x.Shape[a] - 1), 0, (long)(x.Shape[a] - 1), 1]);
            var srcShape = x.Shape.ToArray();
            srcShape[a] = 4;
            RefLoops.Grad(v => v[0].IndexSelect(axis, ix), $"IndexSelect axis {axis}", x);
            RefLoops.Grad(v => v[0].IndexAdd(axis, ix, v[1]), $"IndexAdd axis {axis}", x, TestUtil.Rand(352 + a, srcShape));
        }

        RefLoops.GradGrad(v => { var s = v[0].IndexSelect(1, idx); return s * s; }, "IndexSelect", x);
        RefLoops.GradGrad(v => { var s = v[0].IndexAdd(1, idx, v[1]); return s * s; }, "IndexAdd", x, src);
    }

    [Fact]
    public void OneHotEncodesLabels()
    {
        var labels = Tensor.FromArray([2L, 0, 1, 2], 2, 2);
        var y = labels.OneHot(3);
        Assert.Equal(new Shape(2, 2, 3), y.Shape);
        Assert.Equal(DType.Float32, y.DType);
        RefLoops.Close([0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1], y, 0);
        var z = Tensor.OneHot(Tensor.FromArray([1L, 3]), -1, DType.Float64);
        Assert.Equal(new Shape(2, 4), z.Shape);
        Assert.Equal(DType.Float64, z.DType);
        RefLoops.Close([0, 1, 0, 0, 0, 0, 0, 1], z, 0);
        Assert.Equal(DType.Int64, Tensor.FromArray([0L]).OneHot(2, DType.Int64).DType);
        Assert.Equal(new Shape(0, 5), Tensor.Zeros([0], DType.Int64).OneHot(5).Shape);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.FromArray([0L, 3]).OneHot(3));
        Assert.Contains("OneHot", e.Message);
        Assert.Contains("label 3", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.FromArray([-1L]).OneHot(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.FromArray([0L]).OneHot(-2));
        Assert.Throws<ArgumentException>(() => Tensor.Zeros([0], DType.Int64).OneHot(-1));
        Assert.Throws<ArgumentException>(() => Tensor.FromArray([1.0]).OneHot(3));
    }

    [Fact]
    public void Float32AgreesWithFloat64()
    {
        var x64 = TestUtil.Rand(360, [3, 4]);
        var x32 = x64.To(DType.Float32);
        var idx = Tensor.FromArray([3L, 1, 1, 0, 2, 2], 3, 2);
        RefLoops.Close(x64.Gather(1, idx).ToDoubleArray(), x32.Gather(1, idx), 1e-7);
        var src = TestUtil.Rand(361, [3, 2]);
        RefLoops.Close(x64.ScatterAdd(1, idx, src).ToDoubleArray(), x32.ScatterAdd(1, idx, src.To(DType.Float32)), 1e-6);
        var i1 = Tensor.FromArray([2L, 2, 0]);
        RefLoops.Close(x64.IndexSelect(0, i1).ToDoubleArray(), x32.IndexSelect(0, i1), 1e-7);
        Assert.Equal(DType.Float32, x32.IndexAdd(0, i1, x32).DType);
    }

    [Fact]
    public void ScatterAndIndexAddAreDeterministicWithManyDuplicates()
    {
        // 5000 sources per row into 7 slots along axis 1 of a [40, 7] tensor (rows split across threads):
        // the accumulation order must not depend on threads.
        var src = TestUtil.Rand(370, [40, 5000], -1e3, 1e3);
        var idx = RandIndex(371, [40, 5000], 7);
        var (one, two) = RefLoops.WithThreads(() => Tensor.Zeros([40, 7], DType.Float64).ScatterAdd(1, idx, src));
        Assert.True(one.SequenceEqual(two));
        var expected = new double[40 * 7];
        var s = src.ToDoubleArray();
        var ix = idx.ToLongArray();
        for (var p = 0; p < s.Length; p++)
        {
            expected[((p / 5000) * 7) + (int)ix[p]] += s[p];
        }

        Assert.True(expected.SequenceEqual(one), "ScatterAdd must add in index order");

        var big = TestUtil.Rand(372, [30000, 3]);
        var rows = RandIndex(373, [30000], 5).Reshape(30000);
        var (a1, a2) = RefLoops.WithThreads(() => Tensor.Zeros([5, 3], DType.Float64).IndexAdd(0, rows, big));
        Assert.True(a1.SequenceEqual(a2));
        var (g1, g2) = RefLoops.WithThreads(() => big.Gather(0, RandIndex(374, [40000, 3], 30000)));
        Assert.True(g1.SequenceEqual(g2));
    }

    [Fact]
    public void BadIndicesGiveErrorsNamingOpValueAndSize()
    {
        var x = Tensor.Zeros([3, 4], DType.Float64);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => x.Gather(1, Tensor.FromArray([0L, 4], 1, 2)));
        Assert.Contains("Gather", e.Message);
        Assert.Contains("index 4", e.Message);
        Assert.Contains("size 4", e.Message);
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => x.IndexSelect(0, Tensor.FromArray([-1L])));
        Assert.Contains("IndexSelect", e2.Message);
        Assert.Contains("index -1", e2.Message);
        Assert.Contains("size 3", e2.Message);
        var e3 = Assert.Throws<ArgumentOutOfRangeException>(() => x.ScatterAdd(0, Tensor.FromArray([7L], 1, 1), Tensor.Zeros([1, 1], DType.Float64)));
        Assert.Contains("ScatterAdd", e3.Message);
        Assert.Contains("index 7", e3.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.IndexAdd(1, Tensor.FromArray([4L]), Tensor.Zeros([3, 1], DType.Float64)));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Gather(2, Tensor.Zeros([3, 4], DType.Int64)));

        // Index dtype, rank and shape.
        var e4 = Assert.Throws<ArgumentException>(() => x.Gather(0, Tensor.Zeros([3, 4], DType.Float64)));
        Assert.Contains("Int64", e4.Message);
        Assert.Throws<ArgumentException>(() => x.Gather(0, Tensor.Zeros([3], DType.Int64)));
        var e5 = Assert.Throws<ArgumentException>(() => x.Gather(0, Tensor.Zeros([2, 5], DType.Int64)));
        Assert.Contains("dimension 1", e5.Message);
        Assert.Throws<ArgumentException>(() => x.IndexSelect(0, Tensor.Zeros([1, 1], DType.Int64)));
        var e6 = Assert.Throws<ArgumentException>(() => x.ScatterAdd(0, Tensor.Zeros([2, 4], DType.Int64), Tensor.Zeros([3, 4], DType.Float64)));
        Assert.Contains("src", e6.Message);
        Assert.Throws<ArgumentException>(() => x.IndexAdd(0, Tensor.Zeros([2], DType.Int64), Tensor.Zeros([3, 4], DType.Float64)));

        // Dtypes: no silent promotion, no arithmetic on Int64.
        Assert.Throws<ArgumentException>(() => x.ScatterAdd(0, Tensor.Zeros([1, 1], DType.Int64), Tensor.Zeros([1, 1], DType.Float32)));
        Assert.Throws<ArgumentException>(() => Tensor.Zeros([2], DType.Int64).IndexAdd(0, Tensor.Zeros([1], DType.Int64), Tensor.Zeros([1], DType.Int64)));
    }
}
