using McGrad.Nn;
using McGrad.Optim;
using McGrad.Randomness;
using static McGrad.Tests.TestUtil;

namespace McGrad.Tests.Nn;

public class ModuleTests
{
    private static readonly RngKey Key = new(11);

    /// <summary>A module with its own parameter, a Sequential child named "layers" and a tied (shared) child.</summary>
    private sealed class Net : Module
    {
        public Net(RngKey key)
        {
            var k = key.Split(3);
            RegisterParameter("scale", Tensor.Ones([1], DType.Float64));
            Layers = RegisterModule("layers", new Sequential(new Linear(2, 3, k[0], dtype: DType.Float64), Activation.Tanh, new Linear(3, 1, k[1], dtype: DType.Float64)));
            Head = RegisterModule("head", new Linear(1, 1, k[2], bias: false, dtype: DType.Float64));
            RegisterModule("tied", Head);
        }

        public Sequential Layers { get; }

        public Linear Head { get; }

        public override Tensor Forward(Tensor input) => Head.Forward(Layers.Forward(input)) * OwnParameter("scale");
    }

    [Fact]
    public void HierarchicalNamesInTorchOrder()
    {
        var net = new Net(Key);
        var names = net.NamedParameters().Select(p => p.Key).ToArray();
        // Own parameters first, then children depth first; the tied head is listed once, under its first name.
        Assert.Equal(["scale", "layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias", "head.weight"], names);
        Assert.Equal(6, net.Parameters().Count());
        Assert.Equal(1 + 6 + 3 + 3 + 1 + 1, net.ParameterCount());
        Assert.Same(net.Layers, net.Children().ElementAt(0));
        Assert.Equal(["layers", "head", "tied"], net.NamedChildren().Select(c => c.Key));
        Assert.Same(net.Head.Weight, net.GetParameter("tied.weight"));
        Assert.Same(((Linear)net.Layers[2]).Bias, net.GetParameter("layers.2.bias"));
        Assert.All(net.Parameters(), p => Assert.True(p.RequiresGrad && p.IsLeaf));
    }

    [Fact]
    public void MlpNamesMatchTorchSequential()
    {
        var mlp = new Mlp([1, 64, 64, 1], Activation.Tanh, Key);
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"], mlp.NamedParameters().Select(p => p.Key));
        Assert.Equal((1 * 64) + 64 + (64 * 64) + 64 + 64 + 1, mlp.ParameterCount());
        Assert.Equal(new Shape(64, 1), mlp.GetParameter("0.weight").Shape);
        Assert.Equal(new Shape(1, 64), mlp.GetParameter("4.weight").Shape);
        Assert.Equal(3, mlp.Layers.Count);
        Assert.Equal(5, mlp.Count);
        Assert.Equal([1, 64, 64, 1], mlp.Sizes);

        var withOut = new Mlp([3, 4, 2], Activation.Relu, Key, outputActivation: Activation.Sigmoid, bias: false);
        Assert.Equal(["0.weight", "2.weight"], withOut.NamedParameters().Select(p => p.Key));
        Assert.Equal(4, withOut.Count);
        var y = withOut.Forward(Tensor.Ones([5, 3])).ToDoubleArray();
        Assert.All(y, v => Assert.InRange(v, 0, 1));
    }

    [Fact]
    public void MlpForwardIsTheComposition()
    {
        var mlp = new Mlp([3, 4, 2], Activation.Tanh, Key, dtype: DType.Float64);
        var x = Rand(1, [5, 3]);
        var l0 = mlp.Layers[0];
        var l1 = mlp.Layers[1];
        var h = x.MatMul(l0.Weight.T) + l0.Bias!;
        var expected = h.Tanh().MatMul(l1.Weight.T) + l1.Bias!;
        AssertClose(expected.ToDoubleArray(), mlp.Forward(x), 1e-14);

        // Layers get different keys.
        var m2 = new Mlp([4, 4, 4], Activation.Tanh, Key);
        Assert.NotEqual(m2.Layers[0].Weight.ToFloatArray(), m2.Layers[1].Weight.ToFloatArray());
    }

    [Fact]
    public void MlpGradCheck()
    {
        var mlp = new Mlp([3, 4, 2], Activation.Tanh, Key, dtype: DType.Float64);
        Tensor F(Tensor[] t) => mlp.ForwardWith(
            new Dictionary<string, Tensor> { ["0.weight"] = t[0], ["0.bias"] = t[1], ["2.weight"] = t[2], ["2.bias"] = t[3] }, t[4]);
        AssertGrad(F, Rand(1, [4, 3]), Rand(2, [4]), Rand(3, [2, 4]), Rand(4, [2]), Rand(5, [5, 3]));
        AssertGradGrad(F, Rand(1, [4, 3]), Rand(2, [4]), Rand(3, [2, 4]), Rand(4, [2]), Rand(5, [2, 3]));

        var relu = new Mlp([2, 3, 1], x => x.Softplus(), Key, outputActivation: x => x.Tanh(), dtype: DType.Float64);
        Tensor G(Tensor[] t) => relu.ForwardWith(new Dictionary<string, Tensor> { ["0.weight"] = t[0], ["2.weight"] = t[1] }, t[2]);
        AssertGrad(G, Rand(6, [3, 2]), Rand(7, [1, 3]), Rand(8, [4, 2]));
    }

