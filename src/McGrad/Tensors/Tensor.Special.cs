using System.Numerics;
using McGrad.Autodiff;
using McGrad.Kernels;

namespace McGrad;

public sealed partial class Tensor
{
    /// <summary>ln |Γ(x)| elementwise (Lanczos, relative error ~1e-15); ∂/∂x = g·ψ(x) (<see cref="Digamma"/>).</summary>
    /// <remarks>+∞ at the poles x = 0, −1, −2, … (where the gradient is NaN). Float32 inputs are evaluated in double and rounded.</remarks>
    /// <exception cref="ArgumentException">The tensor is Int64.</exception>
    public Tensor Lgamma() => Autograd.Record(Elementwise.Map(this, default(LgammaOp), "Lgamma"), "Lgamma", this, static (g, n) => [g * n.Inputs[0].Digamma()]);

    /// <summary>The digamma function ψ(x) = d/dx ln Γ(x) elementwise; ∂/∂x = g·ψ′(x) (trigamma, <see cref="Polygamma"/>(1)).</summary>
    /// <remarks>ψ(0) = −∞, NaN at negative integers (see <see cref="SpecialFunctions.Digamma"/>).</remarks>
    /// <exception cref="ArgumentException">The tensor is Int64.</exception>
    public Tensor Digamma() => Polygamma(0);

    /// <summary>
    /// The polygamma function ψ⁽ⁿ⁾(x) = dⁿ⁺¹/dxⁿ⁺¹ ln Γ(x) elementwise (n = 0: digamma, n = 1: trigamma);
    /// ∂/∂x = g·ψ⁽ⁿ⁺¹⁾(x), so derivatives of any order are available.
    /// </summary>
    /// <remarks>Evaluated in double (see <see cref="SpecialFunctions.Polygamma"/>); float32 results are rounded.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative or above 100.</exception>
    /// <exception cref="ArgumentException">The tensor is Int64.</exception>
    public Tensor Polygamma(int n)
    {
        if (n < 0 || n > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, $"Polygamma: order n must lie in [0, 100], got {n} (input {DType} {Shape}).");
        }

        var name = n == 0 ? "Digamma" : "Polygamma";
        var y = Elementwise.Map(this, new PolygammaOp(n), name);
        return Autograd.Record(y, name, this, (g, node) => [g * node.Inputs[0].Polygamma(n + 1)]);
    }
}

/// <summary>ln |Γ(x)| per element, in double.</summary>
internal struct LgammaOp : IUnaryOp
{
    public readonly void Apply<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = 0; i < x.Length; i++)
        {
            y[i] = T.CreateTruncating(SpecialFunctions.LogGamma(double.CreateTruncating(x[i])));
        }
    }
}

/// <summary>ψ⁽ⁿ⁾(x) per element, in double.</summary>
internal readonly struct PolygammaOp(int n) : IUnaryOp
{
    public void Apply<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = 0; i < x.Length; i++)
        {
            y[i] = T.CreateTruncating(SpecialFunctions.Polygamma(n, double.CreateTruncating(x[i])));
        }
    }
}
