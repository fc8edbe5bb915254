using System.Globalization;
using McGrad.Autodiff;

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

/// <summary>Baselines for <see cref="Reinforce"/>: none, constant, leave-one-out, moving average and learned.</summary>
/// <remarks>
/// The per-parameter optimal constant b*ᵢ = E[f sᵢ²]/E[sᵢ²] differs for every parameter element, so it cannot be a
/// single <see cref="IBaseline"/>: it is the estimator <see cref="OptimalBaselineReinforce"/>.
/// </remarks>
public static class Baselines
{
    /// <summary>b = 0: plain REINFORCE.</summary>
    public static IBaseline None { get; } = new ConstantBaseline(0, "none");

    /// <summary>A fixed b (e.g. the exact E[f], which gives the "SF + mean baseline" of Mohamed et al. 2020).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or ±∞ (every estimate would be NaN).</exception>
    public static IBaseline Constant(double value) => double.IsFinite(value)
        ? new ConstantBaseline(value, $"b={value.ToString("G4", CultureInfo.InvariantCulture)}")
        : throw new ArgumentOutOfRangeException(nameof(value), value, $"Baselines.Constant: the baseline value must be finite, got {value}.");

    /// <summary>
    /// bₖ = (1/(K − 1)) Σ_{j≠k} f(x_j): the mean of the other K − 1 samples of the same batch element, so
    /// f(x_k) − bₖ = K/(K − 1)·(f(x_k) − f̄). With <see cref="Reinforce"/> this is RLOO (see <see cref="Rloo"/>).
    /// </summary>
    /// <remarks>Needs K ≥ 2 samples per estimate; Compute throws otherwise. Unbiased: bₖ is independent of x_k.</remarks>
    public static IBaseline LeaveOneOut { get; } = new LeaveOneOutBaseline();

    /// <summary>
    /// An exponential moving average of past f values: b ← decay·b + (1 − decay)·mean(f), the mean taken over all
    /// samples and batch elements of one estimate, updated in <see cref="IBaseline.Observe"/> after the estimate that
    /// used the previous b. Before the first observation b = 0; the first observation sets b = mean(f).
    /// </summary>
    /// <remarks>
    /// Unbiased: the b used by an estimate is built from earlier estimates only, so it is independent of the current
    /// samples. Its variance tends to that of the mean baseline (E[f]) when f's mean changes slowly. One scalar for
    /// the whole batch: for batch elements with very different E[f], use <see cref="Learned"/> with a per-element
    /// predictor. Williams (1992); Sutton &amp; Barto (2018, §13.4).
    /// </remarks>
    /// <param name="decay">The weight of the old value, in [0, 1): 0.9 averages over about 10 estimates.</param>
    /// <exception cref="ArgumentOutOfRangeException">decay outside [0, 1).</exception>
    public static MovingAverageBaseline MovingAverage(double decay = 0.9) => new(decay);

    /// <summary>
    /// A baseline predicted by a user model (e.g. a value network of the context): b = stopgrad(predict()), broadcast
    /// over the K samples. <see cref="LearnedBaseline.Loss"/> then holds the regression loss mean((predict() − f)²)
    /// to train the model on.
    /// </summary>
    /// <remarks>
    /// Unbiased for any model, because predict takes no sample: it may depend on inputs and parameters, never on x.
    /// The REINFORCE surrogate sees b detached, so its gradient never reaches the model; train the model by
    /// descending <see cref="LearnedBaseline.Loss"/> (its gradient is 2·mean(predict() − f)·∂predict/∂φ).
    /// </remarks>
    /// <param name="predict">Returns b with a shape that broadcasts to the values [K, *batch] without enlarging them
    /// (a scalar, [*batch] or [1, *batch]).</param>
    public static LearnedBaseline Learned(Func<Tensor> predict) => new(predict);

    private sealed class ConstantBaseline(double value, string name) : IBaseline
    {
        public string Name => name;

        public Tensor Compute(Tensor values) => Tensor.Scalar(value, values.DType);
    }

    private sealed class LeaveOneOutBaseline : IBaseline
    {
        public string Name => "leave-one-out";

        public Tensor Compute(Tensor values)
        {
            ArgumentNullException.ThrowIfNull(values);
            var k = values.Rank == 0 ? 1 : values.Shape[0];
            if (k < 2)
            {
                throw new ArgumentException($"Baselines.LeaveOneOut: needs K >= 2 samples per estimate (values of shape [K, *batch]), got values of shape {values.Shape}.", nameof(values));
            }

            using (Autograd.NoGrad())
            {
                // b_k = (S − f_k)/(K − 1) written as f_k − K/(K − 1)·(f_k − f̄), so f_k − b_k = K/(K − 1)·(f_k − f̄) exactly.
                var centred = values - values.Mean(0, keepDim: true);
                return (values - (centred * (k / (k - 1.0)))).Detach();
            }
        }
    }
}

