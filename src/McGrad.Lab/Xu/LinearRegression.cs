namespace McGrad.Lab.Xu;

/// <summary>
/// Bayesian linear regression with a known noise variance: y ∼ N(Xw, σ² I), w ∼ N(0, τ² I), so
/// f(w) = −‖y − Xw‖²/(2σ²) − ‖w‖²/(2τ²) (constants dropped) is exactly quadratic in w, with gradient
/// Xᵀ(y − Xw)/σ² − w/τ² and constant Hessian H = −(XᵀX/σ² + I/τ²).
/// </summary>
public sealed class LinearRegression : ILogJoint
{
    private readonly Tensor _xt;
    private readonly Tensor _y;
    private readonly double[] _x;
    private readonly double[] _yValues;

    /// <summary>The model for design <paramref name="x"/> [n, d] (include a column of ones for an intercept) and targets <paramref name="y"/> [n].</summary>
    /// <exception cref="ArgumentException">x is not Float64 [n, d], y is not Float64 [n].</exception>
    /// <exception cref="ArgumentOutOfRangeException">A variance is not positive and finite.</exception>
    public LinearRegression(Tensor x, Tensor y, double noiseVariance, double priorVariance, IReadOnlyList<string> coordinateNames, string name)
    {
        var (n, d) = LogJoints.Design(x, nameof(LinearRegression));
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(coordinateNames);
        if (y.Rank != 1 || y.Shape[0] != n || y.DType != DType.Float64)
        {
            throw new ArgumentException($"{nameof(LinearRegression)}: targets must be Float64 [{n}], got {y.Shape} {y.DType}.", nameof(y));
        }

        if (coordinateNames.Count != d)
        {
            throw new ArgumentException($"{nameof(LinearRegression)}: {coordinateNames.Count} coordinate names for {d} weights.", nameof(coordinateNames));
        }

        LogJoints.Positive(noiseVariance, nameof(noiseVariance), nameof(LinearRegression));
        LogJoints.Positive(priorVariance, nameof(priorVariance), nameof(LinearRegression));
        _xt = x.Transpose(0, 1).Detach();
        _y = y.Detach();
        _x = x.ToDoubleArray();
        _yValues = y.ToDoubleArray();
        NoiseVariance = noiseVariance;
        PriorVariance = priorVariance;
        Rows = n;
        Dimension = d;
        CoordinateNames = coordinateNames;
        Name = name;
        Chunk = LogJoints.ChunkFor(n);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <summary>Data rows n.</summary>
    public int Rows { get; }

    /// <summary>σ², the noise variance.</summary>
    public double NoiseVariance { get; }

    /// <summary>τ², the prior variance.</summary>
    public double PriorVariance { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> CoordinateNames { get; }

    /// <inheritdoc/>
    public int Chunk { get; }

    /// <inheritdoc/>
    public Tensor Evaluate(Tensor weights)
    {
        var (leading, m) = LogJoints.Leading(weights, Dimension, nameof(LinearRegression));
        var rows = weights.Reshape(m, Dimension);
        var residual = rows.MatMul(_xt) - _y;
        var f = (residual.Square().Sum(1) * (-0.5 / NoiseVariance)) + LogJoints.GaussianPrior(rows, PriorVariance);
        return f.Reshape(leading);
    }

    /// <summary>H = −(XᵀX/σ² + I/τ²), computed from the data directly (not by autodiff).</summary>
    public double[,] ExactHessian()
    {
        var d = Dimension;
        var h = new double[d, d];
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < d; j++)
            {
                double sum = 0;
                for (var r = 0; r < Rows; r++)
                {
                    sum += _x[(r * d) + i] * _x[(r * d) + j];
                }

                h[i, j] = (-sum / NoiseVariance) - (i == j ? 1 / PriorVariance : 0);
            }
        }

        return h;
    }

    /// <summary>∇f(w) = Xᵀ(y − Xw)/σ² − w/τ², computed from the data directly.</summary>
    public double[] ExactGradient(double[] w)
    {
        ArgumentNullException.ThrowIfNull(w);
        var d = Dimension;
        var g = new double[d];
        for (var r = 0; r < Rows; r++)
        {
            double pred = 0;
            for (var j = 0; j < d; j++)
            {
                pred += _x[(r * d) + j] * w[j];
            }

            var e = (_yValues[r] - pred) / NoiseVariance;
            for (var j = 0; j < d; j++)
            {
                g[j] += _x[(r * d) + j] * e;
            }
        }

        for (var j = 0; j < d; j++)
        {
            g[j] -= w[j] / PriorVariance;
        }

        return g;
    }
}
