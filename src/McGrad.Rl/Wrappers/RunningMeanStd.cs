using McGrad.Nn;

namespace McGrad.Rl;

/// <summary>
/// A running mean and variance per element (Gymnasium's / Baselines' <c>RunningMeanStd</c>), merged batch by batch with
/// Chan et al.'s parallel formula: for a batch of B values with mean m_B and (population) variance v_B,
/// δ = m_B − μ, n' = n + B, μ' = μ + δ·B/n', σ²' = (σ²·n + v_B·B + δ²·n·B/n')/n'. Starts at μ = 0, σ² = 1, n = ε = 1e-4.
/// </summary>
/// <remarks>The state (<see cref="Mean"/>, <see cref="Var"/>, <see cref="Count"/>) is a value you can read, set and save
/// (<see cref="ToTensors"/> / <see cref="FromTensors"/>, for safetensors).</remarks>
public sealed class RunningMeanStd
{
    private readonly double[] mean;
    private readonly double[] var;

    /// <summary>Creates the statistics of <paramref name="size"/> elements, μ = 0, σ² = 1, n = <paramref name="epsilon"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">size ≤ 0 or epsilon ≤ 0.</exception>
    public RunningMeanStd(int size, double epsilon = 1e-4)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (!(epsilon > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "RunningMeanStd: the initial count must be positive.");
        }

        mean = new double[size];
        var = new double[size];
        Array.Fill(var, 1.0);
        Count = epsilon;
    }

    /// <summary>The running mean μ per element.</summary>
    public ReadOnlySpan<double> Mean => mean;

    /// <summary>The running (population) variance σ² per element.</summary>
    public ReadOnlySpan<double> Var => var;

    /// <summary>The (pseudo-)count n of values merged, including the initial ε.</summary>
    public double Count { get; private set; }

    /// <summary>The number of elements.</summary>
    public int Size => mean.Length;

    /// <summary>Merges one value (a batch of one: v_B = 0).</summary>
    /// <exception cref="ArgumentException">The value has the wrong length.</exception>
    public void Update(ReadOnlySpan<double> x)
    {
        if (x.Length != Size)
        {
            throw new ArgumentException($"RunningMeanStd.Update: got {x.Length} values, expected {Size}.", nameof(x));
        }

        var tot = Count + 1;
        for (var i = 0; i < Size; i++)
        {
            var delta = x[i] - mean[i];
            mean[i] += delta * 1 / tot;
            var m2 = (var[i] * Count) + (delta * delta * Count * 1 / tot);
            var[i] = m2 / tot;
        }

        Count = tot;
    }

    /// <summary>Merges a batch of <paramref name="batchCount"/> values given its mean and population variance.</summary>
    /// <exception cref="ArgumentException">Lengths differ from <see cref="Size"/>, or batchCount ≤ 0.</exception>
    public void UpdateFromMoments(ReadOnlySpan<double> batchMean, ReadOnlySpan<double> batchVar, int batchCount)
    {
        if (batchMean.Length != Size || batchVar.Length != Size)
        {
            throw new ArgumentException($"RunningMeanStd.UpdateFromMoments: got {batchMean.Length} means and {batchVar.Length} variances, expected {Size}.", nameof(batchMean));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchCount);
        var tot = Count + batchCount;
        for (var i = 0; i < Size; i++)
        {
            var delta = batchMean[i] - mean[i];
            mean[i] += delta * batchCount / tot;
            var m2 = (var[i] * Count) + (batchVar[i] * batchCount) + (delta * delta * Count * batchCount / tot);
            var[i] = m2 / tot;
        }

        Count = tot;
    }

    /// <summary>Replaces the state (e.g. from a checkpoint).</summary>
    /// <exception cref="ArgumentException">Wrong lengths, a negative or non-finite variance, or count ≤ 0.</exception>
    public void SetState(ReadOnlySpan<double> newMean, ReadOnlySpan<double> newVar, double count)
    {
        if (newMean.Length != Size || newVar.Length != Size)
        {
            throw new ArgumentException($"RunningMeanStd.SetState: got {newMean.Length} means and {newVar.Length} variances, expected {Size}.", nameof(newMean));
        }

        if (!(count > 0) || !double.IsFinite(count))
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "RunningMeanStd.SetState: the count must be positive and finite.");
        }

        for (var i = 0; i < Size; i++)
        {
            if (!double.IsFinite(newMean[i]) || !(newVar[i] >= 0) || !double.IsFinite(newVar[i]))
            {
                throw new ArgumentException($"RunningMeanStd.SetState: element {i} has mean {newMean[i]} and variance {newVar[i]}; expected a finite mean and a finite variance ≥ 0.", nameof(newVar));
            }
        }

        newMean.CopyTo(mean);
        newVar.CopyTo(var);
        Count = count;
    }

    /// <summary>The state as float64 tensors named <c>{prefix}mean</c>, <c>{prefix}var</c> and <c>{prefix}count</c> (shape [1]), for <see cref="SafeTensors.Save(string, IEnumerable{KeyValuePair{string, Tensor}}, IReadOnlyDictionary{string, string}?)"/>.</summary>
    public Dictionary<string, Tensor> ToTensors(string prefix = "")
        => new()
        {
            [prefix + "mean"] = Tensor.FromArray((double[])mean.Clone(), Size),
            [prefix + "var"] = Tensor.FromArray((double[])var.Clone(), Size),
            [prefix + "count"] = Tensor.FromArray([Count], 1),
        };

    /// <summary>Sets the state from tensors written by <see cref="ToTensors"/>.</summary>
    /// <exception cref="ArgumentException">A tensor is missing, not float64, or of the wrong size; or the values are invalid (see <see cref="SetState"/>).</exception>
    public void FromTensors(IReadOnlyDictionary<string, Tensor> tensors, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(tensors);
        SetState(Get("mean", Size), Get("var", Size), Get("count", 1)[0]);

        ReadOnlySpan<double> Get(string name, int size)
        {
            if (!tensors.TryGetValue(prefix + name, out var t))
            {
                throw new ArgumentException($"RunningMeanStd.FromTensors: no tensor '{prefix + name}' (found: {string.Join(", ", tensors.Keys)}).", nameof(tensors));
            }

            if (t.DType != DType.Float64 || t.Size != size)
            {
                throw new ArgumentException($"RunningMeanStd.FromTensors: '{prefix + name}' is {t.DType} of {t.Size} elements; expected Float64 of {size}.", nameof(tensors));
            }

            return t.AsReadOnlySpan<double>();
        }
    }
}
