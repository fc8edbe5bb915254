using McGrad.Autodiff;

namespace McGrad.Tests.Tensors;

public class MovementTests
{
    // ---------- helpers ----------

    /// <summary>0, 1, 2, … as float64 with the given shape (values identify their source position).</summary>
    private static Tensor Iota(params int[] shape)
    {
        var n = MovementReference.Size(shape);
        return Tensor.FromArray(Enumerable.Range(0, n).Select(i => (double)i).ToArray(), shape.Length == 0 ? [] : shape).Reshape(shape);
    }

    /// <summary>Int64 values above 2^53, so a detour through double would change them.</summary>
    private static Tensor BigLongs(params int[] shape)
    {
        var n = MovementReference.Size(shape);
        var data = Enumerable.Range(0, n).Select(i => (1L << 60) + (3L * i) + 1).ToArray();
        return Tensor.FromArray(data, shape.Length == 0 ? [] : shape).Reshape(shape);
    }

    /// <summary>First- and second-order GradCheck of a unary movement op (second order through y ⊙ y, so the
    /// backward of the op must itself be recorded and differentiable).</summary>
    private static void AssertGrads(Func<Tensor, Tensor> op, int[] shape, int seed = 1)
    {
        var x = TestUtil.Rand(seed, shape);
        TestUtil.AssertGrad(xs => op(xs[0]), x);
        TestUtil.AssertGradGrad(
            xs =>
            {
                var y = op(xs[0]);
                return y * y;
            },
            x);
    }

    private static void AssertShape(int[] expected, Tensor t) => Assert.Equal(expected, t.Shape.ToArray());

    // ---------- Permute / Transpose / T / MT ----------

    [Fact]
    public void PermuteForwardMatchesHandComputedValues()
    {
        // x[i,j,k] = 12i + 4j + k, shape [2,3,4]; Permute(2,0,1) gives y[k,i,j] = x[i,j,k].
        var y = Iota(2, 3, 4).Permute(2, 0, 1);
        AssertShape([4, 2, 3], y);
        var expected = new List<double>();
        for (var k = 0; k < 4; k++)
        {
            for (var i = 0; i < 2; i++)
            {
                for (var j = 0; j < 3; j++)
                {
                    expected.Add((12 * i) + (4 * j) + k);
                }
            }
        }

        TestUtil.AssertClose([.. expected], y, 0);
        Assert.Equal(Iota(2, 3, 4).Permute(2, 0, 1).ToDoubleArray(), Iota(2, 3, 4).Permute(-1, -3, -2).ToDoubleArray());
    }

