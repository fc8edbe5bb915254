using System.Collections.Concurrent;
using McGrad.Distributions;

namespace McGrad.Estimators.MeasureValued;

/// <summary>
/// The registry of weak-derivative decompositions by distribution type. Built in: <see cref="Normal"/>,
/// <see cref="Bernoulli"/>, <see cref="Poisson"/>, <see cref="Exponential"/>, <see cref="Categorical"/>.
/// <see cref="Independent"/> wrappers of these are handled by the estimator and need no entry.
/// </summary>
public static class WeakDerivatives
{
    private static readonly ConcurrentDictionary<Type, IWeakDerivative> Registry = new(
    [
        new(typeof(Normal), new NormalWeakDerivative()),
        new(typeof(Bernoulli), new BernoulliWeakDerivative()),
        new(typeof(Poisson), new PoissonWeakDerivative()),
        new(typeof(Exponential), new ExponentialWeakDerivative()),
        new(typeof(Categorical), new CategoricalWeakDerivative()),
    ]);

    /// <summary>Registers (or replaces) the decomposition used for distributions of exactly type <typeparamref name="TDistribution"/>.</summary>
    /// <exception cref="ArgumentException"><typeparamref name="TDistribution"/> is <see cref="Independent"/> (handled structurally).</exception>
    public static void Register<TDistribution>(IWeakDerivative decomposition)
        where TDistribution : Distribution
    {
        ArgumentNullException.ThrowIfNull(decomposition);
        if (typeof(TDistribution) == typeof(Independent))
        {
            throw new ArgumentException("WeakDerivatives.Register: Independent needs no decomposition; register its base family instead (the estimator perturbs one event coordinate at a time).", nameof(decomposition));
        }

        Registry[typeof(TDistribution)] = decomposition;
    }

    /// <summary>The decomposition registered for <paramref name="distribution"/>'s runtime type, or null.</summary>
    public static IWeakDerivative? Find(Distribution distribution)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return Registry.TryGetValue(distribution.GetType(), out var d) ? d : null;
    }

    /// <summary>The names of the registered families, sorted.</summary>
    public static IReadOnlyList<string> Families => [.. Registry.Keys.Select(t => t.Name).Order(StringComparer.Ordinal)];

    /// <summary>Casts to the family a decomposition is written for, with a clear error otherwise.</summary>
    internal static T As<T>(Distribution distribution, string decomposition)
        where T : Distribution
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return distribution as T ?? throw new ArgumentException($"{decomposition}: expected a {typeof(T).Name}, got {distribution.GetType().Name}.", nameof(distribution));
    }

    /// <summary>A detached copy of <paramref name="t"/> broadcast to <paramref name="shape"/> (not recorded).</summary>
    internal static Tensor Constant(Tensor t, Shape shape)
    {
        using (Autodiff.Autograd.NoGrad())
        {
            return t.Detach().BroadcastTo(shape).Detach();
        }
    }
}
