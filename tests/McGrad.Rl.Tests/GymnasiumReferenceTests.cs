using System.Globalization;

namespace McGrad.Rl.Tests;

/// <summary>
/// Trajectories of McGrad's classic-control environments against Gymnasium's (Data/README.md): from each recorded
/// initial state, the recorded actions must give the same observations, rewards, terminated and truncated flags and
/// physical states. The tolerance is 0 ulp: every value must be bit-identical (the dynamics are written in Gymnasium's
/// operation order and both call the platform libm for sin/cos/pow).
/// </summary>
public class GymnasiumReferenceTests
{
    public static TheoryData<string> Files() => new()
    {
        "cartpole_v1.main.json", "cartpole_v1.heldout.json",
        "acrobot_v1.main.json", "acrobot_v1.heldout.json",
        "mountaincar_v0.main.json", "mountaincar_v0.heldout.json",
        "mountaincarcontinuous_v0.main.json", "mountaincarcontinuous_v0.heldout.json",
        "pendulum_v1.main.json", "pendulum_v1.heldout.json",
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Trajectories_match_gymnasium_bit_for_bit(string file)
    {
        var data = ReferenceFile.Load(file);
        var env = Environments.Make(data.Env);
        var total = 0;
        for (var e = 0; e < data.Episodes.Count; e++)
        {
            var ep = data.Episodes[e];
            env.SetState(ep.InitialState);
            Assert.Equal(ep.InitialState, env.GetState());
            for (var t = 0; t < ep.Steps.Count; t++)
            {
                var s = ep.Steps[t];
                var r = env.Step(s.Action);
                var where = $"{file} episode {e} step {t}";
                AssertBits(s.Observation, r.Observation, where + " observation");
                AssertBits(s.State, env.GetState(), where + " state");
                Assert.True(BitConverter.DoubleToInt64Bits(s.Reward) == BitConverter.DoubleToInt64Bits(r.Reward), $"{where} reward: expected {s.Reward:R}, got {r.Reward:R}");
                Assert.True(s.Terminated == r.Terminated, $"{where} terminated: expected {s.Terminated}");
                Assert.True(s.Truncated == r.Truncated, $"{where} truncated: expected {s.Truncated}");
                total++;
            }

            var last = ep.Steps[^1];
            Assert.True(last.Terminated || last.Truncated, $"{file} episode {e} should end the episode");
        }

        Assert.True(total >= 200, $"{file}: only {total} steps");
    }

    internal static void AssertBits(double[] expected, double[] actual, string where)
    {
        Assert.True(expected.Length == actual.Length, $"{where}: expected {expected.Length} values, got {actual.Length}");
        for (var i = 0; i < expected.Length; i++)
        {
            if (BitConverter.DoubleToInt64Bits(expected[i]) != BitConverter.DoubleToInt64Bits(actual[i]))
            {
                var ulps = BitConverter.DoubleToInt64Bits(actual[i]) - BitConverter.DoubleToInt64Bits(expected[i]);
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{where}[{i}]: expected {expected[i]:R}, got {actual[i]:R} ({ulps} ulp)"));
            }
        }
    }
}
