using McGrad.Distributions;
using McGrad.Estimators;
using McGrad.Estimators.ScoreFunction;
using McGrad.Randomness;

namespace McGrad.Tests.Estimators;

public class ReinforceTests
{
    private const int N = 200_000;

    public static TheoryData<int> Rows => new(Enumerable.Range(0, ReferenceTable.R1.Length));

    [Theory]
    [MemberData(nameof(Rows))]
    public void ScoreFunctionMatchesReferenceTable(int row)
    {
        // Catches a wrong score (missing 1/σ² in ∂μ, wrong sign), a biased surrogate, or a variance off by a factor.
        var r = ReferenceTable.R1[row];
        var result = EstimatorCheck.Run(new Reinforce(), r.Problem, new RngKey(100 + (ulong)row), N);
        ReferenceTable.AssertMatches(result, r.Sf);
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void ScoreFunctionWithMeanBaselineMatchesReferenceTable(int row)
    {
        // The baseline is the exact E[f]; for cos(x) it makes the variance worse than none (0.4314 > 0.324).
        var r = ReferenceTable.R1[row];
        var result = EstimatorCheck.Run(new Reinforce(baseline: Baselines.Constant(r.MeanOfF)), r.Problem, new RngKey(200 + (ulong)row), N);
        ReferenceTable.AssertMatches(result, r.SfMean);
    }

    [Fact]
    public void MeanBaselineIsWorseThanNoneForCosine()
    {
        var r = ReferenceTable.R1[4];
        var none = EstimatorCheck.Run(new Reinforce(), r.Problem, new RngKey(7), N);
        var mean = EstimatorCheck.Run(new Reinforce(baseline: Baselines.Constant(r.MeanOfF)), r.Problem, new RngKey(7), N);
        Assert.True(mean.Parameters[0].Variance > none.Parameters[0].Variance + (4 * (mean.Parameters[0].VarianceStdError + none.Parameters[0].VarianceStdError)));
    }

    [Fact]
    public void EstimatorCheckIsDeterministicForAKey()
    {
        var p = ReferenceTable.R1[1].Problem;
        var a = EstimatorCheck.Run(new Reinforce(), p, new RngKey(3), 1000);
        var b = EstimatorCheck.Run(new Reinforce(), p, new RngKey(3), 1000);
        Assert.Equal(a.Parameters, b.Parameters);
        Assert.Equal(1, a.Cost.Evaluations);
    }

    [Fact]
    public void KSamplesDivideTheVarianceByK()
    {
        var r = ReferenceTable.R1[1];
        var result = EstimatorCheck.Run(new Reinforce(samples: 4), r.Problem, new RngKey(9), N);
        ReferenceTable.AssertMatches(result, [r.Sf[0] / 4, r.Sf[1] / 4]);
    }

    [Fact]
    public void SurrogateGradientFlowsIntoUpstreamParameters()
    {
        // μ = w·c with upstream w: ∂J/∂w = c·∂J/∂μ. With common keys the chain rule holds sample by sample.
        var w = Tensor.Scalar(0.5, DType.Float64).RequireGrad();
        var c = 2.0;
        var mu = w * c;
        var d = new Normal(mu, Tensor.Scalar(1.0, DType.Float64));
        var est = new Reinforce(samples: 8).Estimate(d, x => x.Square(), new RngKey(1));
        var gw = McGrad.Autodiff.Autograd.Grad(est.Surrogate, w);

        var muLeaf = Tensor.Scalar(1.0, DType.Float64).RequireGrad();
        var est2 = new Reinforce(samples: 8).Estimate(new Normal(muLeaf, Tensor.Scalar(1.0, DType.Float64)), x => x.Square(), new RngKey(1));
        var gmu = McGrad.Autodiff.Autograd.Grad(est2.Surrogate, muLeaf);
        Assert.Equal(c * gmu.Item(), gw.Item(), 12);
    }
}

public class EstimatorCheckSummaryTests
{
    [Fact]
    public void RoundingLevelDifferencesGiveZeroZButRealBiasDoesNot()
    {
        // Constant estimates equal to the exact value up to rounding: z = 0, not ±huge.
        double[] exactUpToRounding = [0.005 + 1e-18, 0.005 - 1e-18, 0.005 + 2e-18, 0.005];
        Assert.Equal(0, McGrad.Estimators.EstimatorCheck.Summarise("θ", exactUpToRounding, 0.005).Z);

        // A bias of 1e-6 relative with tiny noise must still be flagged.
        double[] biased = [0.005000005 + 1e-15, 0.005000005 - 1e-15, 0.005000005 + 2e-15, 0.005000005 - 2e-15];
        Assert.True(McGrad.Estimators.EstimatorCheck.Summarise("θ", biased, 0.005).Z > 100);
    }
}
