namespace McGrad.Estimators.Evolution;

/// <summary>
/// How evolution strategies transform the population's fitness values F_1…F_n before weighting the noise with them.
/// </summary>
/// <remarks>
/// Shaping is applied per problem (per batch element) across the population, never across batch elements. Any shaping
/// other than <see cref="None"/> makes the estimator <b>biased</b> for ∇θ J: the shaped weight of a sample depends on
/// the other samples of its population and is no longer an affine function of F with fixed coefficients. What it
/// estimates is an ascent direction for F that is invariant to monotone (ranks) or affine (standardisation)
/// transformations of F and robust to outliers; its length is not that of ∇J.
/// </remarks>
public enum FitnessShaping
{
    /// <summary>Use F as it is: the unbiased Gaussian-smoothing estimator of ∇J.</summary>
    None,

    /// <summary>
    /// Centred ranks (Salimans et al. 2017): u_i = r_i/(n − 1) − ½ with r_i ∈ {0, …, n − 1} the ascending rank of F_i,
    /// so the worst sample gets −½ and the best +½; tied values share the mean of their ranks
    /// (see <see cref="Fitness.CentredRanks"/>).
    /// </summary>
    CentredRanks,

    /// <summary>
    /// Standardised values u_i = (F_i − mean F)/std F with the population standard deviation (divisor n); all zeros when
    /// every F_i is equal (see <see cref="Fitness.Standardise"/>).
    /// </summary>
    Standardise,
}

/// <summary>Fitness-shaping functions of evolution strategies, applied along one axis (the population axis).</summary>
public static class Fitness
{
    /// <summary>
    /// Centred ranks along <paramref name="axis"/>: u_i = r_i/(n − 1) − ½, r_i the ascending rank of F_i among the n values
    /// of its slice (0 for the smallest). Ties get the mean of the ranks they span (mid-ranks), so equal values get equal
    /// weights and Σ_i u_i = 0 exactly. Not differentiable (the result is untracked).
    /// </summary>
    /// <remarks>
    /// With n = 1 the single value has centred rank 0. −∞ and +∞ are ranked like any other value (useful to mark infeasible
    /// candidates); NaN has no rank and is an error. Monotone transformations of F leave the result unchanged, and
    /// ranks of −F are the negated ranks of F. Salimans, Ho, Chen, Sidor and Sutskever (2017) break ties by sort order
    /// instead; mid-ranks make the result independent of the order of the population.
    /// </remarks>
    /// <param name="values">Fitness values, Float32 or Float64.</param>
    /// <param name="axis">The population axis (default 0).</param>
    /// <exception cref="ArgumentException">values is not floating point, or contains NaN.</exception>
    /// <exception cref="ArgumentOutOfRangeException">axis is out of range.</exception>
    public static Tensor CentredRanks(Tensor values, int axis = 0) => ShapeAlongAxis(values, axis, "Fitness.CentredRanks", ranks: true);

    /// <summary>
    /// Standardised values along <paramref name="axis"/>: u_i = (F_i − m)/s with m = (1/n) Σ F_j and the population
    /// standard deviation s = √((1/n) Σ (F_j − m)²); u = 0 for every element of a slice whose values are all equal
    /// (s = 0). Not differentiable (the result is untracked).
    /// </summary>
    /// <remarks>
    /// The result of a slice has mean 0 and mean square 1 (unless s = 0). Affine maps a·F + b with a &gt; 0 leave it
    /// unchanged. Computed in float64.
    /// </remarks>
    /// <param name="values">Fitness values, Float32 or Float64, all finite.</param>
    /// <param name="axis">The population axis (default 0).</param>
    /// <exception cref="ArgumentException">values is not floating point or contains NaN or ±∞ (use centred ranks for infinite fitness).</exception>
    /// <exception cref="ArgumentOutOfRangeException">axis is out of range.</exception>
    public static Tensor Standardise(Tensor values, int axis = 0) => ShapeAlongAxis(values, axis, "Fitness.Standardise", ranks: false);

