using McGrad.Kernels;
using McGrad.Randomness;

namespace McGrad.Data;

/// <summary>
/// Mini-batches over a data set of <see cref="Count"/> rows: each epoch visits the rows in an order that depends only
/// on the key and the epoch number — a uniformly random permutation drawn from <c>key.FoldIn(epoch)</c> — cut into
/// batches of <see cref="BatchSize"/> rows.
/// </summary>
/// <remarks>
/// The same key and epoch always give the same batches, on any thread count; different epochs give independent
/// orders. With <see cref="DropLast"/> the last, smaller batch of an epoch is left out (N mod B rows, which differ
/// from epoch to epoch). Gathered batches are copies of the selected rows: plain tensors, not recorded for autodiff.
/// </remarks>
public sealed class DataLoader
{
    /// <summary>Creates a loader.</summary>
    /// <param name="count">Number of rows N in the data set (≥ 0).</param>
    /// <param name="batchSize">Rows per batch B (≥ 1).</param>
    /// <param name="key">The key the epoch permutations are drawn from.</param>
    /// <param name="shuffle">Permute each epoch (true) or visit rows in order 0…N−1 (false).</param>
    /// <param name="dropLast">Leave out a last batch smaller than <paramref name="batchSize"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">count is negative or batchSize is less than 1.</exception>
    public DataLoader(int count, int batchSize, RngKey key, bool shuffle = true, bool dropLast = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        Count = count;
        BatchSize = batchSize;
        Key = key;
        Shuffle = shuffle;
        DropLast = dropLast;
    }

    /// <summary>Number of rows N.</summary>
    public int Count { get; }

    /// <summary>Rows per batch B.</summary>
    public int BatchSize { get; }

    /// <summary>The key the epoch permutations are drawn from.</summary>
    public RngKey Key { get; }

    /// <summary>Whether each epoch visits the rows in a random order.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether a last batch smaller than <see cref="BatchSize"/> is left out.</summary>
    public bool DropLast { get; }

    /// <summary>Batches per epoch: ⌊N/B⌋ with <see cref="DropLast"/>, ⌈N/B⌉ without.</summary>
    public int BatchesPerEpoch => DropLast ? Count / BatchSize : (int)(((long)Count + BatchSize - 1) / BatchSize);

