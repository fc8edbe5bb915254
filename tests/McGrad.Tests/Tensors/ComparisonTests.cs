using McGrad.Autodiff;
using static McGrad.Tests.Tensors.ElementwiseTestData;

namespace McGrad.Tests.Tensors;

public class ComparisonTests
{
    private static readonly (string Name, Func<Tensor, Tensor, Tensor> Tt, Func<Tensor, double, Tensor> Ts, Func<double, double, bool> Ref)[] Ops =
    [
        ("Eq", (a, b) => a.Eq(b), (a, v) => a.Eq(v), (x, y) => x == y),
        ("Ne", (a, b) => a.Ne(b), (a, v) => a.Ne(v), (x, y) => x != y),
        ("Lt", (a, b) => a.Lt(b), (a, v) => a.Lt(v), (x, y) => x < y),
        ("Le", (a, b) => a.Le(b), (a, v) => a.Le(v), (x, y) => x <= y),
        ("Gt", (a, b) => a.Gt(b), (a, v) => a.Gt(v), (x, y) => x > y),
        ("Ge", (a, b) => a.Ge(b), (a, v) => a.Ge(v), (x, y) => x >= y),
    ];

    /// <summary>Reference broadcast: the value of an operand of shape <paramref name="s"/> at output multi-index <paramref name="idx"/>.</summary>
    private static double At(double[] data, int[] s, int[] idx)
    {
        var flat = 0;
        var lead = idx.Length - s.Length;
        for (var i = 0; i < s.Length; i++)
        {
            flat = (flat * s[i]) + (s[i] == 1 ? 0 : idx[lead + i]);
        }

        return data[flat];
    }

    private static IEnumerable<int[]> Indices(int[] shape)
    {
        var n = shape.Aggregate(1, (p, d) => p * d);
        for (var f = 0; f < n; f++)
        {
            var idx = new int[shape.Length];
            var r = f;
            for (var i = shape.Length - 1; i >= 0; i--)
            {
                idx[i] = r % shape[i];
                r /= shape[i];
            }

            yield return idx;
        }
    }

