using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Randomness;

namespace McGrad.Estimators.MeasureValued;

/// <summary>One parameter's measure-valued gradient estimate.</summary>
/// <param name="Name">The parameter's name ("loc", "probs").</param>
/// <param name="Parameter">The recorded parameter tensor θ the estimate refers to (shape batch + extra).</param>
/// <param name="Gradient">ĝ = c·(mean_k f(x⁺_k) − mean_k f(x⁻_k)), detached, same shape as θ.</param>
public sealed record WeakGradient(string Name, Tensor Parameter, Tensor Gradient);

/// <summary>
/// The measure-valued derivative (MVD): with a weak-derivative decomposition ∂θ_i p = c_θi·(p⁺_i − p⁻_i),
/// ĝ_i = c_θi·(1/K) Σ_k (f(x⁺_k) − f(x⁻_k)), x⁺_k ∼ p⁺_i, x⁻_k ∼ p⁻_i, for every parameter element θ_i, built as the
/// surrogate Σ_i stopgrad(ĝ_i)·θ_i so that its gradient w.r.t. θ_i is ĝ_i and flows on into whatever produced θ.
/// </summary>
/// <remarks>
/// <para><b>Requirements.</b> A family with a registered decomposition (<see cref="WeakDerivatives"/>: Normal mean
/// and scale, Bernoulli, Poisson, Exponential, Categorical), or an <see cref="Independent"/> of one. f need not be
/// differentiable (nor even continuous); x may be discrete. For an Independent event of D coordinates, each coordinate
/// is perturbed in turn while the others are drawn from p (shared between the two sides when coupled).</para>
/// <para><b>Bias.</b> Unbiased.</para>
/// <para><b>Variance.</b> Usually low, since f enters only through a difference of two evaluations: bounded f gives
/// bounded estimates. Coupling the two sides (common random numbers) lowers it further when f is smooth.</para>
/// <para><b>Cost.</b> Two evaluations of f per sample for every scalar parameter element (for a D-coordinate event,
/// 2·D per parameter tensor and sample); no backward pass through f. <see cref="Traits"/> states the cost per parameter
/// element; <see cref="CostFor"/> gives the total for a distribution. It grows with the number of parameters, so MVD
/// suits few parameters per evaluation of f.</para>
/// <para><b>Objective.</b> f is called on tensors with extra leading sample dimensions: [K, *batch] for scalar families,
/// [K_cat, K, *batch] for Categorical (one slice per category), and [D, …, K, *batch, *event] for an Independent event
/// of D coordinates (one slice per perturbed coordinate); it must map sampleShape + batch + event to sampleShape + batch
/// for any sample shape.</para>
/// <para>Pflug (1989); Heidergott and Vázquez-Abad (2000); Mohamed, Rosca, Figurnov and Mnih (2020, §6).</para>
/// </remarks>
public sealed class MeasureValuedDerivative : IGradientEstimator
{
    /// <summary>MVD with <paramref name="samples"/> draws per side and parameter, coupled (common random numbers) by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">samples &lt; 1.</exception>
    public MeasureValuedDerivative(int samples = 1, bool coupled = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        Samples = samples;
        Coupled = coupled;
    }

    /// <summary>Draws K per side and parameter element.</summary>
    public int Samples { get; }

    /// <summary>Whether x⁺ and x⁻ share randomness.</summary>
    public bool Coupled { get; }

    /// <inheritdoc/>
    public string Name => $"MVD{(Samples == 1 ? "" : $"({Samples})")} {(Coupled ? "coupled" : "uncoupled")}";

    /// <summary>Unbiased; no differentiable f or RSample needed; discrete families supported; cost 2K evaluations for a
    /// distribution with one scalar parameter (<see cref="CostFor"/> counts every parameter element).</summary>
    public EstimatorTraits Traits => new()
    {
        Target = EstimateTarget.GradientOfExpectation,
        Families = [.. WeakDerivatives.Families],
        Cost = new EstimatorCost(2 * Samples, 0),
        Reference = "Pflug 1989; Mohamed et al. 2020",
    };

    /// <inheritdoc/>
    public SupportCheck Supports(Distribution distribution)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        var (baseDist, _) = Unwrap(distribution);
        var family = Pathwise.FamilyName(distribution);
        if (WeakDerivatives.Find(baseDist) is null)
        {
            return SupportCheck.No(
                $"{Name}: no weak-derivative decomposition is registered for {family}; registered families: {string.Join(", ", WeakDerivatives.Families)} " +
                $"(and Independent of these). Register one with WeakDerivatives.Register<{baseDist.GetType().Name}>(…), " +
                $"or use {(distribution.HasRSample ? "Pathwise or " : "")}a score-function estimator (REINFORCE).");
        }

