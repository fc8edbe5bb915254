using System.Globalization;

namespace McGrad.Estimators.Policy;

/// <summary>Argument validation and small constant-building helpers shared by the policy losses.</summary>
internal static class PolicyChecks
{
    /// <summary>Throws unless <paramref name="t"/> is Float32 or Float64.</summary>
    public static void RequireFloat(Tensor t, string op, string name)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        if (!t.DType.IsFloatingPoint())
        {
            throw new ArgumentException($"{op}: {name} has dtype {t.DType} (shape {t.Shape}); expected Float32 or Float64.", name);
        }
    }

    /// <summary>Throws unless <paramref name="t"/> has <paramref name="dtype"/> (McGrad never promotes silently).</summary>
    public static void RequireDType(Tensor t, DType dtype, string op, string name, string like)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        if (t.DType != dtype)
        {
            throw new ArgumentException($"{op}: {name} has dtype {t.DType} but {like} has {dtype}; convert one of them explicitly.", name);
        }
    }

    /// <summary>Throws unless <paramref name="t"/> has exactly <paramref name="shape"/> (no broadcasting).</summary>
    public static void RequireShape(Tensor t, Shape shape, string op, string name, string what)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        if (t.Shape != shape)
        {
            throw new ArgumentException($"{op}: {name} has shape {t.Shape}; expected {shape} ({what}).", name);
        }
    }

    /// <summary>A float tensor with the same dtype as <paramref name="like"/> and exactly its shape.</summary>
    public static void RequireLike(Tensor t, Tensor like, string op, string name, string likeName)
    {
        RequireDType(t, like.DType, op, name, likeName);
        RequireShape(t, like.Shape, op, name, $"the shape of {likeName}");
    }

    /// <summary>The mask's values as doubles after checking that each is exactly 0 or 1.</summary>
    public static double[] MaskValues(Tensor mask, string op, string name = "mask")
    {
        var m = mask.ToDoubleArray();
        for (var i = 0; i < m.Length; i++)
        {
            if (m[i] is not (0.0 or 1.0))
            {
                throw new ArgumentException($"{op}: {name}[flat {i}] = {m[i].ToString(CultureInfo.InvariantCulture)}; a mask holds only 0 (padding) and 1 (valid token).", name);
            }
        }

        return m;
    }

    /// <summary>A constant (untracked) tensor over <paramref name="data"/> (taken, not copied, for Float64) in <paramref name="dtype"/>.</summary>
    public static Tensor Constant(double[] data, Shape shape, DType dtype)
    {
        if (dtype == DType.Float64)
        {
            return new Tensor(shape, DType.Float64, data);
        }

        var f = new float[data.Length];
        for (var i = 0; i < f.Length; i++)
        {
            f[i] = (float)data[i];
        }

        return new Tensor(shape, DType.Float32, f);
    }

    /// <summary>Throws unless the value is finite and ≥ 0.</summary>
    public static double NonNegative(double value, string type, string name)
        => double.IsFinite(value) && value >= 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{type}.{name} = {Format(value)}; expected a finite value ≥ 0.");

    /// <summary>Throws unless the value is finite and &gt; 0.</summary>
    public static double Positive(double value, string type, string name)
        => double.IsFinite(value) && value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{type}.{name} = {Format(value)}; expected a finite value > 0.");

    /// <summary>Validates a lower clip ε_low ∈ [0, 1] (the lower bound 1 − ε_low stays ≥ 0).</summary>
    public static double ClipLow(double value, string type, string name)
        => value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{type}.{name} = {Format(value)}; expected ε_low in [0, 1] (the ratio is clipped below at 1 − ε_low ≥ 0).");

    /// <summary>Validates an upper clip ε_high ≥ 0 (+∞ allowed: no upper clip).</summary>
    public static double ClipHigh(double value, string type, string name)
        => value >= 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{type}.{name} = {Format(value)}; expected ε_high ≥ 0 (+∞ for no upper clip).");

    /// <summary>Validates a dual-clip constant c &gt; 1 (finite) or null.</summary>
    public static double? DualClip(double? value, string type, string name)
        => value is null || (double.IsFinite(value.Value) && value.Value > 1) ? value : throw new ArgumentOutOfRangeException(name, value, $"{type}.{name} = {Format(value.Value)}; expected a finite c > 1 (Ye et al. 2020) or null for no dual clip.");

    /// <summary>Validates an enum value.</summary>
    public static TEnum Defined<TEnum>(TEnum value, string type, string name)
        where TEnum : struct, Enum
        => Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(name, value, $"{type}.{name} = {value}; expected one of {string.Join(", ", Enum.GetNames<TEnum>())}.");

    public static string Format(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
