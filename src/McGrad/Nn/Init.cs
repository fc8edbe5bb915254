using System.Globalization;
using McGrad.Randomness;

namespace McGrad.Nn;

/// <summary>The nonlinearity that follows a layer, for the recommended initialisation gain (<see cref="Init.Gain"/>).</summary>
public enum Nonlinearity
{
    /// <summary>No nonlinearity (also convolutions and the identity): gain 1.</summary>
    Linear,

    /// <summary>Logistic sigmoid: gain 1.</summary>
    Sigmoid,

    /// <summary>tanh: gain 5/3.</summary>
    Tanh,

    /// <summary>ReLU: gain √2.</summary>
    Relu,

    /// <summary>Leaky ReLU with negative slope a: gain √(2/(1 + a²)).</summary>
    LeakyRelu,

    /// <summary>SELU: gain 3/4.</summary>
    Selu,
}

/// <summary>Which fan the Kaiming initialisers normalise by.</summary>
public enum FanMode
{
    /// <summary>Number of inputs per output (preserves the variance of activations in the forward pass).</summary>
    FanIn,

    /// <summary>Number of outputs per input (preserves the variance of gradients in the backward pass).</summary>
    FanOut,
}

/// <summary>
/// Weight initialisers (as torch.nn.init), each drawing from an explicit <see cref="RngKey"/>. Every initialiser comes
/// in two forms with the same values for the same key, shape and dtype: <c>Name(shape, key, …, dtype)</c> returns a
/// new tensor, and <c>NameInPlace(tensor, key, …)</c> overwrites the values of an existing floating-point leaf (a
/// parameter) and returns it. In-place writes are not recorded by autodiff (as under torch.no_grad).
/// </summary>
/// <remarks>
/// Fans follow torch: for a shape [d₀, d₁, d₂, …] with receptive field r = d₂·d₃·…, fan_in = d₁·r and
/// fan_out = d₀·r; a Linear weight [out, in] has fan_in = in, fan_out = out. Fan-based initialisers need rank ≥ 2.
/// Zero-size tensors are left as they are (there is nothing to draw).
/// </remarks>
public static class Init
{
    /// <summary>
    /// The recommended gain for a nonlinearity (torch.nn.init.calculate_gain): linear and sigmoid 1, tanh 5/3,
    /// ReLU √2, leaky ReLU √(2/(1 + a²)) with a = <paramref name="negativeSlope"/> (0.01 when null), SELU 3/4.
    /// </summary>
    /// <exception cref="ArgumentException">The slope is not finite.</exception>
    public static double Gain(Nonlinearity nonlinearity, double? negativeSlope = null)
    {
        switch (nonlinearity)
        {
            case Nonlinearity.Linear:
            case Nonlinearity.Sigmoid:
                return 1.0;
            case Nonlinearity.Tanh:
                return 5.0 / 3.0;
            case Nonlinearity.Relu:
                return Math.Sqrt(2.0);
            case Nonlinearity.LeakyRelu:
                var a = negativeSlope ?? 0.01;
                if (!double.IsFinite(a))
                {
                    throw new ArgumentException($"Gain: the leaky-ReLU negative slope must be finite, got {a}.", nameof(negativeSlope));
                }

                return Math.Sqrt(2.0 / (1.0 + (a * a)));
            case Nonlinearity.Selu:
                return 0.75;
            default:
                throw new ArgumentOutOfRangeException(nameof(nonlinearity), nonlinearity, "Gain: unknown nonlinearity.");
        }
    }

    /// <summary>(fan_in, fan_out) of a weight shape: (d₁·r, d₀·r) with r = d₂·d₃·… (see the class remarks).</summary>
    /// <exception cref="ArgumentException">The shape has fewer than 2 dimensions.</exception>
    public static (int FanIn, int FanOut) Fans(Shape shape) => Fans(shape, "Fans");

