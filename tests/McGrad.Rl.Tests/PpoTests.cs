using McGrad.Autodiff;
using McGrad.Estimators.Policy;
using McGrad.Randomness;
using McGrad.Rl.Policies;
using McGrad.Rl.Training;

namespace McGrad.Rl.Tests;

public class PpoTests
{
    private static readonly PpoConfig Tiny = PpoConfig.CleanRlDiscrete with { TotalSteps = 2 * 512 };

    [Fact]
    public void TheDiscreteConfigIsCleanRlsPpoPy()
    {
        // CleanRL ppo.py's Args defaults; catches a silently changed default.
        var c = PpoConfig.CleanRlDiscrete;
        Assert.Equal((4, 128, 500_000L, 2.5e-4, true, 1e-5), (c.Envs, c.StepsPerRollout, c.TotalSteps, c.LearningRate, c.AnnealLearningRate, c.AdamEpsilon));
        Assert.Equal((0.99, 0.95, 4, 4, true, 0.2, 0.2), (c.Gamma, c.GaeLambda, c.Minibatches, c.Epochs, c.NormalizeAdvantages, c.Clip, c.ValueClip!.Value));
        Assert.Equal((0.01, 0.5, 0.5, 128, 976), (c.EntropyCoefficient, c.ValueCoefficient, c.MaxGradNorm, c.MinibatchSize, c.Updates));
    }

