namespace McGrad.Estimators;

/// <summary>
/// One cost node of a stochastic computation graph for <see cref="Dice"/>: a cost tensor c and the log-probabilities
/// log p(w) of the stochastic nodes w that influence it (its stochastic ancestors), each of a shape that broadcasts
/// to c's shape: element e of c is influenced by element e of each (broadcast) log-probability.
/// </summary>
/// <param name="Cost">The cost c, recorded: it may depend on the parameters directly as well as through samples.</param>
/// <param name="LogProbs">log p(w) for each stochastic node w that influences c (recorded LogProb of its sampled value).</param>
public sealed record DiceTerm(Tensor Cost, IReadOnlyList<Tensor> LogProbs);

/// <summary>
/// DiCE, the infinitely differentiable Monte Carlo estimator (Foerster et al. 2018): for a stochastic computation graph
/// with costs c and stochastic nodes w, the surrogate L = Σ_c ⊡(Σ_{w ∈ W_c} log p(w))·c, with
/// ⊡(τ) = exp(τ − stopgrad(τ)) (<see cref="Tensor.MagicBox"/>) and W_c the stochastic nodes that influence c.
/// Its value is Σ_c c, and its derivatives of every order are unbiased estimates of the derivatives of Σ_c E[c].
/// </summary>
/// <remarks>
/// <para><b>Why it works.</b> ∂⊡(τ)/∂θ = ⊡(τ)·∂τ/∂θ with ⊡ = 1 in value, so ∂L = Σ_c (c·∂τ_c + ∂c) — the score-function
/// term plus the direct (pathwise) term — and differentiating again (the surrogate's first derivative is itself a
/// graph when taken with createGraph) gives c·(∂τ∂τᵀ + ∂²τ) + ∂c∂τᵀ + ∂τ∂cᵀ + ∂²c, the unbiased second-order
/// estimator; the classic surrogate c·τ gets the second order wrong (it has no ∂τ∂τᵀ term).</para>
/// <para><b>Requirements.</b> Samples drawn without gradient (Distribution.Sample), their log-probabilities recorded
/// from the parameters, costs recorded. Only the nodes that influence a cost may enter its ⊡: omitting an influencing
/// node biases the estimate, adding a non-influencing one keeps it unbiased but adds variance. Variance is that of the
/// score-function estimator at every order; subtract a baseline with <see cref="Baseline"/> (Mao et al. 2019).
/// Cost: one evaluation of the graph; an n-th derivative costs n backward passes.</para>
/// </remarks>
public static class Dice
{
    /// <summary>L = Σ_terms Σ_elements ⊡(Σ_w log p(w)) ⊙ c (see the class summary).</summary>
    /// <exception cref="ArgumentException">A term has no cost, a log-probability's dtype differs from its cost's, or
    /// a log-probability does not broadcast to its cost's shape (sum the log-probabilities of a node over the elements
    /// that influence one cost element first).</exception>
    public static Tensor Surrogate(IEnumerable<DiceTerm> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        Tensor? total = null;
        var index = 0;
        foreach (var term in terms)
        {
            ArgumentNullException.ThrowIfNull(term);
            var t = Term(term.Cost, term.LogProbs, $"terms[{index}]");
            total = total is null ? t : total + t;
            index++;
        }

        return total ?? throw new ArgumentException("Dice.Surrogate: no terms.", nameof(terms));
    }

    /// <summary>One cost: Σ_elements ⊡(Σ_w log p(w)) ⊙ c.</summary>
    /// <exception cref="ArgumentException">See <see cref="Surrogate(IEnumerable{DiceTerm})"/>.</exception>
    public static Tensor Surrogate(Tensor cost, params Tensor[] logProbs) => Term(cost, logProbs, "cost");

