using System.Numerics.Tensors;

namespace McGrad.Optim;

/// <summary>
/// Clipping by the joint norm of all updates: with ‖u‖ = √(Σ_i Σ_j u_ij²) over every parameter i that has an
/// update, every update is multiplied by min(1, c/‖u‖).
/// </summary>
/// <remarks>
/// The direction of the whole update vector is kept; only its length is capped at c. Unlike torch's
/// clip_grad_norm_, no 1e-6 is added to the norm. A zero norm leaves the updates unchanged. Sums of squares are
/// accumulated in float64 (a float32 tensor whose float32 sum overflows is recomputed in float64). A NaN norm
/// leaves the updates as they are (they already contain the NaN; use <c>Anomaly.Detect</c> to find its source);
/// an infinite norm scales finite entries to zero. The norm before clipping is kept in
/// <see cref="ClipState.LastNorm"/> for logging. Reference: Pascanu, Mikolov and Bengio 2013.
/// </remarks>
public sealed class ClipByGlobalNorm : GradientTransformation<ClipState>
{
    /// <summary>Creates the transformation.</summary>
    /// <param name="maxNorm">c, the largest allowed joint norm, finite and &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">c is not finite and positive.</exception>
    public ClipByGlobalNorm(double maxNorm)
    {
        OptimArgs.Positive(maxNorm, "ClipByGlobalNorm", nameof(maxNorm));
        MaxNorm = maxNorm;
    }

    /// <inheritdoc/>
    public override string Name => "ClipByGlobalNorm";

    /// <summary>c, the norm cap.</summary>
    public double MaxNorm { get; }

    /// <summary>The joint Euclidean norm √(Σ_i ‖u_i‖²) over the non-null tensors, accumulated in float64.</summary>
    /// <param name="tensors">Tensors (null entries are skipped); floating-point only.</param>
    /// <exception cref="ArgumentException">A tensor is not floating-point.</exception>
    public static double GlobalNorm(IReadOnlyList<Tensor?> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var sum = 0.0;
        for (var i = 0; i < tensors.Count; i++)
        {
            var u = tensors[i];
            if (u is null)
            {
                continue;
            }

            sum += u.DType switch
            {
                DType.Float64 => TensorPrimitives.SumOfSquares<double>(u.Span<double>()),
                DType.Float32 => SumOfSquares32(u.Span<float>()),
                _ => throw new ArgumentException($"GlobalNorm: tensors[{i}] ({u.Shape}) is {u.DType}; expected Float32 or Float64.", nameof(tensors)),
            };
        }

        return Math.Sqrt(sum);
    }

    /// <inheritdoc/>
    protected override ClipState CreateState(IReadOnlyList<Tensor> parameters) => new(parameters);

    /// <inheritdoc/>
    protected override void Apply(IReadOnlyList<Tensor?> updates, ClipState state, IReadOnlyList<Tensor> parameters)
    {
        var norm = GlobalNorm(updates);
        state.LastNorm = norm;
        if (norm > MaxNorm)
        {
            ScaleKernel.ScaleAll(updates, MaxNorm / norm);
        }
    }

    private static double SumOfSquares32(ReadOnlySpan<float> x)
    {
        var s = TensorPrimitives.SumOfSquares(x);
        if (float.IsFinite(s))
        {
            return s;
        }

        var d = 0.0;
        foreach (var v in x)
        {
            d += (double)v * v;
        }

        return d;
    }
}

/// <summary>State of <see cref="ClipByGlobalNorm"/>: the joint norm seen by the last update.</summary>
public sealed class ClipState : TransformState
{
    internal ClipState(IReadOnlyList<Tensor> parameters)
        : base(parameters)
    {
    }

    /// <summary>The joint norm of the updates before clipping, at the last update (NaN before the first).</summary>
    public double LastNorm { get; internal set; } = double.NaN;
}
