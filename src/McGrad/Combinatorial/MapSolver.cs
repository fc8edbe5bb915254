using McGrad.Kernels;

namespace McGrad.Combinatorial;

/// <summary>
/// Base class for MAP solvers: validates the scores, splits them into instances and runs
/// <see cref="SolveInstance"/> on each (in float64, across cores for large batches), then returns the solutions in the
/// scores' dtype. Subclasses write only the per-instance kernel.
/// </summary>
/// <remarks>
/// <see cref="SolveInstance"/> is called concurrently for different instances, so it must not share mutable state.
/// NaN scores are rejected before any instance is solved; subclasses add their own checks in
/// <see cref="ValidateInstanceShape"/> and <see cref="ValidateValue"/>.
/// </remarks>
public abstract class MapSolver : IMapSolver
{
    /// <summary>Sets the sense and the instance rank.</summary>
    /// <exception cref="ArgumentOutOfRangeException">instanceRank &lt; 1.</exception>
    protected MapSolver(MapSense sense, int instanceRank)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(instanceRank, 1);
        Sense = sense;
        InstanceRank = instanceRank;
    }

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public MapSense Sense { get; }

    /// <inheritdoc/>
    public int InstanceRank { get; }

    /// <inheritdoc/>
    public Tensor Solve(Tensor scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (!scores.DType.IsFloatingPoint())
        {
            throw new ArgumentException($"{Name}.Solve: scores must be Float32 or Float64, got {scores.DType}.", nameof(scores));
        }

        if (scores.Rank < InstanceRank)
        {
            throw new ArgumentException($"{Name}.Solve: scores of shape {scores.Shape} have rank {scores.Rank}; expected batch dimensions followed by an instance of rank {InstanceRank}.", nameof(scores));
        }

        var dims = scores.Shape.ToArray()[(scores.Rank - InstanceRank)..];
        ValidateInstanceShape(dims, scores.Shape);
        var data = scores.ToDoubleArray();
        var n = 1;
        foreach (var d in dims)
        {
            n *= d;
        }

        for (var i = 0; i < data.Length; i++)
        {
            var v = data[i];
            if (double.IsNaN(v))
            {
                throw new ArgumentException($"{Name}.Solve: scores of shape {scores.Shape} hold NaN at flat index {i}; MAP needs comparable scores.", nameof(scores));
            }

            ValidateValue(v, i % Math.Max(n, 1), scores.Shape);
        }

        var count = n == 0 ? 0 : data.Length / n;
        var result = new double[data.Length];
        var grain = Math.Max(1, (1 << 14) / Math.Max(1, WorkPerInstance(dims)));
        Parallelism.For(count, grain, (start, c) =>
        {
            for (var b = start; b < start + c; b++)
            {
                SolveInstance(data.AsSpan(b * n, n), result.AsSpan(b * n, n), dims);
            }
        });

        var output = Tensor.Zeros(scores.Shape, scores.DType);
        if (scores.DType == DType.Float64)
        {
            result.CopyTo(output.Span<double>());
        }
        else
        {
            var o = output.Span<float>();
            for (var i = 0; i < result.Length; i++)
            {
                o[i] = (float)result[i];
            }
        }

        return output;
    }

    /// <summary>Solves one instance: writes z* (zeros on entry) for the row-major scores of one instance.</summary>
    /// <param name="scores">The instance's scores θ (row-major, float64).</param>
    /// <param name="solution">Where to write z* (cleared to 0 on entry).</param>
    /// <param name="instanceShape">The instance dimensions (length <see cref="InstanceRank"/>).</param>
    protected abstract void SolveInstance(ReadOnlySpan<double> scores, Span<double> solution, int[] instanceShape);

    /// <summary>Throws an <see cref="ArgumentException"/> when the instance shape does not suit the solver.</summary>
    /// <param name="instanceShape">The instance dimensions.</param>
    /// <param name="scoresShape">The full shape of the scores (for messages).</param>
    protected virtual void ValidateInstanceShape(int[] instanceShape, Shape scoresShape)
    {
    }

    /// <summary>Throws an <see cref="ArgumentException"/> when a (non-NaN) score is not allowed (e.g. a negative cost).</summary>
    /// <param name="value">The score.</param>
    /// <param name="indexInInstance">Its flat index inside its instance.</param>
    /// <param name="scoresShape">The full shape of the scores (for messages).</param>
    protected virtual void ValidateValue(double value, int indexInInstance, Shape scoresShape)
    {
    }

    /// <summary>A rough cost of one instance in elementary steps (sets the parallel grain); default: the instance size.</summary>
    protected virtual int WorkPerInstance(int[] instanceShape)
    {
        var n = 1;
        foreach (var d in instanceShape)
        {
            n *= d;
        }

        return n;
    }

    /// <summary>An <see cref="ArgumentException"/> about the scores passed to <see cref="Solve"/> (ParamName "scores").</summary>
    private protected static ArgumentException InvalidScores(string message) => new(message, ScoresParameter);

    private static string ScoresParameter => "scores";

    /// <summary>Throws the standard error for a non-finite score.</summary>
    private protected void RequireFinite(double value, int indexInInstance, Shape scoresShape)
    {
        if (!double.IsFinite(value))
        {
            throw InvalidScores($"{Name}.Solve: scores of shape {scoresShape} hold {value} at index {indexInInstance} of an instance; this solver needs finite values.");
        }
    }
}
