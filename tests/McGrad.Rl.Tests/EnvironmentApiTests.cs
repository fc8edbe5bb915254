using McGrad.Randomness;
using McGrad.Rl.ClassicControl;

namespace McGrad.Rl.Tests;

public class EnvironmentApiTests
{
    public static TheoryData<string> Ids() => new() { "CartPole-v1", "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1" };

    [Fact]
    public void The_registry_has_gymnasiums_ids_and_time_limits_and_lists_them_for_an_unknown_id()
    {
        Assert.Equal(["CartPole-v1", "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1"], Environments.Ids);
        Assert.Equal(500, Environments.MaxEpisodeSteps("CartPole-v1"));
        Assert.Equal(500, Environments.MaxEpisodeSteps("Acrobot-v1"));
        Assert.Equal(200, Environments.MaxEpisodeSteps("MountainCar-v0"));
        Assert.Equal(999, Environments.MaxEpisodeSteps("MountainCarContinuous-v0"));
        Assert.Equal(200, Environments.MaxEpisodeSteps("Pendulum-v1"));
        var e = Assert.Throws<ArgumentException>(() => Environments.Make("CartPole-v2"));
        Assert.Contains("'CartPole-v2'", e.Message, StringComparison.Ordinal);
        Assert.Contains("CartPole-v1, Acrobot-v1, MountainCar-v0, MountainCarContinuous-v0, Pendulum-v1", e.Message, StringComparison.Ordinal);
        var c = Assert.Throws<ArgumentException>(() => Environments.Make("cartpole-v1"));
        Assert.Contains("did you mean 'CartPole-v1'", c.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Step_before_reset_and_after_the_episode_ends_is_an_error(string id)
    {
        var env = Environments.Make(id);
        var action = Action(env, 0);
        var before = Assert.Throws<InvalidOperationException>(() => env.Step(action));
        Assert.Contains(id, before.Message, StringComparison.Ordinal);
        Assert.Contains("Reset", before.Message, StringComparison.Ordinal);

        env.Reset(new RngKey(3));
        var steps = 0;
        StepResult r;
        do
        {
            r = env.Step(action);
            steps++;
        }
        while (!r.Done);

        Assert.True(steps <= Environments.MaxEpisodeSteps(id));
        Assert.Equal(r.Truncated, steps == Environments.MaxEpisodeSteps(id));
        var after = Assert.Throws<InvalidOperationException>(() => env.Step(action));
        Assert.Contains(r.Terminated ? "terminated" : "truncated", after.Message, StringComparison.Ordinal);
        env.Reset(new RngKey(4));
        env.Step(action);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Reset_depends_on_the_key_alone_and_stays_in_the_observation_space(string id)
    {
        var a = Environments.Make(id);
        var b = Environments.Make(id);
        for (uint i = 0; i < 20; i++)
        {
            var key = new RngKey(11).FoldIn(i);
            var oa = a.Reset(key);
            Assert.Equal(oa, b.Reset(key));
            Assert.True(a.ObservationSpace.Contains(oa), $"{id}: reset observation {string.Join(", ", oa)} not in {a.ObservationSpace}");
            Assert.NotEqual(oa, b.Reset(key.FoldIn(99)));
        }
    }

    [Fact]
    public void Reset_distributions_are_gymnasiums()
    {
        var cart = Environments.Make("CartPole-v1");
        var acro = Environments.Make("Acrobot-v1");
        var car = Environments.Make("MountainCar-v0");
        var pend = Environments.Make("Pendulum-v1");
        for (uint i = 0; i < 100; i++)
        {
            var key = new RngKey(5).FoldIn(i);
            cart.Reset(key);
            Assert.All(cart.GetState(), v => Assert.InRange(v, -0.05, 0.05));
            acro.Reset(key);
            Assert.All(acro.GetState(), v => Assert.True(v >= -0.1 && v <= 0.1 && v == (float)v, $"Acrobot reset {v} should be a float32 in [-0.1, 0.1]"));
            car.Reset(key);
            var s = car.GetState();
            Assert.InRange(s[0], -0.6, -0.4);
            Assert.Equal(0.0, s[1]);
            pend.Reset(key);
            var p = pend.GetState();
            Assert.InRange(p[0], -Math.PI, Math.PI);
            Assert.InRange(p[1], -1.0, 1.0);
        }
    }

    [Fact]
    public void Bad_actions_name_the_space_and_the_value()
    {
        var cart = Environments.Make("CartPole-v1");
        cart.Reset(new RngKey(0));
        var e = Assert.Throws<ArgumentException>(() => cart.Step(2));
        Assert.Contains("action = 2 is outside Discrete(2)", e.Message, StringComparison.Ordinal);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => cart.Step([double.NaN])).Message, StringComparison.Ordinal);
        Assert.Contains("not an integer", Assert.Throws<ArgumentException>(() => cart.Step([0.5])).Message, StringComparison.Ordinal);
        Assert.Contains("has 2 elements", Assert.Throws<ArgumentException>(() => cart.Step([0.0, 1.0])).Message, StringComparison.Ordinal);
        cart.Step(1); // still usable: a rejected action changes nothing

        var pend = Environments.Make("Pendulum-v1");
        pend.Reset(new RngKey(0));
        var state = pend.GetState();
        var nan = Assert.Throws<ArgumentException>(() => pend.Step([double.NaN]));
        Assert.Contains("Box(-2, 2, (1,))", nan.Message, StringComparison.Ordinal);
        Assert.Contains("[NaN] has NaN", nan.Message, StringComparison.Ordinal);
        Assert.Contains("2.5 is not in [-2, 2]", Assert.Throws<ArgumentException>(() => pend.Step([2.5])).Message, StringComparison.Ordinal);
        var asInt = Assert.Throws<ArgumentException>(() => pend.Step(1));
        Assert.Contains("action space is Box(-2, 2, (1,))", asInt.Message, StringComparison.Ordinal);
        Assert.Equal(state, pend.GetState());
        Assert.Contains("expected 2", Assert.Throws<ArgumentException>(() => pend.SetState([0.0])).Message, StringComparison.Ordinal);
        Assert.Contains("non-finite", Assert.Throws<ArgumentException>(() => pend.SetState([0.0, double.PositiveInfinity])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => pend.StepInto([0.0], new double[2]));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Episode_statistics_are_the_sum_of_rewards_and_the_step_count(string id)
    {
        var env = Environments.Make(id);
        env.Reset(new RngKey(21));
        var sum = 0.0;
        var n = 0;
        var key = new RngKey(22);
        while (true)
        {
            var r = env.Step(env.ActionSpace.Sample(key.FoldIn((uint)n)));
            sum += r.Reward;
            n++;
            if (r.Done)
            {
                Assert.Equal(new EpisodeStatistics(sum, n), r.Episode);
                break;
            }

            Assert.Null(r.Episode);
        }
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void SetState_replays_a_trajectory_bit_for_bit_from_any_of_its_states(string id)
    {
        var env = Environments.MakeRaw(id);
        var key = new RngKey(31);
        env.Reset(key);
        var states = new List<double[]> { env.GetState() };
        var actions = new List<double[]>();
        var observations = new List<double[]>();
        for (var t = 0; t < 150; t++)
        {
            var a = env.ActionSpace.Sample(key.FoldIn((uint)t));
            var r = env.Step(a);
            actions.Add(a);
            observations.Add(r.Observation);
            states.Add(env.GetState());
            if (r.Done)
            {
                break;
            }
        }

        var from = states.Count / 3;
        var replay = Environments.MakeRaw(id);
        replay.SetState(states[from]);
        for (var t = from; t < actions.Count; t++)
        {
            var r = replay.Step(actions[t]);
            GymnasiumReferenceTests.AssertBits(observations[t], r.Observation, $"{id} replay step {t}");
            GymnasiumReferenceTests.AssertBits(states[t + 1], replay.GetState(), $"{id} replay state {t}");
        }
    }

    [Fact]
    public void Time_limit_truncates_at_the_limit_even_on_a_terminating_step()
    {
        var env = new TimeLimit(new CartPole(), 3);
        env.SetState([0.0, 0.0, 0.2094, 2.0]); // terminates on the first step (θ crosses 12°)
        var r = env.Step(1);
        Assert.True(r.Terminated);
        Assert.False(r.Truncated);
        env.SetState([0.0, 0.0, 0.0, 0.0]);
        env.Step(1);
        env.Step(0);
        var third = env.Step(1);
        Assert.True(third.Truncated);
        Assert.Equal(3, env.ElapsedSteps);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimeLimit(new CartPole(), 0));

        var both = new TimeLimit(new CartPole(), 1);
        both.SetState([0.0, 0.0, 0.2094, 2.0]);
        var b = both.Step(1);
        Assert.True(b.Terminated && b.Truncated, "Gymnasium's TimeLimit sets truncated at the limit whatever terminated is");
    }

    private static double[] Action(IEnvironment env, int i) => env.ActionSpace is DiscreteSpace ? [i] : new double[env.ActionSpace.Size];
}
