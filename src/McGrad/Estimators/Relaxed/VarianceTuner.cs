using McGrad.Autodiff;
using McGrad.Optim;

namespace McGrad.Estimators.Relaxed;

/// <summary>The outcome of one <see cref="VarianceTuner.Step"/>.</summary>
/// <param name="Gradients">The gradient estimates ĝ w.r.t. each given parameter (detached; null for a parameter the
/// surrogate does not reach): use them to update those parameters.</param>
/// <param name="Loss">Σ ĝ², summed over every element of every parameter (the single-estimate variance objective).</param>
public sealed record VarianceStep(IReadOnlyList<Tensor?> Gradients, double Loss);

/// <summary>
/// Tunes the parameters φ of a control variate (REBAR's η and log λ, RELAX's network) online by descending the
/// variance of the gradient estimate: with ĝ = ∂s/∂θ the estimate of an estimator's surrogate s w.r.t. the model
/// parameters θ, computed with createGraph so that ĝ stays a recorded function of φ, it descends
/// ∂/∂φ Σ ĝ² = ∂/∂φ Var ĝ (E ĝ = ∇θ J does not depend on φ, because the estimator is unbiased for every φ).
/// </summary>
/// <remarks>
/// <para>Typical loop (one estimate gives both the θ step and the φ step):</para>
/// <code>
/// var relax = Relax.WithNetwork(net);
/// var tuner = new VarianceTuner(relax, Transforms.Adam(1e-2));
/// var est = relax.Estimate(new Bernoulli(logits: encoder.Forward(x)), f, key);
/// var step = tuner.Step(est, thetaParams, writeGrad: true);   // sets θ.Grad = ĝ and steps φ
/// thetaOptimizer.Step(); thetaOptimizer.ZeroGrad();
/// </code>
/// <para>θ may be leaves (model weights) or intermediate tensors (e.g. the distribution's logits, for the variance of
/// the gradient w.r.t. the logits only). With EstimatorCheck-style batches (N independent copies of θ), Σ ĝ² sums the
/// N one-estimate objectives, a lower-noise gradient of the same variance. The tuner has its own optimizer state
/// (from <c>transform</c>) and updates φ in place; it reads and writes no φ.Grad. φ must not be in θ's optimizer:
/// the surrogate's own gradient w.r.t. φ is meaningless. Grathwohl et al. (2018); Tucker et al. (2017).</para>
/// </remarks>
public sealed class VarianceTuner
{
    private readonly Tensor[] _parameters;
    private readonly IGradientTransformation _transform;
    private readonly TransformState? _state;
    private readonly Tensor[] _buffers;
    private readonly Tensor?[] _updates;

    /// <summary>A tuner for the parameters of <paramref name="estimator"/>'s control variate.</summary>
    /// <exception cref="ArgumentException">See the other constructor.</exception>
    public VarianceTuner(IControlVariateEstimator estimator, IGradientTransformation transform)
        : this((estimator ?? throw new ArgumentNullException(nameof(estimator))).ControlVariate.Parameters, transform)
    {
    }

    /// <summary>A tuner for <paramref name="controlParameters"/> (leaves that require gradients, float; may be empty, then Step only estimates).</summary>
    /// <exception cref="ArgumentException">A parameter is null, not a floating-point leaf that requires gradients, or listed twice.</exception>
    public VarianceTuner(IReadOnlyList<Tensor> controlParameters, IGradientTransformation transform)
    {
        ArgumentNullException.ThrowIfNull(controlParameters);
        ArgumentNullException.ThrowIfNull(transform);
        _parameters = [.. controlParameters];
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i] ?? throw new ArgumentException($"VarianceTuner: control parameter {i} is null.", nameof(controlParameters));
            if (!p.DType.IsFloatingPoint() || !p.IsLeaf || !p.RequiresGrad)
            {
                throw new ArgumentException($"VarianceTuner: control parameter {i} ({p.Shape} {p.DType}) must be a floating-point leaf that requires gradients.", nameof(controlParameters));
            }

