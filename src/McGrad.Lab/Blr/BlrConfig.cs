namespace McGrad.Lab.Blr;

/// <summary>
/// Settings of the BLR workload; the defaults are mc_gradients' config.py (Mohamed et al. 2020): batch 32, 50 posterior
/// samples per step, SGD with learning rate 10⁻³ multiplied by cos(π/2 · t/T) over T = 5,000 steps, 25 fresh samples
/// for the control-variate coefficient, moving-average decay 0.9.
/// </summary>
/// <param name="Steps">T, SGD steps (also the cosine's horizon).</param>
/// <param name="BatchSize">Rows per minibatch B.</param>
/// <param name="Samples">Posterior samples K per step (and per estimate in the variance basket).</param>
/// <param name="LearningRate">The initial SGD learning rate.</param>
/// <param name="CoefficientSamples">Fresh draws M for the delta-method coefficient.</param>
/// <param name="MovingAverageDecay">The moving-average baseline's decay.</param>
/// <param name="EvalEvery">Steps between the recorded (deterministic, full-data) ELBO values of the training curves.</param>
public sealed record BlrConfig(int Steps = 5000, int BatchSize = 32, int Samples = 50, double LearningRate = 1e-3, int CoefficientSamples = 25, double MovingAverageDecay = 0.9, int EvalEvery = 50)
{
    /// <summary>lr(t) = lr₀ · cos(π/2 · t/T), mc_gradients' cosine decay (0 at t = T).</summary>
    public double LearningRateAt(int step) => LearningRate * Math.Cos(Math.PI / 2 * Math.Min(step, Steps) / Math.Max(Steps, 1));
}