    /// <summary>Uniform U(low, high) entries (low = high gives the constant).</summary>
    /// <exception cref="ArgumentException">low &gt; high, a bound is not finite, or dtype is not floating point.</exception>
    public static Tensor Uniform(Shape shape, RngKey key, double low = 0, double high = 1, DType dtype = Tensor.DefaultDType)
    {
        RequireFloat(dtype, "Uniform");
        if (!(low <= high) || !double.IsFinite(low) || !double.IsFinite(high))
        {
            throw new ArgumentException($"Uniform: need finite low ≤ high, got low = {low}, high = {high}.", nameof(high));
        }

        if (shape.Size == 0 || low == high)
        {
            return Tensor.Full(shape, low, dtype);
        }

        return Sampler.Uniform(key, shape, dtype, low, high);
    }

    /// <summary>Normal N(mean, std²) entries (std = 0 gives the constant mean).</summary>
    /// <exception cref="ArgumentException">std &lt; 0, a parameter is not finite, or dtype is not floating point.</exception>
    public static Tensor Normal(Shape shape, RngKey key, double mean = 0, double std = 1, DType dtype = Tensor.DefaultDType)
    {
        RequireFloat(dtype, "Normal");
        if (!(std >= 0) || !double.IsFinite(std) || !double.IsFinite(mean))
        {
            throw new ArgumentException($"Normal: need a finite mean and std ≥ 0, got mean = {mean}, std = {std}.", nameof(std));
        }

        if (shape.Size == 0 || std == 0)
        {
            return Tensor.Full(shape, mean, dtype);
        }

        return Sampler.Normal(key, shape, dtype, mean, std);
    }

    /// <summary>
    /// Xavier/Glorot uniform: U(−b, b) with b = gain·√(6/(fan_in + fan_out)), so Var = gain²·2/(fan_in + fan_out)
    /// (Glorot and Bengio 2010).
    /// </summary>
    /// <exception cref="ArgumentException">Rank &lt; 2, gain negative or not finite, or dtype not floating point.</exception>
    public static Tensor XavierUniform(Shape shape, RngKey key, double gain = 1, DType dtype = Tensor.DefaultDType)
    {
        RequireFloat(dtype, "XavierUniform");
        var (fanIn, fanOut) = Fans(shape, "XavierUniform");
        RequireGain(gain, "XavierUniform");
        var bound = shape.Size == 0 ? 0 : gain * Math.Sqrt(6.0 / (fanIn + fanOut));
        return Uniform(shape, key, -bound, bound, dtype);
    }

    /// <summary>Xavier/Glorot normal: N(0, σ²) with σ = gain·√(2/(fan_in + fan_out)) (Glorot and Bengio 2010).</summary>
    /// <exception cref="ArgumentException">Rank &lt; 2, gain negative or not finite, or dtype not floating point.</exception>
    public static Tensor XavierNormal(Shape shape, RngKey key, double gain = 1, DType dtype = Tensor.DefaultDType)
    {
        RequireFloat(dtype, "XavierNormal");
        var (fanIn, fanOut) = Fans(shape, "XavierNormal");
        RequireGain(gain, "XavierNormal");
        var std = shape.Size == 0 ? 0 : gain * Math.Sqrt(2.0 / (fanIn + fanOut));
        return Normal(shape, key, 0, std, dtype);
    }

    /// <summary>
    /// Kaiming/He uniform: U(−b, b) with b = √3·gain/√fan, gain = <see cref="Gain"/>(nonlinearity, a) and fan chosen by
    /// <paramref name="mode"/>, so Var = gain²/fan (He et al. 2015). The defaults (a = 0, leaky ReLU, fan_in) give
    /// gain √2; torch.nn.Linear's default weight init is a = √5, i.e. b = 1/√fan_in.
    /// </summary>
    /// <exception cref="ArgumentException">Rank &lt; 2, a not finite, or dtype not floating point.</exception>
    public static Tensor KaimingUniform(Shape shape, RngKey key, double a = 0, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu, DType dtype = Tensor.DefaultDType)
    {
        RequireFloat(dtype, "KaimingUniform");
        var std = KaimingStd(shape, a, mode, nonlinearity, "KaimingUniform");
        var bound = Math.Sqrt(3.0) * std;
        return Uniform(shape, key, -bound, bound, dtype);
    }

