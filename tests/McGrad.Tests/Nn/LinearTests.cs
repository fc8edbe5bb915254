using McGrad.Autodiff;
using McGrad.Nn;
using McGrad.Randomness;
using static McGrad.Tests.TestUtil;

namespace McGrad.Tests.Nn;

public class LinearTests
{
    private static readonly RngKey Key = new(42);

    /// <summary>y[r, o] = Σᵢ x[r, i]·W[o, i] + b[o] by hand (catches W used untransposed, bias on the wrong axis).</summary>
    private static double[] Affine(double[] x, int rows, double[] w, double[]? b, int outF, int inF)
    {
        var y = new double[rows * outF];
        for (var r = 0; r < rows; r++)
        {
            for (var o = 0; o < outF; o++)
            {
                var s = b == null ? 0.0 : b[o];
                for (var i = 0; i < inF; i++)
                {
                    s += x[(r * inF) + i] * w[(o * inF) + i];
                }

                y[(r * outF) + o] = s;
            }
        }

        return y;
    }

    [Fact]
    public void ForwardMatchesHandComputation()
    {
        var lin = new Linear(2, 3, Key, dtype: DType.Float64);
        var w = new[] { 1.0, 2.0, -1.0, 0.5, 3.0, -2.0 };
        var b = new[] { 0.1, -0.2, 0.3 };
        lin.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = Tensor.FromArray(w, 3, 2), ["bias"] = Tensor.FromArray(b) });
        var x = Tensor.FromArray([1.0, 2.0, -1.0, 0.0, 0.5, 0.25, 3.0, -4.0], 4, 2);

        var y = lin.Forward(x);

        Assert.Equal(new Shape(4, 3), y.Shape);
        // Row 0: x = (1, 2): (1 + 4 + 0.1, −1 + 1 − 0.2, 3 − 4 + 0.3).
        AssertClose([5.1, -0.2, -0.7], y.Slice(0, 0, 1), 1e-15);
        AssertClose(Affine(x.ToDoubleArray(), 4, w, b, 3, 2), y, 1e-14);
    }

    [Fact]
    public void ForwardHandlesVectorsBatchesAndNoBias()
    {
        var lin = new Linear(4, 3, Key, dtype: DType.Float64);
        var w = lin.Weight.ToDoubleArray();
        var b = lin.Bias!.ToDoubleArray();

        var v = Rand(1, [4]);
        var yv = lin.Forward(v);
        Assert.Equal(new Shape(3), yv.Shape);
        AssertClose(Affine(v.ToDoubleArray(), 1, w, b, 3, 4), yv, 1e-14);

        var x3 = Rand(2, [2, 5, 4]);
        var y3 = lin.Forward(x3);
        Assert.Equal(new Shape(2, 5, 3), y3.Shape);
        AssertClose(Affine(x3.ToDoubleArray(), 10, w, b, 3, 4), y3, 1e-14);

        var nb = new Linear(4, 3, Key, bias: false, dtype: DType.Float64);
        Assert.Null(nb.Bias);
        Assert.Single(nb.Parameters());
        AssertClose(Affine(x3.ToDoubleArray(), 10, nb.Weight.ToDoubleArray(), null, 3, 4), nb.Forward(x3), 1e-14);
    }

    [Fact]
    public void ZeroSizeBatchAndZeroFeatures()
    {
        var lin = new Linear(3, 2, Key, dtype: DType.Float64);
        var x = Tensor.Zeros([0, 3], DType.Float64).RequireGrad();
        var y = lin.Forward(x);
        Assert.Equal(new Shape(0, 2), y.Shape);
        y.Sum().Backward();
        Assert.Equal(new Shape(2, 3), lin.Weight.Grad!.Shape);
        Assert.All(lin.Weight.Grad.ToDoubleArray(), g => Assert.Equal(0.0, g));
        Assert.All(lin.Bias!.Grad!.ToDoubleArray(), g => Assert.Equal(0.0, g));

        // in = 0: y = b for every row.
        var empty = new Linear(0, 2, Key, dtype: DType.Float64);
        Assert.All(empty.Bias!.ToDoubleArray(), v => Assert.Equal(0.0, v)); // bound 1/√0 is taken as 0, as torch
        var y0 = empty.Forward(Tensor.Zeros([3, 0], DType.Float64));
        Assert.Equal(new Shape(3, 2), y0.Shape);
    }

    [Fact]
    public void Float32AgreesWithFloat64()
    {
        var l32 = new Linear(5, 4, Key);
        var l64 = new Linear(5, 4, Key, dtype: DType.Float64);
        Assert.Equal(DType.Float32, l32.Weight.DType);
        Assert.Equal(DType.Float32, l32.Bias!.DType);
        l32.LoadStateDict(l64.StateDict().ToDictionary(p => p.Key, p => p.Value.To(DType.Float32)));
        var x = Rand(3, [7, 5]);
        AssertClose(l64.Forward(x).ToDoubleArray(), l32.Forward(x.To(DType.Float32)), 1e-5);
    }

    [Fact]
    public void DefaultInitIsTorchs()
    {
        // W, b ~ U(−1/√in, 1/√in): Var = 1/(3·in). 64·256 = 16384 weights.
        const int inF = 256, outF = 64;
        var lin = new Linear(inF, outF, Key, dtype: DType.Float64);
        var bound = 1 / Math.Sqrt(inF);
        var w = lin.Weight.ToDoubleArray();
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        InitTests.AssertMoments(w, 0, bound * bound / 3, (bound * bound * bound * bound) / 5);
        Assert.All(lin.Bias!.ToDoubleArray(), v => Assert.InRange(v, -bound, bound));
        // Both halves of the range are used (a bound of 1/in or a one-sided range fail here).
        Assert.True(w.Max() > 0.9 * bound && w.Min() < -0.9 * bound);
    }

    [Fact]
    public void GradientsOfWeightBiasAndInput()
    {
        var lin = new Linear(3, 2, Key, dtype: DType.Float64);
        Tensor F(Tensor[] t) => lin.ForwardWith(new Dictionary<string, Tensor> { ["weight"] = t[0], ["bias"] = t[1] }, t[2]).Tanh();
        AssertGrad(F, Rand(4, [2, 3]), Rand(5, [2]), Rand(6, [4, 3]));
        AssertGrad(F, Rand(4, [2, 3]), Rand(5, [2]), Rand(7, [2, 1, 3]));
        AssertGrad(F, Rand(4, [2, 3]), Rand(5, [2]), Rand(8, [3]));
        AssertGradGrad(F, Rand(4, [2, 3]), Rand(5, [2]), Rand(6, [4, 3]));
        AssertGradGrad(F, Rand(4, [2, 3]), Rand(5, [2]), Rand(7, [2, 2, 3]));

        var nb = new Linear(3, 2, Key, bias: false, dtype: DType.Float64);
        Tensor G(Tensor[] t) => nb.ForwardWith(new Dictionary<string, Tensor> { ["weight"] = t[0] }, t[1]).Tanh();
        AssertGrad(G, Rand(4, [2, 3]), Rand(6, [4, 3]));
        AssertGradGrad(G, Rand(4, [2, 3]), Rand(6, [4, 3]));
    }

    [Fact]
    public void BackwardFillsParameterGrads()
    {
        // L = Σ y = Σ_r Σ_o (x_r·W_o + b_o): ∂L/∂W_oi = Σ_r x_ri, ∂L/∂b_o = rows.
        var lin = new Linear(3, 2, Key, dtype: DType.Float64);
        var x = Rand(9, [5, 3]);
        lin.Forward(x).Sum().Backward();
        var colSums = new double[3];
        var xs = x.ToDoubleArray();
        for (var r = 0; r < 5; r++)
        {
            for (var i = 0; i < 3; i++)
            {
                colSums[i] += xs[(r * 3) + i];
            }
        }

        AssertClose([.. colSums, .. colSums], lin.Weight.Grad!, 1e-14);
        AssertClose([5.0, 5.0], lin.Bias!.Grad!, 1e-15);
        lin.ZeroGrad();
        Assert.Null(lin.Weight.Grad);
        Assert.Null(lin.Bias.Grad);
    }

    [Fact]
    public void ForwardWithRestoresParametersEvenWhenForwardThrows()
    {
        var lin = new Linear(3, 2, Key, dtype: DType.Float64);
        var w = lin.Weight;
        var sub = Rand(1, [2, 3]);
        Assert.ThrowsAny<ArgumentException>(() => lin.ForwardWith(new Dictionary<string, Tensor> { ["weight"] = sub }, Rand(2, [4, 5])));
        Assert.Same(w, lin.Weight);
        lin.ForwardWith(new Dictionary<string, Tensor> { ["weight"] = sub }, Rand(2, [4, 3]));
        Assert.Same(w, lin.Weight);
    }

    [Fact]
    public void BadInputsGiveClearErrors()
    {
        var lin = new Linear(3, 2, Key);
        var e = Assert.Throws<ArgumentException>(() => lin.Forward(Tensor.Zeros([4, 5])));
        Assert.Contains("[4, 5]", e.Message, StringComparison.Ordinal);
        Assert.Contains("in = 3", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => lin.Forward(Tensor.Zeros([4, 3], DType.Float64)));
        Assert.Contains("Float64", e.Message, StringComparison.Ordinal);
        Assert.Contains("Float32", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => lin.Forward(Tensor.Scalar(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Linear(-1, 2, Key));
        Assert.Throws<ArgumentException>(() => new Linear(1, 2, Key, dtype: DType.Int64));
        Assert.Throws<ArgumentException>(() => Linear.Apply(Tensor.Zeros([2, 3]), Tensor.Zeros([3]), null));
        Assert.Throws<ArgumentException>(() => Linear.Apply(Tensor.Zeros([2, 3]), Tensor.Zeros([4, 3]), Tensor.Zeros([3])));
    }

    [Fact]
    public void SameKeySameLayerOtherKeyOtherLayer()
    {
        var a = new Linear(4, 3, Key);
        var b = new Linear(4, 3, Key);
        var c = new Linear(4, 3, new RngKey(43));
        Assert.Equal(a.Weight.ToFloatArray(), b.Weight.ToFloatArray());
        Assert.Equal(a.Bias!.ToFloatArray(), b.Bias!.ToFloatArray());
        Assert.NotEqual(a.Weight.ToFloatArray(), c.Weight.ToFloatArray());
    }

    [Fact]
    public void RecordsOneNodePerCall()
    {
        var lin = new Linear(3, 2, Key, dtype: DType.Float64);
        var y = lin.Forward(Rand(1, [4, 3]));
        Assert.True(y.RequiresGrad);
        Assert.Contains("Linear", y.ToString(), StringComparison.Ordinal);
        using (Autograd.NoGrad())
        {
            Assert.False(lin.Forward(Rand(1, [4, 3])).RequiresGrad);
        }
    }
}
