using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators.Discrete;

/// <summary>
/// Gumbel-Softmax / Gumbel-Sigmoid relaxed sampling from logits (soft or straight-through hard outputs), and the
/// straight-through combinator hard + (soft − stopgrad(soft)).
/// </summary>
/// <remarks>
/// The draws are those of <see cref="RelaxedOneHotCategorical"/> and <see cref="RelaxedBernoulli"/> with the same
/// key, so a relaxed sample and its distribution's log density agree. Jang, Gu and Poole (2017); Maddison, Mnih and
/// Teh (2017).
/// </remarks>
public static class Relaxation
{
    /// <summary>
    /// Gumbel-Softmax (Concrete): y = softmax((ℓ + g)/τ) over the last axis, gₖ ~ Gumbel(0, 1) i.i.d., shape
    /// sampleShape + ℓ.shape; ∂y/∂ℓ = (1/τ)(diag y − y yᵀ) per row. With <paramref name="hard"/>, the forward value is
    /// the one-hot vector of argmax y (a draw from Categorical(softmax ℓ), exactly 0/1) and the gradient is that of y
    /// (straight-through Gumbel-Softmax).
    /// </summary>
    /// <param name="logits">ℓ, [..., K], floating point (need not be normalised).</param>
    /// <param name="temperature">τ, finite and &gt; 0. As τ → 0, y → one-hot; as τ → ∞, y → uniform.</param>
    /// <param name="key">The noise key: g = the Gumbel draws of <see cref="RelaxedOneHotCategorical.RSample"/>.</param>
    /// <param name="hard">Return the straight-through one-hot output instead of y.</param>
    /// <param name="sampleShape">Leading sample dimensions.</param>
    /// <exception cref="ArgumentException">ℓ is not a floating-point tensor of rank ≥ 1 with K ≥ 1, or has a NaN.</exception>
    /// <exception cref="ArgumentOutOfRangeException">τ is not finite and &gt; 0.</exception>
    public static Tensor GumbelSoftmax(Tensor logits, double temperature, RngKey key, bool hard = false, Shape sampleShape = default)
    {
        ArgumentNullException.ThrowIfNull(logits);
        RequireTemperature(temperature, "GumbelSoftmax");
        return GumbelSoftmax(logits, Tensor.Scalar(temperature, logits.DType), key, hard, sampleShape);
    }

    /// <summary>Gumbel-Softmax with a tensor temperature (broadcast against the batch shape ℓ.shape[..^1]; differentiable in τ too).</summary>
    /// <exception cref="ArgumentException">As for the double overload, or τ has an entry that is not finite and &gt; 0.</exception>
    public static Tensor GumbelSoftmax(Tensor logits, Tensor temperature, RngKey key, bool hard = false, Shape sampleShape = default)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(temperature);
        if (logits.Rank == 0)
        {
            throw new ArgumentException($"GumbelSoftmax: logits must have a last (category) axis, got a rank-0 tensor.", nameof(logits));
        }

        RequireTemperature(temperature, "GumbelSoftmax");
        var y = new RelaxedOneHotCategorical(temperature, logits: logits).RSample(key, sampleShape);
        if (!hard)
        {
            return y;
        }

        Tensor oneHot;
        using (Autograd.NoGrad())
        {
            oneHot = y.Detach().ArgMax(-1).OneHot(y.Shape[-1], y.DType);
        }

