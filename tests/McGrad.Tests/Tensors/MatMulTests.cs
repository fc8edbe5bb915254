using McGrad.Kernels;

namespace McGrad.Tests.Tensors;

/// <summary>
/// MatMul: torch.matmul shape rules (1-D promotion, broadcast batches) against hand-written loops, gradients of first
/// and second order, the transposed internal op, size-0 dims, errors; every test under both GEMM backends.
/// </summary>
public class MatMulTests
{
    public static TheoryData<MatMulBackend> Backends => [MatMulBackend.Managed, MatMulBackend.Native];

    /// <summary>Runs the body with the backend forced; the Native rows are skipped (with the reason) when no native BLAS is installed.</summary>
    private static void With(MatMulBackend backend, Action body)
    {
        if (backend == MatMulBackend.Native)
        {
            Requires.NativeBlas();
        }

        using var scope = Gemm.UseBackend(backend);
        body();
    }

    /// <summary>
    /// Reference torch.matmul on row-major double arrays, written from the definition: promote 1-D operands, broadcast
    /// batch dims by explicit index arithmetic, then drop the promoted dims.
    /// </summary>
    private static (double[] Values, int[] Shape) Reference(double[] a, int[] aShape, double[] b, int[] bShape)
    {
        var ad = aShape.Length == 1 ? [1, aShape[0]] : aShape;
        var bd = bShape.Length == 1 ? [bShape[0], 1] : bShape;
        int m = ad[^2], k = ad[^1], n = bd[^1];
        var rank = Math.Max(ad.Length, bd.Length);
        var batch = new int[rank - 2];
        for (var i = 0; i < batch.Length; i++)
        {
            var ai = i - (rank - ad.Length);
            var bi = i - (rank - bd.Length);
            var x = ai >= 0 ? ad[ai] : 1;
            var y = bi >= 0 ? bd[bi] : 1;
            batch[i] = x == 1 ? y : x;
        }

        var count = batch.Aggregate(1, (p, d) => p * d);
        var outv = new double[count * m * n];
        for (var bi = 0; bi < count; bi++)
        {
            // Multi-index of this batch, then each operand's batch offset (size-1 dims index 0).
            var idx = new int[batch.Length];
            var rem = bi;
            for (var d = batch.Length - 1; d >= 0; d--)
            {
                idx[d] = rem % batch[d];
                rem /= batch[d];
            }

            int OperandBatch(int[] dims)
            {
                var off = 0;
                var lead = dims.Length - 2;
                for (var d = 0; d < lead; d++)
                {
                    var bdim = d + (batch.Length - lead);
                    off = (off * dims[d]) + (dims[d] == 1 ? 0 : idx[bdim]);
                }

                return off;
            }

            var oa = OperandBatch(ad) * m * k;
            var ob = OperandBatch(bd) * k * n;
            for (var i = 0; i < m; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    double s = 0;
                    for (var p = 0; p < k; p++)
                    {
                        s += a[oa + (i * k) + p] * b[ob + (p * n) + j];
                    }

                    outv[(bi * m * n) + (i * n) + j] = s;
                }
            }
        }

        var shape = new List<int>(batch);
        if (aShape.Length > 1)
        {
            shape.Add(m);
        }

        if (bShape.Length > 1)
        {
            shape.Add(n);
        }

