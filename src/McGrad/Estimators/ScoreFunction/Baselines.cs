using System.Globalization;
using McGrad.Autodiff;

namespace McGrad.Estimators.ScoreFunction;

/// <summary>What a baseline gives one estimate: b, the baseline's next state, and (for a learned baseline) its regression loss.</summary>
/// <param name="Baseline">b, detached, broadcastable to the values [K, *batch].</param>
/// <param name="NextState">The baseline's state after this estimate (null for stateless baselines).</param>
/// <param name="Loss">A recorded loss that trains the baseline's own parameters (null if it has none).</param>
public sealed record BaselineResult(Tensor Baseline, EstimatorState? NextState = null, Tensor? Loss = null);

/// <summary>
/// A control variate b subtracted from f in the score-function estimator (f − b)·∇θ log p(x). It stays unbiased as
/// long as b does not depend on the sample it multiplies. Baselines keep no hidden state: a stateful one declares
/// <see cref="InitialState"/> and returns the next state from <see cref="Compute"/>.
/// </summary>
public interface IBaseline
{
    /// <summary>A name for reports ("mean", "b*").</summary>
    string Name { get; }

    /// <summary>The state before the first estimate; null for a stateless baseline.</summary>
    EstimatorState? InitialState => null;

    /// <summary>
    /// The baseline for each sample, given the detached values f of shape [K, *batch] and the current state.
    /// Implementations that look at <paramref name="values"/> must exclude each sample's own value.
    /// </summary>
    BaselineResult Compute(Tensor values, EstimatorState? state);
}

/// <summary>The state of <see cref="Baselines.MovingAverage"/>: the current b and how many estimates it has seen.</summary>
/// <param name="Value">b (0 before the first observation).</param>
/// <param name="Observations">Estimates observed so far.</param>
public sealed record MovingAverageState(double Value, long Observations) : EstimatorState;

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
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or infinite.</exception>
    public static IBaseline Constant(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"Baselines.Constant: the baseline must be a finite number, got {value}.");
        }

        return new ConstantBaseline(value, $"b={value.ToString("G4", CultureInfo.InvariantCulture)}");
    }

    /// <summary>
    /// bₖ = (1/(K − 1)) Σ_{j≠k} f(x_j): the mean of the other K − 1 samples of the same batch element, so
    /// f(x_k) − bₖ = K/(K − 1)·(f(x_k) − f̄). With <see cref="Reinforce"/> this is RLOO (<see cref="Reinforce.LeaveOneOut"/>).
    /// </summary>
    /// <remarks>Needs K ≥ 2 samples per estimate; Compute throws otherwise. Unbiased: bₖ is independent of x_k.</remarks>
    public static IBaseline LeaveOneOut { get; } = new LeaveOneOutBaseline();

    /// <summary>
    /// An exponential moving average of past f values: b ← decay·b + (1 − decay)·mean(f), the mean taken over all
    /// samples and batch elements of one estimate, the update returned as the next state after the estimate that used
    /// the previous b. In the initial state b = 0; the first observation sets b = mean(f).
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
    /// over the K samples, with the regression loss mean((predict() − f)²) returned in
    /// <see cref="GradientEstimate.BaselineLoss"/> to train the model on.
    /// </summary>
    /// <remarks>
    /// Unbiased for any model, because predict takes no sample: it may depend on inputs and parameters, never on x.
    /// The REINFORCE surrogate sees b detached, so its gradient never reaches the model; train the model by
    /// descending <see cref="GradientEstimate.BaselineLoss"/> (or <see cref="GradientEstimate.TrainingLoss"/>).
    /// </remarks>
    /// <param name="predict">Returns b with a shape that broadcasts to the values [K, *batch] without enlarging them
    /// (a scalar, [*batch] or [1, *batch]).</param>
    public static LearnedBaseline Learned(Func<Tensor> predict) => new(predict);

    private sealed class ConstantBaseline(double value, string name) : IBaseline
    {
        public string Name => name;

        public BaselineResult Compute(Tensor values, EstimatorState? state) => new(Tensor.Scalar(value, values.DType));
    }

    private sealed class LeaveOneOutBaseline : IBaseline
    {
        public string Name => "leave-one-out";

        public BaselineResult Compute(Tensor values, EstimatorState? state)
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
                return new((values - (centred * (k / (k - 1.0)))).Detach());
            }
        }
    }
}

/// <summary>
/// The moving-average baseline of <see cref="Baselines.MovingAverage"/>: b ← decay·b + (1 − decay)·mean(f) after each
/// estimate (b = mean(f) at the first), b = 0 in the initial state. Its state is a <see cref="MovingAverageState"/>.
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

    /// <inheritdoc/>
    public string Name => $"moving average({Decay.ToString("G3", CultureInfo.InvariantCulture)})";

    /// <summary>b = 0, no observations.</summary>
    public EstimatorState InitialState => new MovingAverageState(0, 0);

    /// <summary>b from the state (it depends on earlier estimates only) and the state updated with these values.</summary>
    /// <exception cref="ArgumentException">The state is not a <see cref="MovingAverageState"/>, or the values' mean is not finite.</exception>
    public BaselineResult Compute(Tensor values, EstimatorState? state)
    {
        ArgumentNullException.ThrowIfNull(values);
        var current = EstimatorState.Expect(state, new MovingAverageState(0, 0), Name);
        return new(Tensor.Scalar(current.Value, values.DType), Observe(current, values));
    }

    /// <summary>b ← decay·b + (1 − decay)·mean(values) (b = mean(values) at the first observation); empty values change nothing.</summary>
    /// <exception cref="ArgumentException">The mean of the values is not finite.</exception>
    public MovingAverageState Observe(MovingAverageState state, Tensor values)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Size == 0)
        {
            return state;
        }

        var mean = values.ToDoubleArray().Average();
        if (!double.IsFinite(mean))
        {
            throw new ArgumentException($"Baselines.MovingAverage: the mean of the observed f values is {mean}; the baseline needs finite values.", nameof(values));
        }

        return new MovingAverageState(state.Observations == 0 ? mean : (Decay * state.Value) + ((1 - Decay) * mean), state.Observations + 1);
    }
}

/// <summary>
/// The learned baseline of <see cref="Baselines.Learned"/>: b = stopgrad(predict()), and the regression loss
/// mean((predict() − f)²) (recorded) for training the predictor, returned with each estimate.
/// </summary>
public sealed class LearnedBaseline : IBaseline
{
    private readonly Func<Tensor> _predict;

    internal LearnedBaseline(Func<Tensor> predict)
    {
        ArgumentNullException.ThrowIfNull(predict);
        _predict = predict;
    }

    /// <inheritdoc/>
    public string Name => "learned";

    /// <summary>Calls predict() once: b is its detached value, the loss mean((predict() − f)²) is recorded.</summary>
    /// <exception cref="ArgumentException">The prediction's dtype differs from the values', or its shape does not
    /// broadcast to the values' shape [K, *batch] without enlarging it.</exception>
    public BaselineResult Compute(Tensor values, EstimatorState? state)
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

        return new(prediction.Detach(), null, (prediction - values.Detach()).Square().Mean());
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