    /// <summary>
    /// The sequential form (e.g. a trajectory): costs cₜ and log-probabilities log p(aₜ) along <paramref name="axis"/>,
    /// each cost influenced by the actions up to and including its step: L = Σ_elements ⊡(Σ_{t' ≤ t} log p(a_t'))·cₜ.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes or dtypes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    public static Tensor Cumulative(Tensor costs, Tensor logProbs, int axis = -1)
    {
        ArgumentNullException.ThrowIfNull(costs);
        ArgumentNullException.ThrowIfNull(logProbs);
        if (costs.Shape != logProbs.Shape || costs.DType != logProbs.DType)
        {
            throw new ArgumentException($"Dice.Cumulative: costs ({costs.DType} {costs.Shape}) and logProbs ({logProbs.DType} {logProbs.Shape}) must have the same shape and dtype.", nameof(logProbs));
        }

        return (logProbs.CumSum(axis).MagicBox() * costs).Sum();
    }

    /// <summary>
    /// The DiCE baseline term Σ_elements (1 − ⊡(log p(w)))·b (Mao et al. 2019), to add to a surrogate: its value is 0
    /// and each of its derivatives has zero mean for any b that does not depend on w (b is detached here), so it
    /// reduces variance without bias. For a sequence, pass the per-step log-probabilities and baselines
    /// (b ≈ the expected future cost from step t; the cumulative form uses ⊡ of the sum up to t).
    /// </summary>
    /// <param name="logProbs">log p(w) of the stochastic node(s), recorded.</param>
    /// <param name="baseline">b, broadcast to <paramref name="logProbs"/>' shape without enlarging it (detached here).</param>
    /// <param name="cumulativeAxis">When given, ⊡ of the cumulative sum of log p along this axis (sequences).</param>
    /// <exception cref="ArgumentException">The dtypes differ or the baseline does not broadcast to the log-probabilities' shape.</exception>
    public static Tensor Baseline(Tensor logProbs, Tensor baseline, int? cumulativeAxis = null)
    {
        ArgumentNullException.ThrowIfNull(logProbs);
        ArgumentNullException.ThrowIfNull(baseline);
        CheckInto(baseline, logProbs, "Dice.Baseline", "baseline", "logProbs");
        var tau = cumulativeAxis is int a ? logProbs.CumSum(a) : logProbs;
        return ((1.0 - tau.MagicBox()) * baseline.Detach()).Sum();
    }

    private static Tensor Term(Tensor cost, IReadOnlyList<Tensor> logProbs, string name)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(logProbs);
        Tensor? tau = null;
        for (var i = 0; i < logProbs.Count; i++)
        {
            var lp = logProbs[i];
            ArgumentNullException.ThrowIfNull(lp);
            CheckInto(lp, cost, "Dice.Surrogate", $"{name}: logProbs[{i}]", "cost");
            tau = tau is null ? lp : tau + lp;
        }

        return tau is null ? cost.Sum() : (tau.MagicBox() * cost).Sum();
    }

    /// <summary>Throws unless <paramref name="small"/> has <paramref name="large"/>'s dtype and broadcasts to its shape.</summary>
    private static void CheckInto(Tensor small, Tensor large, string op, string smallName, string largeName)
    {
        if (small.DType != large.DType || !small.DType.IsFloatingPoint())
        {
            throw new ArgumentException($"{op}: {smallName} is {small.DType} but {largeName} is {large.DType}; both must be the same floating-point dtype.", smallName);
        }

        var fits = small.Rank <= large.Rank;
        for (var i = 1; fits && i <= small.Rank; i++)
        {
            fits = small.Shape[^i] == 1 || small.Shape[^i] == large.Shape[^i];
        }

        if (!fits)
        {
            throw new ArgumentException(
                $"{op}: {smallName} of shape {small.Shape} does not broadcast to {largeName}'s shape {large.Shape}; each {largeName} element must be matched by one element " +
                "(sum a node's log-probabilities over the elements that influence one cost element first, or use separate terms).",
                smallName);
        }
    }
}