    [Fact]
    public void TransposeOfSmallMatrixIsExact()
    {
        var x = Tensor.FromArray(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        TestUtil.AssertClose([1, 4, 2, 5, 3, 6], x.T, 0);
        AssertShape([3, 2], x.T);
        TestUtil.AssertClose([1, 4, 2, 5, 3, 6], x.Transpose(-1, 0), 0);
        TestUtil.AssertClose([1, 4, 2, 5, 3, 6], x.MT, 0);
    }

    [Theory]
    [InlineData(new[] { 300, 260 }, new[] { 1, 0 })] // large transpose: tiled and split across cores
    [InlineData(new[] { 37, 5 }, new[] { 1, 0 })] // ragged tiles
    [InlineData(new[] { 3, 41, 33 }, new[] { 0, 2, 1 })] // batched transpose (MT)
    [InlineData(new[] { 6, 50, 7, 40 }, new[] { 3, 1, 0, 2 })] // source-contiguous axis moved to the front
    [InlineData(new[] { 20, 30, 150 }, new[] { 1, 0, 2 })] // keeps the last axis: row copies, parallel
    [InlineData(new[] { 2, 1, 3, 1, 4 }, new[] { 4, 3, 0, 2, 1 })] // size-1 axes dropped by the kernel
    [InlineData(new[] { 4, 1, 1, 5 }, new[] { 3, 1, 2, 0 })] // transpose hidden behind size-1 axes
    [InlineData(new[] { 3, 2, 2 }, new[] { 2, 1, 0 })] // tiny, strided inner loop
    public void PermuteMatchesReferenceOnLargeAndOddShapes(int[] shape, int[] perm)
    {
        var x = Iota(shape).To(DType.Float32);
        var expected = MovementReference.Permute(x.ToDoubleArray(), shape, perm, out var outShape);
        var y = x.Permute(perm);
        AssertShape(outShape, y);
        Assert.Equal(DType.Float32, y.DType);
        Assert.Equal(expected, y.ToDoubleArray());
    }

    [Fact]
    public void IdentityPermutationAndSameAxisTransposeReturnTheTensor()
    {
        var x = Iota(2, 3);
        Assert.Same(x, x.Permute(0, 1));
        Assert.Same(x, x.Permute(-2, -1));
        Assert.Same(x, x.Transpose(1, -1));
        var s = Tensor.Scalar(2.0, DType.Float64);
        Assert.Same(s, s.Permute());
    }

    [Theory]
    [InlineData(new[] { 2, 3, 4 }, new[] { 2, 0, 1 })]
    [InlineData(new[] { 2, 1, 3, 2 }, new[] { -1, 0, 2, 1 })]
    [InlineData(new[] { 3, 0, 2 }, new[] { 1, 2, 0 })]
    [InlineData(new[] { 4, 5 }, new[] { 1, 0 })]
    [InlineData(new[] { 1, 1 }, new[] { 1, 0 })]
    [InlineData(new[] { 5 }, new[] { 0 })]
    public void PermuteGradients(int[] shape, int[] perm) => AssertGrads(x => x.Permute(perm), shape);

    [Fact]
    public void TransposeTAndMTGradients()
    {
        AssertGrads(x => x.Transpose(0, -1), [3, 2, 4]);
        AssertGrads(x => x.Transpose(-3, 1), [2, 1, 3]);
        AssertGrads(x => x.T, [4, 6]);
        AssertGrads(x => x.MT, [2, 3, 5]);
        AssertGrads(x => x.MT, [0, 3, 2]);
    }

    [Fact]
    public void PermuteGradientIsTheInversePermutation()
    {
        // d/dx Σ w ⊙ Permute(x) = Permute⁻¹(w): for perm (1,2,0) the inverse is (2,0,1), not perm itself.
        var x = TestUtil.Rand(3, [2, 3, 4]).RequireGrad();
        var w = TestUtil.Rand(4, [3, 4, 2]);
        var g = Autograd.Grad((x.Permute(1, 2, 0) * w).Sum(), x);
        Assert.Equal(w.Permute(2, 0, 1).ToDoubleArray(), g.ToDoubleArray());
    }

    // ---------- Slice / Narrow / Embed ----------

    [Fact]
    public void SliceForwardMatchesHandComputedValues()
    {
        var x = Iota(5, 3); // x[i,j] = 3i + j
        TestUtil.AssertClose([3, 4, 5, 6, 7, 8, 9, 10, 11], x.Slice(0, 1, 4), 0);
        TestUtil.AssertClose([0, 1, 2, 6, 7, 8, 12, 13, 14], x.Slice(0, 0, 5, 2), 0);
        TestUtil.AssertClose([0, 1, 2, 6, 7, 8, 12, 13, 14], x.Slice(0, 0, step: 2), 0);
        TestUtil.AssertClose([9, 10, 11], x.Slice(0, -2, -1), 0);
        TestUtil.AssertClose([12, 13, 14], x.Slice(0, -1), 0);
        TestUtil.AssertClose([1, 4, 7, 10, 13], x.Slice(1, 1, 2), 0);
        TestUtil.AssertClose([0, 2, 3, 5, 6, 8, 9, 11, 12, 14], x.Slice(-1, 0, 3, 2), 0);
        AssertShape([5, 2], x.Slice(-1, 0, 3, 2));
        AssertShape([0, 3], x.Slice(0, 2, 2));
        AssertShape([5, 0], x.Slice(1, 3, 3));
        AssertShape([1, 3], x.Slice(0, 4, 5, 7));
    }

    [Fact]
    public void SliceWithStepAlongLastAxisOfLargeTensorMatchesReference()
    {
        var x = Iota(40, 3000).To(DType.Float32);
        var expected = MovementReference.Slice(x.ToDoubleArray(), [40, 3000], 1, 7, 3, (2990 - 7 + 2) / 3, out var outShape);
        var y = x.Slice(1, 7, 2990, 3);
        AssertShape(outShape, y);
        Assert.Equal(expected, y.ToDoubleArray());
    }

    [Fact]
    public void FullSliceReturnsTheTensor()
    {
        var x = Iota(3, 4);
        Assert.Same(x, x.Slice(1, 0));
        Assert.Same(x, x.Slice(0, -3, 3));
        Assert.Same(x, x.Narrow(0, 0, 3));
        Assert.NotSame(x, x.Slice(0, 0, 3, 2));
    }

    [Fact]
    public void NarrowForwardValues()
    {
        var x = Iota(2, 5); // x[i,j] = 5i + j
        TestUtil.AssertClose([1, 2, 3, 6, 7, 8], x.Narrow(1, 1, 3), 0);
        TestUtil.AssertClose([3, 4, 8, 9], x.Narrow(-1, -2, 2), 0);
        AssertShape([2, 0], x.Narrow(1, 5, 0));
    }

    [Theory]
    [InlineData(new[] { 5, 3 }, 0, 1, 4, 1)]
    [InlineData(new[] { 4, 6 }, -1, -5, -1, 2)]
    [InlineData(new[] { 3, 0 }, 0, 1, 3, 1)]
    [InlineData(new[] { 2, 7, 2 }, 1, 0, 7, 3)]
    [InlineData(new[] { 4, 3 }, 0, 2, 2, 1)]
    [InlineData(new[] { 1, 4 }, 0, 0, 1, 5)]
    [InlineData(new[] { 6 }, 0, -6, 6, 4)]
    public void SliceGradients(int[] shape, int axis, int start, int end, int step)
        => AssertGrads(x => x.Slice(axis, start, end, step), shape, seed: shape.Length + start);

    [Fact]
    public void NarrowGradients()
    {
        AssertGrads(x => x.Narrow(1, 1, 2), [2, 4, 1]);
        AssertGrads(x => x.Narrow(-3, -1, 1), [3, 2, 2]);
        AssertGrads(x => x.Narrow(0, 1, 0), [3, 2]);
    }

    [Fact]
    public void SliceGradientScattersIntoZeros()
    {
        // d/dx Σ w ⊙ x[1:5:2] puts w at rows 1 and 3, zeros elsewhere.
        var x = TestUtil.Rand(5, [6, 2]).RequireGrad();
        var w = Tensor.FromArray([1.0, 2.0, 3.0, 4.0], 2, 2);
        var g = Autograd.Grad((x.Slice(0, 1, 5, 2) * w).Sum(), x);
        TestUtil.AssertClose([0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0], g, 0);
    }

    [Fact]
    public void EmbedIsDifferentiableWithSliceAsItsGradient()
    {
        var full = new Shape(3, 7);
        TestUtil.AssertGrad(xs => xs[0].EmbedCore(full, 1, 1, 3), TestUtil.Rand(6, [3, 2]));
        TestUtil.AssertGradGrad(
            xs =>
            {
                var y = xs[0].EmbedCore(full, 1, 1, 3);
                return y * y;
            },
            TestUtil.Rand(7, [3, 2]));
        var e = Tensor.FromArray([1.0, 2.0], 1, 2).EmbedCore(new Shape(1, 5), 1, 1, 3);
        TestUtil.AssertClose([0, 1, 0, 0, 2], e, 0);
    }

    [Fact]
    public void ThirdOrderThroughSliceAndEmbed()
    {
        // f(x) = Σ (x[1:3])³ · c: f''' = 6c on the sliced entries, 0 elsewhere; the third derivative runs the
        // Slice rule (Embed), the Embed rule (Slice) and the Slice rule again.
        var x = Tensor.FromArray([0.3, -0.7, 1.1, 2.0]).RequireGrad();
        var y = x.Slice(0, 1, 3);
        var f = (y * y * y * 2.0).Sum();
        var g1 = Autograd.Grad(f, x, createGraph: true);
        var g2 = Autograd.Grad(g1.Sum(), x, createGraph: true);
        var g3 = Autograd.Grad(g2.Sum(), x);
        TestUtil.AssertClose([0, 12, 12, 0], g3, 1e-12);
    }

    // ---------- Concat / Stack / Split / Chunk ----------

    [Fact]
    public void ConcatForwardValues()
    {
        var a = Tensor.FromArray([1.0, 2.0, 3.0, 4.0], 2, 2);
        var b = Tensor.FromArray([5.0, 6.0], 2, 1);
        var c = Tensor.Zeros([2, 0], DType.Float64);
        var y = Tensor.Concat([a, c, b], axis: 1);
        AssertShape([2, 3], y);
        TestUtil.AssertClose([1, 2, 5, 3, 4, 6], y, 0);
        var z = Tensor.Concat([a, b.Reshape(1, 2)], axis: -2);
        AssertShape([3, 2], z);
        TestUtil.AssertClose([1, 2, 3, 4, 5, 6], z, 0);
    }

    [Fact]
    public void ConcatOfLargeTensorsMatchesReference()
    {
        int[][] shapes = [[70, 500, 3], [70, 1, 3], [70, 250, 3]];
        var parts = shapes.Select((s, i) => TestUtil.Rand(20 + i, s).To(DType.Float32)).ToArray();
        var expected = MovementReference.Concat(parts.Select(p => p.ToDoubleArray()).ToArray(), shapes, 1, out var outShape);
        var y = Tensor.Concat(parts, 1);
        AssertShape(outShape, y);
        Assert.Equal(expected, y.ToDoubleArray());
    }

    [Fact]
    public void ConcatGradients()
    {
        TestUtil.AssertGrad(xs => Tensor.Concat(xs, 0), TestUtil.Rand(1, [2, 3]), TestUtil.Rand(2, [1, 3]), TestUtil.Rand(3, [0, 3]));
        TestUtil.AssertGradGrad(
            xs =>
            {
                var y = Tensor.Concat(xs, 0);
                return y * y;
            },
            TestUtil.Rand(1, [2, 3]),
            TestUtil.Rand(2, [1, 3]),
            TestUtil.Rand(3, [0, 3]));
        TestUtil.AssertGrad(xs => Tensor.Concat(xs, -2), TestUtil.Rand(4, [2, 1, 3]), TestUtil.Rand(5, [2, 4, 3]));
        TestUtil.AssertGradGrad(
            xs =>
            {
                var y = Tensor.Concat(xs, -2);
                return y * y;
            },
            TestUtil.Rand(4, [2, 1, 3]),
            TestUtil.Rand(5, [2, 4, 3]));
        TestUtil.AssertGradGrad(
            xs =>
            {
                // The same tensor twice: both slices of g must be summed into its gradient.
                var y = Tensor.Concat([xs[0], xs[0], xs[1]], 1);
                return y * y;
            },
            TestUtil.Rand(6, [2, 2]),
            TestUtil.Rand(7, [2, 1]));
    }

    [Fact]
    public void ConcatSkipsInputsThatNeedNoGradient()
    {
        var a = TestUtil.Rand(8, [2, 2]).RequireGrad();
        var b = TestUtil.Rand(9, [2, 3]);
        var g = Autograd.Grad((Tensor.Concat([b, a], 1) * 2.0).Sum(), a);
        TestUtil.AssertClose([2, 2, 2, 2], g, 0);
        Assert.False(Tensor.Concat([b, b], 0).RequiresGrad);
    }

    [Fact]
    public void StackForwardValuesAndShapes()
    {
        var a = Tensor.FromArray([1.0, 2.0, 3.0]);
        var b = Tensor.FromArray([4.0, 5.0, 6.0]);
        TestUtil.AssertClose([1, 2, 3, 4, 5, 6], Tensor.Stack([a, b]), 0);
        AssertShape([2, 3], Tensor.Stack([a, b]));
        TestUtil.AssertClose([1, 4, 2, 5, 3, 6], Tensor.Stack([a, b], 1), 0);
        AssertShape([3, 2], Tensor.Stack([a, b], -1));
        var s = Tensor.Stack([Tensor.Scalar(1, DType.Float64), Tensor.Scalar(2, DType.Float64)]);
        AssertShape([2], s);
        AssertShape([2, 3, 0], Tensor.Stack([Tensor.Zeros([2, 0]), Tensor.Zeros([2, 0]), Tensor.Zeros([2, 0])], 1));
    }

    [Fact]
    public void StackGradients()
    {
        foreach (var axis in new[] { 0, 1, -1, -3 })
        {
            TestUtil.AssertGrad(xs => Tensor.Stack(xs, axis), TestUtil.Rand(1, [2, 3]), TestUtil.Rand(2, [2, 3]), TestUtil.Rand(3, [2, 3]));
            TestUtil.AssertGradGrad(
                xs =>
                {
                    var y = Tensor.Stack(xs, axis);
                    return y * y;
                },
                TestUtil.Rand(1, [2, 3]),
                TestUtil.Rand(2, [2, 3]));
        }

        TestUtil.AssertGradGrad(
            xs =>
            {
                var y = Tensor.Stack(xs);
                return y * y;
            },
            TestUtil.Rand(4, []),
            TestUtil.Rand(5, []));
    }

    [Fact]
    public void SplitAndChunkForwardValues()
    {
        var x = Iota(7, 2);
        var parts = x.Split([2, 0, 5]);
        AssertShape([2, 2], parts[0]);
        AssertShape([0, 2], parts[1]);
        AssertShape([5, 2], parts[2]);
        TestUtil.AssertClose([4, 5, 6, 7, 8, 9, 10, 11, 12, 13], parts[2], 0);
        var chunks = x.Chunk(3);
        Assert.Equal([3, 2, 2], chunks.Select(c => c.Shape[0]).ToArray());
        TestUtil.AssertClose([6, 7, 8, 9], chunks[1], 0);
        Assert.Equal([1, 1, 0, 0], Iota(2, 2).Chunk(4, -1).Select(c => c.Shape[1]).ToArray());
    }

    [Fact]
    public void SplitAndChunkGradients()
    {
        AssertGrads(
            x =>
            {
                var p = x.Split([1, 3, 2], -1);
                return Tensor.Concat([p[2], p[0], p[1]], -1);
            },
            [2, 6]);
        AssertGrads(
            x =>
            {
                var c = x.Chunk(2, 0);
                return c[0] * c[1];
            },
            [4, 3]);
    }

    // ---------- Squeeze / Unsqueeze ----------

    [Fact]
    public void SqueezeAndUnsqueezeShapesShareStorage()
    {
        var x = Iota(1, 3, 1, 2);
        AssertShape([3, 2], x.Squeeze());
        AssertShape([3, 1, 2], x.Squeeze(0));
        AssertShape([1, 3, 2], x.Squeeze(-2));
        AssertShape([3, 2], x.Squeeze(2, 0));
        Assert.Same(x.Storage, x.Squeeze().Storage);
        AssertShape([], Iota(1, 1).Squeeze());
        var v = Iota(3);
        AssertShape([1, 3], v.Unsqueeze(0));
        AssertShape([3, 1], v.Unsqueeze(1));
        AssertShape([3, 1], v.Unsqueeze(-1));
        AssertShape([1, 3], v.Unsqueeze(-2));
        AssertShape([1], Tensor.Scalar(1).Unsqueeze(-1));
        Assert.Same(v.Storage, v.Unsqueeze(0).Storage);
        TestUtil.AssertClose([0, 1, 2], v.Unsqueeze(1), 0);
    }

    [Fact]
    public void SqueezeAndUnsqueezeGradients()
    {
        AssertGrads(x => x.Squeeze(), [1, 3, 1, 2]);
        AssertGrads(x => x.Squeeze(-1), [2, 0, 1]);
        AssertGrads(x => x.Unsqueeze(1), [2, 3]);
        AssertGrads(x => x.Unsqueeze(-1), [4]);
    }

    // ---------- Flip ----------

    [Fact]
    public void FlipForwardValues()
    {
        var x = Iota(2, 3); // [[0,1,2],[3,4,5]]
        TestUtil.AssertClose([3, 4, 5, 0, 1, 2], x.Flip(0), 0);
        TestUtil.AssertClose([2, 1, 0, 5, 4, 3], x.Flip(1), 0);
        TestUtil.AssertClose([2, 1, 0, 5, 4, 3], x.Flip(-1), 0);
        TestUtil.AssertClose([5, 4, 3, 2, 1, 0], x.Flip(0, 1), 0);
        Assert.Same(x, x.Flip());
        var y = Iota(2, 2, 3).Flip(0, 2);
        TestUtil.AssertClose([8, 7, 6, 11, 10, 9, 2, 1, 0, 5, 4, 3], y, 0);
    }

    [Theory]
    [InlineData(new[] { 300, 300 }, new[] { 1 })] // reversed row copies, parallel
    [InlineData(new[] { 300, 300 }, new[] { 0 })]
    [InlineData(new[] { 4, 1, 5, 3 }, new[] { 0, 2, -1 })]
    [InlineData(new[] { 3, 0 }, new[] { 1 })]
    public void FlipMatchesReference(int[] shape, int[] axes)
    {
        var x = Iota(shape).To(DType.Float32);
        var norm = axes.Select(a => a < 0 ? a + shape.Length : a).ToArray();
        Assert.Equal(MovementReference.Flip(x.ToDoubleArray(), shape, norm), x.Flip(axes).ToDoubleArray());
    }

    [Fact]
    public void FlipGradients()
    {
        AssertGrads(x => x.Flip(0), [3, 4]);
        AssertGrads(x => x.Flip(-1), [3, 4]);
        AssertGrads(x => x.Flip(0, 2), [2, 3, 2]);
        AssertGrads(x => x.Flip(1), [3, 0]);
        AssertGrads(x => x.Flip(0), [1, 5]);
    }

    // ---------- dtypes ----------

    [Fact]
    public void MovementOpsSupportInt64Exactly()
    {
        var x = BigLongs(2, 3);
        var xs = x.ToLongArray();
        Assert.Equal([xs[0], xs[3], xs[1], xs[4], xs[2], xs[5]], x.T.ToLongArray());
        Assert.Equal([xs[0], xs[3], xs[1], xs[4], xs[2], xs[5]], x.Permute(1, 0).ToLongArray());
        Assert.Equal([xs[1], xs[4]], x.Slice(1, 1, 2).ToLongArray());
        Assert.Equal([xs[3], xs[4], xs[5]], x.Narrow(0, 1, 1).ToLongArray());
        Assert.Equal([xs[2], xs[1], xs[0], xs[5], xs[4], xs[3]], x.Flip(1).ToLongArray());
        var c = Tensor.Concat([x, x.Narrow(1, 0, 1)], 1);
        Assert.Equal(DType.Int64, c.DType);
        Assert.Equal([xs[0], xs[1], xs[2], xs[0], xs[3], xs[4], xs[5], xs[3]], c.ToLongArray());
        Assert.Equal(xs.Concat(xs), Tensor.Stack([x, x]).ToLongArray());
        AssertShape([2, 1, 3], x.Unsqueeze(1));
        AssertShape([2, 3], x.Unsqueeze(1).Squeeze());
        Assert.Equal(xs, Tensor.Concat(x.Chunk(2, 1), 1).ToLongArray());
        Assert.Equal(xs, x.Flip(0, 1).Flip(-1, -2).ToLongArray());
    }

    [Fact]
    public void Float32AndFloat64Agree()
    {
        var x64 = TestUtil.Rand(11, [3, 4, 5]);
        var x32 = x64.To(DType.Float32);
        Func<Tensor, Tensor>[] ops =
        [
            t => t.Permute(2, 0, 1),
            t => t.MT,
            t => t.Slice(1, -3, 4, 2),
            t => t.Flip(0, 2),
            t => Tensor.Concat([t, t.Narrow(2, 1, 2)], -1),
            t => Tensor.Stack([t, t], 1),
        ];
        foreach (var op in ops)
        {
            var y64 = op(x64);
            var y32 = op(x32);
            Assert.Equal(DType.Float32, y32.DType);
            Assert.Equal(y64.Shape, y32.Shape);
            Assert.Equal(y64.ToDoubleArray().Select(v => (double)(float)v), y32.ToDoubleArray());
        }
    }

    // ---------- errors ----------

    [Fact]
    public void PermuteRejectsBadPermutations()
    {
        var x = Iota(2, 3, 4);
        var e1 = Assert.Throws<ArgumentException>(() => x.Permute(0, 1));
        Assert.Contains("Permute", e1.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 3, 4]", e1.Message, StringComparison.Ordinal);
        var e2 = Assert.Throws<ArgumentException>(() => x.Permute(0, 1, -3));
        Assert.Contains("twice", e2.Message, StringComparison.Ordinal);
        var e3 = Assert.Throws<ArgumentOutOfRangeException>(() => x.Permute(0, 3, 1));
        Assert.Contains("axis 3", e3.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Transpose(0, -4));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Transpose(3, 0));
        var e4 = Assert.Throws<InvalidOperationException>(() => x.T);
        Assert.Contains("MT", e4.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => Iota(3).T);
        Assert.Throws<InvalidOperationException>(() => Iota(3).MT);
    }

