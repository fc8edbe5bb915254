using System.Numerics.Tensors;

namespace McGrad.Autodiff;

/// <summary>
/// Anomaly mode: while enabled, every op checks its output (and every gradient rule its results)
/// for NaN or ±Inf and throws <see cref="AnomalyException"/> naming the first op that produced one.
/// </summary>
/// <remarks>
/// The mode is scoped to the flow of execution that opened <see cref="Detect"/> (an <see cref="AsyncLocal{T}"/>): it
/// follows <c>await</c> and tasks started inside the scope, and other threads are unaffected.
/// </remarks>
/// <example><code>using (Anomaly.Detect()) { loss.Backward(); }</code></example>
public static class Anomaly
{
    private static readonly AsyncLocal<bool> Enabled = new();

    /// <summary>Whether anomaly detection is on in this flow of execution.</summary>
    public static bool IsEnabled
    {
        get => Enabled.Value;
        internal set
        {
            if (Enabled.Value != value)
            {
                Enabled.Value = value;
            }
        }
    }

    /// <summary>Turns anomaly detection on until the returned scope is disposed.</summary>
    public static AnomalyScope Detect() => new(true);

    /// <summary>The op whose gradient rule is running on this thread (null outside backward).</summary>
    [ThreadStatic]
    internal static string? CurrentBackwardOp;

    internal static void Check(Tensor t, string op, string phase)
    {
        if (!HasNonFinite(t, out var index, out var value))
        {
            return;
        }

        var owner = CurrentBackwardOp;
        if (owner != null && phase == "forward")
        {
            throw new AnomalyException(owner, $"backward of op '{owner}' produced {value} (in its '{op}' step) at flat index {index} of a {t.Shape} {t.DType} tensor.");
        }

        throw new AnomalyException(op, $"{phase} of op '{op}' produced {value} at flat index {index} of its {t.Shape} {t.DType} result.");
    }

    internal static bool HasNonFinite(Tensor t, out int index, out double value)
    {
        index = -1;
        value = 0;
        if (t.DType == DType.Int64)
        {
            return false;
        }

        // Sum is NaN exactly when some element is NaN or ±Inf values are present (or overflow, rare): confirm by scanning.
        var quick = t.DType == DType.Float32 ? TensorPrimitives.Sum<float>(t.Span<float>()) : TensorPrimitives.Sum<double>(t.Span<double>());
        if (double.IsFinite(quick))
        {
            return false;
        }

        for (var i = 0; i < t.Size; i++)
        {
            var v = t.GetFlat(i);
            if (!double.IsFinite(v))
            {
                index = i;
                value = v;
                return true;
            }
        }

        return false;
    }
}

/// <summary>Thrown in anomaly mode when an op or a gradient rule produces NaN or ±Inf.</summary>
public sealed class AnomalyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AnomalyException(string op, string message)
        : base(message) => Op = op;

    /// <summary>Creates the exception.</summary>
    public AnomalyException()
        : base("Anomaly detected") => Op = string.Empty;

    /// <summary>Creates the exception.</summary>
    public AnomalyException(string message)
        : base(message) => Op = string.Empty;

    /// <summary>Creates the exception.</summary>
    public AnomalyException(string message, Exception innerException)
        : base(message, innerException) => Op = string.Empty;

    /// <summary>The op that produced the non-finite value.</summary>
    public string Op { get; }
}
