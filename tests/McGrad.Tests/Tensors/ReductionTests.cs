using McGrad.Autodiff;
using McGrad.Kernels;

namespace McGrad.Tests.Tensors;

/// <summary>Hand-written reference loops over the fibers of a row-major array (independent of the library kernels).</summary>
internal static class RefLoops
{
    /// <summary>Calls f on each fiber along axis; the result array has the axis removed (f returns one value) or resized.</summary>
    public static double[] Along(double[] x, int[] shape, int axis, Func<double[], double[]> f, int outLen)
    {
        int outer = 1, inner = 1;
        for (var i = 0; i < axis; i++)
        {
            outer *= shape[i];
        }

        for (var i = axis + 1; i < shape.Length; i++)
        {
            inner *= shape[i];
        }

        var n = shape[axis];
        var y = new double[outer * outLen * inner];
        for (var o = 0; o < outer; o++)
        {
            for (var k = 0; k < inner; k++)
            {
                var fiber = new double[n];
                for (var j = 0; j < n; j++)
                {
                    fiber[j] = x[(((o * n) + j) * inner) + k];
                }

                var r = f(fiber);
                for (var j = 0; j < outLen; j++)
                {
                    y[(((o * outLen) + j) * inner) + k] = r[j];
                }
            }
        }

        return y;
    }

    public static double[] Reduce(double[] x, int[] shape, int axis, Func<double[], double> f) => Along(x, shape, axis, v => [f(v)], 1);

    public static double VarOf(double[] v, double correction)
    {
        var mean = v.Sum() / v.Length;
        return v.Sum(a => (a - mean) * (a - mean)) / (v.Length - correction);
    }

    public static void Close(double[] expected, Tensor actual, double tol, string label = "")
    {
        var a = actual.ToDoubleArray();
        Assert.True(expected.Length == a.Length, $"{label}: expected {expected.Length} elements, got {a.Length}");
        for (var i = 0; i < a.Length; i++)
        {
            var e = expected[i];
            var ok = double.IsNaN(e) ? double.IsNaN(a[i]) : (e == a[i] || Math.Abs(e - a[i]) <= tol * (1 + Math.Abs(e)));
            Assert.True(ok, $"{label}: element {i}: expected {e}, got {a[i]} (tol {tol})");
        }
    }

    public static void Grad(Func<Tensor[], Tensor> f, string label, params Tensor[] inputs)
    {
        var r = GradCheck.Check(f, inputs);
        Assert.True(r.Passed, $"{label}: {r.Report}");
    }

    public static void GradGrad(Func<Tensor[], Tensor> f, string label, params Tensor[] inputs)
    {
        var r = GradCheck.CheckSecondOrder(f, inputs);
        Assert.True(r.Passed, $"{label}: {r.Report}");
        Assert.True(r.Entries > 0, $"{label}: nothing compared");
    }

    /// <summary>Runs f with 1 thread and with 2 threads and returns both results.</summary>
    public static (double[] One, double[] Two) WithThreads(Func<Tensor> f)
    {
        return ThreadCount.OneAndTwo(() => f().ToDoubleArray());
    }
}

[Collection(ThreadCountCollection.Name)]
public class ReductionTests
{
    private static readonly (int[] Shape, int[] Axes)[] AxisCases =
    [
        ([2, 3, 4], [1]),
        ([2, 3, 4], [-1]),
        ([2, 3, 4], [0, 2]),   // non-adjacent: reduced run by run
        ([2, 3, 4], [1, 2]),   // adjacent: one pass
        ([3, 1, 4], [1]),      // size-1 axis
        ([3, 1, 4], [0, -1]),
        ([4, 5], [0]),         // inner > 1
        ([5], [0]),
    ];

    [Fact]
    public void SumOverAxesMatchesLoops()
    {
        // x[i,j,k] = i*100 + j*10 + k; sum over axes {0, 2} = Σ_i Σ_k (...) for each j.
        var x = Tensor.Arange(24, DType.Float64).Reshape(2, 3, 4);
        var data = x.ToDoubleArray();
        var expected = new double[3];
        for (var i = 0; i < 2; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                for (var k = 0; k < 4; k++)
                {
                    expected[j] += data[(i * 12) + (j * 4) + k];
                }
            }
        }