    [Fact]
    public void SliceAndNarrowRejectBadBounds()
    {
        var x = Iota(4, 3);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => x.Slice(0, 5));
        Assert.Contains("start 5", e.Message, StringComparison.Ordinal);
        Assert.Contains("[4, 3]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Slice(0, -5));
        Assert.Contains("end 7", Assert.Throws<ArgumentOutOfRangeException>(() => x.Slice(0, 0, 7)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Slice(0, 0, -5));
        Assert.Contains("precedes", Assert.Throws<ArgumentOutOfRangeException>(() => x.Slice(0, 3, 1)).Message, StringComparison.Ordinal);
        Assert.Contains("Flip", Assert.Throws<ArgumentOutOfRangeException>(() => x.Slice(0, 0, 4, 0)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Slice(0, 0, 4, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Slice(2, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Scalar(1).Slice(0, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Narrow(1, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Narrow(1, 0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Narrow(1, -4, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Narrow(-3, 0, 1));
    }

    [Fact]
    public void ConcatErrorsNameTheOffendingTensor()
    {
        var a = Tensor.Zeros([2, 3], DType.Float64);
        var b = Tensor.Zeros([2, 3], DType.Float64);
        var bad = Tensor.Zeros([2, 4], DType.Float64);
        var e = Assert.Throws<ArgumentException>(() => Tensor.Concat([a, b, bad], 0));
        Assert.Contains("tensors[2]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 4]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 3]", e.Message, StringComparison.Ordinal);
        Tensor.Concat([a, b, bad], 1); // fine along the axis where they differ

        var f32 = Tensor.Zeros([2, 3], DType.Float32);
        var e2 = Assert.Throws<ArgumentException>(() => Tensor.Concat([a, f32], 0));
        Assert.Contains("tensors[1]", e2.Message, StringComparison.Ordinal);
        Assert.Contains("Float32", e2.Message, StringComparison.Ordinal);
        Assert.Contains("Float64", e2.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Tensor.Concat([a, Tensor.Zeros([2, 3], DType.Int64)], 0));

        Assert.Contains("rank", Assert.Throws<ArgumentException>(() => Tensor.Concat([a, Tensor.Zeros([6], DType.Float64)], 0)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Tensor.Concat(Array.Empty<Tensor>(), 0));
        Assert.Contains("tensors[1]", Assert.Throws<ArgumentException>(() => Tensor.Concat([a, null!], 0)).Message, StringComparison.Ordinal);
        Assert.Contains("scalar", Assert.Throws<ArgumentException>(() => Tensor.Concat([Tensor.Scalar(1)], 0)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Concat([a, b], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Concat([a, b], -3));
    }

    [Fact]
    public void StackSplitChunkSqueezeUnsqueezeFlipErrors()
    {
        var a = Tensor.Zeros([2, 3], DType.Float64);
        var e = Assert.Throws<ArgumentException>(() => Tensor.Stack([a, a, Tensor.Zeros([3, 2], DType.Float64)]));
        Assert.Contains("tensors[2]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[3, 2]", e.Message, StringComparison.Ordinal);
        Assert.Contains("tensors[1]", Assert.Throws<ArgumentException>(() => Tensor.Stack([a, Tensor.Zeros([2, 3])])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Stack([a, a], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Stack([a, a], -4));
        Assert.Throws<ArgumentException>(() => Tensor.Stack(Array.Empty<Tensor>()));

        Assert.Contains("add up to 4", Assert.Throws<ArgumentException>(() => a.Split([1, 3], 1)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => a.Split([4, -1], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Chunk(0));

        var sq = Assert.Throws<ArgumentException>(() => a.Squeeze(1));
        Assert.Contains("size 3", sq.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Iota(1, 2).Squeeze(0, -2));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Squeeze(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Unsqueeze(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Unsqueeze(-4));

        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => a.Flip(1, -1)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Flip(2));
    }

    [Fact]
    public void MovementOpsRecordNamedNodes()
    {
        var x = TestUtil.Rand(1, [2, 3]).RequireGrad();
        Assert.Equal("Permute", x.T.GradFn!.Op);
        Assert.Equal("Slice", x.Slice(1, 1).GradFn!.Op);
        Assert.Equal("Flip", x.Flip(0).GradFn!.Op);
        Assert.Equal("Concat", Tensor.Concat([x, x], 0).GradFn!.Op);
        using (Autograd.NoGrad())
        {
            Assert.False(x.T.RequiresGrad);
            Assert.False(Tensor.Concat([x, x], 0).RequiresGrad);
        }
    }
}