    [Fact]
    public void TruncationBootstrapsFromTheFinalValueAndTerminationDoesNot()
    {
        // Copies: running, terminated, truncated, terminated and truncated at once (termination wins: no bootstrap).
        var r = TruncationBootstrap.Rewards([1.0, 1.0, 1.0, 1.0], [false, true, false, true], [false, false, true, true], [5.0, 5.0, 5.0, 5.0], 0.9);
        Assert.Equal([1.0, 1.0, 1.0 + (0.9 * 5.0), 1.0], r);

        // Through GAE (γ = 0.9, λ = 1, one step, done = 1): the advantage of the truncated step is r + γV(s_final) − V(s).
        var gae = Gae.Compute(Tensor.FromArray(r, 1, 4), Tensor.FromArray([2.0, 2.0, 2.0, 2.0], 1, 4), Tensor.FromArray([0.0, 1.0, 1.0, 1.0], 1, 4), Tensor.FromArray([3.0, 3.0, 3.0, 3.0]), 0.9, 1.0);
        double[] expected = [1 + 2.7 - 2, 1 - 2.0, 1 + 4.5 - 2, 1 - 2.0];
        var actual = gae.Advantages.ToDoubleArray();
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(expected[i], actual[i], 12);
        }
        Assert.Throws<ArgumentException>(() => TruncationBootstrap.Rewards([1.0], [false], [false, true], [0.0], 0.9));
    }

    [Fact]
    public void TrainingIsDeterministicFromTheKey()
    {
        // Two updates from the same key give bit-identical parameters; another key gives different ones.
        static double[] Train(ulong seed)
        {
            var t = new PpoTrainer("CartPole-v1", Tiny, new RngKey(seed));
            t.Train();
            return [.. t.Agent.Parameters().SelectMany(p => p.ToDoubleArray())];
        }

        var a = Train(3);
        Assert.Equal(a, Train(3));
        Assert.NotEqual(a, Train(4));
    }

    [Fact]
    public void PpoLearnsCartPole()
    {
        // 40 960 steps (20 updates) with CleanRL's configuration, fixed key: random play averages ≈ 22; CleanRL's curve is
        // above 100 here. A sign error in the surrogate, advantages or value loss leaves the return near 20.
        var run = new PpoTrainer("CartPole-v1", PpoConfig.CleanRlDiscrete with { TotalSteps = 40_960 }, new RngKey(1)).Train();
        Assert.True(run.MeanReturnOfLast(20) > 100, $"mean return of the last 20 episodes {run.MeanReturnOfLast(20):F1}");
        Assert.Equal(40_960, run.Steps);
        Assert.All(run.Episodes, e => Assert.InRange(e.Length, 1, 500));
    }

    [Fact]
    public void TheAgentHasCleanRlsInitialisation()
    {
        // Orthogonal weights: W Wᵀ = g² I on the smaller side; gains √2 (hidden), 0.01 (actor head), 1 (critic head); zero biases.
        var agent = new ActorCritic(4, new DiscreteSpace(2), new RngKey(9));
        foreach (var (net, head) in new[] { (agent.Actor, 0.01), (agent.Critic, 1.0) })
        {
            var layers = net.Layers;
            for (var l = 0; l < layers.Count; l++)
            {
                var w = layers[l].Weight;
                var gain = l == layers.Count - 1 ? head : Math.Sqrt(2);
                var rows = w.Shape[0] <= w.Shape[1] ? w.MatMul(w.Transpose(0, 1)) : w.Transpose(0, 1).MatMul(w);
                var g = rows.ToDoubleArray();
                var k = (int)Math.Sqrt(g.Length);
                for (var i = 0; i < k; i++)
                {
                    for (var j = 0; j < k; j++)
                    {
                        Assert.Equal(i == j ? gain * gain : 0, g[(i * k) + j], 4);
                    }
                }

                Assert.All(layers[l].Bias!.ToDoubleArray(), b => Assert.Equal(0, b));
            }
        }

        var gaussian = new ActorCritic(3, new BoxSpace(-2, 2, 1), new RngKey(9));
        Assert.Equal([0.0], gaussian.LogStd!.ToDoubleArray());
        using (Autograd.NoGrad())
        {
            var pi = gaussian.Policy(Tensor.Zeros([5, 3], DType.Float32));
            Assert.Equal(new Shape(5), pi.BatchShape);
        }

        Span<double> actions = [-3.0, 0.5, 7.0];
        gaussian.ClipToSpace(actions);
        Assert.Equal([-2.0, 0.5, 2.0], actions.ToArray());
        Assert.Throws<ArgumentException>(() => agent.Value(Tensor.Zeros([2, 5], DType.Float32)));

        // Environment actions: category + the space's start; Box actions clipped.
        Span<double> indices = [0.0, 2.0];
        new ActorCritic(4, new DiscreteSpace(3, start: -1), new RngKey(9)).ToEnvironmentActions(indices);
        Assert.Equal([-1.0, 1.0], indices.ToArray());
        Span<double> box = [-3.0, 7.0];
        gaussian.ToEnvironmentActions(box);
        Assert.Equal([-2.0, 2.0], box.ToArray());
    }

    [Fact]
    public void CheckpointsRoundTripAndCorruptFilesAreNamed()
    {
        var dir = Directory.CreateTempSubdirectory("mcgrad-ckpt").FullName;
        try
        {
            var trainer = new PpoTrainer("CartPole-v1", Tiny, new RngKey(5));
            trainer.Train();
            var path = Path.Combine(dir, "agent.safetensors");
            PolicyCheckpoint.Save(path, trainer.Agent, "CartPole-v1", 64);
            var (loaded, env) = PolicyCheckpoint.Load(path);
            Assert.Equal("CartPole-v1", env);
            Assert.Equal(trainer.Agent.Parameters().SelectMany(p => p.ToDoubleArray()), loaded.Parameters().SelectMany(p => p.ToDoubleArray()));
            var a = PolicyEvaluation.Run(trainer.Agent, "CartPole-v1", 3, new RngKey(2));
            var b = PolicyEvaluation.Run(loaded, "CartPole-v1", 3, new RngKey(2));
            Assert.Equal(a.Returns, b.Returns);

            var corrupt = Path.Combine(dir, "corrupt.safetensors");
            File.WriteAllBytes(corrupt, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
            var e = Assert.Throws<InvalidDataException>(() => PolicyCheckpoint.Load(corrupt));
            Assert.Contains("corrupt.safetensors", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void BadConfigurationsNameTheValue()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PpoTrainer("CartPole-v1", PpoConfig.CleanRlDiscrete with { Minibatches = 3 }, new RngKey(1)));
        Assert.Contains("Minibatches", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PpoTrainer("CartPole-v1", PpoConfig.CleanRlDiscrete with { TotalSteps = 100 }, new RngKey(1)));
        Assert.Contains("CartPole-v1", Assert.Throws<ArgumentException>(() => new PpoTrainer("CartPole-v9", PpoConfig.CleanRlDiscrete, new RngKey(1))).Message, StringComparison.Ordinal);
    }
}
