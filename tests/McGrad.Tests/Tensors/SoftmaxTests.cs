using McGrad.Autodiff;

namespace McGrad.Tests.Tensors;

[Collection(ThreadCountCollection.Name)]
public class SoftmaxTests
{
    private static double RefLse(double[] v)
    {
        var m = v.Max();
        if (double.IsNegativeInfinity(m))
        {
            return double.NegativeInfinity;
        }

        return m + Math.Log(v.Sum(a => Math.Exp(a - m)));
    }

    private static double[] RefSoftmax(double[] v)
    {
        var m = v.Max();
        var e = v.Select(a => Math.Exp(a - m)).ToArray();
        var s = e.Sum();
        return [.. e.Select(a => a / s)];
    }

    [Fact]
    public void KnownVectorClosedForms()
    {
        var x = Tensor.FromArray([1.0, 2, 3]);
        var z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        RefLoops.Close([Math.Exp(1) / z, Math.Exp(2) / z, Math.Exp(3) / z], x.Softmax(0), 1e-15);
        RefLoops.Close([1 - Math.Log(z), 2 - Math.Log(z), 3 - Math.Log(z)], x.LogSoftmax(0), 1e-15);
        Assert.Equal(Math.Log(z), x.LogSumExp().Item(), 14);
        Assert.Equal(0, x.LogSumExp().Rank);

        // Along axis 0 of a column (strided kernel path) the same numbers come out.
        var col = x.Reshape(3, 1);
        RefLoops.Close([Math.Exp(1) / z, Math.Exp(2) / z, Math.Exp(3) / z], col.Softmax(0), 1e-15);
        RefLoops.Close([1 - Math.Log(z), 2 - Math.Log(z), 3 - Math.Log(z)], col.LogSoftmax(0), 1e-15);
        RefLoops.Close([Math.Log(z)], col.LogSumExp(0), 1e-15);

        // Softmax of equal entries is uniform; of a single entry is 1.
        RefLoops.Close([0.25, 0.25, 0.25, 0.25], Tensor.Full([4], 7.0, DType.Float64).Softmax(), 1e-16);
        RefLoops.Close([1], Tensor.FromArray([-5.0]).Softmax(), 0);
    }

    [Fact]
    public void MatchLoopsOverShapesAndAxes()
    {
        var seed = 200;
        foreach (var (shape, axis) in new[] { (new[] { 3, 5 }, 1), ([3, 5], 0), ([2, 3, 4], 1), ([2, 3, 4], -1), ([2, 1, 3], 1), ([4, 3000], 0) })
        {
            var x = TestUtil.Rand(seed++, shape, -4, 4);
            var d = x.ToDoubleArray();
            var a = axis < 0 ? axis + shape.Length : axis;
            var n = shape[a];
            var label = $"[{string.Join(",", shape)}] axis {axis}";
            RefLoops.Close(RefLoops.Along(d, shape, a, RefSoftmax, n), x.Softmax(axis), 1e-14, "Softmax " + label);
            RefLoops.Close(RefLoops.Along(d, shape, a, v => [.. v.Select(t => t - RefLse(v))], n), x.LogSoftmax(axis), 1e-14, "LogSoftmax " + label);
            RefLoops.Close(RefLoops.Reduce(d, shape, a, RefLse), x.LogSumExp(axis), 1e-14, "LogSumExp " + label);
            Assert.Equal(x.KeepDimShape([a]), x.LogSumExp(axis, keepDim: true).Shape);
        }

        // Multiple axes: adjacent [1, 2] in one pass, non-adjacent [0, 2] run by run.
        var y = TestUtil.Rand(210, [2, 3, 4], -3, 3);
        var yd = y.ToDoubleArray();
        var adj = new double[2];
        var non = new double[3];
        for (var i = 0; i < 2; i++)
        {
            adj[i] = RefLse([.. yd.Skip(i * 12).Take(12)]);
        }

        for (var j = 0; j < 3; j++)
        {
            var vals = new List<double>();
            for (var i = 0; i < 2; i++)
            {
                for (var k = 0; k < 4; k++)
                {
                    vals.Add(yd[(i * 12) + (j * 4) + k]);
                }
            }

            non[j] = RefLse([.. vals]);
        }

        RefLoops.Close(adj, y.LogSumExp([1, 2]), 1e-14, "LSE [1,2]");
        RefLoops.Close(non, y.LogSumExp([0, -1], keepDim: true), 1e-14, "LSE [0,2]");
        Assert.Equal(new Shape(1, 3, 1), y.LogSumExp([2, 0], keepDim: true).Shape);
        Assert.Equal(RefLse(yd), y.LogSumExp().Item(), 13);
    }

