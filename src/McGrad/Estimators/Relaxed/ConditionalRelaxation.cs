using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators.Relaxed;

/// <summary>
/// One draw of the REBAR/RELAX triple: the reparameterised continuous sample z, the discrete sample b = H(z) it
/// determines, and an independent reparameterised sample z̃ ~ p(z | b) from the conditional distribution given b.
/// </summary>
/// <param name="Z">z, recorded as a differentiable function of the logits (pathwise).</param>
/// <param name="Hard">b = H(z): 0/1 values (Bernoulli) or one-hot rows (categorical), not recorded.</param>
/// <param name="ZTilde">z̃ ~ p(z | b), recorded as a differentiable function of the logits (pathwise), with H(z̃) = b.</param>
public sealed record RelaxedDraw(Tensor Z, Tensor Hard, Tensor ZTilde);

/// <summary>
/// Reparameterised sampling of z, b = H(z) and the conditional z̃ ~ p(z | b) for Bernoulli and categorical latents:
/// the sampling half of REBAR (Tucker et al. 2017) and RELAX (Grathwohl et al. 2018).
/// </summary>
/// <remarks>
/// <para><b>Bernoulli</b>, logits ℓ, p = σ(ℓ): z = ℓ + L with L ~ Logistic(0, 1) (i.e. z = logit p + logit u), b = 1[z &gt; 0].
/// Given b, with a fresh L′ ~ Logistic(0, 1):
/// z̃ = softplus(L′ + softplus(ℓ)) if b = 1, z̃ = −softplus(L′ + softplus(−ℓ)) if b = 0.
/// This is the standard conditional z̃ = ℓ + logit(u′) with u′ = 1 − p + v·p (b = 1) or u′ = v·(1 − p) (b = 0),
/// v ~ U(0, 1), rewritten without cancellation: for b = 1, z̃ = log(1 + e^{L′}/(1 − p)) and 1/(1 − p) = e^{softplus(ℓ)}.
/// z̃ &gt; 0 exactly when b = 1, for every draw (softplus is strictly positive unless its argument is below about −745 in
/// float64 or −103 in float32, which logistic noise essentially never reaches).</para>
/// <para><b>Categorical</b>, logits ℓ over the last axis (K categories), Gumbel-max: z = ℓ + G with Gᵢ ~ Gumbel(0, 1),
/// b = one-hot(argmax z). Given b (RELAX, Appendix B), with fresh Gumbels G′: the maximum M = G′_b + logsumexp(ℓ)
/// (the max of the Gumbel-perturbed logits is Gumbel(logsumexp ℓ) and independent of the argmax), z̃_b = M, and for
/// i ≠ b the Gumbel(ℓᵢ) truncated below M, z̃ᵢ = −log(e^{−(ℓᵢ + G′ᵢ)} + e^{−M}) = M − softplus(M − ℓᵢ − G′ᵢ).
/// Then argmax z̃ = b (z̃ᵢ &lt; M strictly in float64 except with probability about e^{−37}; in float32 ties at M can
/// occur with probability about 1e-7 per entry, harmless for the estimators, which only evaluate a relaxation of z̃).</para>
/// <para>Gradients reach the logits through z and z̃ (both pathwise, differentiable to any order); b is not recorded.
/// Logits must be finite (p = 0 or 1 has no reparameterisation). Keys: <c>key.Split(2)</c>, the first for z, the
/// second for z̃.</para>
/// </remarks>
public static class ConditionalRelaxation
{
    /// <summary>
    /// Draws z = ℓ + L (L ~ Logistic(0, 1)), b = 1[z &gt; 0] and z̃ ~ p(z | b) (see the type remarks), each of shape
    /// sampleShape + ℓ.shape.
    /// </summary>
    /// <param name="logits">ℓ, any shape, floating point, finite.</param>
    /// <param name="key">The random key.</param>
    /// <param name="sampleShape">Leading sample dimensions.</param>
    /// <exception cref="ArgumentException">ℓ is not floating point or has a non-finite entry.</exception>
    public static RelaxedDraw Bernoulli(Tensor logits, RngKey key, Shape sampleShape = default)
    {
        ArgumentNullException.ThrowIfNull(logits);
        RequireLogits(logits, "ConditionalRelaxation.Bernoulli", categorical: false);
        return DrawBernoulli(logits, key, sampleShape);
    }

