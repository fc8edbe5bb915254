using McGrad.Autodiff;
using McGrad.Distributions;

namespace McGrad.Estimators.ScoreFunction;

/// <summary>
/// The delta-method control variate of an objective f at a point μ₀: its second-order Taylor expansion
/// h(x) = f(μ₀) + gᵀ(x − μ₀) + ½(x − μ₀)ᵀH(x − μ₀), g = ∇f(μ₀), H = ∇²f(μ₀), whose expectation under a Gaussian with
/// independent coordinates N(μ, diag σ²) is known in closed form:
/// E[h] = f(μ₀) + gᵀ(μ − μ₀) + ½(μ − μ₀)ᵀH(μ − μ₀) + ½ Σᵢ σᵢ² Hᵢᵢ.
/// </summary>
/// <remarks>
/// <para>g and H come from reverse-mode autodiff of f at μ₀ (the gradient recorded with createGraph, then one backward
/// pass per Hessian row: E + 1 backward passes for an event of E coordinates), so f must be twice differentiable and
/// written in tensor ops. They are constants (detached): the control variate does not move with μ, which is what makes
/// its expectation's gradient simple (∇μ E[h] = g + H(μ − μ₀), ∇σᵢ E[h] = σᵢHᵢᵢ).</para>
/// <para><b>Shapes.</b> The point has shape batch + event ([*B, *Ev], E = the event's size); each batch element has
/// its own expansion (f must treat batch elements independently, as every McGrad objective does). g is [*B, E], H is
/// [*B, E, E], f(μ₀) is [*B].</para>
/// <para>For a quadratic f the expansion is exact (h = f). Paisley, Blei &amp; Jordan (2012); Mohamed, Rosca, Figurnov
/// &amp; Mnih (2020).</para>
/// </remarks>
public sealed class DeltaMethodControlVariate
{
    private DeltaMethodControlVariate(Tensor point, int eventRank, Tensor value, Tensor gradient, Tensor hessian, Tensor diagonal)
    {
        Point = point;
        EventRank = eventRank;
        Value = value;
        Gradient = gradient;
        Hessian = hessian;
        HessianDiagonal = diagonal;
    }

    /// <summary>μ₀, the expansion point (detached), shape [*B, *Ev].</summary>
    public Tensor Point { get; }

    /// <summary>The number of trailing event dimensions of <see cref="Point"/> (0 for scalar events).</summary>
    public int EventRank { get; }

    /// <summary>f(μ₀), shape [*B].</summary>
    public Tensor Value { get; }

    /// <summary>g = ∇f(μ₀), shape [*B, E] (event flattened).</summary>
    public Tensor Gradient { get; }

    /// <summary>H = ∇²f(μ₀), shape [*B, E, E], symmetrised as ½(H + Hᵀ) (which changes only rounding).</summary>
    public Tensor Hessian { get; }

    /// <summary>The diagonal Hᵢᵢ, shape [*B, E].</summary>
    public Tensor HessianDiagonal { get; }

    /// <summary>
    /// Expands <paramref name="objective"/> at <paramref name="point"/> [*B, *Ev]: f(μ₀) must have shape [*B]. Costs one
    /// evaluation of f and E + 1 backward passes (E = the event's size).
    /// </summary>
    /// <param name="objective">f, twice differentiable, mapping [*S, *B, *Ev] to [*S, *B] (here with no sample dimensions).</param>
    /// <param name="point">μ₀; detached before use.</param>
    /// <param name="eventRank">How many trailing dimensions of the point form the event (0 for a scalar Normal, 1 for a
    /// mean-field Gaussian Independent(Normal, 1)).</param>
    /// <exception cref="ArgumentOutOfRangeException">eventRank is negative or exceeds the point's rank.</exception>
    /// <exception cref="ArgumentException">f(μ₀) does not have the batch shape, or is not floating point.</exception>
    public static DeltaMethodControlVariate At(Objective objective, Tensor point, int eventRank)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(point);
        if (eventRank < 0 || eventRank > point.Rank)
        {
            throw new ArgumentOutOfRangeException(nameof(eventRank), eventRank, $"DeltaMethodControlVariate.At: eventRank must lie in [0, {point.Rank}] for a point of shape {point.Shape}, got {eventRank}.");
        }

