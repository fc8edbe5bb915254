using McGrad.Autodiff;
using McGrad.Randomness;
using McGrad.Rl.ClassicControl;
using McGrad.Rl.Differentiable;

namespace McGrad.Rl.Tests.Differentiable;

public class DifferentiableEnvironmentTests
{
    [Fact]
    public void DeJongAndAckleyHaveTheirKnownValues()
    {
        // De Jong: Σx². Ackley (a = 20, b = 0.2, c = 2π): f(0) = 0 and, in one dimension, f(1) = 20 − 20e^(−0.2) ≈ 3.6254
        // (cos 2π = 1 cancels the e term). With dimension-averaged sums, f(1, …, 1) is the same in 64-D; a sum instead of a
        // mean would change it. f(0.5) = 20 − 20e^(−0.1) − e^(cos π) + e.
        var dejong = new FunctionOptimization(TestFunction.DeJong, 3);
        Assert.Equal(1 + 4 + 0.25, dejong.Evaluate(Tensor.FromArray([1.0, -2.0, 0.5], 1, 3)).Item(), 12);
        var ackley1 = new FunctionOptimization(TestFunction.Ackley, 1);
        var ackley64 = new FunctionOptimization(TestFunction.Ackley, 64);
        Assert.Equal(0, ackley1.Evaluate(Tensor.Zeros([1, 1], DType.Float64)).Item(), 12);
        Assert.Equal(20 - (20 * Math.Exp(-0.2)), ackley1.Evaluate(Tensor.Ones([1, 1], DType.Float64)).Item(), 12);
        Assert.Equal(20 - (20 * Math.Exp(-0.2)), ackley64.Evaluate(Tensor.Ones([1, 64], DType.Float64)).Item(), 12);
        Assert.Equal(20 - (20 * Math.Exp(-0.1)) - Math.Exp(-1) + Math.E, ackley1.Evaluate(Tensor.Full([1, 1], 0.5, DType.Float64)).Item(), 12);
    }

    [Fact]
    public void StepClipsAndScalesTheActionAndRewardsMinusF()
    {
        // x = bound·clip(a, −1, 1): a = 0.5 → 2.56 (De Jong bound 5.12), a = 3 → 5.12 (clipped); reward −Σx².
        var env = new FunctionOptimization(TestFunction.DeJong, 2);
        var state = env.Reset(1, new RngKey(0), DType.Float64);
        var step = env.Step(state, Tensor.FromArray([0.5, 3.0], 1, 2), new RngKey(0));
        Assert.Equal(-((2.56 * 2.56) + (5.12 * 5.12)), step.Reward.Item(), 10);
        Assert.Equal([0.0], env.Observe(step.State).ToDoubleArray());
        Assert.Equal(32.768, new FunctionOptimization(TestFunction.Ackley, 1).Bound);
    }

    [Theory]
    [InlineData(TestFunction.DeJong)]
    [InlineData(TestFunction.Ackley)]
    public void TheRewardsGradientInTheActionMatchesFiniteDifferences(TestFunction function)
    {
        var env = new FunctionOptimization(function, 4);
        var state = env.Reset(3, new RngKey(0), DType.Float64);
        var action = Sampler.Uniform(new RngKey(1), [3, 4], DType.Float64, -0.9, 0.9);
        GradCheck.Assert(a => env.Step(state, a[0], new RngKey(0)).Reward.Sum(), action);
    }

    [Fact]
    public void PendulumStepEqualsGymnasiumsPendulumOnRandomStates()
    {
        // The classic Pendulum-v1 (bit-identical to Gymnasium on its trajectories) is the reference; normalised action a
        // means torque 2a. Angles beyond ±π exercise the angle normalisation, speeds near ±8 the clip.
        var env = new DifferentiablePendulum();
        var reference = new Pendulum();
        var states = Sampler.Uniform(new RngKey(3), [40, 2], DType.Float64, -9, 9);
        var actions = Sampler.Uniform(new RngKey(4), [40, 1], DType.Float64, -1.2, 1.2);
        var step = env.Step(states, actions, new RngKey(0));
        var s = states.ToDoubleArray();
        var a = actions.ToDoubleArray();
        var next = step.State.ToDoubleArray();
        var rewards = step.Reward.ToDoubleArray();
        for (var i = 0; i < 40; i++)
        {
            reference.Reset(new RngKey(0));
            reference.SetState([s[2 * i], s[(2 * i) + 1]]);
            var r = reference.Step(new[] { Math.Clamp(a[i], -1, 1) * 2 });
            var expected = reference.GetState();
            Assert.Equal(r.Reward, rewards[i], 10);
            Assert.Equal(expected[0], next[2 * i], 10);
            Assert.Equal(expected[1], next[(2 * i) + 1], 10);
        }
    }