    /// <summary>Values from a small set with repeats (ties), signed zeros and NaN.</summary>
    private static double[] Values(int seed, int n)
    {
        double[] pool = [-1, 0, -0.0, 0.5, 1, 2, double.NaN, double.PositiveInfinity];
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => pool[rng.Next(pool.Length)])];
    }

    public static TheoryData<int[], int[]> ShapePairs() => new()
    {
        { [5, 7], [5, 7] },
        { [4, 9], [9] },
        { [3, 1, 5], [2, 1] },
        { [], [6] },
        { [6], [] },
        { [0, 3], [1, 3] },
        { [40, 1], [1, 33] },
    };

    [Theory]
    [MemberData(nameof(ShapePairs))]
    public void TensorTensorComparisonsMatchHandLoopsInBothDtypes(int[] sa, int[] sb)
    {
        // Catches a swapped or negated relation, NaN treated as equal, and broadcasting index mistakes.
        var a = Values(1, new Shape(sa).Size);
        var b = Values(2, new Shape(sb).Size);
        var outShape = Shape.Broadcast(new Shape(sa), new Shape(sb)).ToArray();
        foreach (var dtype in (DType[])[DType.Float64, DType.Float32])
        {
            var ta = Tensor.FromArray(a).Reshape(sa).To(dtype);
            var tb = Tensor.FromArray(b).Reshape(sb).To(dtype);
            foreach (var (name, tt, _, r) in Ops)
            {
                var y = tt(ta, tb);
                Assert.Equal(dtype, y.DType);
                Assert.Equal(new Shape(outShape), y.Shape);
                var expected = Indices(outShape).Select(ix => r(At(a, sa, ix), At(b, sb, ix)) ? 1.0 : 0.0).ToArray();
                Assert.True(expected.SequenceEqual(y.ToDoubleArray()), $"{name} {dtype} {string.Join(",", sa)} vs {string.Join(",", sb)}");
            }
        }
    }

    [Fact]
    public void TensorScalarComparisonsAndOperators()
    {
        var a = Values(3, 21);
        var t = Tensor.FromArray(a);
        foreach (var v in (double[])[0, 0.5, -1, double.NaN])
        {
            foreach (var (name, _, ts, r) in Ops)
            {
                Assert.True(a.Select(x => r(x, v) ? 1.0 : 0.0).SequenceEqual(ts(t, v).ToDoubleArray()), $"{name}({v})");
            }

            Assert.Equal(t.Lt(v).ToDoubleArray(), (t < v).ToDoubleArray());
            Assert.Equal(t.Gt(v).ToDoubleArray(), (t > v).ToDoubleArray());
            Assert.Equal(t.Le(v).ToDoubleArray(), (t <= v).ToDoubleArray());
            Assert.Equal(t.Ge(v).ToDoubleArray(), (t >= v).ToDoubleArray());
            Assert.Equal(t.Gt(v).ToDoubleArray(), (v < t).ToDoubleArray());
            Assert.Equal(t.Lt(v).ToDoubleArray(), (v > t).ToDoubleArray());
            Assert.Equal(t.Ge(v).ToDoubleArray(), (v <= t).ToDoubleArray());
            Assert.Equal(t.Le(v).ToDoubleArray(), (v >= t).ToDoubleArray());
        }

        var u = Tensor.FromArray(Values(4, 21));
        Assert.Equal(t.Lt(u).ToDoubleArray(), (t < u).ToDoubleArray());
        Assert.Equal(t.Gt(u).ToDoubleArray(), (t > u).ToDoubleArray());
        Assert.Equal(t.Le(u).ToDoubleArray(), (t <= u).ToDoubleArray());
        Assert.Equal(t.Ge(u).ToDoubleArray(), (t >= u).ToDoubleArray());
    }

    [Fact]
    public void Float32ScalarIsRoundedToFloat32()
    {
        // 0.1f ≠ 0.1 in double, but a Float32 tensor compares in float32 (as PyTorch does with Python scalars).
        var x = Tensor.FromArray([0.1f, 0.2f]);
        Assert.Equal([1.0, 0.0], x.Eq(0.1).ToDoubleArray());
        Assert.Equal([0.0, 0.0], x.Lt(0.1).ToDoubleArray());
    }

    [Fact]
    public void Int64ComparesExactlyAndReturnsInt64()
    {
        var idx = Tensor.FromArray([0L, 1L, 2L, 3L, long.MaxValue]);
        var eq = idx.Eq(2);
        Assert.Equal(DType.Int64, eq.DType);
        Assert.Equal([0L, 0, 1, 0, 0], eq.ToLongArray());
        Assert.Equal([1L, 1, 1, 0, 0], idx.Lt(2.5).ToLongArray());
        Assert.Equal([0L, 0, 0, 1, 1], idx.Gt(2.5).ToLongArray());
        Assert.Equal([0L, 0, 0, 0, 0], idx.Eq(2.5).ToLongArray());
        Assert.Equal([1L, 1, 1, 1, 1], idx.Ne(double.NaN).ToLongArray());
        Assert.Equal([0L, 0, 0, 0, 0], idx.Ge(double.NaN).ToLongArray());
        Assert.Equal([0L, 1, 0, 0, 1], idx.Eq(Tensor.FromArray([5L, 1L, 7L, 2L, long.MaxValue])).ToLongArray());
        Assert.Equal([1L, 1, 1, 1, 0], idx.Lt(Tensor.FromArray([long.MaxValue], 1)).ToLongArray());
    }

    [Fact]
    public void ComparisonsAreUntrackedAndRejectMixedDtypes()
    {
        var x = TestUtil.Rand(1, [3]).RequireGrad();
        Assert.False(x.Gt(0).RequiresGrad);
        Assert.False((x < x.Exp()).RequiresGrad);
        var ex = Assert.Throws<ArgumentException>(() => x.Lt(x.To(DType.Float32)));
        Assert.Contains("Lt", ex.Message);
        Assert.Contains("dtype mismatch", ex.Message);
        Assert.Throws<ArgumentException>(() => x.Eq(Tensor.FromArray([1L, 2L, 3L])));
        var shapes = Assert.Throws<ArgumentException>(() => x.Ge(Tensor.Zeros([2], DType.Float64)));
        Assert.Contains("Ge", shapes.Message);
    }

    [Fact]
    public void LargeBroadcastComparisonMatchesLoop()
    {
        // 300 × 301 outputs: the parallel, row-broadcast path.
        var a = TestUtil.Rand(5, [300, 1], -1, 1);
        var b = TestUtil.Rand(6, [301], -1, 1);
        var y = a.Lt(b).ToDoubleArray();
        var ad = a.ToDoubleArray();
        var bd = b.ToDoubleArray();
        var expected = new double[300 * 301];
        for (var i = 0; i < 300; i++)
        {
            for (var j = 0; j < 301; j++)
            {
                expected[(i * 301) + j] = ad[i] < bd[j] ? 1.0 : 0.0;
            }
        }

        Assert.True(expected.AsSpan().SequenceEqual(y));
    }

    public static TheoryData<int[], int[], int[]> WhereShapes() => new()
    {
        { [2, 3], [2, 3], [2, 3] },
        { [2, 1, 3], [4, 1], [] },
        { [3], [2, 1], [1, 3] },
        { [], [2, 2], [2] },
        { [1, 1], [1], [1, 1, 1] },
        { [0, 2], [2], [1, 2] },
        { [2, 1], [2, 0], [1] },
    };

    [Theory]
    [MemberData(nameof(WhereShapes))]
    public void WhereForwardMatchesHandLoop(int[] sc, int[] sa, int[] sb)
    {
        var rng = new Random(9);
        double[] pool = [0, 1, -0.0, 2.5, double.NaN];
        var c = Enumerable.Range(0, new Shape(sc).Size).Select(_ => pool[rng.Next(pool.Length)]).ToArray();
        var a = TestUtil.Rand(1, sa).ToDoubleArray();
        var b = TestUtil.Rand(2, sb, 5, 6).ToDoubleArray();
        var outShape = Shape.Broadcast(Shape.Broadcast(new Shape(sc), new Shape(sa)), new Shape(sb)).ToArray();
        var expected = Indices(outShape).Select(ix => At(c, sc, ix) != 0 ? At(a, sa, ix) : At(b, sb, ix)).ToArray();
        foreach (var condDType in (DType[])[DType.Float64, DType.Float32, DType.Int64])
        {
            // NaN → Int64 is not meaningful; for Int64 masks use the nonzero pattern instead.
            var cond = condDType == DType.Int64
                ? Tensor.FromArray(c.Select(v => v != 0 ? 1L : 0L).ToArray()).Reshape(sc)
                : Tensor.FromArray(c).Reshape(sc).To(condDType);
            var y = Tensor.Where(cond, Tensor.FromArray(a).Reshape(sa), Tensor.FromArray(b).Reshape(sb));
            Assert.Equal(new Shape(outShape), y.Shape);
            Assert.True(expected.SequenceEqual(y.ToDoubleArray()), $"cond {condDType}");
            var y32 = Tensor.Where(cond, Tensor.FromArray(a).Reshape(sa).To(DType.Float32), Tensor.FromArray(b).Reshape(sb).To(DType.Float32));
            Assert.Equal(DType.Float32, y32.DType);
            Assert.True(expected.Select(v => (double)(float)v).SequenceEqual(y32.ToDoubleArray()), $"float32 values, cond {condDType}");
        }
    }

    [Theory]
    [MemberData(nameof(WhereShapes))]
    public void WhereGradCheckFirstOrder(int[] sc, int[] sa, int[] sb)
    {
        // Catches the gradient going to the wrong branch and a missing SumTo for a broadcast branch.
        var cond = TestUtil.Rand(3, sc).Gt(0);
        TestUtil.AssertGrad(t => Tensor.Where(cond, t[0], t[1]), TestUtil.Rand(4, sa), TestUtil.Rand(5, sb));
    }

    [Fact]
    public void WhereGradCheckSecondOrder()
    {
        // The outer Exp makes the incoming gradient depend on a and b, so Where's own rule must be recorded
        // (an untracked masking kernel in the rule would pass first order but fail here).
        var cond = Tensor.FromArray([1.0, 0, 0, 1, 1, 0], 2, 3);
        TestUtil.AssertGradGrad(t => Tensor.Where(cond, t[0].Sin(), t[1] * t[1]).Exp(), TestUtil.Rand(6, [2, 3]), TestUtil.Rand(7, [3]));
        TestUtil.AssertGradGrad(t => (Tensor.Where(cond.Reshape(2, 3, 1), t[0], t[1]) * t[0]).Exp(), TestUtil.Rand(8, [3, 1]), TestUtil.Rand(9, [1, 4]));
    }

    [Fact]
    public void WhereScalarFormsAndGradientNotToCondition()
    {
        var x = Tensor.FromArray([-1.0, 2.0, -3.0]).RequireGrad();
        var y = Tensor.Where(x.Gt(0), x, 0.0);
        Assert.Equal([0.0, 2.0, 0.0], y.ToDoubleArray());
        Assert.Equal([0.0, 1.0, 0.0], Autograd.Grad(y.Sum(), x).ToDoubleArray());
        Assert.Equal([7.0, 2.0, 7.0], Tensor.Where(x.Lt(0), 7.0, x).ToDoubleArray());

        // Selection also works on Int64 values (an indexing-style use; no gradient involved).
        var picked = Tensor.Where(x.Gt(0), Tensor.FromArray([1L, 2L, 3L]), Tensor.FromArray([-1L], 1));
        Assert.Equal(DType.Int64, picked.DType);
        Assert.Equal([-1L, 2L, -1L], picked.ToLongArray());

        // A condition that requires grad gets none (the selection is piecewise constant in it).
        var c = Tensor.FromArray([1.0, 0.0, 1.0]).RequireGrad();
        var g = Autograd.Grad([Tensor.Where(c, x, x * 2.0).Sum()], [c, x], allowUnused: true);
        Assert.Null(g[0]);
        Assert.Equal([1.0, 2.0, 1.0], g[1]!.ToDoubleArray());
    }

    [Fact]
    public void WhereErrorsNameShapesAndDtypes()
    {
        var a = Tensor.Zeros([2, 3], DType.Float64);
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Where(Tensor.Zeros([4]), a, a));
        Assert.Contains("Where", ex.Message);
        Assert.Contains("[4]", ex.Message);
        var dt = Assert.Throws<ArgumentException>(() => Tensor.Where(a, a, a.To(DType.Float32)));
        Assert.Contains("dtype mismatch", dt.Message);
    }

    [Fact]
    public void LargeWhereMatchesLoopOnBothPaths()
    {
        var c = TestUtil.Rand(10, [300, 250]).Gt(0);
        var a = TestUtil.Rand(11, [300, 250]);
        var b = TestUtil.Rand(12, [250]);
        var (cd, ad, bd) = (c.ToDoubleArray(), a.ToDoubleArray(), b.ToDoubleArray());
        var same = Tensor.Where(c, a, b.BroadcastTo([300, 250])).ToDoubleArray();
        var bcast = Tensor.Where(c, a, b).ToDoubleArray();
        var expected = new double[cd.Length];
        for (var i = 0; i < cd.Length; i++)
        {
            expected[i] = cd[i] != 0 ? ad[i] : bd[i % 250];
        }

        Assert.True(expected.AsSpan().SequenceEqual(same), "same-shape path");
        Assert.True(expected.AsSpan().SequenceEqual(bcast), "broadcast path");
    }
}
