using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators.ScoreFunction;

/// <summary>
/// The score-function estimator with the delta-method control variate: with h the second-order Taylor expansion of f at
/// the mean μ₀ = stopgrad(μ) (<see cref="DeltaMethodControlVariate"/>), whose expectation E_q[h] is analytic,
/// ĝ_θ = (1/K) Σₖ (f(x_k) − c_θ·h(x_k))·∇θ log q(x_k) + c_θ·∇θ E_q[h], x_k ∼ q = N(μ, diag σ²),
/// for θ ∈ {μ, σ}, with ∇μ E_q[h] = g = ∇f(μ₀) and ∂σᵢ E_q[h] = σᵢ·Hᵢᵢ (H = ∇²f(μ₀)). The coefficient c_θ (one per
/// parameter tensor and batch element) is Σᵢ Cov(f sᵢ, h sᵢ) / Σᵢ Var(h sᵢ) over the θ elements i, estimated from M
/// fresh draws (sᵢ = ∂ log q/∂θᵢ), or 1 when M = 0.
/// </summary>
/// <remarks>
/// <para><b>Bias.</b> Unbiased for any coefficient that does not depend on the K samples: E[h·∇log q] = ∇E_q[h]. The
/// coefficient draws are fresh (independent of the K samples), so it stays unbiased with the estimated c.</para>
/// <para><b>Variance.</b> For a quadratic f, h = f and c = 1, so ĝ = ∇E_q[f] exactly: zero variance. Otherwise the
/// variance is that of the score-function estimator applied to f − c·h, the part of f the expansion misses; it helps
/// most where q is narrow (the expansion is accurate over q's support).</para>
/// <para><b>Requirements.</b> q is a Normal or an Independent of a Normal (a mean-field Gaussian); f is twice
/// differentiable and written in tensor ops (for g and H), and maps [*S, *batch, *event] to [*S, *batch] for any
/// sample shape (it is also called at the point itself, with no sample dimension).</para>
/// <para><b>Cost.</b> K + M + 1 evaluations of f (the K samples, the M coefficient draws, the expansion point) and
/// E + 1 backward passes through f for an event of E coordinates (the gradient and E Hessian rows). Parameters inside
/// f get ∇φ Ĵ = (1/K) Σₖ ∇φ f(x_k) from the K samples only.</para>
/// <para>Paisley, Blei &amp; Jordan (2012, "Variational Bayesian inference with stochastic search"); Mohamed, Rosca,
/// Figurnov &amp; Mnih (2020), whose code (google-deepmind/mc_gradients) estimates the coefficient from 25 fresh samples.</para>
/// </remarks>
public sealed class DeltaMethodReinforce : IGradientEstimator
{
    /// <summary>The estimator with K = <paramref name="samples"/> samples and M = <paramref name="coefficientSamples"/>
    /// fresh draws for the coefficient (0: c = 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">samples &lt; 1, coefficientSamples &lt; 0 or equal to 1 (a
    /// covariance needs at least two draws).</exception>
    public DeltaMethodReinforce(int samples = 1, int coefficientSamples = 25)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        if (coefficientSamples is < 0 or 1)
        {
            throw new ArgumentOutOfRangeException(nameof(coefficientSamples), coefficientSamples, $"DeltaMethodReinforce: coefficientSamples must be 0 (c = 1) or at least 2 (the coefficient is a covariance over them), got {coefficientSamples}.");
        }

