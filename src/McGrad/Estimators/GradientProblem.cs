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
public sealed record GradientProblem(
    string Name,
    IReadOnlyList<string> ParameterNames,
    IReadOnlyList<Tensor> Parameters,
    Func<IReadOnlyList<Tensor>, Distribution> CreateDistribution,
    Objective Objective,
    IReadOnlyList<Tensor>? ExactGradient);
