using McGrad.Autodiff;

namespace McGrad.Distributions;

/// <summary>Parameter validation and small differentiable helpers shared by the families.</summary>
internal static class Params
{
    /// <summary>
    /// Checks that every parameter is a floating-point tensor of one dtype and that their shapes broadcast;
    /// returns (broadcast shape, dtype).
    /// </summary>
    public static (Shape Batch, DType DType) Common(string family, params (string Name, Tensor Value)[] ps)
    {
        var dtype = ps[0].Value.DType;
        foreach (var (name, t) in ps)
        {
            ArgumentNullException.ThrowIfNull(t, name);
            if (!t.DType.IsFloatingPoint())
            {
                throw new ArgumentException($"{family}: {name} must be a floating-point tensor (Float32 or Float64), got {t.DType}.", name);
            }

            if (t.DType != dtype)
            {
                throw new ArgumentException($"{family}: {ps[0].Name} is {dtype} but {name} is {t.DType}; all parameters must share one dtype (convert with To(...)).", name);
            }
        }

        var shape = ps[0].Value.Shape;
        for (var i = 1; i < ps.Length; i++)
        {
            var next = ps[i].Value.Shape;
            try
            {
                shape = Shape.Broadcast(shape, next, family);
            }
            catch (ArgumentException)
            {
                throw new ArgumentException($"{family}: the parameter shapes do not broadcast: {Describe(ps)}.", ps[i].Name);
            }
        }

        return (shape, dtype);
    }

    private static string Describe((string Name, Tensor Value)[] ps) => string.Join(", ", ps.Select(p => $"{p.Name} {p.Value.Shape}"));

    /// <summary>Throws "family: name must be requirement; element i is v" for the first element failing <paramref name="ok"/>.</summary>
    public static void Require(Tensor t, string family, string name, Func<double, bool> ok, string requirement)
    {
        var i = FirstFailing(t, ok);
        if (i >= 0)
        {
            throw new ArgumentException($"{family}: {name} must be {requirement}; element {i} is {t.GetFlat(i)}.", name);
        }
    }

    /// <summary>Index of the first element failing <paramref name="ok"/>, or −1.</summary>
    public static int FirstFailing(Tensor t, Func<double, bool> ok)
    {
        switch (t.DType)
        {
            case DType.Float32:
                {
                    var s = t.Span<float>();
                    for (var i = 0; i < s.Length; i++)
                    {
                        if (!ok(s[i]))
                        {
                            return i;
                        }
                    }

                    break;
                }

            case DType.Float64:
                {
                    var s = t.Span<double>();
                    for (var i = 0; i < s.Length; i++)
                    {
                        if (!ok(s[i]))
                        {
                            return i;
                        }
                    }

                    break;
                }

            default:
                {
                    var s = t.Span<long>();
                    for (var i = 0; i < s.Length; i++)
                    {
                        if (!ok(s[i]))
                        {
                            return i;
                        }
                    }

                    break;
                }
        }

        return -1;
    }

    /// <summary>Throws unless each element of <paramref name="value"/> lies in the support (LogProb argument check).</summary>
    public static void RequireSupport(Tensor value, string family, Func<double, bool> ok, string support)
    {
        var i = FirstFailing(value, ok);
        if (i >= 0)
        {
            throw new ArgumentException($"{family}.LogProb: value must lie in the support {support}; element {i} is {value.GetFlat(i)}.", nameof(value));
        }
    }

    public static bool Positive(double v) => v > 0 && double.IsFinite(v);

    public static bool Finite(double v) => double.IsFinite(v);

    public static bool NotNaN(double v) => !double.IsNaN(v);

    /// <summary>True when the tensor holds at least one element equal to <paramref name="v"/>.</summary>
    public static bool Contains(Tensor t, double v) => FirstFailing(t, x => x != v) >= 0;

    /// <summary>A rank-0 constant in <paramref name="dtype"/>.</summary>
    public static Tensor Scalar(double v, DType dtype) => Tensor.Scalar(v, dtype);

    /// <summary>
    /// x·ln y with 0·ln 0 = 0 (and 0·ln y = 0 for any y): where x = 0 the log is taken of 1 instead, so no 0·∞ = NaN
    /// appears in the value or the gradients.
    /// </summary>
    public static Tensor XLogY(Tensor x, Tensor y)
    {
        if (!Contains(x, 0))
        {
            return x * y.Log();
        }

        var zero = x.Eq(0.0);
        return x * Tensor.Where(zero, 1.0, y).Log();
    }

    /// <summary>Replaces −∞ entries by 0 (with zero gradient there), so products with a zero weight stay finite.</summary>
    public static Tensor ZeroNegInf(Tensor t) => Contains(t, double.NegativeInfinity) ? Tensor.Where(t.Eq(double.NegativeInfinity), 0.0, t) : t;

    /// <summary>Broadcasts to <paramref name="shape"/> unless it already has it (recorded).</summary>
    public static Tensor To(Tensor t, Shape shape) => t.Shape == shape ? t : t.BroadcastTo(shape);

    /// <summary>A detached, non-recorded copy of <paramref name="t"/> broadcast to <paramref name="shape"/> (for samplers).</summary>
    public static Tensor Constant(Tensor t, Shape shape)
    {
        using (Autograd.NoGrad())
        {
            return t.Detach().BroadcastTo(shape);
        }
    }
}
