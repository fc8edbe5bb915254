namespace McGrad.Optim;

/// <summary>
/// Factories for gradient transformations and the optimizers composed from them (optax style). Hand the result
/// to an <see cref="Optimizer"/>: <c>new Optimizer(ps, Transforms.Adam(1e-3))</c>.
/// </summary>
/// <remarks>
/// Every optimizer here ends with <see cref="ScaleByLearningRate"/>, so it yields the step −lr_t·(direction) that
/// <see cref="Optimizer.Step"/> adds to the parameters, and every learning rate accepts a <see cref="Schedule"/>.
/// The defaults of the other hyperparameters are torch.optim's.
/// </remarks>
public static class Transforms
{
    /// <summary>u ← T_k(…T_1(g)): applies <paramref name="transforms"/> in order (see <see cref="Optim.Chain"/>).</summary>
    /// <param name="transforms">The members, in application order.</param>
    public static Chain Chain(params IGradientTransformation[] transforms) => new(transforms);

    /// <summary>Adam's rescaling u = m̂/(√v̂ + ε) (see <see cref="Optim.ScaleByAdam"/>).</summary>
    /// <param name="beta1">β1 in [0, 1).</param>
    /// <param name="beta2">β2 in [0, 1).</param>
    /// <param name="epsilon">ε &gt; 0.</param>
    public static ScaleByAdam ScaleByAdam(double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8) => new(beta1, beta2, epsilon);

    /// <summary>RMSProp's rescaling u = g/(√v + ε), or centered g/(√(v − ḡ²) + ε) (see <see cref="Optim.ScaleByRms"/>).</summary>
    /// <param name="decay">α in [0, 1).</param>
    /// <param name="epsilon">ε &gt; 0.</param>
    /// <param name="centered">Subtract the squared mean gradient.</param>
    public static ScaleByRms ScaleByRms(double decay = 0.99, double epsilon = 1e-8, bool centered = false) => new(decay, epsilon, centered);

    /// <summary>Momentum b ← μ·b + u; u ← b, or u + μ·b with Nesterov (see <see cref="Optim.Momentum"/>; optax: trace).</summary>
    /// <param name="momentum">μ in [0, 1).</param>
    /// <param name="nesterov">Use the Nesterov form.</param>
    public static Momentum Momentum(double momentum, bool nesterov = false) => new(momentum, nesterov);

    /// <summary>Weight decay u ← u + λ·p (see <see cref="Optim.AddDecayedWeights"/>).</summary>
    /// <param name="weightDecay">λ ≥ 0.</param>
    public static AddDecayedWeights AddDecayedWeights(double weightDecay) => new(weightDecay);

    /// <summary>u ← u·min(1, c/‖u‖) with the norm taken jointly over all parameters (see <see cref="Optim.ClipByGlobalNorm"/>).</summary>
    /// <param name="maxNorm">c &gt; 0.</param>
    public static ClipByGlobalNorm ClipByGlobalNorm(double maxNorm) => new(maxNorm);

    /// <summary>u ← −lr_t·u (see <see cref="Optim.ScaleByLearningRate"/>).</summary>
    /// <param name="learningRate">The learning rate or schedule, ≥ 0.</param>
    public static ScaleByLearningRate ScaleByLearningRate(Schedule learningRate) => new(learningRate);

    /// <summary>u ← c·u (see <see cref="Optim.Scale"/>).</summary>
    /// <param name="factor">c, finite.</param>
    public static Scale Scale(double factor) => new(factor);

    /// <summary>
    /// Stochastic gradient descent as torch.optim.SGD (dampening 0): g ← g + λ·p; b ← μ·b + g; d = b, or g + μ·b
    /// with Nesterov; p ← p − lr_t·d. Chain: [AddDecayedWeights(λ)], [Momentum(μ, nesterov)], ScaleByLearningRate(lr).
    /// </summary>
    /// <param name="learningRate">lr ≥ 0, or a schedule.</param>
    /// <param name="momentum">μ in [0, 1) (default 0: plain SGD).</param>
    /// <param name="nesterov">Nesterov momentum (needs μ &gt; 0).</param>
    /// <param name="weightDecay">λ ≥ 0, an L2 penalty added to the gradient (default 0).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    /// <exception cref="ArgumentException">Nesterov with μ = 0.</exception>
    public static Chain Sgd(Schedule learningRate, double momentum = 0, bool nesterov = false, double weightDecay = 0)
    {
        OptimArgs.InUnitInterval(momentum, "Sgd", nameof(momentum));
        OptimArgs.NonNegative(weightDecay, "Sgd", nameof(weightDecay));
        if (nesterov && momentum == 0)
        {
            throw new ArgumentException("Sgd: nesterov = true needs momentum > 0; got momentum = 0.", nameof(nesterov));
        }

        var parts = new List<IGradientTransformation>(3);
        if (weightDecay != 0)
        {
            parts.Add(new AddDecayedWeights(weightDecay));
        }

        if (momentum != 0)
        {
            parts.Add(new Momentum(momentum, nesterov));
        }

        parts.Add(new ScaleByLearningRate(learningRate));
        return new Chain([.. parts]);
    }