    /// <summary>The Bernoulli draw without the logits check (the estimators check once, up front).</summary>
    internal static RelaxedDraw DrawBernoulli(Tensor logits, RngKey key, Shape sampleShape)
    {
        var keys = key.Split(2);
        var noise = Sampler.Logistic(keys[0], Shapes.Concat(sampleShape, logits.Shape), logits.DType);
        var z = logits + noise;
        Tensor b;
        using (Autograd.NoGrad())
        {
            b = z.Detach() > 0.0;
        }

        return new RelaxedDraw(z, b, BernoulliCore(logits, b, keys[1]));
    }

    /// <summary>
    /// z̃ ~ p(z | b) for z = ℓ + Logistic(0, 1): z̃ = softplus(L′ + softplus(ℓ)) where b = 1 and
    /// z̃ = −softplus(L′ + softplus(−ℓ)) where b = 0, L′ ~ Logistic(0, 1) from <paramref name="key"/>, shape of b.
    /// ∂z̃/∂ℓ = σ(L′ + softplus(ℓ))·σ(ℓ) (b = 1) or σ(L′ + softplus(−ℓ))·σ(−ℓ) (b = 0).
    /// </summary>
    /// <param name="logits">ℓ, floating point, finite; its shape must be a suffix of b's (broadcast over leading sample dimensions).</param>
    /// <param name="hard">b, entries exactly 0 or 1, ℓ's dtype.</param>
    /// <param name="key">The key for L′.</param>
    /// <exception cref="ArgumentException">Non-finite or non-float logits, dtypes differ, a b entry is not 0/1, or ℓ's shape is not a suffix of b's.</exception>
    public static Tensor BernoulliConditional(Tensor logits, Tensor hard, RngKey key)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(hard);
        const string op = "ConditionalRelaxation.BernoulliConditional";
        RequireLogits(logits, op, categorical: false);
        RequireHard(logits, hard, op);
        var bad = Params.FirstFailing(hard, v => v is 0 or 1);
        if (bad >= 0)
        {
            throw new ArgumentException($"{op}: b must hold 0/1 values; element {bad} is {hard.GetFlat(bad)}.", nameof(hard));
        }

