using McGrad.Autodiff;

namespace McGrad.Tests.Tensors;

[Collection(ThreadCountCollection.Name)]
public class SortingTests
{
    /// <summary>Reference stable sort of a fiber (LINQ OrderBy is stable); NaN sorts as the largest value.</summary>
    private static int[] RefOrder(double[] v, bool descending)
    {
        static double Key(double a) => double.IsNaN(a) ? double.PositiveInfinity : a;
        static int NanRank(double a) => double.IsNaN(a) ? 1 : 0;
        var pos = Enumerable.Range(0, v.Length);
        return descending
            ? [.. pos.OrderByDescending(i => Key(v[i])).ThenByDescending(i => NanRank(v[i]))]
            : [.. pos.OrderBy(i => Key(v[i])).ThenBy(i => NanRank(v[i]))];
    }

    [Fact]
    public void SortMatchesStableReferenceOnAxesAndDirections()
    {
        var seed = 400;
        foreach (var (shape, axis) in new[] { (new[] { 7 }, 0), ([3, 6], 1), ([3, 6], 0), ([2, 5, 3], 1), ([2, 5, 3], -1), ([4, 1], 1) })
        {
            // Values on a coarse grid so that ties are common.
            var x = TestUtil.Rand(seed++, shape, 0, 4);
            var rounded = Tensor.FromArray(x.ToDoubleArray().Select(Math.Floor).ToArray(), shape);
            var a = axis < 0 ? axis + shape.Length : axis;
            var n = shape[a];
            foreach (var desc in new[] { false, true })
            {
                var label = $"[{string.Join(",", shape)}] axis {axis} descending {desc}";
                var (values, indices) = rounded.Sort(axis, desc);
                var d = rounded.ToDoubleArray();
                var expIdx = RefLoops.Along(d, shape, a, v => [.. RefOrder(v, desc).Select(i => (double)i)], n);
                var expVal = RefLoops.Along(d, shape, a, v => [.. RefOrder(v, desc).Select(i => v[i])], n);
                RefLoops.Close(expIdx, indices, 0, "Sort indices " + label);
                RefLoops.Close(expVal, values, 0, "Sort values " + label);
                Assert.Equal(DType.Int64, indices.DType);
                Assert.Equal(rounded.Shape, values.Shape);
            }
        }

        var (sv, si) = Tensor.FromArray([3.0, 1, 2, 1]).Sort();
        RefLoops.Close([1, 1, 2, 3], sv, 0);
        RefLoops.Close([1, 3, 2, 0], si, 0);
        var (dv, di) = Tensor.FromArray([3.0, 1, 3, 1]).Sort(descending: true);
        RefLoops.Close([3, 3, 1, 1], dv, 0);
        RefLoops.Close([0, 2, 1, 3], di, 0); // stable in descending order too
    }

    [Fact]
    public void SortPlacesNaNAsLargest()
    {
        var nan = double.NaN;
        var x = Tensor.FromArray([2.0, nan, -1, nan, double.NegativeInfinity]);
        RefLoops.Close([4, 2, 0, 1, 3], x.Sort().Indices, 0);
        RefLoops.Close([1, 3, 0, 2, 4], x.Sort(descending: true).Indices, 0);
        RefLoops.Close([1, 3], x.TopK(2).Indices, 0);
        RefLoops.Close([4, 2], x.TopK(2, largest: false).Indices, 0);
    }