    [Fact]
    public void PendulumRolloutGradientMatchesFiniteDifferences()
    {
        // Five steps backpropagated from the summed reward to the initial state and every action (float64).
        var env = new DifferentiablePendulum();
        var start = Tensor.FromArray([0.3, -0.5, 2.0, 1.0, -2.5, 0.2], 3, 2);
        var actions = Sampler.Uniform(new RngKey(5), [5, 3, 1], DType.Float64, -0.8, 0.8);
        GradCheck.Assert(
            t =>
            {
                var state = t[0];
                Tensor total = Tensor.Zeros([], DType.Float64);
                for (var k = 0; k < 5; k++)
                {
                    var step = env.Step(state, t[1].Narrow(0, k, 1).Reshape(3, 1), new RngKey(0));
                    total = total + step.Reward.Sum() + env.Observe(step.State).Sum();
                    state = step.State;
                }

                return total;
            },
            start,
            actions);
    }

    [Fact]
    public void ResetDrawsPendulumStatesInGymnasiumsRanges()
    {
        var s = new DifferentiablePendulum().Reset(500, new RngKey(9), DType.Float64).ToDoubleArray();
        var theta = s.Where((_, i) => i % 2 == 0).ToArray();
        var speed = s.Where((_, i) => i % 2 == 1).ToArray();
        Assert.All(theta, v => Assert.InRange(v, -Math.PI, Math.PI));
        Assert.All(speed, v => Assert.InRange(v, -1, 1));
        Assert.True(theta.Max() - theta.Min() > 5.5, "θ should spread over (−π, π)");
    }

    [Fact]
    public void BadIdsAndShapesGetClearErrors()
    {
        var e = Assert.Throws<ArgumentException>(() => DifferentiableEnvironments.Make("rosenbrock-2"));
        Assert.Contains("dejong-1", e.Message, StringComparison.Ordinal);
        Assert.Contains("pendulum", e.Message, StringComparison.Ordinal);
        Assert.Equal("ackley-7", DifferentiableEnvironments.Make("ackley-7").Id);
        Assert.Throws<ArgumentException>(() => DifferentiableEnvironments.Make("dejong-0"));
        var env = new FunctionOptimization(TestFunction.DeJong, 2);
        var shape = Assert.Throws<ArgumentException>(() => env.Step(Tensor.Zeros([4, 1]), Tensor.Zeros([4, 3]), new RngKey(0)));
        Assert.Contains("[4, 3]", shape.Message, StringComparison.Ordinal);
        Assert.Contains("[4, 2]", shape.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => env.Reset(0, new RngKey(0)));
    }

    [Fact]
    public void TheCartPoleAsAnEnvironmentAddsReparameterisedNoiseToItsStepAndRewardsMinusTheCost()
    {
        // s' = step(s, a) + σ⊙ε with ε from the key, reward −cost(s'): the same key gives the same noise, and the
        // gradient reaches the action through the noisy state (a noise added as a detached constant would also pass
        // this, but a noise sampled without the key would not).
        var env = DifferentiableEnvironments.Make("cartpole-swingup");
        Assert.Equal((4, 4, 1, 30), (env.StateSize, env.ObservationSize, env.ActionSize, env.EpisodeLength));
        var state = env.Reset(5, new RngKey(1), DType.Float64);
        var action = Sampler.Uniform(new RngKey(2), [5, 1], DType.Float64, -1, 1);
        var step = env.Step(state, action, new RngKey(3));
        var noise = Sampler.Normal(new RngKey(3), [5, 4], DType.Float64);
        var expected = PippsCartPole.Step(state, action) + (new PippsCartPole().NoiseStdFor(5) * noise);
        Assert.Equal(expected.ToDoubleArray(), step.State.ToDoubleArray());
        Assert.Equal((-PippsCartPole.Cost(expected)).ToDoubleArray(), step.Reward.ToDoubleArray());
        GradCheck.Assert(a => env.Step(state, a[0], new RngKey(3)).Reward.Sum(), action.Clamp(-0.9, 0.9));
        Assert.Equal(0.0, DifferentiableEnvironments.Make("cartpole-balance").Reset(400, new RngKey(4), DType.Float64).Narrow(1, 1, 1).Mean().Item(), 2);
    }
}
