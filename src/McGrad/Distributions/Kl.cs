using System.Collections.Concurrent;

namespace McGrad.Distributions;

/// <summary>
/// Kullback–Leibler divergences KL(p ‖ q) = E_p[ln p(x) − ln q(x)] in closed form, looked up by the pair of
/// distribution types in a registry that users can extend.
/// </summary>
/// <remarks>
/// Built in: Normal–Normal, Bernoulli–Bernoulli, Categorical–Categorical, OneHotCategorical–OneHotCategorical, and
/// Independent–Independent (the base KL summed over the reinterpreted dimensions, when both reinterpret the same
/// number). Results have the broadcast batch shape of p and q and are differentiable in both sets of parameters.
/// Lookup takes the most specific registration along both types' base-class chains (p's type first).
/// </remarks>
public static class Kl
{
    private static readonly ConcurrentDictionary<(Type P, Type Q), Func<Distribution, Distribution, Tensor>> Registry = new();

    static Kl()
    {
        Register<Normal, Normal>(NormalNormal);
        Register<Bernoulli, Bernoulli>(BernoulliBernoulli);
        Register<Categorical, Categorical>((p, q) => CategoricalKl(p.Probs, p.Logits, q.Logits, p.NumCategories, q.NumCategories));
        Register<OneHotCategorical, OneHotCategorical>((p, q) => CategoricalKl(p.Probs, p.Logits, q.Logits, p.NumCategories, q.NumCategories));
        Register<Independent, Independent>(IndependentIndependent);
    }

    /// <summary>
    /// Registers (or replaces) the closed form for KL(p ‖ q) with p of type <typeparamref name="TP"/> and q of type
    /// <typeparamref name="TQ"/>; it also serves subclasses unless a more specific pair is registered.
    /// </summary>
    /// <example><code>Kl.Register&lt;Exponential, Exponential&gt;((p, q) => (p.Rate / q.Rate).Log() + (q.Rate / p.Rate) - 1.0);</code></example>
    public static void Register<TP, TQ>(Func<TP, TQ, Tensor> divergence)
        where TP : Distribution
        where TQ : Distribution
    {
        ArgumentNullException.ThrowIfNull(divergence);
        Registry[(typeof(TP), typeof(TQ))] = (p, q) => divergence((TP)p, (TQ)q);
    }

    /// <summary>KL(p ‖ q) from the registered closed form, with the broadcast batch shape of p and q.</summary>
    /// <exception cref="NotSupportedException">No closed form is registered for the pair of types.</exception>
    /// <exception cref="ArgumentException">The event shapes differ, or the batch shapes do not broadcast.</exception>
    public static Tensor Divergence(Distribution p, Distribution q)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(q);
        var f = Lookup(p.GetType(), q.GetType()) ?? throw new NotSupportedException(
            $"Kl.Divergence: no closed form is registered for KL({p.GetType().Name} ‖ {q.GetType().Name}). Register one with " +
            $"Kl.Register<{p.GetType().Name}, {q.GetType().Name}>(...), or estimate it by Monte Carlo: the mean of p.LogProb(x) − q.LogProb(x) over x ~ p.");
        if (p.EventShape != q.EventShape)
        {
            throw new ArgumentException($"Kl.Divergence: p ({p.GetType().Name}) has event shape {p.EventShape} but q ({q.GetType().Name}) has {q.EventShape}; they must match.", nameof(q));
        }

        var batch = Shape.Broadcast(p.BatchShape, q.BatchShape, "Kl.Divergence");
        return Params.To(f(p, q), batch);
    }

    /// <summary>True when a closed form is registered for the pair of types (or base types).</summary>
    public static bool IsRegistered(Type p, Type q) => Lookup(p, q) is not null;

    private static Func<Distribution, Distribution, Tensor>? Lookup(Type p, Type q)
    {
        for (var tp = p; tp is not null && tp != typeof(object); tp = tp.BaseType)
        {
            for (var tq = q; tq is not null && tq != typeof(object); tq = tq.BaseType)
            {
                if (Registry.TryGetValue((tp, tq), out var f))
                {
                    return f;
                }
            }
        }

        return null;
    }

    /// <summary>KL = ln(σq/σp) + (σp² + (μp − μq)²)/(2σq²) − ½.</summary>
    private static Tensor NormalNormal(Normal p, Normal q)
    {
        var ratio = p.Scale / q.Scale;
        var diff = (p.Loc - q.Loc) / q.Scale;
        return (((ratio * ratio) + (diff * diff) - 1.0) * 0.5) - ratio.Log();
    }

    /// <summary>
    /// With logits on both sides: KL = p(ℓp − ℓq) + softplus(ℓq) − softplus(ℓp). Otherwise
    /// p ln(p/q) + (1 − p) ln((1 − p)/(1 − q)) with 0·ln 0 = 0.
    /// </summary>
    private static Tensor BernoulliBernoulli(Bernoulli p, Bernoulli q)
    {
        if (p.IsLogitParameterised && q.IsLogitParameterised)
        {
            var lp = p.Logits;
            var lq = q.Logits;
            return (lp.Sigmoid() * (lp - lq)) + lq.Softplus() - lp.Softplus();
        }

        var pp = p.Probs;
        var qp = q.Probs;
        var p0 = 1.0 - pp;
        var q0 = 1.0 - qp;
        return Params.XLogY(pp, pp) - Params.XLogY(pp, qp) + Params.XLogY(p0, p0) - Params.XLogY(p0, q0);
    }

    /// <summary>KL = Σₖ pₖ (ln pₖ − ln qₖ), terms with pₖ = 0 contributing 0.</summary>
    private static Tensor CategoricalKl(Tensor probsP, Tensor logP, Tensor logQ, int kp, int kq)
    {
        if (kp != kq)
        {
            throw new ArgumentException($"Kl.Divergence: p has {kp} categories but q has {kq}; they must match.", nameof(kq));
        }

        var safeP = Params.ZeroNegInf(logP);
        var zeroP = probsP.Eq(0.0);
        var safeQ = Params.Contains(zeroP, 1.0) && Params.Contains(logQ, double.NegativeInfinity)
            ? Tensor.Where(zeroP, 0.0, logQ)
            : logQ;
        return (probsP * (safeP - safeQ)).Sum(-1);
    }

    private static Tensor IndependentIndependent(Independent p, Independent q)
    {
        if (p.ReinterpretedBatchDims != q.ReinterpretedBatchDims)
        {
            throw new NotSupportedException($"Kl.Divergence: Independent distributions reinterpret {p.ReinterpretedBatchDims} and {q.ReinterpretedBatchDims} batch dimensions; the closed form needs the same number on both sides.");
        }

        return p.SumReinterpreted(Divergence(p.Base, q.Base));
    }
}