        var batch = Shapes.Prefix(point.Shape, point.Rank - eventRank);
        var e = Shapes.Suffix(point.Shape, eventRank).Size;
        using (Autograd.EnableGrad())
        {
            var p = point.Detach().RequireGrad();
            var f = objective(p) ?? throw new InvalidOperationException("DeltaMethodControlVariate.At: the objective returned null.");
            if (f.Shape != batch || !f.DType.IsFloatingPoint())
            {
                throw new ArgumentException($"DeltaMethodControlVariate.At: the objective mapped the point of shape {point.Shape} to {f.DType} values of shape {f.Shape}; expected floating-point values of the batch shape {batch} (one per batch element).", nameof(objective));
            }

            var g = Autograd.Grad([f.Sum()], [p], createGraph: true)[0]
                ?? throw new ArgumentException("DeltaMethodControlVariate.At: the objective does not depend on its input (no gradient).", nameof(objective));
            var gFlat = g.Reshape([.. batch, e]);
            var rows = new Tensor[e];
            var diagonal = new Tensor[e];
            for (var i = 0; i < e; i++)
            {
                var unit = new double[e];
                unit[i] = 1;
                var seed = Tensor.FromArray(unit).To(point.DType);
                var row = Autograd.Grad([gFlat], [p], [seed.BroadcastTo(gFlat.Shape)], retainGraph: true, allowUnused: true)[0];
                rows[i] = row is null ? Tensor.Zeros([.. batch, e], point.DType) : row.Detach().Reshape([.. batch, e]);
                diagonal[i] = rows[i].Slice(-1, i, i + 1);
            }

            var h = Tensor.Stack(rows, axis: batch.Rank);
            h = ((h + h.Transpose(-2, -1)) * 0.5).Detach();
            var diag = Tensor.Stack(diagonal, axis: batch.Rank).Reshape([.. batch, e]).Detach();
            return new DeltaMethodControlVariate(p.Detach(), eventRank, f.Detach(), gFlat.Detach(), h, diag);
        }
    }

    /// <summary>h(x) = f(μ₀) + gᵀ(x − μ₀) + ½(x − μ₀)ᵀH(x − μ₀) for samples x of shape [*S, *B, *Ev]; returns [*S, *B] (detached).</summary>
    /// <exception cref="ArgumentException">x does not end in the point's shape.</exception>
    public Tensor Evaluate(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank < Point.Rank || Shapes.Suffix(x.Shape, Point.Rank) != Point.Shape)
        {
            throw new ArgumentException($"DeltaMethodControlVariate.Evaluate: samples of shape {x.Shape} do not end in the point's shape {Point.Shape} ([*S, *batch, *event]).", nameof(x));
        }

        using (Autograd.NoGrad())
        {
            var sample = Shapes.Prefix(x.Shape, x.Rank - Point.Rank);
            var batch = Value.Shape;
            var e = Gradient.Shape[^1];
            var u = (x - Point).Reshape([.. sample, .. batch, e]);
            var linear = (u * Gradient).Sum(-1);
            var hu = u.Unsqueeze(-2).MatMul(Hessian).Reshape([.. sample, .. batch, e]);
            return (Value + linear + ((hu * u).Sum(-1) * 0.5)).Detach();
        }
    }

    /// <summary>
    /// E[h] under N(μ, diag σ²) with <paramref name="loc"/> μ and <paramref name="scale"/> σ of the point's shape:
    /// f(μ₀) + gᵀ(μ − μ₀) + ½(μ − μ₀)ᵀH(μ − μ₀) + ½ Σᵢ σᵢ²Hᵢᵢ, shape [*B], recorded in μ and σ (its gradient is the
    /// exact ∇ of E[h]).
    /// </summary>
    /// <exception cref="ArgumentException">loc or scale does not have the point's shape.</exception>
    public Tensor Expectation(Tensor loc, Tensor scale)
    {
        ArgumentNullException.ThrowIfNull(loc);
        ArgumentNullException.ThrowIfNull(scale);
        if (loc.Shape != Point.Shape || scale.Shape != Point.Shape)
        {
            throw new ArgumentException($"DeltaMethodControlVariate.Expectation: loc {loc.Shape} and scale {scale.Shape} must both have the point's shape {Point.Shape}.", loc.Shape != Point.Shape ? nameof(loc) : nameof(scale));
        }

        var batch = Value.Shape;
        var e = Gradient.Shape[^1];
        var delta = (loc - Point).Reshape([.. batch, e]);
        var s2 = scale.Square().Reshape([.. batch, e]);
        var hd = delta.Unsqueeze(-2).MatMul(Hessian).Reshape([.. batch, e]);
        return Value + (delta * Gradient).Sum(-1) + ((hd * delta).Sum(-1) * 0.5) + ((s2 * HessianDiagonal).Sum(-1) * 0.5);
    }
}
