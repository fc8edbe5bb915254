using McGrad.Lab.Xu;

namespace McGrad.Lab.Blr;

/// <summary>
/// The data term of the BLR ELBO as the objective of a gradient estimator: f(w) = scale · Σᵢ log σ((2yᵢ − 1)xᵢᵀw) over
/// the rows of <paramref name="data"/>; scale = N/B on a minibatch of B of the N rows makes it an unbiased estimate of
/// the full-data log-likelihood (mc_gradients' minibatch ELBO), scale = 1 on the full data is the log-likelihood itself.
/// The prior enters the ELBO through the analytic KL(q ‖ N(0, I)), not through f.
/// </summary>
/// <param name="data">The rows f sums over.</param>
/// <param name="scale">The factor in front of the sum (N/B for a minibatch).</param>
public sealed class LogisticLikelihood(BlrData data, double scale)
{
    private readonly Tensor _xt = data.Design.Transpose(0, 1).Detach();

    /// <summary>The factor in front of the sum.</summary>
    public double Scale { get; } = scale;

    /// <summary>f(w) for weights [*, D] (recorded); returns [*].</summary>
    public Tensor Evaluate(Tensor weights)
    {
        var (leading, m) = LogJoints.Leading(weights, _xt.Shape[0], nameof(LogisticLikelihood));
        var rows = weights.Reshape(m, _xt.Shape[0]);
        return (LogJoints.BernoulliLogLikelihood(rows.MatMul(_xt), data.Labels) * Scale).Reshape(leading);
    }
}
