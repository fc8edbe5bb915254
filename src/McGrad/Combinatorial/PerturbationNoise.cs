using McGrad.Randomness;

namespace McGrad.Combinatorial;

/// <summary>
/// The noise ε ∼ ρ of perturb-and-MAP, z = MAP(θ + ε): i.i.d. per entry of the scores. Use the factories
/// (<see cref="Gumbel"/>, <see cref="SumOfGamma"/>, <see cref="None"/>) or derive a class for other noise.
/// </summary>
/// <remarks>A draw depends only on the key, shape and dtype (common random numbers: the same key gives the same ε).</remarks>
public abstract class PerturbationNoise
{
    /// <summary>A short name for messages and reports ("Gumbel(τ=1)").</summary>
    public abstract string Name { get; }

    /// <summary>ε of the given <paramref name="shape"/> and <paramref name="dtype"/>, drawn from <paramref name="key"/> (not recorded).</summary>
    public abstract Tensor Sample(RngKey key, Shape shape, DType dtype);

    /// <summary>
    /// Gumbel noise ε = τ·G, G = −ln(−ln u) ∼ Gumbel(0, 1). With τ = 1, MAP(θ + ε) of <see cref="ArgMaxSolver"/> is an exact
    /// sample of Categorical(softmax θ) (the Gumbel-max trick); for other solvers it is the usual perturb-and-MAP
    /// approximation (Papandreou and Yuille 2011).
    /// </summary>
    /// <exception cref="ArgumentException">τ not finite and &gt; 0.</exception>
    public static PerturbationNoise Gumbel(double temperature = 1.0) => new GumbelNoise(temperature);

    /// <summary>
    /// Sum-of-Gamma noise of I-MLE (Niepert, Minervini, Franceschi 2021): ε = (τ/κ)·[Σ_{i=1..s} Gᵢ − ln s],
    /// Gᵢ ∼ Gamma(shape 1/κ, scale κ/i); see <see cref="Distributions.SumOfGamma"/>. Take κ = k for k-subset (top-k) problems.
    /// </summary>
    /// <exception cref="ArgumentException">κ or τ not finite and &gt; 0, or s &lt; 1.</exception>
    public static PerturbationNoise SumOfGamma(double kappa, double temperature = 1.0, int terms = 10) => new SumOfGammaNoise(kappa, temperature, terms);

    /// <summary>No noise (ε = 0): z = MAP(θ), deterministic. I-MLE with it is the finite-difference "MAP-MLE" estimator.</summary>
    public static PerturbationNoise None { get; } = new ZeroNoise();

    private sealed class GumbelNoise : PerturbationNoise
    {
        private readonly double _temperature;

        public GumbelNoise(double temperature)
        {
            if (!double.IsFinite(temperature) || temperature <= 0)
            {
                throw new ArgumentException($"PerturbationNoise.Gumbel: temperature must be finite and > 0, got {temperature}.", nameof(temperature));
            }

            _temperature = temperature;
        }

        public override string Name => FormattableString.Invariant($"Gumbel(τ={_temperature:G4})");

        public override Tensor Sample(RngKey key, Shape shape, DType dtype) => Sampler.Gumbel(key, shape, dtype, 0, _temperature);
    }

    private sealed class SumOfGammaNoise : PerturbationNoise
    {
        private readonly double _kappa;
        private readonly double _temperature;
        private readonly int _terms;

        public SumOfGammaNoise(double kappa, double temperature, int terms)
        {
            // Validates the parameters with the distribution's own messages.
            _ = new Distributions.SumOfGamma(Shape.Scalar, kappa, temperature, terms, DType.Float64);
            _kappa = kappa;
            _temperature = temperature;
            _terms = terms;
        }

        public override string Name => FormattableString.Invariant($"SumOfGamma(κ={_kappa:G4}, τ={_temperature:G4}, s={_terms})");

        public override Tensor Sample(RngKey key, Shape shape, DType dtype)
            => shape.Size == 0 ? Tensor.Zeros(shape, dtype) : new Distributions.SumOfGamma(shape, _kappa, _temperature, _terms, dtype).Sample(key);
    }

    private sealed class ZeroNoise : PerturbationNoise
    {
        public override string Name => "None";

        public override Tensor Sample(RngKey key, Shape shape, DType dtype) => Tensor.Zeros(shape, dtype);
    }
}
