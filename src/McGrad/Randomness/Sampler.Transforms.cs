using System.Numerics.Tensors;
using McGrad.Kernels;

namespace McGrad.Randomness;

public static partial class Sampler
{
    /// <summary>Exponential with rate λ: x = −ln(u)/λ, u ∈ (0, 1).</summary>
    /// <exception cref="ArgumentException">rate ≤ 0 or not finite.</exception>
    public static Tensor Exponential(RngKey key, Shape shape, DType dtype = Tensor.DefaultDType, double rate = 1)
    {
        RequirePositive(rate, nameof(rate), "Exponential");
        return MapUniform(key, shape, dtype, u =>
        {
            LaneMath.Log(u, u);
            TensorPrimitives.Multiply(u, -1 / rate, u);
        });
    }

    /// <summary>Gumbel(loc, scale): x = loc − scale·ln(−ln u).</summary>
    /// <exception cref="ArgumentException">scale ≤ 0 or not finite.</exception>
    public static Tensor Gumbel(RngKey key, Shape shape, DType dtype = Tensor.DefaultDType, double loc = 0, double scale = 1)
    {
        RequirePositive(scale, nameof(scale), "Gumbel");
        return MapUniform(key, shape, dtype, u =>
        {
            LaneMath.Log(u, u);
            TensorPrimitives.Negate(u, u);
            LaneMath.Log(u, u);
            TensorPrimitives.Multiply(u, -scale, u);
            TensorPrimitives.Add(u, loc, u);
        });
    }

    /// <summary>Logistic(loc, scale): x = loc + scale·(ln u − ln(1 − u)).</summary>
    /// <exception cref="ArgumentException">scale ≤ 0 or not finite.</exception>
    public static Tensor Logistic(RngKey key, Shape shape, DType dtype = Tensor.DefaultDType, double loc = 0, double scale = 1)
    {
        RequirePositive(scale, nameof(scale), "Logistic");
        return MapUniform(key, shape, dtype, u =>
        {
            var v = new double[u.Length];
            TensorPrimitives.Subtract(1.0, u, v);
            TensorPrimitives.Divide(u, v, u);
            LaneMath.Log(u, u);
            TensorPrimitives.Multiply(u, scale, u);
            TensorPrimitives.Add(u, loc, u);
        });
    }

    /// <summary>Weibull(scale λ, concentration k): x = λ·(−ln u)^{1/k}.</summary>
    /// <exception cref="ArgumentException">scale or concentration ≤ 0 or not finite.</exception>
    public static Tensor Weibull(RngKey key, Shape shape, DType dtype = Tensor.DefaultDType, double scale = 1, double concentration = 1)
    {
        RequirePositive(scale, nameof(scale), "Weibull");
        RequirePositive(concentration, nameof(concentration), "Weibull");
        return MapUniform(key, shape, dtype, u =>
        {
            LaneMath.Log(u, u);
            TensorPrimitives.Negate(u, u);
            TensorPrimitives.Pow(u, 1 / concentration, u);
            TensorPrimitives.Multiply(u, scale, u);
        });
    }

    /// <summary>Rayleigh(σ), density (w/σ²)·e^{−w²/2σ²}: w = σ·√(−2 ln u) (Weibull with k = 2, λ = σ√2).</summary>
    /// <exception cref="ArgumentException">scale ≤ 0 or not finite.</exception>
    public static Tensor Rayleigh(RngKey key, Shape shape, DType dtype = Tensor.DefaultDType, double scale = 1)
    {
        RequirePositive(scale, nameof(scale), "Rayleigh");
        return MapUniform(key, shape, dtype, u =>
        {
            LaneMath.Log(u, u);
            TensorPrimitives.Multiply(u, -2.0, u);
            TensorPrimitives.Sqrt(u, u);
            TensorPrimitives.Multiply(u, scale, u);
        });
    }

    /// <summary>
    /// Draws float64 uniforms (0, 1) for each element (52 random bits), transforms them in place, and converts to
    /// <paramref name="dtype"/>. Transforms are computed in double so float32 results are correctly rounded.
    /// </summary>
    private static Tensor MapUniform(RngKey key, Shape shape, DType dtype, Action<Span<double>> transform)
    {
        var t = Tensor.Uninitialized(shape, RequireFloat(dtype, "sampler"));
        Fill(key, shape.Size, 2, (words, start, count) =>
        {
            var u = new double[count];
            for (var i = 0; i < count; i++)
            {
                u[i] = Unit52(words[2 * i], words[(2 * i) + 1]);
            }

            transform(u);
            if (dtype == DType.Float64)
            {
                u.CopyTo(((double[])t.Storage).AsSpan(start, count));
            }
            else
            {
                Kernels.Convert.Run<double, float>(u, ((float[])t.Storage).AsSpan(start, count));
            }
        });
        return t;
    }

    internal static void RequirePositive(double value, string name, string op)
    {
        if (!(value > 0) || !double.IsFinite(value))
        {
            throw new ArgumentException($"{op}: {name} must be finite and > 0, got {value}.", name);
        }
    }
}
