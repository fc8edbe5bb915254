using McGrad.Estimators;
using McGrad.Estimators.Problems;
using McGrad.Estimators.ScoreFunction;

namespace McGrad.Tests.Estimators.Discrete;

/// <summary>
/// REFERENCE.md R2: b ~ Bernoulli(σ(θ)), f(b) = (b − p0)², one-estimate variances of REINFORCE(1), RLOO(2), ARM and
/// DisARM (exact: computed there by summing over the outcomes and integrating over u piecewise).
/// </summary>
internal static class BernoulliReferenceTable
{
    public sealed record Row(double P0, double Theta, double Exact, double Reinforce, double Rloo2, double Arm, double DisArm)
    {
        public GradientProblem Problem => BernoulliToy.Create(P0, Theta);
    }

    public static readonly Row[] R2 =
    [
        new(0.49, -2, 2.09987e-3, 6.97341e-3, 1.65893e-5, 1.41991e-5, 1.40862e-5),
        new(0.49, -1, 3.93224e-3, 1.27567e-2, 2.38599e-5, 1.45813e-5, 1.32845e-5),
        new(0.49, 0, 5.00000e-3, 1.56375e-2, 2.50000e-5, 8.33333e-6, 0),
        new(0.499, 0, 5.00000e-4, 1.56251e-2, 2.50000e-7, 8.33333e-8, 0),
        new(0.499, 1, 3.93224e-4, 1.22430e-2, 2.38599e-7, 1.45813e-7, 1.32845e-7),
    ];

    /// <summary>
    /// RLOO(K) written here as REINFORCE(K) with the leave-one-out baseline b_k = (Σ_j f_j − f_k)/(K − 1), so the
    /// reference column does not depend on the library's RLOO.
    /// </summary>
    public static Reinforce Rloo(int k) => new(k, new LeaveOneOut());

    private sealed class LeaveOneOut : IBaseline
    {
        public string Name => "leave-one-out";

        public BaselineResult Compute(Tensor values, EstimatorState? state) => new((values.Sum(0, keepDim: true) - values) / (values.Shape[0] - 1));
    }
}
