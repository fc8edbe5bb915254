using MathNet.Numerics.LinearAlgebra;

namespace McGrad.Lab.Blr;

/// <summary>
/// Gauss–Hermite quadrature for expectations under a standard normal: E[φ(Z)] ≈ Σₖ wₖ φ(zₖ), Z ∼ N(0, 1), exact for
/// polynomials of degree ≤ 2n − 1. Nodes and weights come from the Golub–Welsch eigenproblem of the probabilists'
/// Hermite recurrence (symmetric tridiagonal, off-diagonal √k): zₖ are the eigenvalues, wₖ the squared first
/// components of the unit eigenvectors.
/// </summary>
public sealed class GaussHermite
{
    /// <summary>The n-point rule.</summary>
    /// <exception cref="ArgumentOutOfRangeException">n &lt; 1 or n &gt; 200.</exception>
    public GaussHermite(int points)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(points, 200);
        var jacobi = Matrix<double>.Build.Dense(points, points);
        for (var k = 1; k < points; k++)
        {
            jacobi[k, k - 1] = Math.Sqrt(k);
            jacobi[k - 1, k] = Math.Sqrt(k);
        }

        var evd = jacobi.Evd(Symmetricity.Symmetric);
        Nodes = [.. evd.EigenValues.Select(c => c.Real)];
        Weights = [.. Enumerable.Range(0, points).Select(k => evd.EigenVectors[0, k] * evd.EigenVectors[0, k])];
    }

    /// <summary>The nodes zₖ (ascending).</summary>
    public double[] Nodes { get; }

    /// <summary>The weights wₖ (summing to 1).</summary>
    public double[] Weights { get; }

    /// <summary>Σₖ wₖ φ(m + √v zₖ) ≈ E[φ(A)], A ∼ N(m, v).</summary>
    public double Expect(Func<double, double> phi, double mean, double variance)
    {
        ArgumentNullException.ThrowIfNull(phi);
        var sd = Math.Sqrt(variance);
        var sum = 0.0;
        for (var k = 0; k < Nodes.Length; k++)
        {
            sum += Weights[k] * phi(mean + (sd * Nodes[k]));
        }

        return sum;
    }
}