        Samples = samples;
        CoefficientSamples = coefficientSamples;
    }

    /// <summary>Samples K per estimate.</summary>
    public int Samples { get; }

    /// <summary>Fresh draws M for the coefficient (0: c = 1).</summary>
    public int CoefficientSamples { get; }

    /// <inheritdoc/>
    public string Name => $"REINFORCE({Samples}) + delta CV ({(CoefficientSamples == 0 ? "c = 1" : $"c from {CoefficientSamples}")})";

    /// <summary>Unbiased; needs a twice-differentiable f and a (mean-field) Normal; cost K + M + 1 evaluations and 2
    /// backward passes for a scalar Normal (<see cref="CostFor"/> counts E + 1 for an event of E coordinates).</summary>
    public EstimatorTraits Traits => new()
    {
        Target = EstimateTarget.GradientOfExpectation,
        NeedsDifferentiableObjective = true,
        SampleSpace = SampleSpace.Continuous,
        Families = ["Normal"],
        Cost = new EstimatorCost(Samples + CoefficientSamples + 1, 2),
        Reference = "Paisley, Blei & Jordan 2012; Mohamed et al. 2020",
    };

    /// <summary>K + M + 1 evaluations of f and E + 1 backward passes (E = the event's size).</summary>
    /// <exception cref="ArgumentException">The distribution is not a Normal or an Independent of one.</exception>
    public EstimatorCost CostFor(Distribution distribution)
    {
        var (normal, reinterpreted) = Unwrap(distribution);
        return new EstimatorCost(Samples + CoefficientSamples + 1, Shapes.Suffix(normal.BatchShape, reinterpreted).Size + 1);
    }

    /// <inheritdoc/>
    public SupportCheck Supports(Distribution distribution)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        var d = distribution;
        while (d is Independent i)
        {
            d = i.Base;
        }

        return d is Normal
            ? SupportCheck.Yes
            : SupportCheck.No($"{Name}: the delta-method control variate's expectation is analytic for a Gaussian with independent coordinates; got {Pathwise.FamilyName(distribution)}. Use a Normal or Independent(Normal), or another score-function estimator (REINFORCE with a baseline).");
    }

    /// <summary>
    /// Draws K samples and M fresh coefficient draws, expands f at stopgrad(μ) and returns the surrogate
    /// Ĵ + Σ_θ [(1/K) Σₖ stopgrad(f_k − c_θ h_k)·log q_θ(x_k) + c_θ·E_q[h]_θ] (each term live in θ only), Ĵ = (1/K) Σₖ f(x_k).
    /// </summary>
    /// <exception cref="ArgumentException">The distribution is not a (mean-field) Normal, or f returns values of the wrong shape or dtype.</exception>
    public GradientEstimate Estimate(Distribution distribution, Objective objective, RngKey key, EstimatorState? state = null)
    {
        ArgumentNullException.ThrowIfNull(objective);
        var (normal, reinterpreted) = Unwrap(distribution);
        var batch = normal.BatchShape;
        var loc = Params.To(normal.Loc, batch);
        var scale = Params.To(normal.Scale, batch);
        var keys = key.Split(2);
        var x = distribution.Sample(keys[0], [Samples]).Detach();
        var values = ObjectiveValues.Evaluate(objective, x, distribution, Samples, Name);
        var evaluations = new List<ObjectiveEvaluation> { new(x, values) };
        var cv = DeltaMethodControlVariate.At(objective, loc, reinterpreted);
        evaluations.Add(new(cv.Point, cv.Value));
        var f = values.Detach();
        var h = cv.Evaluate(x);

        Tensor cLoc, cScale;
        if (CoefficientSamples == 0)
        {
            cLoc = Tensor.Scalar(1, distribution.DType);
            cScale = cLoc;
        }
        else
        {
            using (Autograd.NoGrad())
            {
                var xc = distribution.Sample(keys[1], [CoefficientSamples]).Detach();
                var fc = ObjectiveValues.Evaluate(objective, xc, distribution, CoefficientSamples, Name).Detach();
                evaluations.Add(new(xc, fc));
                var hc = cv.Evaluate(xc);
                var z = (xc - loc.Detach()) / scale.Detach();
                cLoc = Coefficient(fc, hc, z / scale.Detach(), reinterpreted);
                cScale = Coefficient(fc, hc, (z.Square() - 1) / scale.Detach(), reinterpreted);
            }
        }

        var locLive = Rebuild(loc, scale.Detach(), reinterpreted);
        var scaleLive = Rebuild(loc.Detach(), scale, reinterpreted);
        var weightLoc = ((f - (cLoc * h)) / Samples).Detach();
        var weightScale = ((f - (cScale * h)) / Samples).Detach();
        var term = (weightLoc * locLive.LogProb(x)).Sum() + (weightScale * scaleLive.LogProb(x)).Sum()
            + (cLoc * cv.Expectation(loc, scale.Detach())).Sum() + (cScale * cv.Expectation(loc.Detach(), scale)).Sum();
        return Surrogates.Estimate(values.Sum() / Samples, term, evaluations);
    }

    /// <summary>
    /// c = Σᵢ Cov(f sᵢ, h sᵢ) / Σᵢ Var(h sᵢ) per batch element: the sums over the event elements i, the moments over
    /// the M draws (axis 0); 0 where Σᵢ Var(h sᵢ) = 0 (then h·s is constant and the covariance is 0 too).
    /// </summary>
    private static Tensor Coefficient(Tensor f, Tensor h, Tensor score, int eventRank)
    {
        var fe = f;
        var he = h;
        for (var i = 0; i < eventRank; i++)
        {
            fe = fe.Unsqueeze(-1);
            he = he.Unsqueeze(-1);
        }

        var a = fe * score;
        var b = he * score;
        a = a - a.Mean(0, keepDim: true);
        b = b - b.Mean(0, keepDim: true);
        var cov = (a * b).Mean(0);
        var variance = b.Square().Mean(0);
        if (eventRank > 0)
        {
            var axes = Shapes.Range(cov.Rank - eventRank, eventRank);
            cov = cov.Sum(axes);
            variance = variance.Sum(axes);
        }

        return Tensor.Where(variance > 0, cov / variance.Maximum(double.Epsilon), 0).Detach();
    }

    private static Distribution Rebuild(Tensor loc, Tensor scale, int reinterpreted)
    {
        Distribution d = new Normal(loc, scale);
        return reinterpreted == 0 ? d : new Independent(d, reinterpreted);
    }

    private (Normal Normal, int Reinterpreted) Unwrap(Distribution distribution)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        Supports(distribution).ThrowIfUnsupported(nameof(distribution));
        var d = distribution;
        var r = 0;
        while (d is Independent ind)
        {
            r += ind.ReinterpretedBatchDims;
            d = ind.Base;
        }

        return ((Normal)d, r);
    }
}