    [Fact]
    public void StableAtLargeMagnitudesOnBothKernelPaths()
    {
        foreach (var big in new[] { 1000.0, -1000.0 })
        {
            var row = Tensor.FromArray([big, big, big - 1], 1, 3);
            var col = Tensor.FromArray([big, big, big - 1], 3, 1);
            var expected = big + Math.Log(2 + Math.Exp(-1));
            Assert.Equal(expected, row.LogSumExp(1).Item(), 10);
            Assert.Equal(expected, col.LogSumExp(0).Item(), 10);
            var p = new[] { 1 / (2 + Math.Exp(-1)), 1 / (2 + Math.Exp(-1)), Math.Exp(-1) / (2 + Math.Exp(-1)) };
            RefLoops.Close(p, row.Softmax(1), 1e-14, $"Softmax row {big}");
            RefLoops.Close(p, col.Softmax(0), 1e-14, $"Softmax col {big}");
            RefLoops.Close(p.Select(v => Math.Log(v)).ToArray(), row.LogSoftmax(1), 1e-14, $"LogSoftmax row {big}");
            RefLoops.Close(p.Select(v => Math.Log(v)).ToArray(), col.LogSoftmax(0), 1e-14, $"LogSoftmax col {big}");
        }

        // log softmax of a far-out entry is its offset, not log(0) = -inf.
        RefLoops.Close([0, -1000], Tensor.FromArray([1000.0, 0]).LogSoftmax(), 1e-15);
        var f32 = Tensor.FromArray([1000f, 999f]);
        Assert.Equal(1000 + Math.Log(1 + Math.Exp(-1)), f32.LogSumExp().Item(), 3);
        Assert.True(float.IsFinite((float)f32.Softmax().ToDoubleArray()[0]));
    }

    [Fact]
    public void InfinitiesAreHandled()
    {
        var ninf = double.NegativeInfinity;

        // -inf entries contribute nothing; an all -inf slice gives -inf (not NaN), on both kernel paths.
        Assert.Equal(0.0, Tensor.FromArray([ninf, 0.0]).LogSumExp().Item());
        RefLoops.Close([ninf, Math.Log(2)], Tensor.FromArray([ninf, ninf, 0, 0], 2, 2).LogSumExp(1), 0);
        RefLoops.Close([ninf, Math.Log(2)], Tensor.FromArray([ninf, 0, ninf, 0], 2, 2).LogSumExp(0), 1e-16);
        RefLoops.Close([ninf], Tensor.FromArray([ninf, ninf]).LogSumExp(0, keepDim: true), 0);
        Assert.Equal(double.PositiveInfinity, Tensor.FromArray([1.0, double.PositiveInfinity]).LogSumExp().Item());
        Assert.True(double.IsNaN(Tensor.FromArray([1.0, double.NaN]).LogSumExp().Item()));

        // An empty slice: log(0) = -inf; softmax of empty slices is empty.
        RefLoops.Close([ninf, ninf], Tensor.Zeros([2, 0], DType.Float64).LogSumExp(1), 0);
        Assert.Equal(new Shape(2, 0), Tensor.Zeros([2, 0], DType.Float64).Softmax(1).Shape);
        Assert.Equal(new Shape(0, 3), Tensor.Zeros([0, 3], DType.Float64).LogSoftmax(0).Shape);
        Assert.Equal(new Shape(3), Tensor.Zeros([0, 3], DType.Float64).LogSumExp(0).Shape);

        // Softmax gives probability 0 to -inf entries; log-softmax keeps them at -inf.
        RefLoops.Close([0, 0.5, 0.5], Tensor.FromArray([ninf, 3.0, 3.0]).Softmax(), 1e-16);
        RefLoops.Close([0, 0.5, 0.5], Tensor.FromArray([ninf, 3.0, 3.0], 3, 1).Softmax(0), 1e-16);
        RefLoops.Close([ninf, -Math.Log(2), -Math.Log(2)], Tensor.FromArray([ninf, 3.0, 3.0]).LogSoftmax(), 1e-16);

        // The gradient at a -inf entry of a slice with finite entries is 0, not NaN.
        var x = Tensor.FromArray([ninf, 1.0, 2.0]).RequireGrad();
        var g = Autograd.Grad(x.LogSumExp(), x);
        RefLoops.Close([0, 1 / (1 + Math.E), Math.E / (1 + Math.E)], g, 1e-15);
    }

