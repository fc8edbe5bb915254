using McGrad.Autodiff;
using McGrad.Randomness;

namespace McGrad.Rl.Training.Analytic;

/// <content>LR+RP: inverse-variance interpolation of the LR and RP gradients (gippo lrp.py).</content>
public sealed partial class AnalyticTrainer
{
    /// <summary>
    /// L = k_LR·L_LR + (1 − k_LR)·L_RP with k_LR = var_RP / (var_LR + var_RP + 1e-8), where var is the trace of the sample
    /// covariance of per-sample actor gradients (their first <see cref="AnalyticConfig.VarianceMaxLength"/> entries):
    /// <see cref="AnalyticConfig.VarianceSamples"/> LR samples drawn without replacement and as many RP window starts, in order.
    /// </summary>
    /// <returns>k_LR.</returns>
    private double UpdateLrRp(AnalyticRollout rollout, Tensor[] advantages, RngKey key)
    {
        var lrLosses = LrSampleLosses(rollout, advantages);
        var count = lrLosses.Shape[0];
        var samples = Math.Min(Config.VarianceSamples, count);
        var order = Sampler.Uniform(key, [count], DType.Float64).AsReadOnlySpan<double>().ToArray();
        var chosen = Enumerable.Range(0, count).OrderBy(i => order[i]).Take(samples);
        var lrGradients = chosen.Select(i => PerSampleGradient(lrLosses.Narrow(0, i, 1).Sum())).ToList();

        var rpGradients = new List<double[]>();
        for (var t = 0; t < rollout.Steps && rpGradients.Count < Config.VarianceSamples; t++)
        {
            for (var i = 0; rollout.Starts[t] && i < advantages[t].Shape[0] && rpGradients.Count < Config.VarianceSamples; i++)
            {
                rpGradients.Add(PerSampleGradient(-(advantages[t].Narrow(0, i, 1) + rollout.Values[t].Narrow(0, i, 1)).Sum()));
            }
        }

        var lrVariance = TotalVariance(lrGradients);
        var rpVariance = TotalVariance(rpGradients);
        var kLr = rpVariance / (lrVariance + rpVariance + 1e-8);
        _actorOptimizer.ZeroGrad();
        ((lrLosses.Mean() * kLr) + (RpLoss(rollout, advantages) * (1 - kLr))).Backward();
        _actorOptimizer.Step();
        _actorOptimizer.ZeroGrad();
        return kLr;
    }

    /// <summary>∇_θ of one sample's loss over the actor's parameters, flattened in parameter order and truncated.</summary>
    private double[] PerSampleGradient(Tensor loss)
    {
        var grads = Autograd.Grad([loss], _actorParameters, allowUnused: true, retainGraph: true);
        var flat = new double[Math.Min(Config.VarianceMaxLength, _actorParameters.Sum(p => p.Size))];
        var k = 0;
        for (var p = 0; p < grads.Length && k < flat.Length; p++)
        {
            var size = _actorParameters[p].Size;
            var values = grads[p] is { } g ? g.AsReadOnlySpan<float>() : default;
            for (var j = 0; j < size && k < flat.Length; j++, k++)
            {
                flat[k] = values.IsEmpty ? 0 : values[j];
            }
        }

        return flat;
    }

    /// <summary>Σ_j of the unbiased sample variance of entry j across the gradients (the trace of their covariance).</summary>
    internal static double TotalVariance(IReadOnlyList<double[]> gradients)
    {
        var n = gradients.Count;
        var total = 0.0;
        for (var j = 0; j < gradients[0].Length; j++)
        {
            var mean = 0.0;
            foreach (var g in gradients)
            {
                mean += g[j];
            }

            mean /= n;
            var sum = 0.0;
            foreach (var g in gradients)
            {
                sum += (g[j] - mean) * (g[j] - mean);
            }

            total += sum / (n - 1);
        }

        return total;
    }
}