    [Fact]
    public void TopKMatchesReferenceOnSelectAndSortPaths()
    {
        var seed = 420;

        // k small relative to the axis uses insertion selection; k near the axis size sorts the fiber.
        foreach (var (shape, axis, k) in new[] { (new[] { 3, 50 }, 1, 3), ([3, 50], 1, 45), ([50, 3], 0, 5), ([2, 9, 2], 1, 9), ([2, 9, 2], -2, 1), ([4, 6], 1, 0) })
        {
            var x = TestUtil.Rand(seed++, shape, 0, 10);
            var rounded = Tensor.FromArray(x.ToDoubleArray().Select(Math.Floor).ToArray(), shape);
            var a = axis < 0 ? axis + shape.Length : axis;
            foreach (var largest in new[] { true, false })
            {
                var label = $"[{string.Join(",", shape)}] axis {axis} k {k} largest {largest}";
                var d = rounded.ToDoubleArray();
                var (values, indices) = rounded.TopK(k, axis, largest);
                var expIdx = RefLoops.Along(d, shape, a, v => [.. RefOrder(v, largest).Take(k).Select(i => (double)i)], k);
                var expVal = RefLoops.Along(d, shape, a, v => [.. RefOrder(v, largest).Take(k).Select(i => v[i])], k);
                RefLoops.Close(expIdx, indices, 0, "TopK indices " + label);
                RefLoops.Close(expVal, values, 0, "TopK values " + label);
                var outShape = shape.ToArray();
                outShape[a] = k;
                Assert.Equal(new Shape(outShape), values.Shape);
            }
        }

        var (tv, ti) = Tensor.FromArray([1.0, 5, 3, 5, 4]).TopK(3);
        RefLoops.Close([5, 5, 4], tv, 0);
        RefLoops.Close([1, 3, 4], ti, 0);
    }

    [Fact]
    public void SortedValuesAreDifferentiable()
    {
        var seed = 440;
        foreach (var (shape, axis) in new[] { (new[] { 5 }, 0), ([3, 4], 1), ([3, 4], 0), ([2, 3, 2], -2) })
        {
            var x = TestUtil.Rand(seed++, shape);
            var label = $"[{string.Join(",", shape)}] axis {axis}";
            RefLoops.Grad(v => v[0].Sort(axis).Values, "Sort " + label, x);
            RefLoops.Grad(v => v[0].Sort(axis, descending: true).Values, "Sort desc " + label, x);
            RefLoops.Grad(v => v[0].TopK(2, axis).Values, "TopK " + label, x);
            RefLoops.Grad(v => v[0].TopK(1, axis, largest: false).Values, "TopK smallest " + label, x);
        }

        var y = TestUtil.Rand(450, [3, 4]);
        RefLoops.GradGrad(v => { var s = v[0].Sort(1).Values; return s * s * s; }, "Sort", y);
        RefLoops.GradGrad(v => v[0].TopK(2, 0).Values.Exp(), "TopK", y);

        // The gradient of the sorted values lands on the original positions.
        var z = Tensor.FromArray([3.0, 1, 2]).RequireGrad();
        var (sv, _) = z.Sort();
        var g = Autograd.Grad(sv, z, Tensor.FromArray([10.0, 20, 30]));
        RefLoops.Close([30, 10, 20], g, 0);
    }

    [Fact]
    public void Float32SortsLikeFloat64AndLargeSortsAreDeterministic()
    {
        var x64 = TestUtil.Rand(460, [4, 33]);
        var x32 = x64.To(DType.Float32);
        RefLoops.Close(x64.Sort(1).Indices.ToDoubleArray(), x32.Sort(1).Indices, 0);
        RefLoops.Close(x64.TopK(4, 0, largest: false).Indices.ToDoubleArray(), x32.TopK(4, 0, largest: false).Indices, 0);
        Assert.Equal(DType.Float32, x32.Sort().Values.DType);

        var big = TestUtil.Rand(461, [2000, 40]);
        var (one, two) = RefLoops.WithThreads(() => big.Sort(0).Indices);
        Assert.True(one.SequenceEqual(two));
    }

    [Fact]
    public void BadArgumentsGiveErrors()
    {
        var x = Tensor.Zeros([2, 3], DType.Float64);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => x.TopK(4));
        Assert.Contains("TopK", e.Message);
        Assert.Contains("k = 4", e.Message);
        Assert.Contains("size 3", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.TopK(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.TopK(1, axis: 2));
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => x.Sort(-3));
        Assert.Contains("Sort", e2.Message);
        Assert.Throws<ArgumentException>(() => Tensor.FromArray([2L, 1]).Sort());
        Assert.Throws<ArgumentException>(() => Tensor.FromArray([2L, 1]).TopK(1));
        Assert.Equal(new Shape(0, 3), Tensor.Zeros([0, 3], DType.Float64).Sort(0).Values.Shape);
    }
}
