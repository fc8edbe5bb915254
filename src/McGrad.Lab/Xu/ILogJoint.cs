namespace McGrad.Lab.Xu;

/// <summary>
/// A Bayesian model's log joint f(w) = log p(y, w | X) (up to an additive constant) as a function of its d weights,
/// evaluated for many weight vectors at once: the Xu et al. experiments take gradients of E_q[f] with q a mean-field
/// Gaussian over w.
/// </summary>
public interface ILogJoint
{
    /// <summary>A short description for reports ("Bayesian linear regression, diabetes (442 × 11), σ² = 0.5").</summary>
    string Name { get; }

    /// <summary>The number of weights d.</summary>
    int Dimension { get; }

    /// <summary>A name per weight ("w[bmi]", "W[pixel 3, class 7]").</summary>
    IReadOnlyList<string> CoordinateNames { get; }

    /// <summary>
    /// How many weight vectors one <see cref="Evaluate"/> call should take at most, so that its intermediates stay near
    /// 2·10⁷ numbers.
    /// </summary>
    int Chunk { get; }

    /// <summary>
    /// f(w) for weights <paramref name="weights"/> of shape [*, d] (float64), recorded for autodiff; returns shape [*]
    /// (a scalar for a single vector [d]). Each weight vector is evaluated independently on the full data set.
    /// </summary>
    Tensor Evaluate(Tensor weights);
}