    [Fact]
    public void SetParameterSwapsTheReferenceWithChecks()
    {
        var mlp = new Mlp([2, 2], Activation.Tanh, Key, dtype: DType.Float64);
        var w = Rand(1, [2, 2]);
        mlp.SetParameter("0.weight", w);
        Assert.Same(w, mlp.Layers[0].Weight);
        var e = Assert.Throws<ArgumentException>(() => mlp.SetParameter("0.weight", Rand(1, [3, 2])));
        Assert.Contains("[3, 2]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 2]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => mlp.SetParameter("0.weight", w.To(DType.Float32)));
        var k = Assert.Throws<KeyNotFoundException>(() => mlp.SetParameter("1.weight", w));
        Assert.Contains("0.weight, 0.bias", k.Message, StringComparison.Ordinal);
        Assert.Throws<KeyNotFoundException>(() => mlp.GetParameter("0"));
        Assert.Throws<KeyNotFoundException>(() => mlp.GetParameter("0.weight.x"));
    }

    private sealed class Bad : Module
    {
        public Bad(string name, Tensor t) => RegisterParameter(name, t);

        public override Tensor Forward(Tensor input) => input;

        public void Again(string name) => RegisterModule(name, new Sequential());
    }

    [Fact]
    public void RegistrationRejectsBadNamesAndTensors()
    {
        Assert.Throws<ArgumentException>(() => new Bad("a.b", Tensor.Ones([1])));
        Assert.Throws<ArgumentException>(() => new Bad(string.Empty, Tensor.Ones([1])));
        Assert.Throws<ArgumentException>(() => new Bad("w", Tensor.FromArray([1L])));
        var p = Tensor.Ones([1]).RequireGrad();
        Assert.Throws<ArgumentException>(() => new Bad("w", p * 2.0));
        var b = new Bad("w", Tensor.Ones([1]));
        var e = Assert.Throws<ArgumentException>(() => b.Again("w"));
        Assert.Contains("already registered", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ZeroGradClearsEveryParameter()
    {
        var net = new Net(Key);
        net.Forward(Rand(1, [4, 2])).Sum().Backward();
        Assert.All(net.Parameters(), p => Assert.NotNull(p.Grad));
        net.ZeroGrad();
        Assert.All(net.Parameters(), p => Assert.Null(p.Grad));
    }

    [Fact]
    public void LoadStateDictCopiesInPlaceAndChecks()
    {
        var a = new Mlp([2, 3, 1], Activation.Tanh, Key, dtype: DType.Float64);
        var b = new Mlp([2, 3, 1], Activation.Tanh, new RngKey(99), dtype: DType.Float64);
        var w = b.Layers[0].Weight;
        b.LoadStateDict(a.StateDict());
        Assert.Same(w, b.Layers[0].Weight);
        Assert.Equal(a.Layers[0].Weight.ToDoubleArray(), w.ToDoubleArray());

        var bad = a.StateDict();
        bad["0.weight"] = Tensor.Zeros([4, 2], DType.Float64);
        var e = Assert.Throws<ArgumentException>(() => b.LoadStateDict(bad));
        Assert.Contains("'0.weight'", e.Message, StringComparison.Ordinal);
        Assert.Contains("[3, 2]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[4, 2]", e.Message, StringComparison.Ordinal);

        // Nothing is written when a later entry is wrong.
        var before = b.Layers[0].Bias!.ToDoubleArray();
        var partial = a.StateDict();
        partial["0.bias"] = Tensor.Full([3], 5.0, DType.Float64);
        partial["2.weight"] = Tensor.Zeros([1, 3]);
        Assert.Throws<ArgumentException>(() => b.LoadStateDict(partial));
        Assert.Equal(before, b.Layers[0].Bias!.ToDoubleArray());

        var less = a.StateDict();
        less.Remove("2.bias");
        less["extra"] = Tensor.Zeros([1]);
        e = Assert.Throws<ArgumentException>(() => b.LoadStateDict(less));
        Assert.Contains("Missing (1): 2.bias", e.Message, StringComparison.Ordinal);
        Assert.Contains("Unexpected (1): extra", e.Message, StringComparison.Ordinal);
        less.Remove("extra");
        less["0.bias"] = Tensor.Full([3], 7.0, DType.Float64);
        b.LoadStateDict(less, strict: false);
        Assert.All(b.Layers[0].Bias!.ToDoubleArray(), v => Assert.Equal(7.0, v));
    }

    [Fact]
    public void ToStringDescribesTheTree()
    {
        var s = new Mlp([1, 4, 1], Activation.Tanh, Key).ToString();
        Assert.Contains("(0): Linear(in=1, out=4, bias=True, dtype=Float32)", s, StringComparison.Ordinal);
        Assert.Contains("(1): Activation(Tanh)", s, StringComparison.Ordinal);
        Assert.StartsWith("Mlp(", s, StringComparison.Ordinal);
    }

    [Fact]
    public void BadMlpArguments()
    {
        Assert.Throws<ArgumentException>(() => new Mlp([3], Activation.Tanh, Key));
        Assert.Throws<ArgumentException>(() => new Mlp([3, -1], Activation.Tanh, Key));
    }

    [Fact]
    public void AdamTrainsAnMlpOnARegression()
    {
        // y = sin(2x) on 64 points; 200 full-batch Adam steps must cut the MSE by 20× (from ≈ 0.5).
        var keys = new RngKey(2024).Split(2);
        var x = Sampler.Uniform(keys[0], [64, 1], DType.Float32, -1.5, 1.5);
        var y = (x * 2.0).Sin();
        var mlp = new Mlp([1, 16, 16, 1], Activation.Tanh, keys[1]);
        var opt = new Optimizer(mlp.Parameters(), Transforms.Adam(0.02));
        double Loss() => (mlp.Forward(x) - y).Square().Mean().Item();
        var first = Loss();
        for (var step = 0; step < 200; step++)
        {
            var loss = (mlp.Forward(x) - y).Square().Mean();
            opt.ZeroGrad();
            loss.Backward();
            opt.Step();
        }

        var last = Loss();
        Assert.True(last < first / 20, $"MSE {first} → {last}");
    }
}