/// <summary>
/// The moving-average baseline of <see cref="Baselines.MovingAverage"/>: b ← decay·b + (1 − decay)·mean(f) after each
/// estimate (b = mean(f) at the first), b = 0 before any.
/// </summary>
public sealed class MovingAverageBaseline : IBaseline
{
    internal MovingAverageBaseline(double decay)
    {
        if (!(decay >= 0 && decay < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(decay), decay, $"Baselines.MovingAverage: decay must lie in [0, 1), got {decay}.");
        }

        Decay = decay;
    }

    /// <summary>The weight of the old value.</summary>
    public double Decay { get; }

    /// <summary>The current b (0 before the first observation).</summary>
    public double Value { get; private set; }

    /// <summary>How many estimates have been observed.</summary>
    public long Observations { get; private set; }

    /// <inheritdoc/>
    public string Name => $"moving average({Decay.ToString("G3", CultureInfo.InvariantCulture)})";

    /// <summary>The current b as a scalar in the values' dtype: it depends on earlier estimates only.</summary>
    public Tensor Compute(Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Tensor.Scalar(Value, values.DType);
    }

    /// <summary>b ← decay·b + (1 − decay)·mean(values) (b = mean(values) at the first call); empty values change nothing.</summary>
    /// <exception cref="ArgumentException">The mean of the values is not finite.</exception>
    public void Observe(Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Size == 0)
        {
            return;
        }

        var mean = values.ToDoubleArray().Average();
        if (!double.IsFinite(mean))
        {
            throw new ArgumentException($"Baselines.MovingAverage: the mean of the observed f values is {mean}; the baseline needs finite values.", nameof(values));
        }

        Value = Observations == 0 ? mean : (Decay * Value) + ((1 - Decay) * mean);
        Observations++;
    }

    /// <summary>Forgets all observations (b = 0).</summary>
    public void Reset()
    {
        Value = 0;
        Observations = 0;
    }
}

/// <summary>
/// The learned baseline of <see cref="Baselines.Learned"/>: b = stopgrad(predict()), and after each estimate the
/// regression loss <see cref="Loss"/> = mean((predict() − f)²) (recorded) for training the predictor.
/// </summary>
public sealed class LearnedBaseline : IBaseline
{
    private readonly Func<Tensor> _predict;
    private Tensor? _prediction;

    internal LearnedBaseline(Func<Tensor> predict)
    {
        ArgumentNullException.ThrowIfNull(predict);
        _predict = predict;
    }

    /// <inheritdoc/>
    public string Name => "learned";

    /// <summary>
    /// The regression loss of the last estimate, mean over samples and batch of (predict() − f)², recorded so that
    /// its gradient reaches the predictor's parameters; null before the first estimate.
    /// </summary>
    public Tensor? Loss { get; private set; }

    /// <summary>Calls predict() (recorded, kept for <see cref="Loss"/>) and returns it detached.</summary>
    /// <exception cref="ArgumentException">The prediction's dtype differs from the values', or its shape does not
    /// broadcast to the values' shape [K, *batch] without enlarging it.</exception>
    public Tensor Compute(Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var prediction = _predict() ?? throw new InvalidOperationException("Baselines.Learned: predict() returned null.");
        if (prediction.DType != values.DType)
        {
            throw new ArgumentException($"Baselines.Learned: predict() returned {prediction.DType} but f values are {values.DType}; McGrad does not convert silently.", nameof(values));
        }

        if (!FitsInto(prediction.Shape, values.Shape))
        {
            throw new ArgumentException($"Baselines.Learned: predict() returned shape {prediction.Shape}, which does not broadcast to the f values' shape {values.Shape} ([K, *batch]); return a scalar, [*batch] or [1, *batch].", nameof(values));
        }

        _prediction = prediction;
        return prediction.Detach();
    }

    /// <summary>Sets <see cref="Loss"/> = mean((prediction − values)²) from the prediction of the preceding Compute.</summary>
    /// <exception cref="InvalidOperationException">Observe was called without a preceding Compute.</exception>
    public void Observe(Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var prediction = _prediction ?? throw new InvalidOperationException("Baselines.Learned: Observe needs the prediction of a preceding Compute.");
        _prediction = null;
        Loss = (prediction - values.Detach()).Square().Mean();
    }

    private static bool FitsInto(Shape small, Shape large)
    {
        if (small.Rank > large.Rank)
        {
            return false;
        }

        for (var i = 1; i <= small.Rank; i++)
        {
            if (small[^i] != 1 && small[^i] != large[^i])
            {
                return false;
            }
        }

        return true;
    }
}
