using McGrad.Randomness;

namespace McGrad.Data;

/// <summary>
/// Reads a key's Philox stream word by word (words 0, 1, 2, … in order), for sequential algorithms such as a
/// Fisher–Yates shuffle whose number of draws is not known in advance.
/// </summary>
internal sealed class KeyStream
{
    private const int MaxBufferWords = 256;
    private readonly RngKey _key;
    private readonly uint[] _buffer;
    private long _nextOffset;
    private int _position;

    /// <summary>A reader of <paramref name="key"/>'s stream; <paramref name="expectedWords"/> sizes the buffer.</summary>
    public KeyStream(RngKey key, int expectedWords = MaxBufferWords)
    {
        _key = key;
        _buffer = new uint[(Math.Clamp(expectedWords, 4, MaxBufferWords) + 3) & ~3];
        _position = _buffer.Length;
    }

    /// <summary>The next 32-bit word of the stream.</summary>
    public uint NextUInt32()
    {
        if (_position == _buffer.Length)
        {
            _key.FillBits(_buffer, _nextOffset);
            _nextOffset += _buffer.Length;
            _position = 0;
        }

        return _buffer[_position++];
    }

    /// <summary>
    /// An integer uniform on [0, <paramref name="bound"/>) without modulo bias: Lemire's multiply-shift
    /// ⌊w·bound / 2³²⌋, rejecting the (2³² mod bound) low products that would over-represent some values
    /// (D. Lemire 2019, "Fast random integer generation in an interval").
    /// </summary>
    public uint NextBelow(uint bound)
    {
        var m = (ulong)NextUInt32() * bound;
        var low = (uint)m;
        if (low < bound)
        {
            var threshold = (0u - bound) % bound;
            while (low < threshold)
            {
                m = (ulong)NextUInt32() * bound;
                low = (uint)m;
            }
        }

        return (uint)(m >> 32);
    }
}