        var y = x.Sum([0, -1]);
        Assert.Equal(new Shape(3), y.Shape);
        RefLoops.Close(expected, y, 1e-15);
        Assert.Equal(new Shape(1, 3, 1), x.Sum([2, 0], keepDim: true).Shape);
        Assert.Equal(276.0, x.Sum().Item());
        Assert.Equal(new Shape(2), x.Sum([1, 2]).Shape);
    }

    [Fact]
    public void MeanMatchesLoopsAndHandlesEdgeCases()
    {
        foreach (var (shape, axes) in AxisCases.Where(c => c.Axes.Length == 1))
        {
            var x = TestUtil.Rand(1, shape);
            var a = axes[0] < 0 ? axes[0] + shape.Length : axes[0];
            RefLoops.Close(RefLoops.Reduce(x.ToDoubleArray(), shape, a, v => v.Average()), x.Mean(axes[0]), 1e-14, $"Mean {string.Join(",", shape)} axis {axes[0]}");
        }

        var t = Tensor.FromArray([1.0, 2, 3, 4, 5, 6], 2, 3);
        RefLoops.Close([2, 5], t.Mean(1), 0);
        RefLoops.Close([2.5, 3.5, 4.5], t.Mean(0, keepDim: true), 0);
        Assert.Equal(new Shape(1, 3), t.Mean(0, keepDim: true).Shape);
        Assert.Equal(3.5, t.Mean().Item());
        Assert.Equal(0, t.Mean().Rank);
        Assert.Equal(7.0, Tensor.Scalar(7.0, DType.Float64).Mean().Item());

        // A mean over an empty axis is 0/0 = NaN; the result shape still drops the axis.
        var empty = Tensor.Zeros([3, 0], DType.Float64);
        var m = empty.Mean(1);
        Assert.Equal(new Shape(3), m.Shape);
        Assert.All(m.ToDoubleArray(), v => Assert.True(double.IsNaN(v)));
        Assert.Equal(new Shape(0), empty.Mean(0).Shape);

        // Mean with no axes leaves the tensor unchanged (and must not scale the input's storage in place).
        var id = t.Mean([]);
        RefLoops.Close([1, 2, 3, 4, 5, 6], id, 0);
        RefLoops.Close([1, 2, 3, 4, 5, 6], t, 0);
    }

    [Fact]
    public void SumAndMeanGradCheckOverAxisCases()
    {
        var seed = 10;
        foreach (var (shape, axes) in AxisCases)
        {
            foreach (var keep in new[] { false, true })
            {
                var x = TestUtil.Rand(seed++, shape);
                var label = $"[{string.Join(",", shape)}] axes [{string.Join(",", axes)}] keepDim {keep}";
                RefLoops.Grad(v => v[0].Sum(axes, keep), "Sum " + label, x);
                RefLoops.Grad(v => v[0].Mean(axes, keep), "Mean " + label, x);
            }
        }

        RefLoops.Grad(v => v[0].Mean(), "Mean all", TestUtil.Rand(3, [2, 3]));
    }

    [Fact]
    public void SumAndMeanSecondOrder()
    {
        var x = TestUtil.Rand(20, [2, 3, 2]);
        RefLoops.GradGrad(v => { var s = v[0].Sum([0, 2], keepDim: true); return s * s * v[0]; }, "Sum", x);
        RefLoops.GradGrad(v => { var m = v[0].Mean([0, 2]); return m * m; }, "Mean", x);
        RefLoops.GradGrad(v => { var m = v[0].Mean(); return (m * v[0]).Exp(); }, "Mean all", x);
    }

    [Fact]
    public void ReductionsOverSizeZeroDimsGiveEmptyGradients()
    {
        var x = Tensor.Zeros([3, 0], DType.Float64).RequireGrad();
        var s = x.Sum(1);
        RefLoops.Close([0, 0, 0], s, 0);
        var g = Autograd.Grad(s, x, Tensor.Ones([3], DType.Float64));
        Assert.Equal(x.Shape, g.Shape);
        var g0 = Autograd.Grad(x.Sum(0), x, Tensor.Zeros([0], DType.Float64));
        Assert.Equal(x.Shape, g0.Shape);
    }

    [Fact]
    public void MaxMinValuesAndIndicesMatchLoops()
    {
        foreach (var (shape, axis) in new[] { (new[] { 3, 5 }, 1), ([3, 5], 0), ([2, 3, 4], 1), ([2, 3, 4], -1), ([4, 1], 1) })
        {
            var x = TestUtil.Rand(axis + 40, shape);
            var d = x.ToDoubleArray();
            var a = axis < 0 ? axis + shape.Length : axis;
            var label = $"[{string.Join(",", shape)}] axis {axis}";
            var (mv, mi) = x.Max(axis);
            RefLoops.Close(RefLoops.Reduce(d, shape, a, v => v.Max()), mv, 0, "Max " + label);
            RefLoops.Close(RefLoops.Reduce(d, shape, a, v => Array.IndexOf(v, v.Max())), mi, 0, "Max idx " + label);
            var (nv, ni) = x.Min(axis, keepDim: true);
            RefLoops.Close(RefLoops.Reduce(d, shape, a, v => v.Min()), nv, 0, "Min " + label);
            RefLoops.Close(RefLoops.Reduce(d, shape, a, v => Array.IndexOf(v, v.Min())), ni, 0, "Min idx " + label);
            Assert.Equal(DType.Int64, mi.DType);
            Assert.Equal(x.KeepDimShape([a]), ni.Shape);
            RefLoops.Close(RefLoops.Reduce(d, shape, a, v => Array.IndexOf(v, v.Max())), x.ArgMax(axis), 0, "ArgMax " + label);
            RefLoops.Close(RefLoops.Reduce(d, shape, a, v => Array.IndexOf(v, v.Min())), x.ArgMin(axis), 0, "ArgMin " + label);
        }

        var t = Tensor.FromArray([3.0, -1, 7, 2, 7, -4], 2, 3);
        Assert.Equal(7.0, t.Max().Item());
        Assert.Equal(-4.0, t.Min().Item());
        Assert.Equal(2L, (long)t.ArgMax().Item()); // first of the two 7s, flat row-major
        Assert.Equal(5L, (long)t.ArgMin().Item());
        Assert.Equal(0, t.ArgMax().Rank);
    }

    [Fact]
    public void MaxTiesPickFirstOccurrenceOnBothKernelPathsAndGradientGoesThere()
    {
        // Row form (contiguous axis) and column form (strided axis) must agree on ties.
        var rows = Tensor.FromArray([1.0, 3, 3, 2, 5, 5, 5, 0], 2, 4).RequireGrad();
        var (v, i) = rows.Max(1);
        RefLoops.Close([3, 5], v, 0);
        RefLoops.Close([1, 0], i, 0);
        var cols = Tensor.FromArray([1.0, 5, 3, 5, 3, 5, 2, 0], 4, 2).RequireGrad();
        var (cv, ci) = cols.Max(0);
        RefLoops.Close([3, 5], cv, 0);
        RefLoops.Close([1, 0], ci, 0);
        var (minv, mini) = cols.Min(0);
        RefLoops.Close([1, 0], minv, 0);
        RefLoops.Close([0, 3], mini, 0);

        v.Sum().Backward();
        RefLoops.Close([0, 1, 0, 0, 1, 0, 0, 0], rows.Grad!, 0);
        cv.Sum().Backward();
        RefLoops.Close([0, 1, 1, 0, 0, 0, 0, 0], cols.Grad!, 0);

        var scalar = Tensor.Scalar(4.0, DType.Float64).RequireGrad();
        Assert.Equal(4.0, scalar.Max().Item());
        Assert.Equal(1.0, Autograd.Grad(scalar.Min(), scalar).Item());

        var all = Tensor.FromArray([2.0, 9, 9]).RequireGrad();
        all.Max().Backward();
        RefLoops.Close([0, 1, 0], all.Grad!, 0);
    }

    [Fact]
    public void MaxPropagatesNaNAndOrdersSignedZerosOnBothPaths()
    {
        var nan = double.NaN;
        var r = Tensor.FromArray([1.0, nan, 5, nan], 1, 4);
        var (v, i) = r.Max(1);
        Assert.True(double.IsNaN(v.Item()));
        Assert.Equal(1.0, i.Item());
        var c = Tensor.FromArray([1.0, nan, 5, nan], 4, 1);
        var (cv, ci) = c.Max(0);
        Assert.True(double.IsNaN(cv.Item()));
        Assert.Equal(1.0, ci.Item());
        Assert.Equal(1.0, c.Min(0).Indices.Item());

        // +0 counts as larger than -0 (TensorPrimitives' order) on both kernel paths.
        var z = Tensor.FromArray([-0.0, 0.0, -0.0]);
        Assert.Equal(1.0, z.ArgMax(0).Item());
        Assert.Equal(0.0, z.ArgMin(0).Item());
        var zc = Tensor.FromArray([-0.0, 0.0, 0.0, -0.0, -0.0, 0.0], 3, 2); // columns [-0, 0, -0] and [0, -0, 0]
        RefLoops.Close([1, 0], zc.ArgMax(0), 0);
        RefLoops.Close([0, 1], zc.ArgMin(0), 0);
    }

    [Fact]
    public void MaxMinGradCheckFirstAndSecondOrder()
    {
        var seed = 60;
        foreach (var (shape, axis) in new[] { (new[] { 3, 4 }, 1), ([3, 4], 0), ([2, 3, 2], -2), ([3, 1], 1) })
        {
            foreach (var keep in new[] { false, true })
            {
                var x = TestUtil.Rand(seed++, shape);
                var label = $"[{string.Join(",", shape)}] axis {axis} keep {keep}";
                RefLoops.Grad(v => v[0].Max(axis, keep).Values, "Max " + label, x);
                RefLoops.Grad(v => v[0].Min(axis, keep).Values, "Min " + label, x);
            }
        }

        var y = TestUtil.Rand(70, [3, 4]);
        RefLoops.Grad(v => v[0].Max(), "Max all", y);
        RefLoops.Grad(v => v[0].Min(), "Min all", y);

        // Second order: the backward is a recorded ScatterAdd, so exp(max) has a non-zero Hessian to check.
        RefLoops.GradGrad(v => v[0].Max(1).Values.Exp(), "Max", y);
        RefLoops.GradGrad(v => { var m = v[0].Max(0, keepDim: true).Values; return m * m * v[0]; }, "Max keep", y);
        RefLoops.GradGrad(v => v[0].Min().Exp(), "Min all", y);
    }

    [Fact]
    public void VarianceOfOneToFourIsFiveThirdsWithBessel()
    {
        var x = Tensor.FromArray([1.0, 2, 3, 4]);
        Assert.Equal(5.0 / 3.0, x.Var().Item(), 14);
        Assert.Equal(1.25, x.Var(correction: 0).Item(), 14);
        Assert.Equal(Math.Sqrt(5.0 / 3.0), x.Std().Item(), 14);
        Assert.Equal(Math.Sqrt(1.25), x.Std(0, correction: 0).Item(), 14);

        // One element with Bessel's correction divides by max(0, 1 - 1) = 0: NaN, as in PyTorch.
        Assert.True(double.IsNaN(Tensor.FromArray([3.0]).Var().Item()));
        Assert.Equal(0.0, Tensor.FromArray([3.0]).Var(correction: 0).Item());
    }

    [Fact]
    public void VarStdMatchLoopsOverAxisCases()
    {
        var seed = 80;
        foreach (var (shape, axes) in AxisCases.Where(c => c.Shape.Length > 1))
        {
            var x = TestUtil.Rand(seed++, shape, -2, 3);
            var d = x.ToDoubleArray();
            var norm = axes.Select(a => a < 0 ? a + shape.Length : a).OrderBy(a => a).ToArray();

            // Reference: group elements by their coordinates off the reduced axes.
            var strides = new Shape(shape).Strides();
            var groups = new SortedDictionary<int, List<double>>();
            for (var flat = 0; flat < d.Length; flat++)
            {
                var key = 0;
                for (var dim = 0; dim < shape.Length; dim++)
                {
                    if (!norm.Contains(dim))
                    {
                        key = (key * shape[dim]) + (flat / strides[dim] % shape[dim]);
                    }
                }

                if (!groups.TryGetValue(key, out var list))
                {
                    groups[key] = list = [];
                }

                list.Add(d[flat]);
            }

            var label = $"[{string.Join(",", shape)}] axes [{string.Join(",", axes)}]";
            foreach (var corr in new[] { 1.0, 0.0 })
            {
                var expVar = groups.Values.Select(g => RefLoops.VarOf([.. g], corr)).ToArray();
                RefLoops.Close(expVar, x.Var(axes, correction: corr), 1e-13, $"Var {label} c={corr}");
                RefLoops.Close(expVar.Select(Math.Sqrt).ToArray(), x.Std(axes, keepDim: true, correction: corr), 1e-13, $"Std {label} c={corr}");
                Assert.Equal(x.KeepDimShape(norm), x.Std(axes, keepDim: true, correction: corr).Shape);
            }
        }
    }

    [Fact]
    public void VarStdGradCheckFirstAndSecondOrder()
    {
        var seed = 100;
        foreach (var (shape, axes) in AxisCases)
        {
            foreach (var keep in new[] { false, true })
            {
                var x = TestUtil.Rand(seed++, shape);
                var label = $"[{string.Join(",", shape)}] axes [{string.Join(",", axes)}] keep {keep}";
                if (x.ReducedCount(x.NormalizeAxes(axes, "t")) < 2)
                {
                    continue; // variance of one element is NaN with Bessel's correction
                }

                RefLoops.Grad(v => v[0].Var(axes, keep), "Var " + label, x);
                RefLoops.Grad(v => v[0].Std(axes, keep, correction: 0), "Std " + label, x);
            }
        }

        var y = TestUtil.Rand(120, [3, 4]);
        RefLoops.GradGrad(v => v[0].Var(1), "Var", y);
        RefLoops.GradGrad(v => v[0].Var(0, keepDim: true, correction: 0) * v[0], "Var keep", y);
        RefLoops.GradGrad(v => v[0].Std(1), "Std", y);
        RefLoops.GradGrad(v => v[0].Std(), "Std all", y);
        RefLoops.GradGrad(v => v[0].Var([0, 2]), "Var non-adjacent", TestUtil.Rand(121, [2, 2, 3]));
        RefLoops.GradGrad(v => v[0].Std([0, 2], keepDim: true), "Std non-adjacent", TestUtil.Rand(122, [2, 2, 3]));
    }

    [Fact]
    public void CumSumMatchesLoopsInBothDirections()
    {
        foreach (var (shape, axis) in new[] { (new[] { 5 }, 0), ([3, 4], 1), ([3, 4], 0), ([2, 3, 2], -2), ([2, 0], 0) })
        {
            var x = TestUtil.Rand(130 + axis, shape);
            var a = axis < 0 ? axis + shape.Length : axis;
            var n = shape[a];
            var fwd = RefLoops.Along(x.ToDoubleArray(), shape, a, v =>
            {
                var r = new double[v.Length];
                var s = 0.0;
                for (var j = 0; j < v.Length; j++)
                {
                    r[j] = s += v[j];
                }

                return r;
            }, n);
            var rev = RefLoops.Along(x.ToDoubleArray(), shape, a, v =>
            {
                var r = new double[v.Length];
                var s = 0.0;
                for (var j = v.Length - 1; j >= 0; j--)
                {
                    r[j] = s += v[j];
                }

                return r;
            }, n);
            var label = $"[{string.Join(",", shape)}] axis {axis}";
            RefLoops.Close(fwd, x.CumSum(axis), 1e-15, "CumSum " + label);
            RefLoops.Close(rev, x.CumSum(axis, reverse: true), 1e-15, "CumSum reverse " + label);
            Assert.Equal(x.Shape, x.CumSum(axis).Shape);
        }

        RefLoops.Close([1, 3, 6, 10], Tensor.FromArray([1.0, 2, 3, 4]).CumSum(0), 0);
        RefLoops.Close([10, 9, 7, 4], Tensor.FromArray([1.0, 2, 3, 4]).CumSum(-1, reverse: true), 0);
    }

    [Fact]
    public void CumSumGradCheckFirstAndSecondOrder()
    {
        var seed = 140;
        foreach (var (shape, axis) in new[] { (new[] { 5 }, 0), ([3, 4], 1), ([3, 4], 0), ([2, 1, 3], 1) })
        {
            foreach (var reverse in new[] { false, true })
            {
                var x = TestUtil.Rand(seed++, shape);
                RefLoops.Grad(v => v[0].CumSum(axis, reverse), $"CumSum [{string.Join(",", shape)}] axis {axis} reverse {reverse}", x);
            }
        }

        var y = TestUtil.Rand(150, [3, 4]);
        RefLoops.GradGrad(v => v[0].CumSum(1) * v[0], "CumSum", y);
        RefLoops.GradGrad(v => { var c = v[0].CumSum(0, reverse: true); return c * c; }, "CumSum reverse", y);
    }

    [Fact]
    public void Float32AgreesWithFloat64()
    {
        var x64 = TestUtil.Rand(160, [6, 7], -3, 3);
        var x32 = x64.To(DType.Float32);
        void Same(Func<Tensor, Tensor> f, string label)
        {
            var a = f(x32);
            Assert.Equal(DType.Float32, a.DType);
            RefLoops.Close(f(x64).ToDoubleArray(), a, 2e-6, label);
        }

        Same(t => t.Sum([0, 1]), "Sum");
        Same(t => t.Mean(0), "Mean 0");
        Same(t => t.Mean(1, keepDim: true), "Mean 1");
        Same(t => t.Max(0).Values, "Max");
        Same(t => t.Min(1).Values, "Min");
        Same(t => t.Var(0), "Var");
        Same(t => t.Std(1), "Std");
        Same(t => t.CumSum(0), "CumSum");
        Same(t => t.CumSum(1, reverse: true), "CumSum reverse");
        RefLoops.Close(x64.ArgMax(1).ToDoubleArray(), x32.ArgMax(1), 0, "ArgMax");
    }

    [Fact]
    public void LargeReductionsAreDeterministicAcrossThreadCountsAndMatchLoops()
    {
        // 4 x 40000 along axis 0: inner 40000 spans many inner blocks and is split across threads.
        int[] shape = [4, 40000];
        var x = TestUtil.Rand(170, shape);
        var d = x.ToDoubleArray();
        foreach (var (f, name) in new (Func<Tensor>, string)[]
        {
            (() => x.Sum(0), "Sum"), (() => x.Mean(1), "Mean"), (() => x.Max(0).Values, "Max"),
            (() => x.ArgMin(0), "ArgMin"), (() => x.Var(0), "Var"), (() => x.Std(1), "Std"), (() => x.CumSum(0), "CumSum"),
        })
        {
            var (one, two) = RefLoops.WithThreads(f);
            Assert.True(one.SequenceEqual(two), $"{name} differs between 1 and 2 threads");
        }

        RefLoops.Close(RefLoops.Reduce(d, shape, 0, v => v.Sum()), x.Sum(0), 1e-14, "Sum");
        RefLoops.Close(RefLoops.Reduce(d, shape, 0, v => v.Max()), x.Max(0).Values, 0, "Max");
        RefLoops.Close(RefLoops.Reduce(d, shape, 0, v => RefLoops.VarOf(v, 1)), x.Var(0), 1e-12, "Var");
        RefLoops.Close(RefLoops.Reduce(d, shape, 1, v => v.Average()), x.Mean(1), 1e-12, "Mean");
    }

    [Fact]
    public void BadArgumentsGiveErrorsNamingTheOp()
    {
        var x = Tensor.Zeros([2, 3], DType.Float64);
        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => x.Mean(2));
        Assert.Contains("Mean", e1.Message);
        Assert.Contains("axis 2", e1.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Max(-3));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Var([0, 5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.CumSum(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.ArgMin(7));
        var e2 = Assert.Throws<ArgumentException>(() => x.Std([1, -1]));
        Assert.Contains("twice", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => x.Var(0, correction: double.NaN));
        Assert.Contains("correction", e3.Message);

        var idx = Tensor.FromArray([1L, 2]);
        var e4 = Assert.Throws<ArgumentException>(() => idx.Mean());
        Assert.Contains("Mean", e4.Message);
        Assert.Contains("Int64", e4.Message);
        Assert.Throws<ArgumentException>(() => idx.Max(0));
        Assert.Throws<ArgumentException>(() => idx.CumSum(0));

        var empty = Tensor.Zeros([2, 0], DType.Float64);
        var e5 = Assert.Throws<ArgumentException>(() => empty.Max(1));
        Assert.Contains("size 0", e5.Message);
        Assert.Throws<ArgumentException>(() => empty.Max());
        Assert.Throws<ArgumentException>(() => empty.ArgMin());
        Assert.Equal(new Shape(0), empty.Max(0).Values.Shape); // reducing a non-empty axis of an empty tensor is fine
    }
}
