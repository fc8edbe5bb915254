using McGrad.Randomness;

namespace McGrad.Tests.Randomness;

public class PhiloxTests
{
    // Random123 kat_vectors, philox4x32 10: counter (4 words), key (2 words) → output (4 words).
    [Theory]
    [InlineData(0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [InlineData(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void MatchesRandom123KnownAnswers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint e0, uint e1, uint e2, uint e3)
    {
        Assert.Equal((e0, e1, e2, e3), Philox.Block(c0, c1, c2, c3, k0, k1));
    }

    [Fact]
    public void SplitKeysDifferFromEachOtherAndFromFoldIn()
    {
        var key = new RngKey(42);
        var split = key.Split(3);
        Assert.Equal(3, split.Distinct().Count());
        Assert.DoesNotContain(key, split);
        Assert.Equal(split, key.Split(3));
        Assert.NotEqual(key.FoldIn(0), split[0]);
        Assert.Equal(key.FoldIn(7), key.FoldIn(7));
        Assert.NotEqual(key.FoldIn(7), key.FoldIn(8));
    }
}
