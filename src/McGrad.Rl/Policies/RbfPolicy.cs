using McGrad.Nn;
using McGrad.Randomness;

namespace McGrad.Rl.Policies;

/// <summary>
/// The radial-basis-function policy of PIPPS / PILCO: a(s) = tanh(Σ_c W_c exp(−‖(s − μ_c) ⊙ exp(λ)‖²)), with C centres
/// μ_c ∈ ℝ^S, shared log length-scales λ ∈ ℝ^S and output weights W ∈ ℝ^{C×A}. Input [P, S], output [P, A] in (−1, 1).
/// Parameter names: <c>centres</c> [C, S], <c>logScales</c> [1, S], <c>weight</c> [C, A].
/// </summary>
/// <remarks>
/// Initialised as proppo/pipps_demo's RBF module: centres = the given position + N(0, I), λ = 0, W ~ U(−1/√C, 1/√C)
/// (torch.nn.Linear's default bound for fan-in C, no bias).
/// </remarks>
public sealed class RbfPolicy : Module
{
    private static readonly string[] ParameterNames = ["centres", "logScales", "weight"];

    /// <summary>A policy with <paramref name="centres"/> centres scattered around <paramref name="centreMean"/>.</summary>
    /// <param name="centreMean">The mean of the initial centres (its length is the state size S).</param>
    /// <param name="actions">A, the action size.</param>
    /// <param name="centres">C ≥ 1.</param>
    /// <param name="key">The key of the initial parameters.</param>
    /// <param name="dtype">Float32 or Float64.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    public RbfPolicy(IReadOnlyList<double> centreMean, int actions, int centres, RngKey key, DType dtype = DType.Float64)
    {
        ArgumentNullException.ThrowIfNull(centreMean);
        ArgumentOutOfRangeException.ThrowIfLessThan(centreMean.Count, 1, nameof(centreMean));
        ArgumentOutOfRangeException.ThrowIfLessThan(actions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(centres, 1);
        StateSize = centreMean.Count;
        Actions = actions;
        Centres = centres;
        var keys = key.Split(2);
        var mean = Tensor.FromArray([.. centreMean], 1, StateSize).To(dtype);
        RegisterParameter("centres", (mean + Sampler.Normal(keys[0], [centres, StateSize], dtype)).Detach());
        RegisterParameter("logScales", Tensor.Zeros([1, StateSize], dtype));
        var bound = 1.0 / Math.Sqrt(centres);
        RegisterParameter("weight", Init.Uniform([centres, actions], keys[1], -bound, bound, dtype));
    }

    /// <summary>S, the state size.</summary>
    public int StateSize { get; }

    /// <summary>A, the action size.</summary>
    public int Actions { get; }

    /// <summary>C, the number of centres.</summary>
    public int Centres { get; }

    /// <summary>a(s) for states [P, S] (see the type summary), [P, A].</summary>
    /// <exception cref="ArgumentException">The input is not [P, S].</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 2 || input.Shape[1] != StateSize)
        {
            throw new ArgumentException($"RbfPolicy.Forward: expected states [P, {StateSize}]; got {input.Shape}.", nameof(input));
        }

        var diff = (input.Unsqueeze(1) - OwnParameter("centres")) * OwnParameter("logScales").Exp();
        var features = diff.Square().Sum(2).Neg().Exp();
        return features.MatMul(OwnParameter("weight")).Tanh();
    }

    /// <summary>
    /// The parameters expanded over P particles, [P, C, S], [P, 1, S] and [P, C, A] (recorded views of the parameters, so
    /// gradients for them are per particle and flow on into the parameters): the inputs of <see cref="ForwardPerParticle"/>.
    /// </summary>
    public Tensor[] PerParticleParameters(int particles)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(particles, 1);
        return [.. ParameterNames.Select(n =>
        {
            var p = OwnParameter(n);
            return p.Unsqueeze(0).Expand([particles, .. p.Shape.ToArray()]);
        })];
    }

    /// <summary>a(s_i) with particle i's own parameter copies (from <see cref="PerParticleParameters"/>); same values as <see cref="Forward"/>.</summary>
    /// <exception cref="ArgumentException">The input is not [P, S] or the copies are not for P particles.</exception>
    public Tensor ForwardPerParticle(Tensor input, IReadOnlyList<Tensor> copies)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(copies);
        if (input.Rank != 2 || input.Shape[1] != StateSize || copies.Count != 3 || copies.Any(c => c.Rank != 3 || c.Shape[0] != input.Shape[0]))
        {
            throw new ArgumentException($"RbfPolicy.ForwardPerParticle: expected states [P, {StateSize}] and three parameter copies [P, …]; got {input.Shape} and {copies.Count} copies.", nameof(copies));
        }

        var diff = (input.Unsqueeze(1) - copies[0]) * copies[1].Exp();
        var features = diff.Square().Sum(2).Neg().Exp();
        return features.Unsqueeze(1).MatMul(copies[2]).Reshape(input.Shape[0], Actions).Tanh();
    }
}
