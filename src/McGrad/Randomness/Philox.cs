using System.Runtime.CompilerServices;

namespace McGrad.Randomness;

/// <summary>
/// The Philox4x32-10 counter-based generator (Salmon, Moraes, Dror, Shaw 2011, "Parallel Random Numbers: As Easy
/// as 1, 2, 3"): a keyed bijection of a 128-bit counter, so block i of a stream is computed independently of every
/// other block, on any thread, in any order.
/// </summary>
public static class Philox
{
    private const uint M0 = 0xD2511F53;
    private const uint M1 = 0xCD9E8D57;
    private const uint W0 = 0x9E3779B9;
    private const uint W1 = 0xBB67AE85;

    /// <summary>
    /// Ten rounds of Philox4x32 on counter (c0, c1, c2, c3) with key (k0, k1). Each round maps
    /// (c0, c1, c2, c3) ↦ (hi(M1·c2) ⊕ c1 ⊕ k0, lo(M1·c2), hi(M0·c0) ⊕ c3 ⊕ k1, lo(M0·c0)); the key is bumped by the
    /// Weyl constants (0x9E3779B9, 0xBB67AE85) between rounds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (uint X0, uint X1, uint X2, uint X3) Block(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        for (var round = 0; round < 10; round++)
        {
            if (round > 0)
            {
                k0 += W0;
                k1 += W1;
            }

            var p0 = (ulong)M0 * c0;
            var p1 = (ulong)M1 * c2;
            var n0 = (uint)(p1 >> 32) ^ c1 ^ k0;
            var n1 = (uint)p1;
            var n2 = (uint)(p0 >> 32) ^ c3 ^ k1;
            var n3 = (uint)p0;
            c0 = n0;
            c1 = n1;
            c2 = n2;
            c3 = n3;
        }

        return (c0, c1, c2, c3);
    }
}
