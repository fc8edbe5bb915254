namespace McGrad.Randomness;

/// <summary>
/// An explicit random key: every sampling call takes one, and the numbers it produces depend on the key alone —
/// not on thread count, call order or machine. Keys are split and folded in to derive independent streams
/// (as in JAX); the generator underneath is Philox4x32-10.
/// </summary>
/// <remarks>
/// A key is a 64-bit Philox key. Stream word i of a key is word (i mod 4) of Philox(counter = (⌊i/4⌋, 0, 0, 0), key);
/// <see cref="Split(int)"/> and <see cref="FoldIn(uint)"/> use counters tagged in the third word so derived keys
/// never collide with stream blocks of the parent. Reusing one key for two draws gives the same numbers: that is
/// how common random numbers across estimators are obtained, and a bug anywhere else — split first.
/// </remarks>
public readonly record struct RngKey(uint K0, uint K1)
{
    private const uint SplitTag = 0x53504C54; // "SPLT"
    private const uint FoldTag = 0x464F4C44;  // "FOLD"

    /// <summary>A key from a 64-bit seed.</summary>
    public RngKey(ulong seed)
        : this((uint)seed, (uint)(seed >> 32))
    {
    }

    /// <summary><paramref name="count"/> new keys, independent of each other and of this key's own stream.</summary>
    /// <exception cref="ArgumentOutOfRangeException">count is negative.</exception>
    public RngKey[] Split(int count = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var keys = new RngKey[count];
        for (var i = 0; i < count; i++)
        {
            var (x0, x1, _, _) = Philox.Block((uint)i, 0, SplitTag, 0, K0, K1);
            keys[i] = new RngKey(x0, x1);
        }

        return keys;
    }

    /// <summary>A new key determined by this key and <paramref name="data"/> (e.g. a step or layer index).</summary>
    public RngKey FoldIn(uint data)
    {
        var (x0, x1, _, _) = Philox.Block(data, 0, FoldTag, 0, K0, K1);
        return new RngKey(x0, x1);
    }

    /// <summary>Fills <paramref name="destination"/> with stream words starting at word <paramref name="offset"/> (a multiple of 4).</summary>
    internal void FillBits(Span<uint> destination, long offset = 0)
    {
        var block = (ulong)(offset / 4);
        var i = 0;
        while (i < destination.Length)
        {
            var (x0, x1, x2, x3) = Philox.Block((uint)block, (uint)(block >> 32), 0, 0, K0, K1);
            destination[i++] = x0;
            if (i < destination.Length)
            {
                destination[i++] = x1;
            }

            if (i < destination.Length)
            {
                destination[i++] = x2;
            }

            if (i < destination.Length)
            {
                destination[i++] = x3;
            }

            block++;
        }
    }
}
