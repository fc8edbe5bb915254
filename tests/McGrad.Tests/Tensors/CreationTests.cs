namespace McGrad.Tests.Tensors;

public class CreationTests
{
    [Fact]
    public void ZerosOnesFullHaveShapeDtypeAndValues()
    {
        var z = Tensor.Zeros([2, 3], DType.Float64);
        Assert.Equal(new Shape(2, 3), z.Shape);
        Assert.Equal(DType.Float64, z.DType);
        Assert.All(z.ToDoubleArray(), v => Assert.Equal(0.0, v));
        Assert.All(Tensor.Ones([4]).ToFloatArray(), v => Assert.Equal(1f, v));
        Assert.All(Tensor.Full([2, 2], 2.5, DType.Float32).ToFloatArray(), v => Assert.Equal(2.5f, v));
        Assert.Equal(DType.Float32, Tensor.Ones([1]).DType);
    }

    [Fact]
    public void ScalarHasRankZeroAndOneElement()
    {
        var s = Tensor.Scalar(3.0, DType.Float64);
        Assert.Equal(0, s.Rank);
        Assert.Equal(1, s.Size);
        Assert.Equal(3.0, s.Item());
    }

    [Fact]
    public void ArangeAndLinspaceMatchNumpy()
    {
        Assert.Equal([0.0, 1, 2, 3, 4], Tensor.Arange(5, DType.Float64).ToDoubleArray());
        Assert.Equal([1.0, 1.5, 2.0, 2.5], Tensor.Arange(1, 3, 0.5, DType.Float64).ToDoubleArray());
        Assert.Equal([3.0, 2.0, 1.0], Tensor.Arange(3, 0, -1, DType.Float64).ToDoubleArray());
        Assert.Empty(Tensor.Arange(2, 1, 1).ToDoubleArray());
        Assert.Equal([0.0, 0.25, 0.5, 0.75, 1.0], Tensor.Linspace(0, 1, 5, DType.Float64).ToDoubleArray());
        Assert.Equal([2.0], Tensor.Linspace(2, 5, 1, DType.Float64).ToDoubleArray());
        Assert.Throws<ArgumentException>(() => Tensor.Arange(0, 1, 0));
    }

    /// <summary>
    /// A range too long for a Shape gives the size error Zeros gives (not an OutOfMemoryException from allocating
    /// int.MaxValue elements), and a non-finite bound or step is rejected by name (NaN used to give an empty tensor).
    /// </summary>
    [Fact]
    public void ArangeRejectsHugeAndNonFiniteRanges()
    {
        var zeros = Assert.Throws<ArgumentException>(() => Tensor.Zeros([1_000_000, 1_000_000]));
        Assert.Contains($"more than {int.MaxValue} elements", zeros.Message);
        foreach (var (end, step) in new[] { (1e12, 1.0), (3e9, 1.0), (1.0, 1e-12) })
        {
            var e = Assert.Throws<ArgumentException>(() => Tensor.Arange(0, end, step));
            Assert.Equal("end", e.ParamName);
            Assert.Contains($"more than {int.MaxValue} elements", e.Message);
        }

        foreach (var bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            Assert.Equal("end", Assert.Throws<ArgumentException>(() => Tensor.Arange(0, bad)).ParamName);
            Assert.Equal("start", Assert.Throws<ArgumentException>(() => Tensor.Arange(bad, 1)).ParamName);
            Assert.Equal("step", Assert.Throws<ArgumentException>(() => Tensor.Arange(0, 1, bad)).ParamName);
        }

        var zeroStep = Assert.Throws<ArgumentException>(() => Tensor.Arange(0, 1, 0));
        Assert.Equal("step", zeroStep.ParamName);
        Assert.Contains("got 0", zeroStep.Message);
    }

    [Fact]
    public void EyeIsIdentityAndSupportsRectangles()
    {
        Assert.Equal([1.0, 0, 0, 0, 1, 0], Tensor.Eye(2, 3, DType.Float64).ToDoubleArray());
        Assert.Equal([1.0, 0, 0, 1], Tensor.Eye(2, dtype: DType.Float64).ToDoubleArray());
    }

    [Fact]
    public void FromArrayCopiesAndValidatesShape()
    {
        var data = new[] { 1.0, 2, 3, 4, 5, 6 };
        var t = Tensor.FromArray(data, 2, 3);
        data[0] = 99;
        Assert.Equal(1.0, t[0, 0]);
        Assert.Equal(6.0, t[1, 2]);
        Assert.Equal(6.0, t[-1, -1]);
        var ex = Assert.Throws<ArgumentException>(() => Tensor.FromArray(data, 4, 2));
        Assert.Contains("[4, 2]", ex.Message);
        Assert.Contains("6", ex.Message);
        Assert.Equal(new Shape(2, 2), Tensor.FromArray(new double[,] { { 1, 2 }, { 3, 4 } }).Shape);
        Assert.Equal(DType.Int64, Tensor.FromArray(new long[] { 1, 2 }).DType);
    }

    [Fact]
    public void NegativeShapeIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Shape(2, -1));
        Assert.Contains("negative", ex.Message);
    }

    [Fact]
    public void IndexerRejectsOutOfRange()
    {
        var t = Tensor.Zeros([2, 3]);
        Assert.Throws<ArgumentException>(() => t[2, 0]);
        Assert.Throws<ArgumentException>(() => t[0]);
    }

    [Fact]
    public void ConversionRoundTripsAndIsDifferentiable()
    {
        var x = Tensor.FromArray([1.5, -2.25]).RequireGrad();
        var f = x.To(DType.Float32);
        Assert.Equal(DType.Float32, f.DType);
        Assert.Equal([1.5f, -2.25f], f.ToFloatArray());
        (f * f).Sum().Backward();
        Assert.Equal(DType.Float64, x.Grad!.DType);
        TestUtil.AssertClose([3.0, -4.5], x.Grad, 1e-7);
        Assert.Equal([1L, -2L], x.Detach().To(DType.Int64).ToLongArray());
    }
}
