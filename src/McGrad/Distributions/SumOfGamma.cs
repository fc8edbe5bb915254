using McGrad.Randomness;

namespace McGrad.Distributions;

/// <summary>
/// The Sum-of-Gamma noise of I-MLE (Niepert, Minervini, Franceschi 2021):
/// ε = (τ/κ)·[Σ_{i=1..s} Gᵢ − ln s] with Gᵢ ~ Gamma(shape 1/κ, scale κ/i) independent.
/// </summary>
/// <remarks>
/// <para>Perturbing the scores of a k-subset (top-k) MAP problem with κ = k makes the perturbed optimum follow the
/// distribution of the exponential family it approximates: the noise of κ such variables summed is Gumbel as s → ∞
/// (for κ = 1 it tends to Gumbel(0, τ) itself). τ is the temperature, s the number of summation terms (10 in the paper).</para>
/// <para>Every parameter is a constant, so there is nothing to differentiate: there is no RSample, and the density has
/// no closed form (LogProb and Entropy throw <see cref="NotSupportedException"/>). Mean and variance are exact:
/// E[ε] = (τ/κ)(H_s − ln s) with H_s = Σ_{i≤s} 1/i, and Var[ε] = (τ²/κ)·Σ_{i≤s} 1/i².</para>
/// </remarks>
public sealed class SumOfGamma : Distribution
{
    /// <summary>A batch of i.i.d. Sum-of-Gamma noise variables of shape <paramref name="batchShape"/>.</summary>
    /// <param name="batchShape">The shape of one draw (e.g. the score tensor being perturbed).</param>
    /// <param name="kappa">κ &gt; 0, typically the k of the k-subset problem.</param>
    /// <param name="temperature">τ &gt; 0, the noise scale.</param>
    /// <param name="terms">s ≥ 1, the number of Gamma terms.</param>
    /// <param name="dtype">The dtype of the draws (floating point).</param>
    /// <exception cref="ArgumentException">κ or τ not finite and &gt; 0, s &lt; 1, or an Int64 dtype.</exception>
    public SumOfGamma(Shape batchShape, double kappa, double temperature = 1.0, int terms = 10, DType dtype = Tensor.DefaultDType)
        : base(batchShape, Shape.Scalar, Validate(kappa, temperature, terms, dtype))
    {
        Kappa = kappa;
        Temperature = temperature;
        Terms = terms;
    }

    private static DType Validate(double kappa, double temperature, int terms, DType dtype)
    {
        if (!Params.Positive(kappa))
        {
            throw new ArgumentException($"SumOfGamma: kappa must be finite and > 0, got {kappa}.", nameof(kappa));
        }

        if (!Params.Positive(temperature))
        {
            throw new ArgumentException($"SumOfGamma: temperature must be finite and > 0, got {temperature}.", nameof(temperature));
        }

        if (terms < 1)
        {
            throw new ArgumentException($"SumOfGamma: terms (s) must be >= 1, got {terms}.", nameof(terms));
        }

        if (!dtype.IsFloatingPoint())
        {
            throw new ArgumentException($"SumOfGamma: dtype must be Float32 or Float64, got {dtype}.", nameof(dtype));
        }

        return dtype;
    }

    /// <summary>κ.</summary>
    public double Kappa { get; }

    /// <summary>τ.</summary>
    public double Temperature { get; }

    /// <summary>s, the number of Gamma terms.</summary>
    public int Terms { get; }

    /// <summary>
    /// ε = (τ/κ)·[Σᵢ (κ/i)·Gᵢ′ − ln s] with Gᵢ′ ~ Gamma(1/κ, 1) drawn from the i-th key of <c>key.Split(s)</c>
    /// (summed in float64, then converted).
    /// </summary>
    public override Tensor Sample(RngKey key, Shape sampleShape = default)
    {
        var shape = ExtendedShape(sampleShape);
        var keys = key.Split(Terms);
        var sum = new double[shape.Size];
        for (var i = 1; i <= Terms; i++)
        {
            var g = Sampler.Gamma(keys[i - 1], shape, 1 / Kappa, DType.Float64).Span<double>();
            var scale = Kappa / i;
            for (var j = 0; j < sum.Length; j++)
            {
                sum[j] += scale * g[j];
            }
        }

        var c = Temperature / Kappa;
        var logS = Math.Log(Terms);
        for (var j = 0; j < sum.Length; j++)
        {
            sum[j] = c * (sum[j] - logS);
        }

        return Tensor.FromArray(sum).Reshape(shape.ToArray()).To(DType);
    }

    /// <summary>Not available: SumOfGamma has constant parameters, so there is no pathwise derivative to take.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override Tensor RSample(RngKey key, Shape sampleShape = default)
        => throw new NotSupportedException("SumOfGamma: has no RSample: its parameters (kappa, temperature, terms) are constants, so there is nothing to differentiate; use Sample for perturb-and-MAP noise.");

    /// <summary>Not available: the density of a sum of Gammas with different scales has no closed form.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override Tensor LogProb(Tensor value)
        => throw new NotSupportedException("SumOfGamma: LogProb is not available: the density of a sum of Gammas with different scales has no closed form. SumOfGamma is meant as perturbation noise (Sample); for a likelihood use Gumbel, which it approximates.");

    /// <summary>E[ε] = (τ/κ)·(H_s − ln s).</summary>
    public override Tensor Mean
    {
        get
        {
            var h = 0.0;
            for (var i = 1; i <= Terms; i++)
            {
                h += 1.0 / i;
            }

            return Tensor.Full(BatchShape, Temperature / Kappa * (h - Math.Log(Terms)), DType);
        }
    }

    /// <summary>Var[ε] = (τ²/κ)·Σ_{i≤s} 1/i².</summary>
    public override Tensor Variance
    {
        get
        {
            var h2 = 0.0;
            for (var i = 1; i <= Terms; i++)
            {
                h2 += 1.0 / ((double)i * i);
            }

            return Tensor.Full(BatchShape, Temperature * Temperature / Kappa * h2, DType);
        }
    }
}
