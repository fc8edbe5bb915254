using McGrad.Randomness;

namespace McGrad.Rl.Tests;

/// <summary>
/// The dynamics from random states that no reference file contains, against textbook formulas written here
/// independently (plain grouping, no attempt at Gymnasium's operation order), so a wrong constant, sign or term fails
/// even where the trajectories happen not to reach it. Tolerance: 1e-12 absolute (the two differ only by rounding).
/// Also the invariants Gymnasium's code implies: observations are float32 roundings of functions of the state, angles
/// wrapped, velocities bounded.
/// </summary>
public class DynamicsFromRandomStatesTests
{
    private const int Trials = 300;
    private const double Tol = 1e-12;

    private static double[] U(RngKey key, int i, params (double Lo, double Hi)[] ranges)
    {
        var u = Sampler.Uniform(key.FoldIn((uint)i), new Shape(ranges.Length), DType.Float64).AsReadOnlySpan<double>().ToArray();
        return ranges.Select((r, k) => r.Lo + ((r.Hi - r.Lo) * u[k])).ToArray();
    }

    [Fact]
    public void CartPole_is_the_euler_step_of_the_cart_pole_equations()
    {
        var env = Environments.MakeRaw("CartPole-v1");
        for (var i = 0; i < Trials; i++)
        {
            var s = U(new RngKey(100), i, (-2.4, 2.4), (-3, 3), (-0.2, 0.2), (-3, 3));
            var a = i % 2;
            env.SetState(s);
            var r = env.Step([a]);
            double f = a == 1 ? 10 : -10, mc = 1.0, mp = 0.1, l = 0.5, g = 9.8, tau = 0.02;
            var (x, xd, th, thd) = (s[0], s[1], s[2], s[3]);
            var tmp = (f + (mp * l * thd * thd * Math.Sin(th))) / (mc + mp);
            var thacc = ((g * Math.Sin(th)) - (Math.Cos(th) * tmp)) / (l * ((4.0 / 3.0) - (mp * Math.Cos(th) * Math.Cos(th) / (mc + mp))));
            var xacc = tmp - (mp * l * thacc * Math.Cos(th) / (mc + mp));
            double[] next = [x + (tau * xd), xd + (tau * xacc), th + (tau * thd), thd + (tau * thacc)];
            AssertClose(next, env.GetState(), $"CartPole trial {i}");
            Assert.Equal(next.Select(v => (double)(float)v), r.Observation);
            var limit = 12 * Math.PI / 180;
            Assert.Equal(Math.Abs(next[0]) > 2.4 || Math.Abs(next[2]) > limit, r.Terminated);
            Assert.Equal(1.0, r.Reward);
        }
    }

    [Fact]
    public void Acrobot_is_an_rk4_step_of_the_book_equations_then_wrapped_and_bounded()
    {
        var env = Environments.MakeRaw("Acrobot-v1");
        for (var i = 0; i < Trials; i++)
        {
            var s = U(new RngKey(200), i, (-Math.PI, Math.PI), (-Math.PI, Math.PI), (-4 * Math.PI, 4 * Math.PI), (-9 * Math.PI, 9 * Math.PI));
            var a = i % 3;
            env.SetState(s);
            var r = env.Step([a]);
            var torque = a - 1.0;
            double[] F(double[] y)
            {
                const double m = 1, l1 = 1, lc = 0.5, inertia = 1, g = 9.8;
                var (t1, t2, w1, w2) = (y[0], y[1], y[2], y[3]);
                var d1 = (m * lc * lc) + (m * ((l1 * l1) + (lc * lc) + (2 * l1 * lc * Math.Cos(t2)))) + (2 * inertia);
                var d2 = (m * ((lc * lc) + (l1 * lc * Math.Cos(t2)))) + inertia;
                var phi2 = m * lc * g * Math.Cos(t1 + t2 - (Math.PI / 2));
                var phi1 = (-m * l1 * lc * w2 * w2 * Math.Sin(t2)) - (2 * m * l1 * lc * w2 * w1 * Math.Sin(t2)) + (((m * lc) + (m * l1)) * g * Math.Cos(t1 - (Math.PI / 2))) + phi2;
                var dd2 = (torque + (d2 / d1 * phi1) - (m * l1 * lc * w1 * w1 * Math.Sin(t2)) - phi2) / ((m * lc * lc) + inertia - (d2 * d2 / d1));
                var dd1 = -((d2 * dd2) + phi1) / d1;
                return [w1, w2, dd1, dd2];
            }

            static double[] Add(double[] y, double h, double[] k) => y.Select((v, j) => v + (h * k[j])).ToArray();
            const double dt = 0.2;
            var k1 = F(s);
            var k2 = F(Add(s, dt / 2, k1));
            var k3 = F(Add(s, dt / 2, k2));
            var k4 = F(Add(s, dt, k3));
            var y = s.Select((v, j) => v + (dt / 6 * (k1[j] + (2 * k2[j]) + (2 * k3[j]) + k4[j]))).ToArray();
            double[] expected = [Wrap(y[0]), Wrap(y[1]), Math.Clamp(y[2], -4 * Math.PI, 4 * Math.PI), Math.Clamp(y[3], -9 * Math.PI, 9 * Math.PI)];
            var got = env.GetState();
            AssertClose(expected, got, $"Acrobot trial {i}", 1e-9);
            Assert.InRange(got[0], -Math.PI, Math.PI);
            Assert.InRange(got[1], -Math.PI, Math.PI);
            double[] ob = [Math.Cos(got[0]), Math.Sin(got[0]), Math.Cos(got[1]), Math.Sin(got[1]), got[2], got[3]];
            Assert.Equal(ob.Select(v => (double)(float)v), r.Observation);
            var tip = -Math.Cos(got[0]) - Math.Cos(got[0] + got[1]);
            Assert.Equal(tip > 1, r.Terminated);
            Assert.Equal(r.Terminated ? 0.0 : -1.0, r.Reward);
        }

        static double Wrap(double x) => x - (2 * Math.PI * Math.Ceiling((x - Math.PI) / (2 * Math.PI)));
    }

