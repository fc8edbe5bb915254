using McGrad.Autodiff;

namespace McGrad.Lab.Xu;

/// <summary>
/// The second-order Taylor expansion of a log joint at a point μ: f(μ + u) ≈ f(μ) + gᵀu + ½uᵀHu with g = ∇f(μ) and
/// H = ∇²f(μ), both by reverse-mode autodiff (H row by row: the gradient of gᵢ, recorded with createGraph).
/// </summary>
/// <param name="Value">f(μ).</param>
/// <param name="Gradient">g = ∇f(μ), length d.</param>
/// <param name="Hessian">H = ∇²f(μ), d × d (symmetrised: ½(H + Hᵀ), which changes only rounding).</param>
public sealed record TaylorExpansion(double Value, double[] Gradient, double[,] Hessian)
{
    /// <summary>Expands <paramref name="model"/> at <paramref name="point"/> (d backward passes through the gradient's graph).</summary>
    /// <exception cref="ArgumentException">The point's length is not the model's dimension.</exception>
    public static TaylorExpansion At(ILogJoint model, double[] point)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(point);
        var d = model.Dimension;
        if (point.Length != d)
        {
            throw new ArgumentException($"TaylorExpansion.At: the point has {point.Length} coordinates; the model '{model.Name}' has {d}.", nameof(point));
        }

        var w = Tensor.FromArray((double[])point.Clone()).RequireGrad();
        var f = model.Evaluate(w);
        var g = Autograd.Grad(f, w, createGraph: true);
        var hessian = new double[d, d];
        for (var i = 0; i < d; i++)
        {
            var unit = new double[d];
            unit[i] = 1;
            var seed = Tensor.FromArray(unit);
            var row = Autograd.Grad([g], [w], [seed], retainGraph: true, allowUnused: true)[0];
            if (row is null)
            {
                continue; // g does not depend on w (a linear f): the row is zero
            }

            var r = row.ToDoubleArray();
            for (var j = 0; j < d; j++)
            {
                hessian[i, j] = r[j];
            }
        }

        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < i; j++)
            {
                var mean = 0.5 * (hessian[i, j] + hessian[j, i]);
                hessian[i, j] = mean;
                hessian[j, i] = mean;
            }
        }

        return new TaylorExpansion(f.Item(), g.ToDoubleArray(), hessian);
    }
}
