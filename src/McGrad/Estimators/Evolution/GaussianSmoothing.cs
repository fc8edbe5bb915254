using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators.Evolution;

/// <summary>
/// Evolution-strategies gradient by Gaussian smoothing of a black-box f, for a search distribution N(θ, σ²I) given as a
/// <see cref="Normal"/> (or an <see cref="Independent"/> wrapping one) with θ its loc and σ its FIXED scale:
/// plain ĝ = (1/(nσ)) Σ_i f(θ + σε_i)·ε_i; antithetic ĝ = (1/(2nσ)) Σ_i (f(θ + σε_i) − f(θ − σε_i))·ε_i; ε_i ∼ N(0, I).
/// The surrogate is Ĵ + Σ stopgrad(ĝ)·(θ − stopgrad(θ)) with Ĵ the recorded mean of f over the evaluations, so ∇θ of it is ĝ
/// (flowing into whatever produced θ) and parameters inside f get the mean of ∇φ f over the (antithetic) evaluations.
/// </summary>
/// <remarks>
/// <para><b>What it estimates.</b> ∇θ J(θ), J(θ) = Σ_batch E_{ε∼N(0,I)}[f(θ + σε)] — the gradient of the smoothed objective
/// w.r.t. the loc only. σ is read from the Normal's scale (detached, never differentiated); a scale that requires
/// gradients is an error, since this estimator gives it none (use <see cref="ScoreFunction.Reinforce"/> to learn σ).
/// The scale may differ per element (diagonal σ): then ĝ_j = (1/n) Σ_i f(θ + σ⊙ε_i)·ε_ij/σ_j.</para>
/// <para><b>Relation to REINFORCE.</b> With ε = (x − θ)/σ the plain form is f(x)·∇θ log N(x; θ, σ²I), the score-function
/// estimator for the loc: for the same key it gives REINFORCE's loc gradient exactly (to rounding). The δ-form
/// (1/(nσ²)) Σ f(θ + δ_i)·δ_i, δ = σε, is the same estimator written with scaled perturbations
/// (<see cref="PerturbationForm"/>).</para>
/// <para><b>Bias.</b> Unbiased for ∇J without shaping (and ∇J → ∇f(θ) as σ → 0 for smooth f). With fitness shaping
/// (<see cref="FitnessShaping"/>) it is biased: it then estimates an ascent direction that ignores f's scale.</para>
/// <para><b>Variance.</b> Plain: of order f(θ)²/σ² per coordinate, exploding as σ → 0 (for f = −‖x‖², c = ‖θ‖²:
/// Var_i = c²/σ² + 4c + 4θ_i² + 2c(d + 2) + σ²(d + 2)(d + 4)). Antithetic pairs cancel the even part of f around θ,
/// including the constant f(θ): for that quadratic Var_i = 4(c + θ_i²), independent of σ. A constant added to f
/// changes the plain variance but not the antithetic one.</para>
/// <para><b>Cost.</b> n evaluations of f (2n antithetic), all in one call of the objective with the samples stacked on
/// the first axis (antithetic: the n "+" samples, then the n "−" samples); no backward pass through f.</para>
/// <para>References: Nesterov and Spokoiny (2017), Gaussian smoothing; Salimans, Ho, Chen, Sidor and Sutskever (2017),
/// ES with antithetic (mirrored) sampling and centred ranks; Huszár (2017) and Barber (2017) for the δ-form.</para>
/// </remarks>
public sealed class GaussianSmoothing : IGradientEstimator
{
    /// <summary>Gaussian smoothing with <paramref name="perturbations"/> noise draws per estimate.</summary>
    /// <param name="perturbations">n, the number of noise vectors ε_i per estimate (antithetic: n pairs, 2n evaluations).</param>
    /// <param name="antithetic">Evaluate f at θ ± σε_i (mirrored sampling).</param>
    /// <param name="shaping">Fitness shaping applied across the n (antithetic: 2n) values of each batch element; biased unless None.</param>
    /// <param name="form">The ε-form or the δ-form (same estimator, same numbers to rounding).</param>
    /// <exception cref="ArgumentOutOfRangeException">perturbations &lt; 1, or an enum value is undefined.</exception>
    /// <exception cref="ArgumentException">Shaping is requested with a single evaluation per estimate (nothing to rank or standardise against).</exception>
    public GaussianSmoothing(int perturbations = 1, bool antithetic = false, FitnessShaping shaping = FitnessShaping.None, PerturbationForm form = PerturbationForm.Epsilon)
    {
        if (perturbations < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(perturbations), perturbations, $"GaussianSmoothing: perturbations must be ≥ 1, got {perturbations}.");
        }

        if (!Enum.IsDefined(shaping))
        {
            throw new ArgumentOutOfRangeException(nameof(shaping), shaping, $"GaussianSmoothing: unknown fitness shaping {shaping}.");
        }

        if (!Enum.IsDefined(form))
        {
            throw new ArgumentOutOfRangeException(nameof(form), form, $"GaussianSmoothing: unknown perturbation form {form}.");
        }