    [Fact]
    public void MountainCar_follows_the_valley_with_an_inelastic_left_wall()
    {
        var env = Environments.MakeRaw("MountainCar-v0");
        for (var i = 0; i < Trials; i++)
        {
            var s = U(new RngKey(300), i, (-1.2, 0.6), (-0.07, 0.07));
            if (i % 10 == 0)
            {
                s = [-1.2 + 1e-3, -0.05]; // hits the wall
            }

            var a = i % 3;
            env.SetState(s);
            var r = env.Step([a]);
            var v = Math.Clamp(s[1] + ((a - 1) * 0.001) - (0.0025 * Math.Cos(3 * s[0])), -0.07, 0.07);
            var x = Math.Clamp(s[0] + v, -1.2, 0.6);
            if (x == -1.2 && v < 0)
            {
                v = 0;
            }

            AssertClose([x, v], env.GetState(), $"MountainCar trial {i}");
            Assert.Equal(x >= 0.5 && v >= 0, r.Terminated);
            Assert.Equal(-1.0, r.Reward);
            Assert.Equal([(float)x, (float)v], r.Observation.Select(o => (float)o));
        }
    }

    [Fact]
    public void MountainCarContinuous_rewards_the_flag_and_charges_for_force_and_stores_float32()
    {
        var env = Environments.MakeRaw("MountainCarContinuous-v0");
        for (var i = 0; i < Trials; i++)
        {
            var s = U(new RngKey(400), i, (-1.2, 0.6), (-0.07, 0.07), (-1, 1));
            env.SetState(s.AsSpan(0, 2));
            var a = s[2];
            var r = env.Step([a]);
            var v = Math.Clamp(s[1] + (a * 0.0015) - (0.0025 * Math.Cos(3 * s[0])), -0.07, 0.07);
            var x = Math.Clamp(s[0] + v, -1.2, 0.6);
            if (x == -1.2 && v < 0)
            {
                v = 0;
            }

            var done = x >= 0.45 && v >= 0;
            Assert.Equal(done, r.Terminated);
            Assert.Equal((done ? 100 : 0) - (0.1 * a * a), r.Reward, 12);
            var got = env.GetState();
            Assert.Equal([(float)x, (float)v], got.Select(g => (float)g));
            Assert.All(got, g => Assert.Equal(g, (float)g));
        }
    }

    [Fact]
    public void Pendulum_pays_angle_speed_and_torque_and_clips_the_speed()
    {
        var env = Environments.MakeRaw("Pendulum-v1");
        for (var i = 0; i < Trials; i++)
        {
            var s = U(new RngKey(500), i, (-20, 20), (-8, 8), (-2, 2));
            env.SetState(s.AsSpan(0, 2));
            var u = s[2];
            var r = env.Step([u]);
            var norm = Math.Atan2(Math.Sin(s[0]), Math.Cos(s[0]));
            var cost = (norm * norm) + (0.1 * s[1] * s[1]) + (0.001 * u * u);
            Assert.Equal(-cost, r.Reward, 9);
            var w = Math.Clamp(s[1] + (((15 * Math.Sin(s[0])) + (3 * u)) * 0.05), -8, 8);
            AssertClose([s[0] + (w * 0.05), w], env.GetState(), $"Pendulum trial {i}");
            Assert.False(r.Terminated);
            double[] ob = [Math.Cos(s[0] + (w * 0.05)), Math.Sin(s[0] + (w * 0.05)), w];
            Assert.Equal(ob.Select(o => (float)o), r.Observation.Select(o => (float)o));
        }
    }

    [Fact]
    public void The_reference_comparison_is_sensitive_to_one_ulp_of_the_initial_state()
    {
        // A check that could not fail would prove nothing: start the chaotic Acrobot 1 ulp away and the bit-for-bit
        // comparison with Gymnasium's trajectory must break within the episode.
        var data = ReferenceFile.Load("acrobot_v1.heldout.json");
        var ep = data.Episodes[0];
        var env = Environments.MakeRaw(data.Env);
        var s = (double[])ep.InitialState.Clone();
        s[2] = Math.BitIncrement(s[2]);
        env.SetState(s);
        var diverged = false;
        foreach (var step in ep.Steps)
        {
            env.Step(step.Action);
            if (!env.GetState().SequenceEqual(step.State))
            {
                diverged = true;
                break;
            }
        }

        Assert.True(diverged);
    }

    private static void AssertClose(double[] expected, double[] actual, string where, double tol = Tol)
    {
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * Math.Max(1, Math.Abs(expected[i])), $"{where}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
