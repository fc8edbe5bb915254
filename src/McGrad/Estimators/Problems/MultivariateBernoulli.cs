using System.Globalization;
using McGrad.Distributions;

namespace McGrad.Estimators.Problems;

/// <summary>
/// A small multivariate Bernoulli problem with a non-separable objective: b ~ Independent(Bernoulli(σ(θ)))
/// over D latents (θ ∈ ℝᴰ, D ≥ 3) with f(b) = (Σᵢ wᵢbᵢ − c)² + b₁b₃ (1-based indices), whose exact gradient
/// ∂/∂θᵢ Σ_b p(b) f(b) = Σ_b p(b) f(b)(bᵢ − σ(θᵢ)) is computed by enumerating all 2ᴰ outcomes.
/// </summary>
/// <remarks>
/// The square couples every pair of latents and b₁b₃ adds an interaction that no weighted sum has, so an estimator
/// that treats latents as separate one-dimensional problems, or pairs latents with the wrong partner, is caught.
/// </remarks>
public static class MultivariateBernoulli
{
    /// <summary>
    /// The problem f(b) = (Σᵢ wᵢbᵢ − c)² + b₁b₃ with logits <paramref name="theta"/> (parameter "θ", float64 [D]).
    /// </summary>
    /// <exception cref="ArgumentException">θ and w differ in length, D &lt; 3 or D &gt; 20, or a value is not finite.</exception>
    public static GradientProblem Create(double[] theta, double[] weights, double c)
    {
        ArgumentNullException.ThrowIfNull(theta);
        ArgumentNullException.ThrowIfNull(weights);
        if (theta.Length != weights.Length || theta.Length < 3 || theta.Length > 20)
        {
            throw new ArgumentException($"MultivariateBernoulli: theta and weights must have one length D with 3 <= D <= 20 (b1·b3 needs D >= 3; the exact gradient enumerates 2^D outcomes); got {theta.Length} and {weights.Length}.", nameof(weights));
        }

        if (!theta.All(double.IsFinite) || !weights.All(double.IsFinite) || !double.IsFinite(c))
        {
            throw new ArgumentException("MultivariateBernoulli: theta, weights and c must be finite.", nameof(theta));
        }

        var d = theta.Length;
        var w = (double[])weights.Clone();
        var exact = ExactGradient(theta, b => Evaluate(b, w, c));
        return new GradientProblem(
            string.Create(CultureInfo.InvariantCulture, $"(w·b−c)²+b1·b3, D={d}"),
            ["θ"],
            [Tensor.FromArray((double[])theta.Clone(), d)],
            ps => new Independent(new Bernoulli(logits: ps[0]), 1),
            b =>
            {
                var wt = Tensor.FromArray(w, d).To(b.DType);
                var b1 = b.Narrow(-1, 0, 1).Squeeze(-1);
                var b3 = b.Narrow(-1, 2, 1).Squeeze(-1);
                return ((b * wt).Sum(-1) - c).Square() + (b1 * b3);
            },
            [Tensor.FromArray(exact, d)]);
    }

    /// <summary>The default instance: D = 4, θ = (−1, 0.5, 0, 1.5), w = (1, −2, 1.5, 0.5), c = 0.7.</summary>
    public static GradientProblem Default() => Create([-1.0, 0.5, 0.0, 1.5], [1.0, -2.0, 1.5, 0.5], 0.7);

    /// <summary>f(b) = (Σᵢ wᵢbᵢ − c)² + b₁b₃ for one outcome b ∈ {0, 1}ᴰ.</summary>
    public static double Evaluate(IReadOnlyList<double> b, IReadOnlyList<double> weights, double c)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(weights);
        var s = -c;
        for (var i = 0; i < b.Count; i++)
        {
            s += weights[i] * b[i];
        }

        return (s * s) + (b[0] * b[2]);
    }

    /// <summary>
    /// ∂/∂θᵢ Σ_b p(b) f(b) = Σ_b p(b) f(b)(bᵢ − σ(θᵢ)) for factorised b ~ Bernoulli(σ(θ)), by enumerating all 2ᴰ
    /// outcomes (D ≤ 20), for any <paramref name="f"/>.
    /// </summary>
    /// <exception cref="ArgumentException">D &gt; 20.</exception>
    public static double[] ExactGradient(double[] theta, Func<double[], double> f)
    {
        ArgumentNullException.ThrowIfNull(theta);
        ArgumentNullException.ThrowIfNull(f);
        var d = theta.Length;
        if (d > 20)
        {
            throw new ArgumentException($"MultivariateBernoulli.ExactGradient: enumerating 2^D outcomes needs D <= 20, got {d}.", nameof(theta));
        }

        var p = theta.Select(t => 1 / (1 + Math.Exp(-t))).ToArray();
        var grad = new double[d];
        var b = new double[d];
        for (var mask = 0; mask < 1 << d; mask++)
        {
            var prob = 1.0;
            for (var i = 0; i < d; i++)
            {
                b[i] = (mask >> i) & 1;
                prob *= b[i] == 1 ? p[i] : 1 - p[i];
            }

            var fb = f(b);
            for (var i = 0; i < d; i++)
            {
                grad[i] += prob * fb * (b[i] - p[i]);
            }
        }

        return grad;
    }
}
