using McGrad.Optim;

namespace McGrad.Tests.Optim;

public class ScheduleTests
{
    [Fact]
    public void ConstantAndImplicitConversion()
    {
        Schedule s = 0.25;
        Assert.Equal(0.25, s.ValueAt(0));
        Assert.Equal(0.25, s.ValueAt(1_000_000));
        Assert.Equal(0.5, Schedule.Constant(0.5).ValueAt(7));
    }

    [Fact]
    public void LinearInterpolatesThenHolds()
    {
        var s = Schedule.Linear(1.0, 0.2, 4);
        Assert.Equal(1.0, s.ValueAt(0), 15);
        Assert.Equal(0.8, s.ValueAt(1), 15);
        Assert.Equal(0.6, s.ValueAt(2), 15);
        Assert.Equal(0.2, s.ValueAt(4), 15);
        Assert.Equal(0.2, s.ValueAt(100), 15);
    }

    [Fact]
    public void CosineAtZeroHalfEndAndBeyond()
    {
        var s = Schedule.Cosine(1.0, 10, final: 0.1);
        Assert.Equal(1.0, s.ValueAt(0), 15);
        Assert.Equal(0.55, s.ValueAt(5), 15);
        Assert.Equal(0.1, s.ValueAt(10), 15);
        Assert.Equal(0.1, s.ValueAt(37), 15);
        Assert.Equal(0.1 + (0.9 * 0.5 * (1 + Math.Cos(0.2 * Math.PI))), s.ValueAt(2), 15);
        Assert.Equal(0.0, Schedule.Cosine(2.0, 8).ValueAt(8), 15);
    }

    [Fact]
    public void ExponentialSmoothAndStaircase()
    {
        Assert.Equal(2.0 * Math.Pow(0.5, 1.5), Schedule.Exponential(2.0, 0.5, 2).ValueAt(3), 15);
        Assert.Equal(1.0, Schedule.Exponential(2.0, 0.5, 2, staircase: true).ValueAt(3), 15);
        Assert.Equal(0.5, Schedule.Exponential(2.0, 0.5, 2, staircase: true).ValueAt(4), 15);
        Assert.Equal(0.1 * Math.Pow(0.9, 7), Schedule.Exponential(0.1, 0.9).ValueAt(7), 15);
    }

    [Fact]
    public void WarmupRisesLinearlyThenHandsOverAtTheBoundary()
    {
        var s = Schedule.WarmupThen(4, Schedule.Cosine(1.0, 10));
        Assert.Equal(0.0, s.ValueAt(0), 15);
        Assert.Equal(0.5, s.ValueAt(2), 15);
        Assert.Equal(0.75, s.ValueAt(3), 15);
        Assert.Equal(1.0, s.ValueAt(4), 15);     // boundary: the inner schedule at its step 0
        Assert.Equal(0.5, s.ValueAt(9), 15);     // inner step 5 of 10
        Assert.Equal(0.0, s.ValueAt(14), 15);

        var w = Schedule.WarmupCosine(peak: 1.0, warmupSteps: 4, totalSteps: 14, start: 0.2);
        Assert.Equal(0.2, w.ValueAt(0), 15);
        Assert.Equal(0.6, w.ValueAt(2), 15);
        Assert.Equal(1.0, w.ValueAt(4), 15);
        Assert.Equal(0.5, w.ValueAt(9), 15);
        Assert.Equal(0.0, w.ValueAt(14), 15);
    }

    [Fact]
    public void JoinRestartsEachScheduleAtItsBoundary()
    {
        var s = Schedule.Join([Schedule.Constant(1.0), Schedule.Linear(0.5, 0.0, 5), Schedule.FromFunc(t => 10 + t)], [3, 8]);
        Assert.Equal(1.0, s.ValueAt(2));
        Assert.Equal(0.5, s.ValueAt(3), 15);
        Assert.Equal(0.3, s.ValueAt(5), 15);
        Assert.Equal(10.0, s.ValueAt(8));
        Assert.Equal(12.0, s.ValueAt(10));
    }

    [Fact]
    public void BadArgumentsAreClearErrors()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.Constant(1).ValueAt(-1));
        Assert.Contains("-1", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.Linear(1, 0, 0));
        Assert.Contains("steps", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.Cosine(double.NaN, 3));
        Assert.Contains("initial", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.Exponential(1, 0));
        Assert.Contains("rate", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.WarmupCosine(1, 10, 10));
        Assert.Contains("totalSteps", ex.Message, StringComparison.Ordinal);
        var ae = Assert.Throws<ArgumentException>(() => Schedule.Join([Schedule.Constant(1)], [3]));
        Assert.Contains("1 schedules and 1 boundaries", ae.Message, StringComparison.Ordinal);
        ae = Assert.Throws<ArgumentException>(() => Schedule.Join([1.0, 2.0, 3.0], [5, 5]));
        Assert.Contains("[5, 5]", ae.Message, StringComparison.Ordinal);
    }
}
