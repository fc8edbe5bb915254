using McGrad.Randomness;

namespace McGrad.Rl.Tests;

public class VectorEnvTests
{
    /// <summary>A deterministic action per (step, copy): discrete ones from a hash, continuous ones inside the box.</summary>
    private static double[] Actions(VectorEnv v, int t)
    {
        var a = new double[v.Count * v.ActionSize];
        for (var i = 0; i < a.Length; i++)
        {
            var h = (uint)((t * 7919) + (i * 104729)) * 2654435761u;
            a[i] = v.SingleActionSpace is DiscreteSpace d ? (int)(h % (uint)d.N) : ((h % 2001) / 1000.0) - 1.0;
        }

        return a;
    }

    [Theory]
    [InlineData("CartPole-v1")]
    [InlineData("Pendulum-v1")]
    [InlineData("MountainCar-v0")]
    public void Each_copy_is_the_single_environment_with_folded_keys_and_same_step_autoreset(string id)
    {
        const int n = 5;
        var key = new RngKey(2024);
        var vec = VectorEnv.Make(id, n);
        var obs = vec.Reset(key);
        var singles = new IEnvironment[n];
        var episodes = new int[n];
        for (var i = 0; i < n; i++)
        {
            singles[i] = Environments.Make(id);
            Assert.Equal(singles[i].Reset(key.FoldIn((uint)i).FoldIn(0)), obs.AsSpan(i * vec.ObservationSize, vec.ObservationSize).ToArray());
        }

        var ends = 0;
        for (var t = 0; t < 450; t++)
        {
            var actions = Actions(vec, t);
            var step = vec.Step(actions);
            for (var i = 0; i < n; i++)
            {
                var r = singles[i].Step(actions.AsSpan(i * vec.ActionSize, vec.ActionSize));
                Assert.Equal(r.Reward, step.Rewards[i]);
                Assert.Equal(r.Terminated, step.Terminated[i]);
                Assert.Equal(r.Truncated, step.Truncated[i]);
                Assert.Equal(r.Episode, step.Episodes[i]);
                if (r.Done)
                {
                    ends++;
                    Assert.Equal(r.Observation, step.FinalObservations[i]);
                    episodes[i]++;
                    var first = singles[i].Reset(key.FoldIn((uint)i).FoldIn((uint)episodes[i]));
                    Assert.Equal(first, step.Observation(i).ToArray());
                }
                else
                {
                    Assert.Null(step.FinalObservations[i]);
                    Assert.Equal(r.Observation, step.Observation(i).ToArray());
                }
            }
        }

        Assert.True(ends >= n, $"{id}: only {ends} episode ends in 450 steps; the autoreset path was not exercised");
        Assert.Equal(episodes.Select(e => e + 1), vec.EpisodeCounts);
    }

    [Fact]
    public void Parallel_stepping_gives_the_same_results_as_sequential()
    {
        var a = VectorEnv.Make("Acrobot-v1", 13);
        var b = VectorEnv.Make("Acrobot-v1", 13, maxParallelism: 4);
        Assert.Equal(a.Reset(new RngKey(9)), b.Reset(new RngKey(9)));
        var ra = new VectorStep(13, 6);
        var rb = new VectorStep(13, 6);
        for (var t = 0; t < 300; t++)
        {
            var actions = Actions(a, t);
            a.Step(actions, ra);
            b.Step(actions, rb);
            Assert.Equal(ra.Observations, rb.Observations);
            Assert.Equal(ra.Rewards, rb.Rewards);
            Assert.Equal(ra.Terminated, rb.Terminated);
            Assert.Equal(ra.Truncated, rb.Truncated);
        }
    }

    [Fact]
    public void Truncation_exposes_the_real_final_observation()
    {
        // A balancing controller keeps every copy up until the 500-step limit.
        var vec = VectorEnv.Make("CartPole-v1", 4);
        var obs = vec.Reset(new RngKey(1));
        var actions = new int[4];
        VectorStep? step = null;
        for (var t = 0; t < 500; t++)
        {
            for (var i = 0; i < 4; i++)
            {
                var o = obs.AsSpan(i * 4, 4);
                actions[i] = o[2] + (0.5 * o[3]) + (0.05 * o[0]) + (0.1 * o[1]) > 0 ? 1 : 0;
            }

            step = vec.Step(actions);
            obs = step.Observations;
            if (t < 499)
            {
                Assert.DoesNotContain(true, step.Truncated);
            }
        }

        Assert.NotNull(step);
        for (var i = 0; i < 4; i++)
        {
            Assert.True(step.Truncated[i] && !step.Terminated[i], $"copy {i} should be truncated at step 500");
            Assert.Equal(new EpisodeStatistics(500, 500), step.Episodes[i]);
            var final = step.FinalObservations[i]!;
            Assert.NotEqual(final, step.Observation(i).ToArray());
            Assert.True(Math.Abs(final[2]) < 0.21, "the final observation is the balanced pole at the time limit");
        }

        var tensor = step.ObservationTensor();
        Assert.Equal([4, 4], tensor.Shape.ToArray());
        Assert.Equal(step.Observations, tensor.AsReadOnlySpan<double>().ToArray());
    }

    [Fact]
    public void Bad_input_names_the_copy_the_space_and_the_value()
    {
        var vec = VectorEnv.Make("CartPole-v1", 3);
        Assert.Contains("Step before Reset", Assert.Throws<InvalidOperationException>(() => vec.Step(new int[3])).Message, StringComparison.Ordinal);
        vec.Reset(new RngKey(0));
        var e = Assert.Throws<ArgumentException>(() => vec.Step([0, 1, 2]));
        Assert.Contains("copy 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("action = 2 is outside Discrete(2)", e.Message, StringComparison.Ordinal);
        Assert.Contains("got 2 actions for 3 copies", Assert.Throws<ArgumentException>(() => vec.Step([0, 1])).Message, StringComparison.Ordinal);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => vec.Step([0.0, double.NaN, 1.0])).Message, StringComparison.Ordinal);
        var pend = VectorEnv.Make("Pendulum-v1", 2);
        pend.Reset(new RngKey(0));
        Assert.Contains("integer actions given", Assert.Throws<ArgumentException>(() => pend.Step([0, 1])).Message, StringComparison.Ordinal);
        Assert.Contains("need 2", Assert.Throws<ArgumentException>(() => pend.Step([0.0, 0.0, 0.0])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => VectorEnv.Make("Nope-v0", 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => VectorEnv.Make("CartPole-v1", 0));
        Assert.Throws<ArgumentException>(() => new VectorEnv(i => Environments.Make(i == 0 ? "CartPole-v1" : "Acrobot-v1"), 2));
    }
}
