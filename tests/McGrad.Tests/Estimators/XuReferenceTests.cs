using McGrad.Estimators;
using McGrad.Estimators.ScoreFunction;
using McGrad.Randomness;

namespace McGrad.Tests.Estimators;

/// <summary>REFERENCE.md R4 (Xu et al. 2019): score-function variances for ∂μ on a Gaussian quadratic.</summary>
public class XuReferenceTests
{
    private const int N = 200_000;

    public static TheoryData<int> Rows => new(Enumerable.Range(0, ReferenceTable.R4.Length));

    [Fact]
    public void RowsHoldTheClosedForms()
    {
        // (a, s, h) = (1, 0.5, 2): 4·(1 + 3.5 + 0.9375) = 21.75 and 4·(2 + 0.625) = 10.5;
        // (−2, 1.5, 0.5): (0.25/9)·(16 + 126 + 75.9375) and 0.25·(8 + 5.625).
        Assert.Equal(21.75, ReferenceTable.R4[0].SfMu, 12);
        Assert.Equal(10.5, ReferenceTable.R4[0].SfMeanMu, 12);
        Assert.Equal(0.25 / 9 * 217.9375, ReferenceTable.R4[1].SfMu, 12);
        Assert.Equal(3.40625, ReferenceTable.R4[1].SfMeanMu, 12);
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void ScoreFunctionVarianceOfTheMeanGradient(int row)
    {
        // Catches a missing 1/s² in the score or a variance off by a constant factor (e.g. the h/2 of f dropped).
        var r = ReferenceTable.R4[row];
        var result = EstimatorCheck.Run(new Reinforce(), r.Problem, new RngKey(700 + (ulong)row), N);
        ScoreFunctionProblems.AssertUnbiased(result);
        ScoreFunctionProblems.AssertVariance(result, [r.SfMu]);
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void ScoreFunctionWithMeanBaselineVarianceOfTheMeanGradient(int row)
    {
        var r = ReferenceTable.R4[row];
        var result = EstimatorCheck.Run(new Reinforce(baseline: Baselines.Constant(r.MeanOfF)), r.Problem, new RngKey(710 + (ulong)row), N);
        ScoreFunctionProblems.AssertUnbiased(result);
        ScoreFunctionProblems.AssertVariance(result, [r.SfMeanMu]);
        Assert.True(r.SfMu / r.PathwiseMu >= 3.75 && r.SfMeanMu / r.PathwiseMu >= 2.5);
    }
}
