using McGrad.Distributions;

namespace McGrad.Estimators;

/// <summary>
/// A gradient-estimation problem with a known answer: a distribution family built from parameter tensors, the
/// parameter values, an objective, and the exact gradient ∇θ Σ_batch E[f(x)] (closed form, quadrature or enumeration).
/// </summary>
/// <param name="Name">Shown in reports, e.g. "(x−k)², k=0".</param>
/// <param name="ParameterNames">One name per parameter tensor ("μ", "σ").</param>
/// <param name="Parameters">The parameter values θ (float64 recommended for checks).</param>
/// <param name="CreateDistribution">Builds p_θ from parameter tensors of the given shapes, or of those shapes with extra
/// leading dimensions (EstimatorCheck prepends one to draw many estimates at once).</param>
/// <param name="Objective">The objective f.</param>
/// <param name="ExactGradient">∇θ J for each parameter, same shapes as <paramref name="Parameters"/>; null where unknown.</param>
/// <exception cref="ArgumentException">There is not one name per parameter, or the exact gradient does not have one
/// tensor per parameter with that parameter's number of elements.</exception>
public sealed record GradientProblem(
    string Name,
    IReadOnlyList<string> ParameterNames,
    IReadOnlyList<Tensor> Parameters,
    Func<IReadOnlyList<Tensor>, Distribution> CreateDistribution,
    Objective Objective,
    IReadOnlyList<Tensor>? ExactGradient)
{
    /// <summary>One name per parameter tensor ("μ", "σ"), checked against <see cref="Parameters"/> when built.</summary>
    public IReadOnlyList<string> ParameterNames { get; init; } = CheckNames(Name, ParameterNames, Parameters, nameof(ParameterNames));

    /// <summary>∇θ J for each parameter (null where unknown), checked against <see cref="Parameters"/> when built.</summary>
    public IReadOnlyList<Tensor>? ExactGradient { get; init; } = CheckExact(Name, ExactGradient, Parameters, nameof(ExactGradient));

    private static IReadOnlyList<string> CheckNames(string name, IReadOnlyList<string> names, IReadOnlyList<Tensor> parameters, string paramName)
    {
        ArgumentNullException.ThrowIfNull(names, paramName);
        ArgumentNullException.ThrowIfNull(parameters, nameof(Parameters));
        if (names.Count != parameters.Count)
        {
            throw new ArgumentException(
                $"GradientProblem '{name}': {names.Count} parameter names ([{string.Join(", ", names)}]) for {parameters.Count} parameters; give one name per parameter tensor.",
                paramName);
        }

        return names;
    }

    private static IReadOnlyList<Tensor>? CheckExact(string name, IReadOnlyList<Tensor>? exact, IReadOnlyList<Tensor> parameters, string paramName)
    {
        if (exact == null)
        {
            return null;
        }

        if (exact.Count != parameters.Count)
        {
            throw new ArgumentException(
                $"GradientProblem '{name}': the exact gradient has {exact.Count} tensors for {parameters.Count} parameters; give one per parameter (or pass null if unknown).",
                paramName);
        }

        for (var p = 0; p < exact.Count; p++)
        {
            ArgumentNullException.ThrowIfNull(exact[p], paramName);
            if (exact[p].Size != parameters[p].Size)
            {
                throw new ArgumentException(
                    $"GradientProblem '{name}': exact gradient {p} has shape {exact[p].Shape} ({exact[p].Size} elements) but parameter {p} has shape {parameters[p].Shape} ({parameters[p].Size} elements); they must match.",
                    paramName);
            }
        }

        return exact;
    }
}