        if (shaping != FitnessShaping.None && perturbations == 1 && !antithetic)
        {
            throw new ArgumentException($"GaussianSmoothing: fitness shaping {shaping} needs at least 2 evaluations per estimate, got perturbations = 1 without antithetic sampling (the single shaped value would always be 0).", nameof(shaping));
        }

        Perturbations = perturbations;
        Antithetic = antithetic;
        Shaping = shaping;
        Form = form;
    }

    /// <summary>n, the number of noise vectors per estimate.</summary>
    public int Perturbations { get; }

    /// <summary>Whether f is evaluated at θ ± σε_i.</summary>
    public bool Antithetic { get; }

    /// <summary>The fitness shaping (None: unbiased).</summary>
    public FitnessShaping Shaping { get; }

    /// <summary>ε-form or δ-form.</summary>
    public PerturbationForm Form { get; }

    /// <summary>Evaluations of f per estimate: n, or 2n antithetic.</summary>
    public int Evaluations => Antithetic ? 2 * Perturbations : Perturbations;

    /// <inheritdoc/>
    public string Name
    {
        get
        {
            var extra = (Shaping == FitnessShaping.None ? "" : $", {Fitness.Describe(Shaping)}") + (Form == PerturbationForm.Delta ? ", δ-form" : "");
            return $"{(Antithetic ? "ES-antithetic" : "ES")}({Perturbations}{extra})";
        }
    }

    /// <inheritdoc/>
    public EstimatorTraits Traits => new()
    {
        Target = Shaping == FitnessShaping.None ? EstimateTarget.GradientOfExpectation : EstimateTarget.BiasedSurrogate,
        SampleSpace = SampleSpace.Continuous,
        Families = ["Normal"],
        Cost = new EstimatorCost(Evaluations, 0),
        Reference = "Salimans et al. 2017; Nesterov and Spokoiny 2017",
    };

    /// <inheritdoc/>
    public SupportCheck Supports(Distribution distribution)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        var normal = FindNormal(distribution);
        if (normal is null)
        {
            return SupportCheck.No(
                $"GaussianSmoothing: needs a Gaussian search distribution N(θ, σ²I) — a Normal, or an Independent wrapping one — but got {Describe(distribution)}. " +
                "Evolution strategies estimate the gradient w.r.t. the Normal's loc; for other families use a score-function estimator (Reinforce).");
        }

        return normal.Scale.RequiresGrad
            ? SupportCheck.No(
                $"GaussianSmoothing: the Normal's scale (shape {normal.Scale.Shape}) requires gradients, but Gaussian smoothing treats σ as fixed and estimates the gradient w.r.t. the loc only. " +
                "Pass a scale that does not require gradients (e.g. scale.Detach()), or use Reinforce to learn σ.")
            : SupportCheck.Yes;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The distribution is not a Normal (or an Independent wrapping one), its scale
    /// requires gradients, or the objective returns the wrong shape or dtype.</exception>
    public GradientEstimate Estimate(Distribution distribution, Objective objective, RngKey key, EstimatorState? state = null)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(objective);
        Supports(distribution).ThrowIfUnsupported(nameof(distribution));
        var normal = FindNormal(distribution)!;
        var m = Perturbations;
        var evals = Evaluations;
        var epsilon = Sampler.Normal(key, distribution.ExtendedShape([m]), distribution.DType);
        Tensor x, delta, sigma;
        using (Autograd.NoGrad())
        {
            sigma = normal.Scale.Detach();
            var loc = normal.Loc.Detach();
            delta = sigma * epsilon;
            x = Antithetic ? Tensor.Concat([loc + delta, loc - delta]) : loc + delta;
        }

        var values = objective(x) ?? throw new InvalidOperationException("GaussianSmoothing: the objective returned null.");
        var expected = new Shape([evals, .. distribution.BatchShape]);
        if (values.Shape != expected || values.DType != distribution.DType)
        {
            throw new ArgumentException(
                $"GaussianSmoothing: the objective returned {values.Shape} {values.DType} for samples of shape {x.Shape}; expected {expected} {distribution.DType} " +
                "(one value per sample and batch element, in the distribution's dtype).",
                nameof(objective));
        }

        Tensor gradient;
        using (Autograd.NoGrad())
        {
            var weights = Smoothing.Weights(values.Detach(), Antithetic, Shaping);
            gradient = Smoothing.Combine(weights, Form == PerturbationForm.Epsilon ? epsilon : delta, sigma, Form);
        }

        return Surrogates.Estimate(values.Sum() / evals, (gradient * normal.Loc).Sum(), [new(x, values)]);
    }

    internal static Normal? FindNormal(Distribution d) => d switch
    {
        Normal n => n,
        Independent i => FindNormal(i.Base),
        _ => null,
    };

    private static string Describe(Distribution d) => d is Independent i ? $"Independent({Describe(i.Base)})" : d.GetType().Name;
}