    /// <summary>
    /// The order in which epoch <paramref name="epoch"/> visits the rows: <see cref="Permutation"/>(Key.FoldIn(epoch), N)
    /// when shuffling, 0…N−1 otherwise. Batch k is elements [k·B, (k+1)·B) of it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">epoch is negative.</exception>
    public int[] EpochOrder(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if (Shuffle)
        {
            return Permutation(Key.FoldIn((uint)epoch), Count);
        }

        var order = new int[Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        return order;
    }

    /// <summary>The row indices of each batch of epoch <paramref name="epoch"/>, as Int64 tensors of shape [B] (the last may be shorter).</summary>
    /// <exception cref="ArgumentOutOfRangeException">epoch is negative.</exception>
    public IEnumerable<Tensor> IndexBatches(int epoch) => Iterate(EpochOrder(epoch), order =>
    {
        var t = Tensor.Uninitialized([order.Length], DType.Int64);
        var dst = t.Span<long>();
        for (var i = 0; i < order.Length; i++)
        {
            dst[i] = order[i];
        }

        return t;
    });

    /// <summary>The rows of <paramref name="data"/> (shape [N, …]) batch by batch for epoch <paramref name="epoch"/>: tensors [B, …].</summary>
    /// <exception cref="ArgumentException">data's first dimension is not N.</exception>
    /// <exception cref="ArgumentOutOfRangeException">epoch is negative.</exception>
    public IEnumerable<Tensor> Batches(int epoch, Tensor data)
    {
        CheckRows(data, nameof(data));
        return Iterate(EpochOrder(epoch), rows => GatherRows(data, rows));
    }

    /// <summary>Matching batches of two tensors with N rows each (e.g. inputs and labels): the same rows of both.</summary>
    /// <exception cref="ArgumentException">A tensor's first dimension is not N.</exception>
    /// <exception cref="ArgumentOutOfRangeException">epoch is negative.</exception>
    public IEnumerable<(Tensor X, Tensor Y)> Batches(int epoch, Tensor x, Tensor y)
    {
        CheckRows(x, nameof(x));
        CheckRows(y, nameof(y));
        return Iterate(EpochOrder(epoch), rows => (GatherRows(x, rows), GatherRows(y, rows)));
    }

    /// <summary>Matching batches of any number of tensors with N rows each: element j of a batch holds rows of data[j].</summary>
    /// <exception cref="ArgumentException">A tensor's first dimension is not N.</exception>
    /// <exception cref="ArgumentOutOfRangeException">epoch is negative.</exception>
    public IEnumerable<Tensor[]> Batches(int epoch, params Tensor[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        for (var j = 0; j < data.Length; j++)
        {
            CheckRows(data[j], $"data[{j}]");
        }

        return Iterate(EpochOrder(epoch), rows => Array.ConvertAll(data, t => GatherRows(t, rows)));
    }

    /// <summary>
    /// A uniformly random permutation of 0…count−1 by the Fisher–Yates shuffle (Durstenfeld's form: for i = n−1 down
    /// to 1 swap element i with element j ~ U{0…i}), the j drawn without modulo bias from <paramref name="key"/>'s
    /// Philox stream. Depends on the key alone.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">count is negative.</exception>
    public static int[] Permutation(RngKey key, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var p = new int[count];
        for (var i = 0; i < count; i++)
        {
            p[i] = i;
        }

        var stream = new KeyStream(key, count);
        for (var i = count - 1; i > 0; i--)
        {
            var j = (int)stream.NextBelow((uint)i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }

        return p;
    }

    private void CheckRows(Tensor data, string name)
    {
        ArgumentNullException.ThrowIfNull(data, name);
        if (data.Rank == 0 || data.Shape[0] != Count)
        {
            throw new ArgumentException($"DataLoader: {name} has shape {data.Shape}; its first dimension must be the loader's row count {Count}.", name);
        }
    }

    private IEnumerable<TBatch> Iterate<TBatch>(int[] order, Func<int[], TBatch> make)
    {
        var batches = BatchesPerEpoch;
        for (var k = 0; k < batches; k++)
        {
            var start = k * BatchSize;
            yield return make(order[start..Math.Min(start + BatchSize, order.Length)]);
        }
    }

    /// <summary>Copies rows <paramref name="rows"/> of <paramref name="source"/> ([N, …]) into a new [rows.Length, …] tensor.</summary>
    internal static Tensor GatherRows(Tensor source, int[] rows)
    {
        var dims = source.Shape.ToArray();
        var rowSize = source.Rank == 0 ? 1 : source.Size / Math.Max(dims[0], 1);
        dims[0] = rows.Length;
        var result = Tensor.Uninitialized(new Shape(dims), source.DType);
        switch (source.DType)
        {
            case DType.Float32:
                CopyRows((float[])source.Storage, (float[])result.Storage, rows, rowSize);
                break;
            case DType.Float64:
                CopyRows((double[])source.Storage, (double[])result.Storage, rows, rowSize);
                break;
            default:
                CopyRows((long[])source.Storage, (long[])result.Storage, rows, rowSize);
                break;
        }

        return result;
    }

    private static void CopyRows<T>(T[] source, T[] destination, int[] rows, int rowSize)
    {
        if (rowSize == 0)
        {
            return;
        }

        var grain = Math.Max(1, Parallelism.ElementwiseGrain / rowSize);
        Parallelism.For(rows.Length, grain, (start, count) =>
        {
            for (var i = start; i < start + count; i++)
            {
                source.AsSpan(rows[i] * rowSize, rowSize).CopyTo(destination.AsSpan(i * rowSize, rowSize));
            }
        });
    }
}
