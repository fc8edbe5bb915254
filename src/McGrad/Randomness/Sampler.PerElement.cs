using System.Numerics;
using McGrad.Kernels;

namespace McGrad.Randomness;

public static partial class Sampler
{
    private const uint GammaTag = 0x47414D4D;   // "GAMM"
    private const uint PoissonTag = 0x504F4953; // "POIS"
    private const uint MaxwellTag = 0x4D415857; // "MAXW"
    private const double Inv32 = 1.0 / 4294967296.0;

    /// <summary>
    /// Gamma(α, 1) per element, α broadcast from <paramref name="concentration"/> to <paramref name="shape"/>:
    /// Marsaglia–Tsang (2000) squeeze–rejection for α ≥ 1 (d = α − ⅓, c = 1/√(9d), x ~ N(0,1), v = (1 + cx)³,
    /// accept when ln u &lt; x²/2 + d − dv + d ln v, return dv); for α &lt; 1, Gamma(α + 1)·u^{1/α}.
    /// Divide by a rate for Gamma(α, rate).
    /// </summary>
    /// <remarks>
    /// Element i uses Philox counters (i, attempt, tag), so it depends only on the key and i. For tiny α the result
    /// can underflow; it is clamped to the dtype's smallest normal number so ln x stays finite.
    /// </remarks>
    /// <exception cref="ArgumentException">A concentration is ≤ 0 or not finite, or it does not broadcast to the shape.</exception>
    public static Tensor Gamma(RngKey key, Shape shape, Tensor concentration)
    {
        ArgumentNullException.ThrowIfNull(concentration);
        var alpha = Broadcast(concentration, shape, "Gamma", nameof(concentration), a => a > 0 && double.IsFinite(a), "finite and > 0");
        var tiny = alpha.DType == DType.Float32 ? 1.17549435e-38 : 2.2250738585072014e-308;
        return PerElement(alpha, (i, a) => Math.Max(StandardGamma(key, i, a), tiny));
    }

    /// <summary>Gamma(α, 1) with one scalar α (see the tensor overload).</summary>
    public static Tensor Gamma(RngKey key, Shape shape, double concentration, DType dtype = Tensor.DefaultDType)
        => Gamma(key, shape, Tensor.Scalar(concentration, RequireFloat(dtype, "Gamma")));

    /// <summary>
    /// Beta(a, b) = X/(X + Y) with X ~ Gamma(a), Y ~ Gamma(b) drawn from the two halves of <c>key.Split(2)</c>,
    /// combined in log space: x = σ(ln X − ln Y) = 1/(1 + e^{ln Y − ln X}), so small concentrations (where X and Y
    /// underflow, e.g. ln X ≈ ln U/a ≈ −1000 for a = 0.001) still give correctly distributed draws. Computed in
    /// double and rounded to the dtype of <paramref name="a"/> (a Float32 draw within 2⁻²⁵ of 1 rounds to 1).
    /// </summary>
    /// <exception cref="ArgumentException">A parameter is ≤ 0 or not finite, or does not broadcast to the shape.</exception>
    public static Tensor Beta(RngKey key, Shape shape, Tensor a, Tensor b) => BetaWithLogs(key, shape, a, b).X;

    /// <summary>The Beta draw of <see cref="Beta"/> with ln X and ln Y per element (for the implicit reparameterisation gradient).</summary>
    internal static (Tensor X, double[] LogX, double[] LogY) BetaWithLogs(RngKey key, Shape shape, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.DType != b.DType)
        {
            throw new ArgumentException($"Beta: a and b must have the same dtype; got {a.DType} and {b.DType}.", nameof(b));
        }

