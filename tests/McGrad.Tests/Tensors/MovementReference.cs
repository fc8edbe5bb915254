namespace McGrad.Tests.Tensors;

/// <summary>
/// Independent reference definitions of the movement ops, written with explicit multi-indices (no strides, no
/// dim merging), so tests compare the kernels against the definitions rather than against themselves.
/// </summary>
internal static class MovementReference
{
    public static int Size(int[] shape)
    {
        var n = 1;
        foreach (var d in shape)
        {
            n *= d;
        }

        return n;
    }

    /// <summary>The row-major multi-index of flat position <paramref name="flat"/>.</summary>
    public static int[] Unravel(int flat, int[] shape)
    {
        var idx = new int[shape.Length];
        for (var k = shape.Length - 1; k >= 0; k--)
        {
            idx[k] = flat % shape[k];
            flat /= shape[k];
        }

        return idx;
    }

    /// <summary>The row-major flat position of a multi-index.</summary>
    public static int Ravel(int[] idx, int[] shape)
    {
        var flat = 0;
        for (var k = 0; k < shape.Length; k++)
        {
            flat = (flat * shape[k]) + idx[k];
        }

        return flat;
    }

    /// <summary>y[i] = x[j] with j[perm[k]] = i[k]; perm already normalised.</summary>
    public static T[] Permute<T>(T[] x, int[] shape, int[] perm, out int[] outShape)
    {
        outShape = perm.Select(p => shape[p]).ToArray();
        var y = new T[x.Length];
        for (var f = 0; f < y.Length; f++)
        {
            var i = Unravel(f, outShape);
            var j = new int[shape.Length];
            for (var k = 0; k < perm.Length; k++)
            {
                j[perm[k]] = i[k];
            }

            y[f] = x[Ravel(j, shape)];
        }

        return y;
    }

    /// <summary>y[…, i, …] = x[…, start + i·step, …] for i &lt; length (start already non-negative).</summary>
    public static T[] Slice<T>(T[] x, int[] shape, int axis, int start, int step, int length, out int[] outShape)
    {
        outShape = (int[])shape.Clone();
        outShape[axis] = length;
        var y = new T[Size(outShape)];
        for (var f = 0; f < y.Length; f++)
        {
            var i = Unravel(f, outShape);
            i[axis] = start + (i[axis] * step);
            y[f] = x[Ravel(i, shape)];
        }

        return y;
    }

    /// <summary>y[…, i, …] = x[…, n − 1 − i, …] on every axis in <paramref name="axes"/> (normalised).</summary>
    public static T[] Flip<T>(T[] x, int[] shape, int[] axes)
    {
        var y = new T[x.Length];
        for (var f = 0; f < y.Length; f++)
        {
            var i = Unravel(f, shape);
            foreach (var a in axes)
            {
                i[a] = shape[a] - 1 - i[a];
            }

            y[f] = x[Ravel(i, shape)];
        }

        return y;
    }

    /// <summary>numpy concatenate by definition: output index along axis picks the part and the position in it.</summary>
    public static T[] Concat<T>(T[][] parts, int[][] shapes, int axis, out int[] outShape)
    {
        outShape = (int[])shapes[0].Clone();
        outShape[axis] = shapes.Sum(s => s[axis]);
        var y = new T[Size(outShape)];
        for (var f = 0; f < y.Length; f++)
        {
            var i = Unravel(f, outShape);
            var p = 0;
            var pos = i[axis];
            while (pos >= shapes[p][axis])
            {
                pos -= shapes[p][axis];
                p++;
            }

            i[axis] = pos;
            y[f] = parts[p][Ravel(i, shapes[p])];
        }

        return y;
    }

    /// <summary>numpy broadcasting by definition; null when the shapes are incompatible.</summary>
    public static int[]? Broadcast(int[] a, int[] b)
    {
        var rank = Math.Max(a.Length, b.Length);
        var r = new int[rank];
        for (var k = 0; k < rank; k++)
        {
            // Dimension k counted from the right: missing leading dims behave as size 1.
            var ka = a.Length - rank + k;
            var kb = b.Length - rank + k;
            var x = ka >= 0 ? a[ka] : 1;
            var y = kb >= 0 ? b[kb] : 1;
            if (x == y || y == 1)
            {
                r[k] = x;
            }
            else if (x == 1)
            {
                r[k] = y;
            }
            else
            {
                return null;
            }
        }

        return r;
    }
}