        return StraightThrough(oneHot, y);
    }

    /// <summary>
    /// Gumbel-Sigmoid (Binary Concrete): y = σ((ℓ + L)/τ) with L ~ Logistic(0, 1) (= ln u − ln(1 − u)), shape
    /// sampleShape + ℓ.shape; ∂y/∂ℓ = y(1 − y)/τ. With <paramref name="hard"/>, the forward value is 1[y &gt; ½]
    /// (a draw from Bernoulli(σ(ℓ)), exactly 0/1) and the gradient is that of y.
    /// </summary>
    /// <param name="logits">ℓ, any shape, floating point.</param>
    /// <param name="temperature">τ, finite and &gt; 0. As τ → 0, y → {0, 1}.</param>
    /// <param name="key">The noise key: L = the logistic draws of <see cref="RelaxedBernoulli.RSample"/>.</param>
    /// <param name="hard">Return the straight-through 0/1 output instead of y.</param>
    /// <param name="sampleShape">Leading sample dimensions.</param>
    /// <exception cref="ArgumentException">ℓ is not floating point or has a NaN.</exception>
    /// <exception cref="ArgumentOutOfRangeException">τ is not finite and &gt; 0.</exception>
    public static Tensor GumbelSigmoid(Tensor logits, double temperature, RngKey key, bool hard = false, Shape sampleShape = default)
    {
        ArgumentNullException.ThrowIfNull(logits);
        RequireTemperature(temperature, "GumbelSigmoid");
        return GumbelSigmoid(logits, Tensor.Scalar(temperature, logits.DType), key, hard, sampleShape);
    }

    /// <summary>Gumbel-Sigmoid with a tensor temperature (broadcast against ℓ; differentiable in τ too).</summary>
    /// <exception cref="ArgumentException">As for the double overload, or τ has an entry that is not finite and &gt; 0.</exception>
    public static Tensor GumbelSigmoid(Tensor logits, Tensor temperature, RngKey key, bool hard = false, Shape sampleShape = default)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(temperature);
        RequireTemperature(temperature, "GumbelSigmoid");
        var y = new RelaxedBernoulli(temperature, logits: logits).RSample(key, sampleShape);
        if (!hard)
        {
            return y;
        }

        Tensor step;
        using (Autograd.NoGrad())
        {
            step = y.Detach() > 0.5;
        }

        return StraightThrough(step, y);
    }

    /// <summary>
    /// z = hard + (soft − stopgrad(soft)): the forward value is exactly <paramref name="hard"/> (soft − soft is exactly 0
    /// for finite soft) and ∂z/∂soft = 1, so the gradient reaching z passes to <paramref name="soft"/> as if z were soft.
    /// </summary>
    /// <param name="hard">The forward value (typically a discrete sample; not differentiated).</param>
    /// <param name="soft">The surrogate whose derivative is used (broadcastable to hard's shape; same dtype).</param>
    /// <exception cref="ArgumentException">The dtypes differ, soft does not broadcast to hard's shape, or soft has a non-finite entry
    /// (the forward value would be NaN).</exception>
    public static Tensor StraightThrough(Tensor hard, Tensor soft)
    {
        ArgumentNullException.ThrowIfNull(hard);
        ArgumentNullException.ThrowIfNull(soft);
        if (hard.DType != soft.DType || !hard.DType.IsFloatingPoint())
        {
            throw new ArgumentException($"StraightThrough: hard is {hard.DType} but soft is {soft.DType}; both must be one floating-point dtype (convert with To(...)).", nameof(soft));
        }

        if (!BroadcastsTo(soft.Shape, hard.Shape))
        {
            throw new ArgumentException($"StraightThrough: soft of shape {soft.Shape} does not broadcast to hard's shape {hard.Shape}.", nameof(soft));
        }

        var bad = Params.FirstFailing(soft, Params.Finite);
        if (bad >= 0)
        {
            throw new ArgumentException($"StraightThrough: soft must be finite (soft − stopgrad(soft) would be NaN); element {bad} is {soft.GetFlat(bad)}.", nameof(soft));
        }

        var hardLeaf = hard.RequiresGrad ? hard.Detach() : hard;
        return hardLeaf + (soft - soft.Detach());
    }

    private static bool BroadcastsTo(Shape from, Shape to)
    {
        if (from.Rank > to.Rank)
        {
            return false;
        }

        for (var i = 1; i <= from.Rank; i++)
        {
            if (from[from.Rank - i] != 1 && from[from.Rank - i] != to[to.Rank - i])
            {
                return false;
            }
        }

        return true;
    }

    internal static void RequireTemperature(double temperature, string op)
    {
        if (!(temperature > 0 && double.IsFinite(temperature)))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, $"{op}: temperature must be finite and > 0; got {temperature}.");
        }
    }

    private static void RequireTemperature(Tensor temperature, string op)
    {
        if (!temperature.DType.IsFloatingPoint())
        {
            throw new ArgumentException($"{op}: temperature must be a floating-point tensor, got {temperature.DType}.", nameof(temperature));
        }

        var bad = Params.FirstFailing(temperature, Params.Positive);
        if (bad >= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), $"{op}: temperature must be finite and > 0; element {bad} is {temperature.GetFlat(bad)}.");
        }
    }
}
