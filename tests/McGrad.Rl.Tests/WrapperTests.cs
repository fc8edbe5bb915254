using McGrad.Nn;
using McGrad.Randomness;
using McGrad.Rl.ClassicControl;

namespace McGrad.Rl.Tests;

public class WrapperTests
{
    [Fact]
    public void ClipAction_clips_to_the_inner_box_and_still_rejects_NaN()
    {
        var clipped = new ClipAction(new Pendulum());
        var direct = new Pendulum();
        Assert.Equal(double.PositiveInfinity, ((BoxSpace)clipped.ActionSpace).High[0]);
        double[] s0 = [0.3, -0.2];
        clipped.SetState(s0);
        direct.SetState(s0);
        foreach (var (a, c) in new[] { (5.0, 2.0), (-7.5, -2.0), (0.25, 0.25) })
        {
            var r1 = clipped.Step([a]);
            var r2 = direct.Step([c]);
            Assert.Equal(r2.Observation, r1.Observation);
            Assert.Equal(r2.Reward, r1.Reward);
        }

        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => clipped.Step([double.NaN])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ClipAction(new CartPole()));
    }

    [Fact]
    public void RescaleAction_maps_the_new_box_affinely_onto_the_inner_one()
    {
        var scaled = new RescaleAction(new Pendulum(), -1.0, 1.0);
        var direct = new Pendulum();
        Assert.Equal("Box(-1, 1, (1,))", scaled.ActionSpace.ToString());
        double[] s0 = [1.0, 0.5];
        scaled.SetState(s0);
        direct.SetState(s0);
        foreach (var (a, u) in new[] { (1.0, 2.0), (-1.0, -2.0), (0.0, 0.0), (0.25, 0.5) })
        {
            Assert.Equal(direct.Step([u]).Observation, scaled.Step([a]).Observation);
        }

        Assert.Throws<ArgumentException>(() => scaled.Step([1.5]));
        Assert.Throws<ArgumentException>(() => new RescaleAction(new Pendulum(), 1.0, 1.0));
        var asym = new RescaleAction(new MountainCarContinuous(), 0.0, 10.0);
        asym.SetState([-0.5, 0.0]);
        var inner = new MountainCarContinuous();
        inner.SetState([-0.5, 0.0]);
        Assert.Equal(inner.Step([0.0]).Observation, asym.Step([5.0]).Observation);
    }

    [Fact]
    public void NormalizeObservation_tracks_the_running_moments_and_normalises_with_them()
    {
        var env = new NormalizeObservation(Environments.Make("CartPole-v1"));
        var raw = Environments.Make("CartPole-v1");
        var key = new RngKey(4);
        var rawObs = new List<double[]>();
        var o = env.Reset(key);
        var ro = raw.Reset(key);
        rawObs.Add(ro);
        Check(env, ro, o);
        for (var t = 0; t < 300; t++)
        {
            var a = (t * 7 % 5) < 2 ? 0 : 1;
            var r = env.Step(a);
            var rr = raw.Step(a);
            rawObs.Add(rr.Observation);
            Check(env, rr.Observation, r.Observation);
            if (r.Done)
            {
                key = key.FoldIn(1);
                rawObs.Add(raw.Reset(key));
                Check(env, rawObs[^1], env.Reset(key));
            }
        }

        // Moments of everything seen (the initial pseudo-count 1e-4 shifts them by about 1e-4 relative).
        for (var i = 0; i < 4; i++)
        {
            var mean = rawObs.Average(x => x[i]);
            var var = rawObs.Average(x => (x[i] - mean) * (x[i] - mean));
            Assert.Equal(mean, env.Statistics.Mean[i], 1e-6);
            Assert.True(Math.Abs(var - env.Statistics.Var[i]) < 1e-3 * var + 1e-9, $"element {i}: variance {env.Statistics.Var[i]} vs {var}");
        }

        Assert.Equal(rawObs.Count + 1e-4, env.Statistics.Count, 9);

        env.UpdateStatistics = false;
        var frozenMean = env.Statistics.Mean.ToArray();
        env.Reset(new RngKey(77));
        Assert.Equal(frozenMean, env.Statistics.Mean.ToArray());

        static void Check(NormalizeObservation env, double[] rawObs, double[] normalised)
        {
            for (var i = 0; i < rawObs.Length; i++)
            {
                var expected = (rawObs[i] - env.Statistics.Mean[i]) / Math.Sqrt(env.Statistics.Var[i] + 1e-8);
                Assert.Equal(expected, normalised[i], 12);
            }
        }
    }

    [Fact]
    public void RunningMeanStd_state_round_trips_through_safetensors_and_batches_merge()
    {
        var a = new RunningMeanStd(2);
        a.UpdateFromMoments([1.0, -2.0], [0.5, 4.0], 10);
        a.Update([3.0, 1.0]);
        var path = Path.Combine(Path.GetTempPath(), $"mcgrad-rms-{Environment.ProcessId}.safetensors");
        try
        {
            SafeTensors.Save(path, a.ToTensors("obs_rms."));
            var b = new RunningMeanStd(2);
            b.FromTensors(SafeTensors.Load(path), "obs_rms.");
            Assert.Equal(a.Mean.ToArray(), b.Mean.ToArray());
            Assert.Equal(a.Var.ToArray(), b.Var.ToArray());
            Assert.Equal(a.Count, b.Count);
            Assert.Contains("no tensor 'x.mean'", Assert.Throws<ArgumentException>(() => b.FromTensors(SafeTensors.Load(path), "x.")).Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }

        // One batch of three equals three single updates (Chan's merge is exact in exact arithmetic).
        var batch = new RunningMeanStd(1);
        var seq = new RunningMeanStd(1);
        double[] xs = [0.5, 2.0, -1.0];
        var m = xs.Average();
        batch.UpdateFromMoments([m], [xs.Average(x => (x - m) * (x - m))], 3);
        foreach (var x in xs)
        {
            seq.Update([x]);
        }

        Assert.Equal(seq.Mean[0], batch.Mean[0], 12);
        Assert.Equal(seq.Var[0], batch.Var[0], 12);
        Assert.Throws<ArgumentException>(() => seq.SetState([0.0], [-1.0], 1));
    }

    [Fact]
    public void NormalizeReward_divides_by_the_std_of_the_discounted_return()
    {
        const double gamma = 0.9;
        var env = new NormalizeReward(Environments.Make("CartPole-v1"), gamma);
        env.Reset(new RngKey(8));
        var g = 0.0;
        var returns = new List<double>();
        for (var t = 0; t < 200; t++)
        {
            var r = env.Step(t % 3 == 0 ? 0 : 1);
            g = (g * gamma * (r.Terminated ? 0 : 1)) + 1.0;
            returns.Add(g);
            var count = returns.Count + 1e-4;
            var mean = returns.Sum() / count;
            var var = (1e-4 * (1 + (mean * mean)) + returns.Sum(x => (x - mean) * (x - mean))) / count;
            Assert.Equal(1.0 / Math.Sqrt(var + 1e-8), r.Reward, 9);
            Assert.Equal(g, env.DiscountedReturn, 12);
            if (r.Done)
            {
                env.Reset(new RngKey(9 + (ulong)t));
            }
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => new NormalizeReward(new CartPole(), 1.5));
    }

    [Fact]
    public void Episode_statistics_report_raw_returns_below_reward_scaling()
    {
        var env = new NormalizeReward(Environments.Make("Pendulum-v1"));
        var raw = Environments.Make("Pendulum-v1");
        env.Reset(new RngKey(1));
        raw.Reset(new RngKey(1));
        StepResult r, rr;
        do
        {
            r = env.Step([0.5]);
            rr = raw.Step([0.5]);
        }
        while (!r.Done);

        Assert.Equal(rr.Episode, r.Episode);
        Assert.Equal(200, r.Episode!.Value.Length);
    }
}
