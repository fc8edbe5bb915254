using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;

namespace McGrad.Optim;

/// <summary>State of a transformation that keeps none (only the parameter shapes, for validation).</summary>
public sealed class EmptyState : TransformState
{
    internal EmptyState(IReadOnlyList<Tensor> parameters)
        : base(parameters)
    {
    }
}

/// <summary>
/// Weight decay: u ← u + λ·p. Placed before the rescaling (e.g. <see cref="ScaleByAdam"/>) it is an L2 penalty
/// (torch's weight_decay argument of SGD, Adam, RMSprop); placed after it, it is decoupled weight decay (AdamW).
/// </summary>
public sealed class AddDecayedWeights : GradientTransformation<EmptyState>
{
    /// <summary>Creates the transformation.</summary>
    /// <param name="weightDecay">λ, finite and ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">λ is negative, NaN or infinite.</exception>
    public AddDecayedWeights(double weightDecay)
    {
        OptimArgs.NonNegative(weightDecay, "AddDecayedWeights", nameof(weightDecay));
        WeightDecay = weightDecay;
    }

    /// <inheritdoc/>
    public override string Name => "AddDecayedWeights";

    /// <summary>λ, the decay coefficient.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc/>
    protected override EmptyState CreateState(IReadOnlyList<Tensor> parameters) => new(parameters);

    /// <inheritdoc/>
    protected override void Apply(IReadOnlyList<Tensor?> updates, EmptyState state, IReadOnlyList<Tensor> parameters)
    {
        if (WeightDecay == 0)
        {
            return;
        }

        for (var i = 0; i < updates.Count; i++)
        {
            var u = updates[i];
            if (u is not null)
            {
                OptimKernels.Run(u.DType, u.Size, new Kernel(u, parameters[i], WeightDecay));
            }
        }
    }

    private readonly struct Kernel(Tensor u, Tensor p, double wd) : ISliceKernel
    {
        public void Run<T>(int start, int count)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var us = OptimKernels.Slice<T>(u, start, count);
            TensorPrimitives.MultiplyAdd<T>(OptimKernels.Slice<T>(p, start, count), T.CreateChecked(wd), us, us);
        }
    }
}

/// <summary>Multiplies every update by a constant: u ← c·u (e.g. c = −1 turns descent into ascent).</summary>
public sealed class Scale : GradientTransformation<EmptyState>
{
    /// <summary>Creates the transformation.</summary>
    /// <param name="factor">c, finite.</param>
    /// <exception cref="ArgumentOutOfRangeException">c is NaN or infinite.</exception>
    public Scale(double factor)
    {
        OptimArgs.Finite(factor, "Scale", nameof(factor));
        Factor = factor;
    }

    /// <inheritdoc/>
    public override string Name => "Scale";

    /// <summary>c, the factor.</summary>
    public double Factor { get; }

    /// <inheritdoc/>
    protected override EmptyState CreateState(IReadOnlyList<Tensor> parameters) => new(parameters);

    /// <inheritdoc/>
    protected override void Apply(IReadOnlyList<Tensor?> updates, EmptyState state, IReadOnlyList<Tensor> parameters)
        => ScaleKernel.ScaleAll(updates, Factor);
}

/// <summary>
/// The learning-rate step: u ← −lr_t·u, where lr_t = schedule(t) and t counts this transformation's updates
/// (0 on the first).
/// </summary>
/// <remarks>
/// The last member of every optimizer chain in <see cref="Transforms"/>: it turns a descent direction into the
/// step that the optimizer adds to the parameters. t advances once per <see cref="IGradientTransformation.Update"/>
/// call, however many parameters have gradients. A schedule value that is negative, NaN or infinite is an error.
/// </remarks>
public sealed class ScaleByLearningRate : GradientTransformation<ScheduleState>
{
    /// <summary>Creates the transformation.</summary>
    /// <param name="learningRate">The schedule lr_t (a <see cref="double"/> converts to a constant schedule).</param>
    /// <exception cref="ArgumentOutOfRangeException">A constant learning rate is negative, NaN or infinite.</exception>
    public ScaleByLearningRate(Schedule learningRate)
    {
        ArgumentNullException.ThrowIfNull(learningRate);
        if (learningRate is ConstantSchedule c)
        {
            OptimArgs.NonNegative(c.Value, "ScaleByLearningRate", nameof(learningRate));
        }

        LearningRate = learningRate;
    }

    /// <inheritdoc/>
    public override string Name => "ScaleByLearningRate";

    /// <summary>The learning-rate schedule.</summary>
    public Schedule LearningRate { get; }

    /// <inheritdoc/>
    protected override ScheduleState CreateState(IReadOnlyList<Tensor> parameters) => new(parameters);

    /// <inheritdoc/>
    protected override void Apply(IReadOnlyList<Tensor?> updates, ScheduleState state, IReadOnlyList<Tensor> parameters)
    {
        var lr = LearningRate.ValueAt(state.Count);
        if (!(lr >= 0) || double.IsPositiveInfinity(lr))
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"ScaleByLearningRate: the schedule {LearningRate} gave learning rate {lr} at step {state.Count}; a learning rate must be finite and >= 0."));
        }

        ScaleKernel.ScaleAll(updates, -lr);
        state.Count++;
    }
}

/// <summary>State of <see cref="ScaleByLearningRate"/>: the number of updates applied so far (the schedule's step).</summary>
public sealed class ScheduleState : TransformState
{
    internal ScheduleState(IReadOnlyList<Tensor> parameters)
        : base(parameters)
    {
    }

    /// <summary>Updates applied so far; the next update uses the schedule at this step.</summary>
    public int Count { get; internal set; }
}

/// <summary>u ← c·u over every non-null update.</summary>
internal readonly struct ScaleKernel(Tensor u, double c) : ISliceKernel
{
    public static void ScaleAll(IReadOnlyList<Tensor?> updates, double c)
    {
        for (var i = 0; i < updates.Count; i++)
        {
            var u = updates[i];
            if (u is not null)
            {
                OptimKernels.Run(u.DType, u.Size, new ScaleKernel(u, c));
            }
        }
    }

    public void Run<T>(int start, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var us = OptimKernels.Slice<T>(u, start, count);
        TensorPrimitives.Multiply<T>(us, T.CreateChecked(c), us);
    }
}
