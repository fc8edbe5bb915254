using System.Numerics;
using McGrad.Kernels;

namespace McGrad.Tests.Kernels;

/// <summary>
/// Every unary kernel gives each element the value it has when computed alone, whatever the span's alignment and
/// length and whatever the thread count. Before LaneMath, float64 Sin/Cos differed by an ulp depending on which lanes
/// shared a vector (and short spans ran the scalar C-runtime function), so these tests failed for Sin, Cos, Exp, Log,
/// Sigmoid and the ops built on them.
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class LaneMathTests
{
    private const int N = 2000;

    /// <summary>Each op as a span kernel, for both dtypes.</summary>
    public static TheoryData<string> Ops => [.. OpTable.Keys];

    private static readonly Dictionary<string, (IUnaryOp Op, Func<Tensor, Tensor> OnTensor)> OpTable = new()
    {
        ["Neg"] = (default(NegOp), t => -t),
        ["Exp"] = (default(ExpOp), t => t.Exp()),
        ["Tanh"] = (default(TanhOp), t => t.Tanh()),
        ["Log"] = (default(LogOp), t => t.Log()),
        ["Sqrt"] = (default(SqrtOp), t => t.Sqrt()),
        ["Abs"] = (default(AbsOp), t => t.Abs()),
        ["Sin"] = (default(SinOp), t => t.Sin()),
        ["Cos"] = (default(CosOp), t => t.Cos()),
        ["Square"] = (default(SquareOp), t => t.Square()),
        ["Reciprocal"] = (default(ReciprocalOp), t => t.Reciprocal()),
        ["Floor"] = (default(FloorOp), t => t.Floor()),
        ["Round"] = (default(RoundOp), t => t.Round()),
        ["Relu"] = (default(ReluOp), t => t.Relu()),
        ["Pow(2.5)"] = (new PowScalarOp(2.5), t => t.Pow(2.5)),
        ["Pow(-0.7)"] = (new PowScalarOp(-0.7), t => t.Pow(-0.7)),
        ["Clamp"] = (new ClampOp(-1.5, 2), t => t.Clamp(-1.5, 2)),
        ["Sign"] = (default(SignOp), t => t.Sign()),
        ["LeakyRelu"] = (new LeakyReluOp(0.1), t => t.LeakyRelu(0.1)),
        ["Log1p"] = (default(Log1pOp), t => t.Log1p()),
        ["Expm1"] = (default(Expm1Op), t => t.Expm1()),
        ["Elu"] = (new EluOp(1.3), t => t.Elu(1.3)),
        ["Sigmoid"] = (default(SigmoidOp), t => t.Sigmoid()),
        ["Softplus"] = (default(SoftplusOp), t => t.Softplus()),
        ["LogSigmoid"] = (default(LogSigmoidOp), t => t.LogSigmoid()),
        ["Lgamma"] = (default(LgammaOp), t => t.Lgamma()),
    };

    /// <summary>
    /// Values spread over every branch of the vector kernels: tiny (below 2⁻²⁷ and 2⁻¹³), around π/4, moderate, the
    /// exp overflow range, around 5·10⁶ and beyond, ±0, subnormals, ±∞ and NaN, with random signs.
    /// </summary>
    private static double[] Data(int seed)
    {
        double[] scales = [1e-12, 1e-5, 1.22e-4, 0.5, 0.785, 0.7854, 1, 3, 20, 90, 700, 720, 1e5, 4.99e6, 5.01e6, 1e9];
        double[] specials = [0.0, -0.0, double.Epsilon, 1e-310, double.PositiveInfinity, double.NegativeInfinity, double.NaN, Math.PI / 4, Math.Pow(2, -13)];
        var rng = new Random(seed);
        var x = new double[N + 8];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = rng.Next(40) == 0
                ? specials[rng.Next(specials.Length)]
                : scales[rng.Next(scales.Length)] * (0.5 + rng.NextDouble()) * (rng.Next(2) == 0 ? -1 : 1);
        }

        return x;
    }

    private static bool Same<T>(T a, T b)
        where T : IFloatingPointIeee754<T>
        => (T.IsNaN(a) && T.IsNaN(b)) || (a.Equals(b) && T.IsNegative(a) == T.IsNegative(b));

    private static void CheckSpans<T>(IUnaryOp op, string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = Array.ConvertAll(Data(7), T.CreateTruncating);
        var alone = new T[x.Length];
        var one = new T[1];
        for (var i = 0; i < x.Length; i++)
        {
            op.Apply<T>(x.AsSpan(i, 1), one);
            alone[i] = one[0];
        }

        int[] lengths = [1, 3, 7, 15, 16, 17, 63, 255, 256, 257, 1000, N - 7];
        var y = new T[x.Length + 8];
        for (var round = 0; round < 3; round++) // repeated: later rounds run re-jitted code
        {
            for (var off = 1; off <= 7; off++)
            {
                foreach (var len in lengths)
                {
                    var dst = y.AsSpan((off * 3) % 8, len);
                    op.Apply<T>(x.AsSpan(off, len), dst);
                    for (var i = 0; i < len; i++)
                    {
                        if (!Same(alone[off + i], dst[i]))
                        {
                            Assert.Fail($"{name} {typeof(T).Name}: x = {x[off + i]:R} gave {dst[i]:R} at offset {off}, length {len}, position {i}, but {alone[off + i]:R} alone (round {round}).");
                        }
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void Float64ElementsMatchTheElementComputedAloneOnUnalignedSlices(string name) => CheckSpans<double>(OpTable[name].Op, name);

    [Theory]
    [MemberData(nameof(Ops))]
    public void Float32ElementsMatchTheElementComputedAloneOnUnalignedSlices(string name) => CheckSpans<float>(OpTable[name].Op, name);

    [Theory]
    [MemberData(nameof(Ops))]
    public void LargeTensorsMatchTheElementComputedAloneOnOneAndTwoThreads(string name)
    {
        var f = OpTable[name].OnTensor;
        var data = Data(11);
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            var alone = data.Select(v => f(Tensor.FromArray([v]).To(dtype)).ToDoubleArray()[0]).ToArray();
            var n = (Parallelism.ElementwiseGrain * 2) + 5; // large enough to split across threads
            var big = Tensor.FromArray(Enumerable.Range(0, n).Select(i => data[i % data.Length]).ToArray(), n).To(dtype);
            var (y1, y2) = ThreadCount.OneAndTwo(() => f(big).ToDoubleArray());
            for (var i = 0; i < n; i++)
            {
                var expected = alone[i % data.Length];
                if (!Same(expected, y1[i]) || !Same(expected, y2[i]))
                {
                    Assert.Fail($"{name} {dtype}: x = {data[i % data.Length]:R} at {i}: alone {expected:R}, 1 thread {y1[i]:R}, 2 threads {y2[i]:R}.");
                }
            }
        }
    }
}
