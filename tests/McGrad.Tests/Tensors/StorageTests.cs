using McGrad.Autodiff;

namespace McGrad.Tests.Tensors;

/// <summary>Zero-copy storage access: spans, memories and wrapped arrays alias the storage; the guards name what is wrong.</summary>
public class StorageTests
{
    [Fact]
    public void AsSpan_reads_row_major_and_writes_are_seen_by_the_tensor_and_its_reshape()
    {
        var x = Tensor.FromArray([1.0, 2, 3, 4, 5, 6], 2, 3);
        var r = x.Reshape(3, 2);
        Assert.True(r.SharesStorageWith(x));
        var span = x.AsSpan<double>();
        Assert.Equal(6, span.Length);
        Assert.Equal(x[1, 0], span[3]);
        span[4] = 50;
        Assert.Equal(50, x[1, 1]);
        Assert.Equal(50, r[2, 0]);
        Assert.Equal([1.0, 2, 3, 4, 50, 6], x.AsReadOnlySpan<double>().ToArray());
    }

    [Fact]
    public void Memory_aliases_the_storage_and_outlives_the_span()
    {
        var x = Tensor.Zeros([4], DType.Float32);
        var m = x.AsMemory<float>();
        m.Span[2] = 7f;
        Assert.Equal([0f, 0, 7, 0], x.ToFloatArray());
        var ro = x.AsReadOnlyMemory<float>();
        x.AsSpan<float>()[0] = -1f;
        Assert.Equal(-1f, ro.Span[0]);
        Assert.Equal(4, ro.Length);
    }

    [Fact]
    public void Int64_tensors_expose_long_spans()
    {
        var i = Tensor.FromArray(new long[] { 3, 1, 2 });
        i.AsSpan<long>()[1] = 9;
        Assert.Equal([3L, 9, 2], i.ToLongArray());
    }

    [Fact]
    public void Detach_shares_storage_and_Clone_does_not()
    {
        var x = Tensor.FromArray([1.0, 2.0]);
        var d = x.Detach();
        var c = x.Clone();
        Assert.True(d.SharesStorageWith(x));
        Assert.False(c.SharesStorageWith(x));
        d.AsSpan<double>()[0] = 10;
        Assert.Equal(10, x[0]);
        Assert.Equal(1, c[0]);
    }

    [Fact]
    public void Wrap_shares_the_callers_array_both_ways_and_FromArray_copies()
    {
        var data = new float[] { 1, 2, 3, 4, 5, 6 };
        var w = Tensor.Wrap(data, 3, 2);
        var copy = Tensor.FromArray(data, 3, 2);
        Assert.Equal(new Shape(3, 2), w.Shape);
        Assert.Equal(DType.Float32, w.DType);
        data[5] = 60;
        Assert.Equal(60, w[2, 1]);
        Assert.Equal(6, copy[2, 1]);
        w.AsSpan<float>()[0] = -1;
        Assert.Equal(-1f, data[0]);
        Assert.Equal(new Shape(6), Tensor.Wrap(data).Shape);
        Assert.Equal(DType.Float64, Tensor.Wrap(new double[2]).DType);
        Assert.Equal(DType.Int64, Tensor.Wrap(new long[2]).DType);
    }

    [Fact]
    public void Wrap_with_a_wrong_shape_names_both_sizes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Wrap(new double[5], 2, 3));
        Assert.Equal("shape", ex.ParamName);
        Assert.Contains("[2, 3] holds 6 elements but the array has 5", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => Tensor.Wrap((float[])null!));
    }

    [Theory]
    [InlineData(DType.Float32, "AsSpan<Double>: the tensor's dtype is Float32, whose elements are Single")]
    [InlineData(DType.Int64, "AsSpan<Double>: the tensor's dtype is Int64, whose elements are Int64")]
    public void A_span_of_the_wrong_element_type_names_both(DType dtype, string expected)
    {
        var x = Tensor.Zeros([3], dtype);
        var ex = Assert.Throws<InvalidOperationException>(() => x.AsSpan<double>().Length);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => x.AsMemory<int>());
        Assert.Throws<InvalidOperationException>(() => x.AsReadOnlyMemory<double>());
    }

    [Fact]
    public void A_float64_tensor_gives_a_double_span_and_names_both_types_for_a_float_one()
    {
        var x = Tensor.Zeros([3], DType.Float64);
        Assert.Equal(3, x.AsSpan<double>().Length);
        var ex64 = Assert.Throws<InvalidOperationException>(() => x.AsReadOnlySpan<float>().Length);
        Assert.Contains("AsReadOnlySpan<Single>: the tensor's dtype is Float64, whose elements are Double; expected AsReadOnlySpan<Double>()", ex64.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writable_access_to_a_recorded_result_throws_and_names_the_op_but_reading_is_allowed()
    {
        var x = Tensor.FromArray([1.0, 2.0]).RequireGrad();
        var y = x * x;
        var ex = Assert.Throws<InvalidOperationException>(() => y.AsSpan<double>().Length);
        Assert.Contains("recorded op 'Mul'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("AsReadOnlySpan", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => y.AsMemory<double>());
        Assert.Equal([1.0, 4.0], y.AsReadOnlySpan<double>().ToArray());
        Assert.Equal(2, y.AsReadOnlyMemory<double>().Length);
        Assert.Equal(2, y.Detach().AsSpan<double>().Length);
        Assert.Equal(2, x.AsSpan<double>().Length); // a leaf, even one that requires gradients, is writable
    }

    [Fact]
    public void Writing_to_a_leaf_before_backward_changes_the_gradient_as_documented()
    {
        // The documented consequence, pinned: Mul saves its inputs, not copies, so a write between forward and
        // backward is used by the backward pass (d(x·c)/dx = c reads c's current values).
        var x = Tensor.FromArray([1.0, 2.0]).RequireGrad();
        var c = Tensor.FromArray([3.0, 4.0]);
        var loss = (x * c).Sum();
        c.AsSpan<double>()[0] = 30;
        loss.Backward();
        Assert.Equal([30.0, 4.0], x.Grad!.ToDoubleArray());
        Assert.Equal(11.0, loss.Item());
    }

    [Fact]
    public void Results_made_without_recording_are_writable()
    {
        var x = Tensor.FromArray([1.0, 2.0]).RequireGrad();
        Tensor y;
        using (Autograd.NoGrad())
        {
            y = x * 2.0;
        }

        y.AsSpan<double>()[1] = 0;
        Assert.Equal([2.0, 0.0], y.ToDoubleArray());
    }

    [Fact]
    public void SharesStorageWith_rejects_null()
        => Assert.Throws<ArgumentNullException>(() => Tensor.Zeros([1]).SharesStorageWith(null!));
}