    [Fact]
    public void GradCheckFirstOrder()
    {
        var seed = 220;
        foreach (var (shape, axes) in new (int[], int[])[]
        {
            ([4], [0]), ([3, 4], [1]), ([3, 4], [0]), ([2, 3, 2], [-2]), ([2, 3, 2], [0, 2]), ([2, 3, 2], [1, 2]), ([3, 1], [1]), ([1, 3], [0]),
        })
        {
            foreach (var keep in new[] { false, true })
            {
                var x = TestUtil.Rand(seed++, shape, -2, 2);
                var label = $"[{string.Join(",", shape)}] axes [{string.Join(",", axes)}] keep {keep}";
                RefLoops.Grad(v => v[0].LogSumExp(axes, keep), "LogSumExp " + label, x);
            }

            if (axes.Length == 1)
            {
                var x = TestUtil.Rand(seed++, shape, -2, 2);
                var label = $"[{string.Join(",", shape)}] axis {axes[0]}";
                RefLoops.Grad(v => v[0].Softmax(axes[0]), "Softmax " + label, x);
                RefLoops.Grad(v => v[0].LogSoftmax(axes[0]), "LogSoftmax " + label, x);
            }
        }

        RefLoops.Grad(v => v[0].LogSumExp(), "LogSumExp all", TestUtil.Rand(230, [2, 3]));
    }

    [Fact]
    public void GradCheckSecondOrder()
    {
        var x = TestUtil.Rand(240, [3, 4], -2, 2);
        RefLoops.GradGrad(v => v[0].LogSumExp(1), "LogSumExp", x);
        RefLoops.GradGrad(v => v[0].LogSumExp(0, keepDim: true), "LogSumExp keep", x);
        RefLoops.GradGrad(v => v[0].LogSumExp(), "LogSumExp all", x);
        RefLoops.GradGrad(v => v[0].LogSumExp([0, 2]), "LogSumExp non-adjacent", TestUtil.Rand(241, [2, 2, 3]));
        RefLoops.GradGrad(v => v[0].Softmax(1), "Softmax", x);
        RefLoops.GradGrad(v => v[0].Softmax(0), "Softmax axis 0", x);
        RefLoops.GradGrad(v => v[0].LogSoftmax(-1), "LogSoftmax", x);
        RefLoops.GradGrad(v => v[0].LogSoftmax(0), "LogSoftmax axis 0", x);
    }

    [Fact]
    public void Float32AgreesWithFloat64AndThreadCountsDoNotMatter()
    {
        var x64 = TestUtil.Rand(250, [5, 6], -5, 5);
        var x32 = x64.To(DType.Float32);
        RefLoops.Close(x64.Softmax(1).ToDoubleArray(), x32.Softmax(1), 1e-6, "Softmax");
        RefLoops.Close(x64.Softmax(0).ToDoubleArray(), x32.Softmax(0), 1e-6, "Softmax 0");
        RefLoops.Close(x64.LogSoftmax(0).ToDoubleArray(), x32.LogSoftmax(0), 1e-6, "LogSoftmax");
        RefLoops.Close(x64.LogSumExp([0, 1]).ToDoubleArray(), x32.LogSumExp([0, 1]), 1e-6, "LogSumExp");
        Assert.Equal(DType.Float32, x32.LogSumExp(1).DType);

        var big = TestUtil.Rand(251, [3, 30000], -5, 5);
        foreach (var f in new Func<Tensor>[] { () => big.Softmax(0), () => big.LogSoftmax(1), () => big.LogSumExp(0), () => big.LogSumExp(1) })
        {
            var (one, two) = RefLoops.WithThreads(f);
            Assert.True(one.SequenceEqual(two));
        }
    }

    [Fact]
    public void BadArgumentsGiveErrors()
    {
        var x = Tensor.Zeros([2, 3], DType.Float64);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => x.Softmax(2));
        Assert.Contains("Softmax", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.LogSoftmax(-3));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.LogSumExp(5));
        Assert.Throws<ArgumentException>(() => x.LogSumExp([0, 0]));
        var e2 = Assert.Throws<ArgumentException>(() => Tensor.FromArray([1L, 2]).Softmax());
        Assert.Contains("Int64", e2.Message);
        Assert.Throws<ArgumentException>(() => Tensor.FromArray([1L, 2]).LogSumExp());
    }
}