    /// <summary>Applies <paramref name="shaping"/> along <paramref name="axis"/>; <see cref="FitnessShaping.None"/> returns the values detached.</summary>
    /// <param name="values">Fitness values, Float32 or Float64.</param>
    /// <param name="shaping">The shaping.</param>
    /// <param name="axis">The population axis (default 0).</param>
    /// <exception cref="ArgumentException">See <see cref="CentredRanks"/> and <see cref="Standardise"/>.</exception>
    public static Tensor Apply(Tensor values, FitnessShaping shaping, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(values);
        return shaping switch
        {
            FitnessShaping.None => values.Detach(),
            FitnessShaping.CentredRanks => CentredRanks(values, axis),
            FitnessShaping.Standardise => Standardise(values, axis),
            _ => throw new ArgumentOutOfRangeException(nameof(shaping), shaping, $"Fitness.Apply: unknown shaping {shaping}; expected None, CentredRanks or Standardise."),
        };
    }

    /// <summary>The name used in reports.</summary>
    internal static string Describe(FitnessShaping shaping) => shaping switch
    {
        FitnessShaping.CentredRanks => "centred ranks",
        FitnessShaping.Standardise => "standardised",
        _ => "raw",
    };

    private static Tensor ShapeAlongAxis(Tensor values, int axis, string op, bool ranks)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!values.DType.IsFloatingPoint())
        {
            throw new ArgumentException($"{op}: values must be Float32 or Float64, got {values.DType} of shape {values.Shape}.", nameof(values));
        }

        if (values.Rank == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"{op}: values is a scalar; it needs at least one axis (the population axis).");
        }

        if (axis < -values.Rank || axis >= values.Rank)
        {
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"{op}: axis {axis} is out of range for values of shape {values.Shape} (rank {values.Rank}).");
        }

        var a = axis < 0 ? axis + values.Rank : axis;
        var dims = values.Shape.ToArray();
        var n = dims[a];
        var outer = 1;
        for (var i = 0; i < a; i++)
        {
            outer *= dims[i];
        }

        var inner = 1;
        for (var i = a + 1; i < dims.Length; i++)
        {
            inner *= dims[i];
        }

        var x = values.ToDoubleArray();
        for (var i = 0; i < x.Length; i++)
        {
            if (double.IsNaN(x[i]) || (!ranks && double.IsInfinity(x[i])))
            {
                throw new ArgumentException($"{op}: values of shape {values.Shape} has {(double.IsNaN(x[i]) ? "NaN" : x[i].ToString())} at flat index {i}; {(ranks ? "NaN has no rank" : "standardisation needs finite values (centred ranks accept ±∞)")}.", nameof(values));
            }
        }

        var result = new double[x.Length];
        var slice = new double[n];
        var keys = new double[n];
        var order = new int[n];
        for (var o = 0; o < outer; o++)
        {
            for (var j = 0; j < inner; j++)
            {
                var start = (o * n * inner) + j;
                for (var i = 0; i < n; i++)
                {
                    slice[i] = x[start + (i * inner)];
                }

                if (ranks)
                {
                    RankSlice(slice, keys, order);
                }
                else
                {
                    StandardiseSlice(slice);
                }

                for (var i = 0; i < n; i++)
                {
                    result[start + (i * inner)] = slice[i];
                }
            }
        }

        var t = Tensor.FromArray(result, dims);
        return values.DType == DType.Float64 ? t : t.To(values.DType);
    }

    /// <summary>Replaces the slice by its centred mid-ranks (keys and order are scratch arrays of the same length).</summary>
    private static void RankSlice(double[] slice, double[] keys, int[] order)
    {
        var n = slice.Length;
        if (n == 1)
        {
            slice[0] = 0;
            return;
        }

        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        slice.CopyTo(keys, 0);
        Array.Sort(keys, order); // not stable, which does not matter: tied values get the same mid-rank
        var k = 0;
        while (k < n)
        {
            var end = k + 1;
            while (end < n && keys[end] == keys[k])
            {
                end++;
            }

            // Sorted positions k … end − 1 hold tied values: each gets the mean rank (k + end − 1)/2.
            var centred = ((k + end - 1) / 2.0 / (n - 1)) - 0.5;
            for (var i = k; i < end; i++)
            {
                slice[order[i]] = centred;
            }

            k = end;
        }
    }

    /// <summary>Replaces the slice by (x − mean)/std (population std), or zeros when std = 0.</summary>
    private static void StandardiseSlice(double[] slice)
    {
        var n = slice.Length;
        var mean = 0.0;
        foreach (var v in slice)
        {
            mean += v;
        }

        mean /= n;
        var ss = 0.0;
        foreach (var v in slice)
        {
            ss += (v - mean) * (v - mean);
        }

        var std = Math.Sqrt(ss / n);
        for (var i = 0; i < n; i++)
        {
            slice[i] = std > 0 ? (slice[i] - mean) / std : 0;
        }
    }
}