            if (!seen.Add(p))
            {
                throw new ArgumentException($"VarianceTuner: control parameter {i} ({p.Shape}) is listed twice.", nameof(controlParameters));
            }
        }

        _transform = transform;
        _state = _parameters.Length > 0 ? transform.Init(_parameters) : null;
        _buffers = [.. _parameters.Select(p => Tensor.Zeros(p.Shape, p.DType))];
        _updates = new Tensor?[_parameters.Length];
    }

    /// <summary>The tuned parameters φ.</summary>
    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>Number of <see cref="Step"/> calls that updated φ.</summary>
    public int Steps { get; private set; }

    /// <summary>
    /// ĝ = ∂s/∂θ with createGraph (recorded, differentiable w.r.t. φ) and the variance objective Σ ĝ² (summed over
    /// all elements of all θ), for use with an optimizer of one's own.
    /// </summary>
    /// <param name="surrogate">An estimate's <see cref="GradientEstimate.Surrogate"/> (its graph is kept).</param>
    /// <param name="parameters">θ: tensors the surrogate depends on (leaves or intermediates that require gradients).</param>
    /// <returns>The recorded loss and the recorded gradient estimates (null for a θ the surrogate does not reach).</returns>
    /// <exception cref="ArgumentException">A θ does not require gradients.</exception>
    public static (Tensor Loss, IReadOnlyList<Tensor?> Gradients) VarianceLoss(Tensor surrogate, IReadOnlyList<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(surrogate);
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Count == 0)
        {
            throw new ArgumentException("VarianceTuner.VarianceLoss: pass at least one parameter θ whose gradient estimate's variance is to be measured.", nameof(parameters));
        }

        var grads = Autograd.Grad([surrogate], parameters, createGraph: true, allowUnused: true);
        Tensor? loss = null;
        foreach (var g in grads)
        {
            if (g != null)
            {
                var term = g.Square().Sum();
                loss = loss is null ? term : loss + term;
            }
        }

        return (loss ?? Tensor.Scalar(0, surrogate.DType), grads);
    }

    /// <summary>
    /// Computes ĝ and Σ ĝ² (<see cref="VarianceLoss"/>), differentiates Σ ĝ² w.r.t. φ, and updates φ in place with the
    /// transformation (p ← p + T(∂/∂φ Σ ĝ²)). Returns ĝ detached.
    /// </summary>
    /// <param name="estimate">An estimate from the estimator whose control variate holds φ.</param>
    /// <param name="parameters">θ (see <see cref="VarianceLoss"/>).</param>
    /// <param name="writeGrad">Also add each ĝ into its θ's <see cref="Tensor.Grad"/> (as Backward would), ready for θ's optimizer.</param>
    /// <exception cref="ArgumentException">A θ does not require gradients.</exception>
    public VarianceStep Step(GradientEstimate estimate, IReadOnlyList<Tensor> parameters, bool writeGrad = false)
    {
        ArgumentNullException.ThrowIfNull(estimate);
        var (loss, grads) = VarianceLoss(estimate.Surrogate, parameters);
        if (_state != null && loss.RequiresGrad)
        {
            var dphi = Autograd.Grad([loss], _parameters, allowUnused: true);
            var any = false;
            for (var i = 0; i < _parameters.Length; i++)
            {
                if (dphi[i] is { } d)
                {
                    if (d.DType == DType.Float32)
                    {
                        d.Span<float>().CopyTo(_buffers[i].Span<float>());
                    }
                    else
                    {
                        d.Span<double>().CopyTo(_buffers[i].Span<double>());
                    }

                    _updates[i] = _buffers[i];
                    any = true;
                }
            }

            if (any)
            {
                _transform.Update(_updates, _state, _parameters);
                Optimizer.ApplyUpdatesInPlace(_parameters, _updates);
                Steps++;
            }

            Array.Clear(_updates);
        }

        var detached = new Tensor?[grads.Count];
        for (var i = 0; i < detached.Length; i++)
        {
            detached[i] = grads[i]?.Detach();
            if (writeGrad && detached[i] is { } g)
            {
                var p = parameters[i];
                p.Grad = p.Grad is null ? g : p.Grad + g;
            }
        }

        return new VarianceStep(detached, loss.Item());
    }
}