    /// <summary>
    /// Adam (Kingma and Ba 2015, Algorithm 1) as torch.optim.Adam: p ← p − lr_t·m̂/(√v̂ + ε). With λ &gt; 0 the
    /// gradient first gets the L2 term λ·p (torch's weight_decay; for decoupled decay use <see cref="AdamW"/>).
    /// Chain: [AddDecayedWeights(λ)], ScaleByAdam(β1, β2, ε), ScaleByLearningRate(lr).
    /// </summary>
    /// <param name="learningRate">lr ≥ 0, or a schedule (torch default 1e-3).</param>
    /// <param name="beta1">β1 in [0, 1) (default 0.9).</param>
    /// <param name="beta2">β2 in [0, 1) (default 0.999).</param>
    /// <param name="epsilon">ε &gt; 0 (default 1e-8).</param>
    /// <param name="weightDecay">λ ≥ 0, L2 penalty coupled into the moments (default 0).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public static Chain Adam(Schedule learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0)
    {
        OptimArgs.NonNegative(weightDecay, "Adam", nameof(weightDecay));
        var adam = new ScaleByAdam(beta1, beta2, epsilon);
        var lr = new ScaleByLearningRate(learningRate);
        return weightDecay == 0 ? new Chain(adam, lr) : new Chain(new AddDecayedWeights(weightDecay), adam, lr);
    }

    /// <summary>
    /// AdamW (Loshchilov and Hutter 2019) as torch.optim.AdamW: p ← p − lr_t·(m̂/(√v̂ + ε) + λ·p), the decay
    /// decoupled from the moments. Chain: ScaleByAdam(β1, β2, ε), AddDecayedWeights(λ), ScaleByLearningRate(lr).
    /// </summary>
    /// <remarks>As in torch, the decay is multiplied by the scheduled lr_t (the paper's η_t·λ with η_t = lr_t).</remarks>
    /// <param name="learningRate">lr ≥ 0, or a schedule (torch default 1e-3).</param>
    /// <param name="beta1">β1 in [0, 1) (default 0.9).</param>
    /// <param name="beta2">β2 in [0, 1) (default 0.999).</param>
    /// <param name="epsilon">ε &gt; 0 (default 1e-8).</param>
    /// <param name="weightDecay">λ ≥ 0 (torch default 1e-2).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public static Chain AdamW(Schedule learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 1e-2)
        => new(new ScaleByAdam(beta1, beta2, epsilon), new AddDecayedWeights(weightDecay), new ScaleByLearningRate(learningRate));

    /// <summary>
    /// RMSProp as torch.optim.RMSprop: g ← g + λ·p; v ← α·v + (1 − α)·g²; d = g/(√v + ε) (centered:
    /// g/(√(v − ḡ²) + ε)); with μ &gt; 0, b ← μ·b + d and d = b; p ← p − lr_t·d.
    /// Chain: [AddDecayedWeights(λ)], ScaleByRms(α, ε, centered), [Momentum(μ)], ScaleByLearningRate(lr).
    /// </summary>
    /// <param name="learningRate">lr ≥ 0, or a schedule (torch default 1e-2).</param>
    /// <param name="decay">α in [0, 1) (torch's alpha, default 0.99).</param>
    /// <param name="epsilon">ε &gt; 0 (default 1e-8).</param>
    /// <param name="momentum">μ in [0, 1) (default 0).</param>
    /// <param name="centered">Centered RMSProp (default false).</param>
    /// <param name="weightDecay">λ ≥ 0, L2 penalty (default 0).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public static Chain RmsProp(Schedule learningRate, double decay = 0.99, double epsilon = 1e-8, double momentum = 0, bool centered = false, double weightDecay = 0)
    {
        OptimArgs.InUnitInterval(momentum, "RmsProp", nameof(momentum));
        OptimArgs.NonNegative(weightDecay, "RmsProp", nameof(weightDecay));
        var parts = new List<IGradientTransformation>(4);
        if (weightDecay != 0)
        {
            parts.Add(new AddDecayedWeights(weightDecay));
        }

        parts.Add(new ScaleByRms(decay, epsilon, centered));
        if (momentum != 0)
        {
            parts.Add(new Momentum(momentum));
        }

        parts.Add(new ScaleByLearningRate(learningRate));
        return new Chain([.. parts]);
    }
}