        return (outv, [.. shape]);
    }

    public static TheoryData<int[], int[]> ShapePairs => new()
    {
        { [5], [5] },                  // dot → scalar
        { [3, 4], [4, 2] },            // matrix
        { [3, 4], [4] },               // matrix @ vector
        { [4], [4, 2] },               // vector @ matrix
        { [2, 1, 3, 4], [5, 4, 6] },   // broadcast batches → [2, 5, 3, 6]
        { [2, 3, 4], [4, 5] },         // batch @ matrix (folded into one product)
        { [3, 4], [2, 4, 5] },         // matrix @ batch
        { [2, 3, 4], [4] },            // batch @ vector
        { [4], [2, 4, 3] },            // vector @ batch
        { [3, 1, 2, 4], [1, 2, 4, 3] }, // broadcast on both sides
        { [1, 3, 4], [2, 4, 5] },      // size-1 batch on a
        { [17, 33], [33, 65] },        // odd sizes through the blocked kernel
    };

    public static TheoryData<MatMulBackend, int[], int[]> BackendShapePairs
    {
        get
        {
            var data = new TheoryData<MatMulBackend, int[], int[]>();
            foreach (var backend in new[] { MatMulBackend.Managed, MatMulBackend.Native })
            {
                foreach (var row in ShapePairs)
                {
                    data.Add(backend, (int[])row[0], (int[])row[1]);
                }
            }

            return data;
        }
    }

    [SkippableTheory]
    [MemberData(nameof(BackendShapePairs))]
    public void ForwardMatchesReferenceInBothDTypes(MatMulBackend backend, int[] aShape, int[] bShape) => With(backend, () =>
    {
        var a = TestUtil.Rand(1, aShape);
        var b = TestUtil.Rand(2, bShape);
        var (expected, shape) = Reference(a.ToDoubleArray(), aShape, b.ToDoubleArray(), bShape);

        var y = a.MatMul(b);
        Assert.Equal(shape, y.Shape.ToArray());
        Assert.Equal(DType.Float64, y.DType);
        TestUtil.AssertClose(expected, y, 1e-13);

        var y32 = Tensor.MatMul(a.To(DType.Float32), b.To(DType.Float32));
        Assert.Equal(DType.Float32, y32.DType);
        Assert.Equal(shape, y32.Shape.ToArray());
        TestUtil.AssertClose(expected, y32, 1e-5);
    });

    [Fact]
    public void DotOfVectorsIsAScalar()
    {
        var a = Tensor.FromArray([1.0, 2.0, 3.0]);
        var b = Tensor.FromArray([4.0, -5.0, 6.0]);
        var y = a.MatMul(b);
        Assert.Equal(0, y.Rank);
        Assert.Equal(12.0, y.Item());
    }

    [Fact]
    public void BroadcastBatchShapeFollowsTorch()
    {
        var y = Tensor.Ones([2, 1, 3, 4]).MatMul(Tensor.Ones([5, 4, 6]));
        Assert.Equal([2, 5, 3, 6], y.Shape.ToArray());
        Assert.All(y.ToDoubleArray(), v => Assert.Equal(4.0, v));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends))]
    public void TransposedInternalOpMatchesExplicitTranspose(MatMulBackend backend) => With(backend, () =>
    {
        // MatMulT(a, b, ta, tb) with a stored [.., k, m] when ta, b stored [.., n, k] when tb.
        foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
        {
            var a = TestUtil.Rand(3, ta ? [2, 4, 3] : [2, 3, 4]);
            var b = TestUtil.Rand(4, tb ? [5, 4] : [4, 5]);
            var av = a.ToDoubleArray();
            var bv = b.ToDoubleArray();
            var y = Tensor.MatMulT(a, b, ta, tb);
            Assert.Equal([2, 3, 5], y.Shape.ToArray());
            var expected = new double[2 * 3 * 5];
            for (var q = 0; q < 2; q++)
            {
                for (var i = 0; i < 3; i++)
                {
                    for (var j = 0; j < 5; j++)
                    {
                        double s = 0;
                        for (var p = 0; p < 4; p++)
                        {
                            var x = ta ? av[(q * 12) + (p * 3) + i] : av[(q * 12) + (i * 4) + p];
                            var w = tb ? bv[(j * 4) + p] : bv[(p * 5) + j];
                            s += x * w;
                        }

                        expected[(q * 15) + (i * 5) + j] = s;
                    }
                }
            }

            TestUtil.AssertClose(expected, y, 1e-13);
        }
    });

    /// <summary>
    /// The rows of <see cref="BackendShapePairs"/> with both operands of at most 200 elements: the gradient checks
    /// build the full Jacobian (2·size forward passes per input), so the large blocked-kernel row is left to the
    /// forward tests rather than silently skipped inside the test body.
    /// </summary>
    public static TheoryData<MatMulBackend, int[], int[]> SmallBackendShapePairs
    {
        get
        {
            var data = new TheoryData<MatMulBackend, int[], int[]>();
            foreach (var row in BackendShapePairs)
            {
                var (backend, a, b) = ((MatMulBackend)row[0], (int[])row[1], (int[])row[2]);
                if (a.Aggregate(1, (p, d) => p * d) <= 200 && b.Aggregate(1, (p, d) => p * d) <= 200)
                {
                    data.Add(backend, a, b);
                }
            }

            return data;
        }
    }

    [SkippableTheory]
    [MemberData(nameof(SmallBackendShapePairs))]
    public void GradientFirstOrder(MatMulBackend backend, int[] aShape, int[] bShape) => With(backend, () =>
    {
        TestUtil.AssertGrad(x => x[0].MatMul(x[1]), TestUtil.Rand(5, aShape), TestUtil.Rand(6, bShape));
    });

    [SkippableTheory]
    [MemberData(nameof(SmallBackendShapePairs))]
    public void GradientSecondOrder(MatMulBackend backend, int[] aShape, int[] bShape) => With(backend, () =>
    {
        // (a@b)² makes the upstream gradient depend on both inputs, so every branch of the MatMulT backward
        // (transpose flags, batch sums) is itself differentiated.
        TestUtil.AssertGradGrad(x =>
        {
            var y = x[0].MatMul(x[1]);
            return y * y;
        }, TestUtil.Rand(7, aShape), TestUtil.Rand(8, bShape));
    });

    [SkippableTheory]
    [MemberData(nameof(Backends))]
    public void GradientsOfTransposedOpFirstAndSecondOrder(MatMulBackend backend) => With(backend, () =>
    {
        foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
        {
            // Broadcast batch on a ([2,1,..]) against b's [3,..] exercises SumTo in both rules.
            var a = TestUtil.Rand(9, ta ? [2, 1, 4, 3] : [2, 1, 3, 4]);
            var b = TestUtil.Rand(10, tb ? [3, 2, 4] : [3, 4, 2]);
            TestUtil.AssertGrad(x => Tensor.MatMulT(x[0], x[1], ta, tb), a, b);
            TestUtil.AssertGradGrad(x =>
            {
                var y = Tensor.MatMulT(x[0], x[1], ta, tb);
                return y * y;
            }, a, b);

            // Batched a with an unbatched b: the folded dB path.
            var a2 = TestUtil.Rand(11, ta ? [3, 4, 2] : [3, 2, 4]);
            var b2 = TestUtil.Rand(12, tb ? [5, 4] : [4, 5]);
            TestUtil.AssertGrad(x => Tensor.MatMulT(x[0], x[1], ta, tb), a2, b2);
            TestUtil.AssertGradGrad(x =>
            {
                var y = Tensor.MatMulT(x[0], x[1], ta, tb);
                return y * y;
            }, a2, b2);
        }
    });

    [Fact]
    public void GradientValuesMatchClosedForm()
    {
        // L = Σ (a@b): dL/da = 1·bᵀ (row sums of b), dL/db = aᵀ·1 (column sums of a), summed over broadcast batches.
        var a = TestUtil.Rand(13, [2, 3, 4]).RequireGrad();
        var b = TestUtil.Rand(14, [4, 5]).RequireGrad();
        a.MatMul(b).Sum().Backward();
        var av = a.ToDoubleArray();
        var bv = b.ToDoubleArray();
        var ga = new double[24];
        for (var q = 0; q < 2; q++)
        {
            for (var i = 0; i < 3; i++)
            {
                for (var p = 0; p < 4; p++)
                {
                    ga[(q * 12) + (i * 4) + p] = Enumerable.Range(0, 5).Sum(j => bv[(p * 5) + j]);
                }
            }
        }

        var gb = new double[20];
        for (var p = 0; p < 4; p++)
        {
            for (var j = 0; j < 5; j++)
            {
                gb[(p * 5) + j] = Enumerable.Range(0, 6).Sum(r => av[(r * 4) + p]);
            }
        }

        TestUtil.AssertClose(ga, a.Grad!, 1e-13);
        TestUtil.AssertClose(gb, b.Grad!, 1e-13);
        Assert.Equal([2, 3, 4], a.Grad!.Shape.ToArray());
        Assert.Equal([4, 5], b.Grad!.Shape.ToArray());
    }

    [SkippableTheory]
    [MemberData(nameof(Backends))]
    public void SizeZeroDimensions(MatMulBackend backend) => With(backend, () =>
    {
        // m = 0 and n = 0: empty results; k = 0: zeros (an empty sum); batch 0: empty.
        Assert.Equal([0, 4], Tensor.Ones([0, 3]).MatMul(Tensor.Ones([3, 4])).Shape.ToArray());
        Assert.Equal([2, 0], Tensor.Ones([2, 3]).MatMul(Tensor.Ones([3, 0])).Shape.ToArray());
        Assert.Equal([0, 2, 4], Tensor.Ones([0, 2, 3]).MatMul(Tensor.Ones([3, 4])).Shape.ToArray());

        var a = Tensor.Ones([2, 0]).RequireGrad();
        var b = Tensor.Ones([0, 3]).RequireGrad();
        var y = a.MatMul(b);
        Assert.Equal([2, 3], y.Shape.ToArray());
        Assert.All(y.ToDoubleArray(), v => Assert.Equal(0.0, v));
        Assert.Equal(0.0, Tensor.Ones([0]).MatMul(Tensor.Ones([0])).Item());

        y.Sum().Backward();
        Assert.Equal([2, 0], a.Grad!.Shape.ToArray());
        Assert.Equal([0, 3], b.Grad!.Shape.ToArray());

        // Gradients flowing through an empty inner dimension to a non-empty input are zeros of the right shape.
        var c = Tensor.Ones([0, 3]).RequireGrad();
        var d = Tensor.Ones([3, 2]).RequireGrad();
        c.MatMul(d).Sum().Backward();
        Assert.Equal([3, 2], d.Grad!.Shape.ToArray());
        Assert.All(d.Grad!.ToDoubleArray(), v => Assert.Equal(0.0, v));
    });

    [Fact]
    public void InnerDimensionMismatchNamesBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Ones([2, 3]).MatMul(Tensor.Ones([4, 5])));
        Assert.Contains("[2, 3]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[4, 5]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("4", ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("MatMul", ex.Message, StringComparison.Ordinal);

        var ex2 = Assert.Throws<ArgumentException>(() => Tensor.Ones([3]).MatMul(Tensor.Ones([4])));
        Assert.Contains("[3]", ex2.Message, StringComparison.Ordinal);
        Assert.Contains("[4]", ex2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BatchDimensionsThatDoNotBroadcastAreRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Ones([2, 3, 4]).MatMul(Tensor.Ones([3, 4, 5])));
        Assert.Contains("batch", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 3, 4]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[3, 4, 5]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DTypeMismatchScalarsAndIntegersAreRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Ones([2, 2], DType.Float64).MatMul(Tensor.Ones([2, 2], DType.Float32)));
        Assert.Contains("dtype mismatch", ex.Message, StringComparison.Ordinal);

        var ex2 = Assert.Throws<ArgumentException>(() => Tensor.Scalar(2.0).MatMul(Tensor.Ones([2])));
        Assert.Contains("at least 1 dimension", ex2.Message, StringComparison.Ordinal);

        var ints = Tensor.FromArray([1L, 2L]);
        Assert.Throws<ArgumentException>(() => ints.MatMul(ints));
    }
}
