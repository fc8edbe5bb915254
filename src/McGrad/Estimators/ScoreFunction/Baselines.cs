namespace McGrad.Estimators.ScoreFunction;

/// <summary>
/// A control variate b subtracted from f in the score-function estimator (f − b)·∇θ log p(x). It stays unbiased as
/// long as b does not depend on the sample it multiplies.
/// </summary>
public interface IBaseline
{
    /// <summary>A name for reports ("mean", "b*").</summary>
    string Name { get; }

    /// <summary>
    /// The baseline for each sample, broadcastable to <paramref name="values"/> (shape [K, *batch], f detached).
    /// Implementations that look at <paramref name="values"/> must exclude each sample's own value.
    /// </summary>
    Tensor Compute(Tensor values);

    /// <summary>Called after an estimate with its f values (e.g. to update a moving average); no-op by default.</summary>
    void Observe(Tensor values)
    {
    }
}

/// <summary>Baselines that need no state.</summary>
public static class Baselines
{
    /// <summary>b = 0: plain REINFORCE.</summary>
    public static IBaseline None { get; } = new ConstantBaseline(0, "none");

    /// <summary>A fixed b (e.g. the exact E[f], which gives the "SF + mean baseline" of Mohamed et al. 2020).</summary>
    public static IBaseline Constant(double value) => new ConstantBaseline(value, $"b={value:G4}");

    private sealed class ConstantBaseline(double value, string name) : IBaseline
    {
        public string Name => name;

        public Tensor Compute(Tensor values) => Tensor.Scalar(value, values.DType);
    }
}
