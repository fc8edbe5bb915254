using McGrad.Randomness;

namespace McGrad.Rl.Tests;

public class SpaceTests
{
    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(0.5, "0.5 is not an integer")]
    [InlineData(2.0, "2 is outside Discrete(2)")]
    [InlineData(-1.0, "-1 is outside Discrete(2)")]
    public void Discrete_validation_names_the_space_and_the_value(double value, string expected)
    {
        var space = new DiscreteSpace(2);
        var e = Assert.Throws<ArgumentException>(() => space.Validate([value], "action"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("Discrete(2)", e.Message, StringComparison.Ordinal);
        Assert.Equal("action", e.ParamName);
        Assert.False(space.Contains([value]));
    }

    [Fact]
    public void Discrete_rejects_a_wrong_shape_and_accepts_members()
    {
        var space = new DiscreteSpace(3, start: -1);
        var e = Assert.Throws<ArgumentException>(() => space.Validate([0.0, 1.0], "action"));
        Assert.Contains("has 2 elements", e.Message, StringComparison.Ordinal);
        Assert.Contains("Discrete(3, start=-1)", e.Message, StringComparison.Ordinal);
        foreach (var v in new[] { -1.0, 0.0, 1.0 })
        {
            space.Validate([v], "action");
            Assert.True(space.Contains([v]));
        }

        Assert.False(space.Contains(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DiscreteSpace(0));
    }

    [Fact]
    public void Box_validation_names_the_space_the_value_and_the_element()
    {
        var space = new BoxSpace(-2.0, 2.0, 1);
        var wrongShape = Assert.Throws<ArgumentException>(() => space.Validate([0.0, 1.0], "action"));
        Assert.Contains("Box(-2, 2, (1,))", wrongShape.Message, StringComparison.Ordinal);
        Assert.Contains("[0, 1] has 2 elements", wrongShape.Message, StringComparison.Ordinal);
        var outside = Assert.Throws<ArgumentException>(() => space.Validate([2.5], "action"));
        Assert.Contains("element 0 = 2.5 is not in [-2, 2]", outside.Message, StringComparison.Ordinal);
        Assert.Contains("ClipAction", outside.Message, StringComparison.Ordinal);
        var nan = Assert.Throws<ArgumentException>(() => space.Validate([double.NaN], "action"));
        Assert.Contains("NaN", nan.Message, StringComparison.Ordinal);
        space.Validate([2.0], "action");
        space.Validate([-2.0], "action");
        Assert.False(space.Contains([double.NaN]));
        Assert.Throws<ArgumentException>(() => new BoxSpace([1.0], [0.0], 1));
        Assert.Throws<ArgumentException>(() => new BoxSpace([0.0], [1.0], 2));
    }

    [Fact]
    public void Samples_are_members_and_depend_on_the_key_alone()
    {
        var box = new BoxSpace([-1.0, double.NegativeInfinity, 0.0, double.NegativeInfinity], [1.0, double.PositiveInfinity, double.PositiveInfinity, 5.0], 2, 2);
        var discrete = new DiscreteSpace(5);
        var seen = new HashSet<int>();
        for (uint i = 0; i < 200; i++)
        {
            var key = new RngKey(7).FoldIn(i);
            var x = box.Sample(key);
            Assert.True(box.Contains(x), $"sample {i} {string.Join(", ", x)} not in {box}");
            Assert.Equal(x, box.Sample(key));
            Assert.All(x, v => Assert.True(double.IsFinite(v)));
            var d = discrete.SampleInt(key);
            Assert.True(discrete.Contains(d));
            seen.Add(d);
        }

        Assert.Equal(5, seen.Count);
        Assert.NotEqual(box.Sample(new RngKey(1)), box.Sample(new RngKey(2)));
    }
}