    /// <summary>
    /// Kaiming/He normal: N(0, σ²) with σ = gain/√fan, gain = <see cref="Gain"/>(nonlinearity, a) and fan chosen by
    /// <paramref name="mode"/> (He et al. 2015).
    /// </summary>
    /// <exception cref="ArgumentException">Rank &lt; 2, a not finite, or dtype not floating point.</exception>
    public static Tensor KaimingNormal(Shape shape, RngKey key, double a = 0, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu, DType dtype = Tensor.DefaultDType)
    {
        RequireFloat(dtype, "KaimingNormal");
        var std = KaimingStd(shape, a, mode, nonlinearity, "KaimingNormal");
        return Normal(shape, key, 0, std, dtype);
    }

    /// <summary>
    /// A (semi-)orthogonal matrix scaled by <paramref name="gain"/>, Haar-distributed (Saxe et al. 2014; Mezzadri 2007):
    /// the shape is viewed as [rows = d₀, cols = d₁·d₂·…]; a standard normal matrix (transposed when rows &lt; cols) is
    /// factored A = QR by Householder reflections in float64, the columns of Q are multiplied by sign(Rⱼⱼ) (which
    /// makes the law of Q Haar), and W = gain·Q (or gain·Qᵀ). Then WᵀW = gain²·I when rows ≥ cols, WWᵀ = gain²·I
    /// otherwise.
    /// </summary>
    /// <exception cref="ArgumentException">Rank &lt; 2, gain not finite, or dtype not floating point.</exception>
    public static Tensor Orthogonal(Shape shape, RngKey key, double gain = 1, DType dtype = Tensor.DefaultDType)
    {
        RequireFloat(dtype, "Orthogonal");
        if (shape.Rank < 2)
        {
            throw new ArgumentException($"Orthogonal: needs a tensor with at least 2 dimensions, got shape {shape}.", nameof(shape));
        }

        if (!double.IsFinite(gain))
        {
            throw new ArgumentException($"Orthogonal: gain must be finite, got {gain}.", nameof(gain));
        }

        if (shape.Size == 0)
        {
            return Tensor.Zeros(shape, dtype);
        }

        var rows = shape[0];
        var cols = shape.Size / rows;
        var tall = rows >= cols;
        var m = tall ? rows : cols;
        var n = tall ? cols : rows;
        var a = Sampler.Normal(key, [rows, cols], DType.Float64).ToDoubleArray();
        var mat = new double[m * n];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                // A is m×n row-major: A = G when tall, Gᵀ otherwise.
                mat[tall ? (i * n) + j : (j * n) + i] = a[(i * cols) + j];
            }
        }

        var q = HouseholderQ(mat, m, n);
        var w = new double[rows * cols];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                w[(i * cols) + j] = gain * (tall ? q[(i * n) + j] : q[(j * n) + i]);
            }
        }

        var result = Tensor.FromArray(w, rows, cols).Reshape(shape.ToArray());
        return result.To(dtype);
    }

    /// <summary>Every entry equal to <paramref name="value"/> (same as <see cref="Tensor.Full"/>).</summary>
    public static Tensor Constant(Shape shape, double value, DType dtype = Tensor.DefaultDType) => Tensor.Full(shape, value, RequireFloat(dtype, "Constant"));

    /// <summary>Overwrites <paramref name="parameter"/> with <see cref="Uniform(Shape, RngKey, double, double, DType)"/> values; returns it.</summary>
    public static Tensor UniformInPlace(Tensor parameter, RngKey key, double low = 0, double high = 1) =>
        Write(parameter, "UniformInPlace", p => Uniform(p.Shape, key, low, high, p.DType));

    /// <summary>Overwrites <paramref name="parameter"/> with <see cref="Normal(Shape, RngKey, double, double, DType)"/> values; returns it.</summary>
    public static Tensor NormalInPlace(Tensor parameter, RngKey key, double mean = 0, double std = 1) =>
        Write(parameter, "NormalInPlace", p => Normal(p.Shape, key, mean, std, p.DType));

    /// <summary>Overwrites <paramref name="parameter"/> with <see cref="XavierUniform(Shape, RngKey, double, DType)"/> values; returns it.</summary>
    public static Tensor XavierUniformInPlace(Tensor parameter, RngKey key, double gain = 1) =>
        Write(parameter, "XavierUniformInPlace", p => XavierUniform(p.Shape, key, gain, p.DType));

    /// <summary>Overwrites <paramref name="parameter"/> with <see cref="XavierNormal(Shape, RngKey, double, DType)"/> values; returns it.</summary>
    public static Tensor XavierNormalInPlace(Tensor parameter, RngKey key, double gain = 1) =>
        Write(parameter, "XavierNormalInPlace", p => XavierNormal(p.Shape, key, gain, p.DType));

    /// <summary>Overwrites <paramref name="parameter"/> with <see cref="KaimingUniform"/> values; returns it.</summary>
    public static Tensor KaimingUniformInPlace(Tensor parameter, RngKey key, double a = 0, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu) =>
        Write(parameter, "KaimingUniformInPlace", p => KaimingUniform(p.Shape, key, a, mode, nonlinearity, p.DType));

    /// <summary>Overwrites <paramref name="parameter"/> with <see cref="KaimingNormal"/> values; returns it.</summary>
    public static Tensor KaimingNormalInPlace(Tensor parameter, RngKey key, double a = 0, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu) =>
        Write(parameter, "KaimingNormalInPlace", p => KaimingNormal(p.Shape, key, a, mode, nonlinearity, p.DType));

    /// <summary>Overwrites <paramref name="parameter"/> with <see cref="Orthogonal"/> values; returns it.</summary>
    public static Tensor OrthogonalInPlace(Tensor parameter, RngKey key, double gain = 1) =>
        Write(parameter, "OrthogonalInPlace", p => Orthogonal(p.Shape, key, gain, p.DType));

    /// <summary>Sets every entry of <paramref name="parameter"/> to <paramref name="value"/>; returns it.</summary>
    public static Tensor ConstantInPlace(Tensor parameter, double value) =>
        Write(parameter, "ConstantInPlace", p => Tensor.Full(p.Shape, value, p.DType));

    /// <summary>Sets every entry of <paramref name="parameter"/> to 0; returns it.</summary>
    public static Tensor ZerosInPlace(Tensor parameter) => ConstantInPlace(parameter, 0);

    /// <summary>Sets every entry of <paramref name="parameter"/> to 1; returns it.</summary>
    public static Tensor OnesInPlace(Tensor parameter) => ConstantInPlace(parameter, 1);

    private static Tensor Write(Tensor parameter, string op, Func<Tensor, Tensor> make)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (!parameter.DType.IsFloatingPoint())
        {
            throw new ArgumentException($"{op}: the tensor is {parameter.DType} {parameter.Shape}; initialisers write Float32 or Float64 tensors.", nameof(parameter));
        }

        if (!parameter.IsLeaf)
        {
            throw new ArgumentException($"{op}: the {parameter.Shape} tensor was produced by '{parameter.GradFn!.Op}'; only leaves (parameters) can be overwritten.", nameof(parameter));
        }

        var values = make(parameter);
        Array.Copy(values.Storage, parameter.Storage, parameter.Size);
        return parameter;
    }

    private static double KaimingStd(Shape shape, double a, FanMode mode, Nonlinearity nonlinearity, string op)
    {
        var (fanIn, fanOut) = Fans(shape, op);
        if (!double.IsFinite(a))
        {
            throw new ArgumentException($"{op}: a (the leaky-ReLU slope) must be finite, got {a}.", nameof(a));
        }

        if (mode is not (FanMode.FanIn or FanMode.FanOut))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, $"{op}: unknown fan mode.");
        }

        if (shape.Size == 0)
        {
            return 0;
        }

        var fan = mode == FanMode.FanIn ? fanIn : fanOut;
        return Gain(nonlinearity, a) / Math.Sqrt(fan);
    }

    private static (int FanIn, int FanOut) Fans(Shape shape, string op)
    {
        if (shape.Rank < 2)
        {
            throw new ArgumentException($"{op}: fan_in and fan_out need a tensor with at least 2 dimensions ([out, in, …]), got shape {shape}.", nameof(shape));
        }

        long receptive = 1;
        for (var i = 2; i < shape.Rank; i++)
        {
            receptive *= shape[i];
        }

        return ((int)(shape[1] * receptive), (int)(shape[0] * receptive));
    }

    private static void RequireGain(double gain, string op)
    {
        if (!(gain >= 0) || !double.IsFinite(gain))
        {
            throw new ArgumentException($"{op}: gain must be finite and ≥ 0, got {gain.ToString(CultureInfo.InvariantCulture)}.", nameof(gain));
        }
    }

    private static DType RequireFloat(DType dtype, string op) => dtype.IsFloatingPoint()
        ? dtype
        : throw new ArgumentException($"{op}: initialisers produce Float32 or Float64 tensors, got {dtype}.", nameof(dtype));

    /// <summary>
    /// The thin Q (m×n, m ≥ n, row-major) of A = QR by Householder reflections, with column j multiplied by sign(Rⱼⱼ)
    /// so that R has a positive diagonal (the unique such factorisation). A is overwritten.
    /// </summary>
    private static double[] HouseholderQ(double[] a, int m, int n)
    {
        var vs = new double[n][];
        var signs = new double[n];
        var tmp = new double[n];
        for (var j = 0; j < n; j++)
        {
            var len = m - j;
            var v = new double[len];
            var norm2 = 0.0;
            for (var i = 0; i < len; i++)
            {
                v[i] = a[((j + i) * n) + j];
                norm2 += v[i] * v[i];
            }

            var norm = Math.Sqrt(norm2);
            // Reflect x onto alpha·e₁ with alpha = −sign(x₀)·‖x‖ (no cancellation); then Rⱼⱼ = alpha.
            var alpha = v[0] >= 0 ? -norm : norm;
            signs[j] = alpha >= 0 ? 1.0 : -1.0;
            v[0] -= alpha;
            var vnorm2 = norm2 - (2 * alpha * (v[0] + alpha)) + (alpha * alpha);
            if (vnorm2 <= 0)
            {
                vs[j] = [];
                signs[j] = 1.0;
                continue;
            }

            var scale = 1.0 / Math.Sqrt(vnorm2);
            for (var i = 0; i < len; i++)
            {
                v[i] *= scale;
            }

            vs[j] = v;

            // A[j:, j:] -= 2 v (vᵀ A[j:, j:]).
            Array.Clear(tmp);
            for (var i = 0; i < len; i++)
            {
                var vi = v[i];
                var row = (j + i) * n;
                for (var c = j; c < n; c++)
                {
                    tmp[c] += vi * a[row + c];
                }
            }

            for (var i = 0; i < len; i++)
            {
                var f = 2 * v[i];
                var row = (j + i) * n;
                for (var c = j; c < n; c++)
                {
                    a[row + c] -= f * tmp[c];
                }
            }
        }

        // Q = H₀H₁…H_{n−1}·I[:, :n], applied from the last reflection to the first.
        var q = new double[m * n];
        for (var i = 0; i < n; i++)
        {
            q[(i * n) + i] = 1.0;
        }

        for (var j = n - 1; j >= 0; j--)
        {
            var v = vs[j];
            if (v.Length == 0)
            {
                continue;
            }

            Array.Clear(tmp);
            for (var i = 0; i < v.Length; i++)
            {
                var vi = v[i];
                var row = (j + i) * n;
                for (var c = 0; c < n; c++)
                {
                    tmp[c] += vi * q[row + c];
                }
            }

            for (var i = 0; i < v.Length; i++)
            {
                var f = 2 * v[i];
                var row = (j + i) * n;
                for (var c = 0; c < n; c++)
                {
                    q[row + c] -= f * tmp[c];
                }
            }
        }

        for (var i = 0; i < m; i++)
        {
            for (var c = 0; c < n; c++)
            {
                q[(i * n) + c] *= signs[c];
            }
        }

        return q;
    }
}