        return BernoulliCore(logits, hard.Detach(), key);
    }

    /// <summary>
    /// Draws z = ℓ + G (G ~ Gumbel(0, 1) i.i.d.), b = one-hot(argmax z) over the last axis, and z̃ ~ p(z | b) (see the
    /// type remarks), each of shape sampleShape + ℓ.shape.
    /// </summary>
    /// <param name="logits">ℓ, [..., K] with K ≥ 1, floating point, finite (need not be normalised).</param>
    /// <param name="key">The random key.</param>
    /// <param name="sampleShape">Leading sample dimensions.</param>
    /// <exception cref="ArgumentException">ℓ has rank 0, is not floating point or has a non-finite entry.</exception>
    public static RelaxedDraw Categorical(Tensor logits, RngKey key, Shape sampleShape = default)
    {
        ArgumentNullException.ThrowIfNull(logits);
        RequireLogits(logits, "ConditionalRelaxation.Categorical", categorical: true);
        return DrawCategorical(logits, key, sampleShape);
    }

    /// <summary>The categorical draw without the logits check (the estimators check once, up front).</summary>
    internal static RelaxedDraw DrawCategorical(Tensor logits, RngKey key, Shape sampleShape)
    {
        var keys = key.Split(2);
        var noise = Sampler.Gumbel(keys[0], Shapes.Concat(sampleShape, logits.Shape), logits.DType);
        var z = logits + noise;
        Tensor b;
        using (Autograd.NoGrad())
        {
            b = z.Detach().ArgMax(-1).OneHot(logits.Shape[-1], logits.DType);
        }

        return new RelaxedDraw(z, b, CategoricalCore(logits, b, keys[1]));
    }

    /// <summary>
    /// z̃ ~ p(z | b) for Gumbel-max z = ℓ + G: M = G′_b + logsumexp(ℓ), z̃ = M − (1 − b)·softplus(M − ℓ − G′) with
    /// fresh Gumbels G′ from <paramref name="key"/> (so z̃_b = M exactly and z̃ᵢ &lt; M for i ≠ b), shape of b.
    /// Differentiable in ℓ through logsumexp and softplus.
    /// </summary>
    /// <param name="logits">ℓ, [..., K], floating point, finite; its shape must be a suffix of b's.</param>
    /// <param name="hard">b, one-hot rows over the last axis (entries 0/1, one 1 per row), ℓ's dtype.</param>
    /// <param name="key">The key for G′.</param>
    /// <exception cref="ArgumentException">Non-finite or non-float logits, dtypes differ, ℓ's shape is not a suffix of
    /// b's, or a row of b is not one-hot.</exception>
    public static Tensor CategoricalConditional(Tensor logits, Tensor hard, RngKey key)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(hard);
        const string op = "ConditionalRelaxation.CategoricalConditional";
        RequireLogits(logits, op, categorical: true);
        RequireHard(logits, hard, op);
        var k = logits.Shape[-1];
        var values = hard.ToDoubleArray();
        for (var r = 0; r < values.Length / k; r++)
        {
            var ones = 0;
            for (var j = 0; j < k; j++)
            {
                var v = values[(r * k) + j];
                if (v == 1)
                {
                    ones++;
                }
                else if (v != 0)
                {
                    throw new ArgumentException($"{op}: b must hold one-hot rows (entries 0 or 1); row {r}, category {j} is {v}.", nameof(hard));
                }
            }

            if (ones != 1)
            {
                throw new ArgumentException($"{op}: b must hold one-hot rows; row {r} has {ones} ones.", nameof(hard));
            }
        }

        return CategoricalCore(logits, hard.Detach(), key);
    }

    private static Tensor BernoulliCore(Tensor logits, Tensor b, RngKey key)
    {
        var noise = Sampler.Logistic(key, b.Shape, logits.DType);
        var up = (noise + logits.Softplus()).Softplus();
        var down = -(noise + (-logits).Softplus()).Softplus();
        return Tensor.Where(b, up, down);
    }

    private static Tensor CategoricalCore(Tensor logits, Tensor b, RngKey key)
    {
        var g = Sampler.Gumbel(key, b.Shape, logits.DType);
        var top = (g * b).Sum(-1, keepDim: true) + logits.LogSumExp(-1, keepDim: true);
        return top - ((1.0 - b) * (top - logits - g).Softplus());
    }

    internal static void RequireLogits(Tensor logits, string op, bool categorical)
    {
        if (!logits.DType.IsFloatingPoint())
        {
            throw new ArgumentException($"{op}: logits must be a floating-point tensor, got {logits.DType}.", nameof(logits));
        }

        if (categorical && (logits.Rank == 0 || logits.Shape[-1] < 1))
        {
            throw new ArgumentException($"{op}: logits must have a last (category) axis with K >= 1, got shape {logits.Shape}.", nameof(logits));
        }

        var bad = Params.FirstFailing(logits, Params.Finite);
        if (bad >= 0)
        {
            throw new ArgumentException(
                $"{op}: logits must be finite (a probability of exactly 0 or 1 has no reparameterisation); element {bad} of shape {logits.Shape} is {logits.GetFlat(bad)}.",
                nameof(logits));
        }
    }

    private static void RequireHard(Tensor logits, Tensor hard, string op)
    {
        if (hard.DType != logits.DType)
        {
            throw new ArgumentException($"{op}: b is {hard.DType} but the logits are {logits.DType}; McGrad does not convert silently.", nameof(hard));
        }

        var ok = hard.Rank >= logits.Rank;
        for (var i = 1; ok && i <= logits.Rank; i++)
        {
            ok = hard.Shape[^i] == logits.Shape[^i];
        }

        if (!ok)
        {
            throw new ArgumentException($"{op}: b has shape {hard.Shape} but the logits have shape {logits.Shape}; b must be sampleShape + logits.shape.", nameof(hard));
        }
    }
}
