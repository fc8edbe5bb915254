using McGrad.Randomness;

namespace McGrad.Distributions;

/// <summary>The Poisson distribution with rate λ ≥ 0: P(k) = λᵏe^{−λ}/k! on k = 0, 1, 2, ….</summary>
/// <remarks>
/// Samples are integer-valued in the rate's float dtype (Knuth / PTRS, <see cref="Sampler.Poisson"/>). There is no
/// RSample (the sample is a step function of λ): use a score-function or measure-valued estimator.
/// </remarks>
public sealed class Poisson : Distribution
{
    /// <summary>A batch of Poissons with rate <paramref name="rate"/>.</summary>
    /// <exception cref="ArgumentException">The dtype is not floating point, or a rate is negative or not finite.</exception>
    public Poisson(Tensor rate)
        : this(Validate(rate), rate)
    {
    }

    /// <summary>A single Poisson(rate) in <paramref name="dtype"/>.</summary>
    public Poisson(double rate, DType dtype = Tensor.DefaultDType)
        : this(Tensor.Scalar(rate, dtype))
    {
    }

    private Poisson((Shape Batch, DType DType) info, Tensor rate)
        : base(info.Batch, Shape.Scalar, info.DType)
    {
        Rate = rate;
    }

    private static (Shape, DType) Validate(Tensor rate)
    {
        var info = Params.Common("Poisson", ("rate", rate));
        Params.Require(rate, "Poisson", "rate", v => v >= 0 && double.IsFinite(v), "finite and >= 0");
        return info;
    }

    /// <summary>The rate λ, as passed.</summary>
    public Tensor Rate { get; }

    /// <summary>Integer-valued draws of shape sampleShape + batch from <paramref name="key"/>. Not differentiable.</summary>
    public override Tensor Sample(RngKey key, Shape sampleShape = default)
    {
        using (Autodiff.Autograd.NoGrad())
        {
            return Sampler.Poisson(key, ExtendedShape(sampleShape), Rate.Detach());
        }
    }

    /// <summary>log P(k) = k ln λ − λ − ln Γ(k + 1) (with 0·ln 0 = 0).</summary>
    /// <exception cref="ArgumentException">A value is not a non-negative integer, or the dtype/shape does not fit.</exception>
    public override Tensor LogProb(Tensor value)
    {
        var shape = CheckValue(value, DType);
        Params.RequireSupport(value, "Poisson", v => v >= 0 && v == Math.Floor(v) && double.IsFinite(v), "{0, 1, 2, …}");
        return Params.To(Params.XLogY(value, Rate) - Rate - (value + 1.0).Lgamma(), shape);
    }

    /// <summary>
    /// H = −Σₖ P(k) ln P(k), summed over k ∈ [λ_min − 12√λ_min − 10, λ_max + 12√λ_max + 30] (the omitted tails are
    /// below 1e-30); differentiable in λ. Cost: batch size × window length.
    /// </summary>
    public override Tensor Entropy()
    {
        var rates = Rate.ToDoubleArray();
        double lo = double.PositiveInfinity, hi = 0;
        foreach (var r in rates)
        {
            lo = Math.Min(lo, r);
            hi = Math.Max(hi, r);
        }

        var kMin = Math.Max(0, Math.Floor(lo - (12 * Math.Sqrt(lo)) - 10));
        var kMax = Math.Ceiling(hi + (12 * Math.Sqrt(hi)) + 30);
        var k = Tensor.Arange(kMin, kMax + 1, 1, DType);
        var rate = Params.To(Rate, BatchShape).Unsqueeze(-1);
        var logp = Params.ZeroNegInf(Params.XLogY(k, rate) - rate - (k + 1.0).Lgamma());
        return -(logp.Exp() * logp).Sum(-1);
    }

    /// <summary>E[k] = λ.</summary>
    public override Tensor Mean => Params.To(Rate, BatchShape);

    /// <summary>Var[k] = λ.</summary>
    public override Tensor Variance => Params.To(Rate, BatchShape);
}
