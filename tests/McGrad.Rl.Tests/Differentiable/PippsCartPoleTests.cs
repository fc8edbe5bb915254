using McGrad.Autodiff;
using McGrad.Randomness;
using McGrad.Rl.Differentiable;

namespace McGrad.Rl.Tests.Differentiable;

/// <summary>
/// The batched PIPPS cart-pole against a scalar transcription of the demo's Euler loop written here (a wrong constant,
/// sign, substep count or clip fails at 1e-12), its cost, and a float64 GradCheck of the step through state and action.
/// </summary>
public class PippsCartPoleTests
{
    private static double[] ScalarStep(double[] s, double a)
    {
        double g = 9.82, mc = 0.5, mp = 0.5, l = 0.5, b = 0.1, dt = 0.01;
        var f = Math.Clamp(a * 10, -10, 10);
        var (x, th, xd, thd) = (s[0], s[1], s[2], s[3]);
        for (var i = 0; i < 10; i++)
        {
            double sn = Math.Sin(th), c = Math.Cos(th);
            var xacc = ((-2 * mp * l * thd * thd * sn) + (3 * mp * g * sn * c) + (4 * f) - (4 * b * xd)) / ((4 * (mc + mp)) - (3 * mp * c * c));
            var thacc = ((-3 * mp * l * thd * thd * sn * c) + (6 * (mc + mp) * g * sn) + (6 * (f - (b * xd)) * c)) / ((4 * l * (mc + mp)) - (3 * mp * l * c * c));
            x += xd * dt;
            th += thd * dt;
            xd += xacc * dt;
            thd += thacc * dt;
        }

        return [x, th, xd, thd];
    }

    [Fact]
    public void Step_matches_the_scalar_euler_loop_of_the_demo_for_every_particle()
    {
        const int p = 64;
        var states = Sampler.Uniform(new RngKey(5), [p, 4], DType.Float64, -3, 3);
        var actions = Sampler.Uniform(new RngKey(6), [p, 1], DType.Float64, -1.5, 1.5); // some beyond the ±10 N clip
        var next = PippsCartPole.Step(states, actions).ToDoubleArray();
        var s = states.ToDoubleArray();
        var a = actions.ToDoubleArray();
        for (var i = 0; i < p; i++)
        {
            var expected = ScalarStep(s[(4 * i)..((4 * i) + 4)], a[i]);
            for (var d = 0; d < 4; d++)
            {
                Assert.True(Math.Abs(expected[d] - next[(4 * i) + d]) < 1e-12 * (1 + Math.Abs(expected[d])), $"particle {i}, element {d}: expected {expected[d]}, got {next[(4 * i) + d]}");
            }
        }
    }

    [Fact]
    public void Cost_is_the_saturating_distance_of_x_and_theta()
    {
        var c = PippsCartPole.Cost(Tensor.FromArray([0.0, 0, 5, 5, 1, 1, 0, 0, 0, Math.PI, 0, 0], 3, 4)).ToDoubleArray();
        Assert.Equal(0.0, c[0], 15);
        Assert.Equal(1 - Math.Exp(-1), c[1], 15);
        Assert.Equal(1 - Math.Exp(-Math.PI * Math.PI / 2), c[2], 15);
    }

    [Fact]
    public void Step_passes_gradcheck_in_float64()
    {
        var states = Sampler.Uniform(new RngKey(8), [3, 4], DType.Float64, -2, 2);
        var actions = Sampler.Uniform(new RngKey(9), [3, 1], DType.Float64, -0.8, 0.8); // inside the clip (a kink there)
        GradCheck.Assert(xs => (PippsCartPole.Step(xs[0], xs[1]) * Tensor.FromArray([1.0, -0.5, 0.3, 0.7], 1, 4)).Sum(), states, actions);
    }

    [Fact]
    public void Initial_state_and_noise_have_the_documented_moments_and_shapes()
    {
        var task = new PippsCartPole(noiseScale: 2);
        var s0 = task.InitialState(new RngKey(1), 4000).ToDoubleArray();
        var theta = Enumerable.Range(0, 4000).Select(i => s0[(4 * i) + 1]).ToArray();
        Assert.InRange(theta.Average(), Math.PI - 0.002, Math.PI + 0.002); // s.e. 0.02/√4000 ≈ 0.0003
        double[] noise = [0.02, 2 * Math.PI / 180, 0.2, 20 * Math.PI / 180];
        Assert.All(Enumerable.Range(0, 4), d => Assert.Equal(noise[d], task.NoiseStd[d], 15));
        Assert.Equal(new Shape(5, 4), task.NoiseStdFor(5).Shape);
        var e = Assert.Throws<ArgumentException>(() => PippsCartPole.Step(Tensor.Zeros([2, 4], DType.Float64), Tensor.Zeros([3, 1], DType.Float64)));
        Assert.Contains("expected state [P, 4] and action [P, 1]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PippsCartPole(noiseScale: -1));
    }
}