        return baseDist.EventShape.Rank != 0
            ? SupportCheck.No($"{Name}: {family} has event shape {baseDist.EventShape}; weak-derivative decompositions are per scalar value (wrap scalar families in Independent for multivariate events).")
            : SupportCheck.Yes;
    }

    /// <summary>
    /// The cost of one estimate on <paramref name="distribution"/>: 2K evaluations of f per batch element for every
    /// parameter element of every term (× D coordinates of an Independent event), plus K when no term yields an
    /// unbiased estimate of J from its own evaluations (then f is evaluated on K extra draws from p for Ĵ and ∇φ Ĵ).
    /// </summary>
    /// <exception cref="ArgumentException">No decomposition is registered for the family.</exception>
    public EstimatorCost CostFor(Distribution distribution)
    {
        var (baseDist, reinterpreted) = Unwrap(distribution);
        var terms = Resolve(distribution, baseDist).Terms(baseDist);
        var coordinates = Shapes.Suffix(baseDist.BatchShape, reinterpreted).Size;
        var total = 0;
        foreach (var t in terms)
        {
            total += coordinates * Shapes.Suffix(t.Parameter.Shape, t.Parameter.Rank - baseDist.BatchShape.Rank).Size;
        }

        var extra = terms.Any(t => t.PlusWeight is not null && t.MinusWeight is not null) ? 0 : Samples;
        return new EstimatorCost((2 * total * Samples) + extra, 0);
    }

    /// <summary>
    /// Draws the weak-derivative samples, evaluates f on them (recorded) and returns the surrogate
    /// Ĵ + Σ_i stopgrad(ĝ_i)·(θ_i − stopgrad(θ_i)). Ĵ is the first term's mixture w⁺·f(x⁺) + w⁻·f(x⁻) when its
    /// decomposition says that mixture is p itself (Bernoulli, Poisson, Normal scale: unbiased for J), otherwise the mean
    /// of f over K extra draws from p; parameters inside f get ∇φ Ĵ.
    /// </summary>
    /// <exception cref="ArgumentException">No decomposition is registered for the family, or f returns a wrong shape.</exception>
    public GradientEstimate Estimate(Distribution distribution, Objective objective, RngKey key, EstimatorState? state = null)
    {
        var (gradients, value, evaluations) = Run(distribution, objective, key);
        Tensor? term = null;
        foreach (var g in gradients)
        {
            var t = (g.Gradient * g.Parameter).Sum();
            term = term is null ? t : term + t;
        }

        return Surrogates.Estimate(value, term ?? Tensor.Scalar(0, distribution.DType), evaluations);
    }

    /// <summary>The per-parameter estimates ĝ (detached), each with the recorded parameter tensor it refers to.</summary>
    /// <exception cref="ArgumentException">No decomposition is registered for the family, or f returns a wrong shape.</exception>
    public IReadOnlyList<WeakGradient> Gradients(Distribution distribution, Objective objective, RngKey key) => Run(distribution, objective, key).Gradients;

    private (List<WeakGradient> Gradients, Tensor Value, List<ObjectiveEvaluation> Evaluations) Run(Distribution distribution, Objective objective, RngKey key)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(objective);
        var evaluations = new List<ObjectiveEvaluation>();
        var (baseDist, reinterpreted) = Unwrap(distribution);
        var decomposition = Resolve(distribution, baseDist);
        var terms = decomposition.Terms(baseDist);
        var layout = new Layout(distribution.BatchShape, Shapes.Suffix(baseDist.BatchShape, reinterpreted), Samples);
        var keys = key.Split(terms.Count + 1);
        var result = new List<WeakGradient>(terms.Count);
        Tensor? value = null;
        for (var i = 0; i < terms.Count; i++)
        {
            var t = terms[i];
            var extraRank = t.Parameter.Rank - baseDist.BatchShape.Rank;
            if (extraRank < 0 || !Shapes.Prefix(t.Parameter.Shape, baseDist.BatchShape.Rank).Equals(baseDist.BatchShape))
            {
                throw new InvalidOperationException($"{Name}: the {decomposition.GetType().Name} term '{t.Name}' has a parameter of shape {t.Parameter.Shape}; expected the batch shape {baseDist.BatchShape} of the {baseDist.GetType().Name} followed by optional extra axes.");
            }

            Tensor plus, minus;
            Tensor? restPlus = null, restMinus = null;
            using (Autograd.NoGrad())
            {
                var sideKeys = keys[i].Split(3);
                (plus, minus) = t.Sample(sideKeys[0], [Samples], Coupled);
                var expected = Shapes.Concat([Samples], t.Parameter.Shape);
                if (plus.Shape != expected || minus.Shape != expected)
                {
                    throw new InvalidOperationException($"{Name}: the {decomposition.GetType().Name} term '{t.Name}' drew p⁺ of shape {plus.Shape} and p⁻ of shape {minus.Shape}; expected {expected} (sample shape + parameter shape).");
                }

                if (layout.Coordinates.Rank > 0)
                {
                    restPlus = baseDist.Sample(sideKeys[1], [Samples]);
                    restMinus = Coupled ? restPlus : baseDist.Sample(sideKeys[2], [Samples]);
                }
            }

            var fPlus = layout.MeanObjective(objective, plus, restPlus, extraRank, Name, evaluations);
            var fMinus = layout.MeanObjective(objective, minus, restMinus, extraRank, Name, evaluations);
            using (Autograd.NoGrad())
            {
                var g = (t.Constant * (fPlus.Detach() - fMinus.Detach())).Detach();
                result.Add(new WeakGradient(t.Name, t.Parameter, g));
            }

            if (value is null && t.PlusWeight is not null && t.MinusWeight is not null)
            {
                var mixed = (t.PlusWeight.Detach() * fPlus) + (t.MinusWeight.Detach() * fMinus);
                var inner = layout.Coordinates.Rank + extraRank;
                value = (inner == 0 ? mixed : mixed.Mean(Shapes.Range(mixed.Rank - inner, inner))).Sum();
            }
        }

        if (value is null)
        {
            var x = distribution.Sample(keys[^1], [Samples]);
            var f = objective(x) ?? throw new InvalidOperationException($"{Name}: the objective returned null.");
            evaluations.Add(new ObjectiveEvaluation(x, f));
            value = f.Sum() / Samples;
        }

        return (result, value, evaluations);
    }

    private static (Distribution Base, int Reinterpreted) Unwrap(Distribution distribution)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        var d = distribution;
        var r = 0;
        while (d is Independent ind)
        {
            r += ind.ReinterpretedBatchDims;
            d = ind.Base;
        }

        return (d, r);
    }

    private IWeakDerivative Resolve(Distribution distribution, Distribution baseDist)
    {
        Supports(distribution).ThrowIfUnsupported(nameof(distribution));
        return WeakDerivatives.Find(baseDist)!;
    }

    private readonly record struct Layout(Shape Batch, Shape Coordinates, int Samples)
    {
        /// <summary>
        /// mean_k f over a side's draws, as a tensor of the parameter's shape [*B, *E, *X]. Without event coordinates the
        /// extra axes are moved in front and become sample dimensions; with them, each coordinate e is replaced in turn
        /// by the side's draw while the others come from <paramref name="rest"/> ([K, *B, *E], a draw from p).
        /// </summary>
        public Tensor MeanObjective(Objective objective, Tensor side, Tensor? rest, int extraRank, string estimator, List<ObjectiveEvaluation> evaluations)
        {
            var b = Batch.Rank;
            var xr = extraRank;
            var extra = Shapes.Suffix(side.Shape, xr);
            if (rest is null)
            {
                // side [K, *B, *X] → [*X, K, *B] → f → [*X, K, *B] → mean over K → [*X, *B] → [*B, *X].
                var x = side.Permute([.. Shapes.Range(1 + b, xr), 0, .. Shapes.Range(1, b)]);
                var f = Evaluate(objective, x, Shapes.Prefix(x.Shape, xr + 1 + b), estimator, evaluations);
                var m = f.Mean(xr);
                return m.Permute([.. Shapes.Range(xr, b), .. Shapes.Range(0, xr)]);
            }

            // side [K, *B, *E, *X] → [K, *B, D, *X] → [D, *X, K, *B, 1]; rest [K, *B, E] → [K, *B, D];
            // where(eye, side, rest) → [D, *X, K, *B, D] → [D, *X, K, *B, *E] → f → [D, *X, K, *B].
            var dCount = Coordinates.Size;
            var s = side.Reshape([Samples, .. Batch, dCount, .. extra])
                .Permute([1 + b, .. Shapes.Range(2 + b, xr), 0, .. Shapes.Range(1, b)])
                .Unsqueeze(-1);
            var r = rest.Reshape([Samples, .. Batch, dCount]);
            var eye = Tensor.Eye(dCount).Reshape([dCount, .. Enumerable.Repeat(1, xr + 1 + b), dCount]);
            var full = Tensor.Where(eye, s, r);
            var lead = Shapes.Prefix(full.Shape, full.Rank - 1);
            var input = full.Reshape([.. lead, .. Coordinates]);
            var values = Evaluate(objective, input, lead, estimator, evaluations);

            // [D, *X, K, *B] → mean over K → [D, *X, *B] → [*B, D, *X] → [*B, *E, *X].
            var mean = values.Mean(1 + xr);
            return mean.Permute([.. Shapes.Range(1 + xr, b), 0, .. Shapes.Range(1, xr)]).Reshape([.. Batch, .. Coordinates, .. extra]);
        }

        private static Tensor Evaluate(Objective objective, Tensor x, Shape expected, string estimator, List<ObjectiveEvaluation> evaluations)
        {
            var f = objective(x) ?? throw new InvalidOperationException($"{estimator}: the objective returned null.");
            evaluations.Add(new ObjectiveEvaluation(x, f));
            if (f.Shape != expected)
            {
                throw new ArgumentException($"{estimator}: the objective mapped samples of shape {x.Shape} to shape {f.Shape}; expected {expected} (sample + batch shape, one value per event).", nameof(objective));
            }

            if (!f.DType.IsFloatingPoint())
            {
                throw new ArgumentException($"{estimator}: the objective returned {f.DType} values; expected a floating-point tensor.", nameof(objective));
            }

            return f;
        }
    }
}
