namespace McGrad.Distributions;

/// <summary>Shape helpers for distributions.</summary>
internal static class Shapes
{
    /// <summary>A well-formed copy of <paramref name="s"/> (the default struct value becomes the scalar shape).</summary>
    public static Shape Normalize(Shape s) => s.Rank == 0 ? Shape.Scalar : s;

    /// <summary>The concatenation of the shapes' dimensions.</summary>
    public static Shape Concat(params Shape[] shapes)
    {
        var n = 0;
        foreach (var s in shapes)
        {
            n += s.Rank;
        }

        var dims = new int[n];
        var k = 0;
        foreach (var s in shapes)
        {
            foreach (var d in s)
            {
                dims[k++] = d;
            }
        }

        return Shape.Wrap(dims);
    }

    /// <summary>The first <paramref name="count"/> dimensions.</summary>
    public static Shape Prefix(Shape s, int count) => Shape.Wrap(s.ToArray()[..count]);

    /// <summary>The last <paramref name="count"/> dimensions.</summary>
    public static Shape Suffix(Shape s, int count) => Shape.Wrap(s.ToArray()[(s.Rank - count)..]);

    /// <summary>[offset, offset + 1, …, offset + count − 1].</summary>
    public static int[] Range(int offset, int count)
    {
        var r = new int[count];
        for (var i = 0; i < count; i++)
        {
            r[i] = offset + i;
        }

        return r;
    }
}
