using McGrad.Autodiff;
using McGrad.Distributions;
using McGrad.Estimators;
using McGrad.Estimators.ScoreFunction;
using McGrad.Nn;
using McGrad.Randomness;

namespace McGrad.Tests.Estimators;

/// <summary>
/// Estimators inside a model: a Linear layer maps three inputs to the means and (through softplus) the scales of a
/// batch of three normals. The surrogate's gradient w.r.t. the layer's weight and bias must equal the chain rule
/// applied to the per-element estimates w.r.t. the means and scales (same key, so the same samples).
/// </summary>
public class ScoreFunctionCompositionTests
{
    public static TheoryData<string> Estimators => new() { "reinforce-moving-average", "reinforce-learned", "optimal-b*", "rloo", "vimco" };

    private static IGradientEstimator Create(string name) => name switch
    {
        "reinforce-moving-average" => new Reinforce(4, Baselines.MovingAverage(0.9)),
        "reinforce-learned" => new Reinforce(4, Baselines.Learned(() => Tensor.FromArray([0.5, -0.2, 1.0], 3))),
        "optimal-b*" => new OptimalBaselineReinforce(4),
        "rloo" => Reinforce.LeaveOneOut(4),
        "vimco" => new Vimco(4),
        _ => throw new ArgumentException(name),
    };

    /// <summary>The moving average starts from b = 1.3 (a state after one observation), so its baseline is not 0.</summary>
    private static EstimatorState? State(string name)
        => name == "reinforce-moving-average" ? new MovingAverageState(1.3, 1) : null;

    [Theory]
    [MemberData(nameof(Estimators))]
    public void LayerGradientIsTheChainRuleOfTheParameterEstimates(string name)
    {
        var layer = new Linear(2, 2, new RngKey(90), dtype: DType.Float64);
        var input = Tensor.FromArray([0.5, -1.0, 1.5, 0.2, -0.3, 0.8], 3, 2);
        (Tensor Mu, Tensor Sigma) Heads()
        {
            var y = layer.Forward(input);
            return (y.Narrow(1, 0, 1).Reshape(3), y.Narrow(1, 1, 1).Reshape(3).Softplus() + 0.1);
        }

        Tensor F(Tensor x) => (x - 0.3).Square() + x.Sin();
        var key = new RngKey(91);
        var weight = layer.Weight;
        var bias = layer.Bias!;

        var (mu, sigma) = Heads();
        var est = Create(name).Estimate(new Normal(mu, sigma), F, key, State(name));
        var direct = Autograd.Grad([est.Surrogate], [weight, bias]);

        var muLeaf = mu.Detach().RequireGrad();
        var sigmaLeaf = sigma.Detach().RequireGrad();
        var perElement = Autograd.Grad([Create(name).Estimate(new Normal(muLeaf, sigmaLeaf), F, key, State(name)).Surrogate], [muLeaf, sigmaLeaf]);
        Assert.NotEqual(0.0, perElement[0]!.Abs().Sum().Item());

        var (mu2, sigma2) = Heads();
        var chained = Autograd.Grad([mu2, sigma2], [weight, bias], [perElement[0], perElement[1]]);
        TestUtil.AssertClose(chained[0]!.ToDoubleArray(), direct[0]!, 1e-12);
        TestUtil.AssertClose(chained[1]!.ToDoubleArray(), direct[1]!, 1e-12);
    }
}