        var pa = Broadcast(a, shape, "Beta", nameof(a), v => v > 0 && double.IsFinite(v), "finite and > 0").ToDoubleArray();
        var pb = Broadcast(b, shape, "Beta", nameof(b), v => v > 0 && double.IsFinite(v), "finite and > 0").ToDoubleArray();
        var keys = key.Split(2);
        var lx = new double[pa.Length];
        var ly = new double[pa.Length];
        var r = Tensor.Uninitialized(shape, a.DType);
        Parallelism.For(pa.Length, 1024, (start, count) =>
        {
            for (var i = start; i < start + count; i++)
            {
                lx[i] = LogStandardGamma(keys[0], i, pa[i]);
                ly[i] = LogStandardGamma(keys[1], i, pb[i]);
                r.SetFlat(i, 1 / (1 + Math.Exp(ly[i] - lx[i])));
            }
        });
        return (r, lx, ly);
    }

    /// <summary>
    /// Poisson(λ) per element, λ broadcast from <paramref name="rate"/>: Knuth's product of uniforms for λ &lt; 12;
    /// Hörmann's (1993) transformed rejection with squeeze (PTRS) for λ ≥ 12. Values are returned in the rate's float dtype.
    /// </summary>
    /// <exception cref="ArgumentException">A rate is negative or not finite, or does not broadcast to the shape.</exception>
    public static Tensor Poisson(RngKey key, Shape shape, Tensor rate)
    {
        ArgumentNullException.ThrowIfNull(rate);
        var lambda = Broadcast(rate, shape, "Poisson", nameof(rate), l => l >= 0 && double.IsFinite(l), "finite and >= 0");
        return PerElement(lambda, (i, l) => PoissonOne(key, i, l));
    }

    /// <summary>
    /// Double-sided Maxwell(loc, scale), density ∝ x²e^{−x²/2} for loc 0, scale 1: |x| = √(n₁² + n₂² + n₃²) for three
    /// standard normals and an independent random sign.
    /// </summary>
    /// <exception cref="ArgumentException">scale ≤ 0 or not finite.</exception>
    public static Tensor DoubleSidedMaxwell(RngKey key, Shape shape, DType dtype = Tensor.DefaultDType, double loc = 0, double scale = 1)
    {
        RequirePositive(scale, nameof(scale), "DoubleSidedMaxwell");
        var dummy = Tensor.Zeros(shape, RequireFloat(dtype, "DoubleSidedMaxwell"));
        return PerElement(dummy, (i, _) =>
        {
            var (w0, w1, w2, w3) = Philox.Block((uint)i, 0, MaxwellTag, 0, key.K0, key.K1);
            var (n0, n1) = BoxMullerPair(w0, w1);
            var (n2, n3) = BoxMullerPair(w2, w3);
            var m = Math.Sqrt((n0 * n0) + (n1 * n1) + (n2 * n2));
            return loc + (scale * (n3 >= 0 ? m : -m));
        });
    }

    /// <summary>Bernoulli(p) per element: 1 when u &lt; p, else 0, in the dtype of <paramref name="probs"/>.</summary>
    /// <exception cref="ArgumentException">A probability is outside [0, 1].</exception>
    public static Tensor Bernoulli(RngKey key, Tensor probs)
    {
        ArgumentNullException.ThrowIfNull(probs);
        var p = probs.ToDoubleArray();
        for (var i = 0; i < p.Length; i++)
        {
            if (!(p[i] >= 0 && p[i] <= 1))
            {
                throw new ArgumentException($"Bernoulli: probs must lie in [0, 1]; element {i} is {p[i]}.", nameof(probs));
            }
        }

        var u = Uniform(key, probs.Shape, DType.Float64).Span<double>();
        var r = Tensor.Uninitialized(probs.Shape, RequireFloat(probs.DType, "Bernoulli"));
        for (var i = 0; i < p.Length; i++)
        {
            r.SetFlat(i, u[i] < p[i] ? 1 : 0);
        }

        return r;
    }

    /// <summary>
    /// One categorical draw per row of <paramref name="probs"/> [..., K] (rows need not be normalised): the
    /// smallest k with u·Σp &lt; Σ_{j≤k} p_j. Returns Int64 indices with the leading shape.
    /// </summary>
    /// <exception cref="ArgumentException">probs is rank 0, has K = 0, a negative or non-finite entry, or a row summing to 0.</exception>
    public static Tensor Categorical(RngKey key, Tensor probs)
    {
        ArgumentNullException.ThrowIfNull(probs);
        if (probs.Rank == 0 || probs.Shape[-1] == 0)
        {
            throw new ArgumentException($"Categorical: probs must have a last (category) dimension of size >= 1, got shape {probs.Shape}.", nameof(probs));
        }

        var k = probs.Shape[-1];
        var rows = probs.Size / k;
        var p = probs.ToDoubleArray();
        var u = Uniform(key, [rows], DType.Float64).Span<double>();
        var outShape = probs.Shape.ToArray()[..^1];
        var r = Tensor.Uninitialized(Shape.Wrap(outShape), DType.Int64);
        var dst = r.Span<long>();
        for (var row = 0; row < rows; row++)
        {
            var total = 0.0;
            for (var j = 0; j < k; j++)
            {
                var v = p[(row * k) + j];
                if (!(v >= 0) || !double.IsFinite(v))
                {
                    throw new ArgumentException($"Categorical: probs must be finite and >= 0; row {row}, category {j} is {v}.", nameof(probs));
                }

                total += v;
            }

            if (total <= 0)
            {
                throw new ArgumentException($"Categorical: row {row} of probs sums to 0.", nameof(probs));
            }

            var target = u[row] * total;
            var acc = 0.0;
            var pick = k - 1;
            for (var j = 0; j < k; j++)
            {
                acc += p[(row * k) + j];
                if (target < acc && p[(row * k) + j] > 0)
                {
                    pick = j;
                    break;
                }
            }

            while (p[(row * k) + pick] == 0)
            {
                pick--;
            }

            dst[row] = pick;
        }

        return r;
    }

    private static double StandardGamma(RngKey key, int i, double alpha)
    {
        var (g, logBoost) = StandardGammaParts(key, i, alpha);
        return alpha < 1 ? Math.Exp(Math.Log(g) + logBoost) : g;
    }

    /// <summary>ln of the Gamma(α, 1) draw of <see cref="StandardGamma"/> (same counters), finite even where the draw underflows.</summary>
    private static double LogStandardGamma(RngKey key, int i, double alpha)
    {
        var (g, logBoost) = StandardGammaParts(key, i, alpha);
        return Math.Log(g) + logBoost;
    }

    /// <summary>
    /// (G, ln B): G ~ Gamma(max(α, α + 1 if α &lt; 1), 1) by Marsaglia–Tsang and, for α &lt; 1, the boost ln B = ln(u)/α
    /// (0 otherwise), so the Gamma(α) draw is G·B.
    /// </summary>
    private static (double G, double LogBoost) StandardGammaParts(RngKey key, int i, double alpha)
    {
        var boost = alpha < 1;
        var a = boost ? alpha + 1 : alpha;
        var d = a - (1.0 / 3);
        var c = 1 / Math.Sqrt(9 * d);
        double result;
        uint boostWord = 0;
        for (uint attempt = 0; ; attempt++)
        {
            var (w0, w1, w2, w3) = Philox.Block((uint)i, attempt, GammaTag, 0, key.K0, key.K1);
            if (attempt == 0)
            {
                boostWord = w3;
            }

            var (x, _) = BoxMullerPair(w0, w1);
            var v = 1 + (c * x);
            if (v <= 0)
            {
                continue;
            }

            v = v * v * v;
            var u = (w2 + 0.5) * Inv32;
            if (Math.Log(u) < (0.5 * x * x) + d - (d * v) + (d * Math.Log(v)))
            {
                result = d * v;
                break;
            }
        }

        return (result, boost ? Math.Log((boostWord + 0.5) * Inv32) / alpha : 0);
    }

    private static double PoissonOne(RngKey key, int i, double lambda)
    {
        if (lambda == 0)
        {
            return 0;
        }

        var stream = new ElementStream(key, (uint)i, PoissonTag);
        if (lambda < 12)
        {
            var limit = Math.Exp(-lambda);
            var product = stream.NextUniform();
            var count = 0;
            while (product > limit)
            {
                product *= stream.NextUniform();
                count++;
            }

            return count;
        }

        var slam = Math.Sqrt(lambda);
        var loglam = Math.Log(lambda);
        var b = 0.931 + (2.53 * slam);
        var a = -0.059 + (0.02483 * b);
        var invAlpha = 1.1239 + (1.1328 / (b - 3.4));
        var vr = 0.9277 - (3.6224 / (b - 2));
        while (true)
        {
            var u = stream.NextUniform() - 0.5;
            var v = stream.NextUniform();
            var us = 0.5 - Math.Abs(u);
            var k = Math.Floor((((2 * a / us) + b) * u) + lambda + 0.43);
            if (us >= 0.07 && v <= vr)
            {
                return k;
            }

            if (k < 0 || (us < 0.013 && v > us))
            {
                continue;
            }

            if (Math.Log(v) + Math.Log(invAlpha) - Math.Log((a / (us * us)) + b) <= -lambda + (k * loglam) - SpecialFunctions.LogGamma(k + 1))
            {
                return k;
            }
        }
    }

    /// <summary>Two standard normals from two 32-bit words (Box–Muller, computed in double).</summary>
    private static (double, double) BoxMullerPair(uint w0, uint w1)
    {
        var r = Math.Sqrt(-2 * Math.Log((w0 + 0.5) * Inv32));
        var (s, c) = Math.SinCos(2 * Math.PI * (w1 + 0.5) * Inv32);
        return (r * c, r * s);
    }

    /// <summary>Uniforms for one element from counters (i, block, tag), four per Philox block.</summary>
    private struct ElementStream(RngKey key, uint element, uint tag)
    {
        private uint _block;
        private int _used = 4;
        private (uint, uint, uint, uint) _words;

        public double NextUniform()
        {
            if (_used == 4)
            {
                _words = Philox.Block(element, _block++, tag, 0, key.K0, key.K1);
                _used = 0;
            }

            var w = _used++ switch
            {
                0 => _words.Item1,
                1 => _words.Item2,
                2 => _words.Item3,
                _ => _words.Item4,
            };
            return (w + 0.5) * Inv32;
        }
    }

    private static Tensor Broadcast(Tensor parameter, Shape shape, string op, string name, Func<double, bool> valid, string requirement)
    {
        RequireFloat(parameter.DType, op);
        if (Shape.Broadcast(parameter.Shape, shape, op) != shape)
        {
            throw new ArgumentException($"{op}: {name} of shape {parameter.Shape} does not broadcast to the sample shape {shape}.", name);
        }

        var values = parameter.ToDoubleArray();
        for (var i = 0; i < values.Length; i++)
        {
            if (!valid(values[i]))
            {
                throw new ArgumentException($"{op}: {name} must be {requirement}; element {i} is {values[i]}.", name);
            }
        }

        using (Autodiff.Autograd.NoGrad())
        {
            return parameter.Detach().BroadcastTo(shape);
        }
    }

    /// <summary>Fills a tensor shaped like <paramref name="parameters"/> with f(i, parameter_i), split across cores.</summary>
    private static Tensor PerElement(Tensor parameters, Func<int, double, double> f)
    {
        var r = Tensor.Uninitialized(parameters.Shape, parameters.DType);
        var n = parameters.Size;
        Parallelism.For(n, 1024, (start, count) =>
        {
            for (var i = start; i < start + count; i++)
            {
                r.SetFlat(i, f(i, parameters.GetFlat(i)));
            }
        });
        return r;
    }
}
