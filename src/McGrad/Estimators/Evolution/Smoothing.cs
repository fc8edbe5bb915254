using McGrad.Autodiff;

namespace McGrad.Estimators.Evolution;

/// <summary>The arithmetic shared by <see cref="GaussianSmoothing"/> and <see cref="EvolutionStrategy"/> (untracked).</summary>
internal static class Smoothing
{
    /// <summary>
    /// Per-perturbation weights from fitness values of shape [evals, *batch] (axis 0: the population): the shaped values
    /// w_i = u_i, or for an antithetic population [θ + σε_1…m, θ − σε_1…m] the half differences w_i = (u_i − u_{m+i})/2.
    /// Shaping is applied to all evals values of a batch element jointly.
    /// </summary>
    public static Tensor Weights(Tensor values, bool antithetic, FitnessShaping shaping)
    {
        using (Autograd.NoGrad())
        {
            var u = Fitness.Apply(values, shaping);
            if (!antithetic)
            {
                return u;
            }

            var m = u.Shape[0] / 2;
            return (u.Narrow(0, 0, m) - u.Narrow(0, m, m)) * 0.5;
        }
    }

    /// <summary>
    /// ĝ = (1/(mσ)) Σ_i w_i·ε_i (ε-form, <paramref name="noise"/> = ε) or (1/(mσ²)) Σ_i w_i·δ_i (δ-form, noise = δ = σε),
    /// with w of shape [m, *batch], noise of shape [m, *batch, *event] and σ broadcastable to batch + event.
    /// </summary>
    public static Tensor Combine(Tensor weights, Tensor noise, Tensor sigma, PerturbationForm form)
    {
        using (Autograd.NoGrad())
        {
            var m = weights.Shape[0];
            var dims = new int[noise.Rank];
            for (var i = 0; i < dims.Length; i++)
            {
                dims[i] = i < weights.Rank ? weights.Shape[i] : 1;
            }

            var sum = (weights.Reshape(dims) * noise).Sum(0);
            return form == PerturbationForm.Epsilon ? sum / (sigma * m) : sum / (sigma.Square() * m);
        }
    }
}
