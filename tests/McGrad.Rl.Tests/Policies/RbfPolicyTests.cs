using McGrad.Randomness;
using McGrad.Rl.Policies;

namespace McGrad.Rl.Tests.Policies;

/// <summary>The RBF policy against its formula computed here from its parameters.</summary>
public class RbfPolicyTests
{
    [Fact]
    public void Forward_is_tanh_of_weighted_gaussian_features()
    {
        var policy = new RbfPolicy([0.0, Math.PI, 0, 0], 2, 3, new RngKey(3));
        policy.SetParameter("logScales", Tensor.FromArray([0.1, -0.2, 0.3, 0.0], 1, 4));
        var states = Sampler.Normal(new RngKey(4), [5, 4], DType.Float64);
        var a = policy.Forward(states).ToDoubleArray();
        var c = policy.GetParameter("centres").ToDoubleArray();
        var l = policy.GetParameter("logScales").ToDoubleArray();
        var w = policy.GetParameter("weight").ToDoubleArray();
        var s = states.ToDoubleArray();
        for (var i = 0; i < 5; i++)
        {
            for (var o = 0; o < 2; o++)
            {
                var h = 0.0;
                for (var k = 0; k < 3; k++)
                {
                    var d2 = 0.0;
                    for (var d = 0; d < 4; d++)
                    {
                        var z = (s[(4 * i) + d] - c[(4 * k) + d]) * Math.Exp(l[d]);
                        d2 += z * z;
                    }

                    h += Math.Exp(-d2) * w[(2 * k) + o];
                }

                Assert.Equal(Math.Tanh(h), a[(2 * i) + o], 12);
            }
        }

        Assert.Equal(3 * 4 + 4 + 3 * 2, policy.ParameterCount());
        var e = Assert.Throws<ArgumentException>(() => policy.Forward(Tensor.Zeros([5, 3], DType.Float64)));
        Assert.Contains("expected states [P, 4]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Per_particle_copies_give_the_same_actions_and_gradients_that_sum_to_the_parameter_gradient()
    {
        var policy = new RbfPolicy([0.0, Math.PI, 0, 0], 1, 4, new RngKey(5));
        var states = Sampler.Normal(new RngKey(6), [3, 4], DType.Float64);
        var plain = policy.Forward(states);
        var copies = policy.PerParticleParameters(3);
        var batched = policy.ForwardPerParticle(states, copies);
        Assert.Equal(plain.ToDoubleArray(), batched.ToDoubleArray(), (x, y) => Math.Abs(x - y) < 1e-14);
        var weights = Tensor.FromArray([1.0, -2.0, 0.5], 3, 1);
        var perParticle = McGrad.Autodiff.Autograd.Grad([(batched * weights).Sum()], copies, retainGraph: true);
        var direct = McGrad.Autodiff.Autograd.Grad([(plain * weights).Sum()], [.. policy.Parameters()]);
        for (var k = 0; k < 3; k++)
        {
            Assert.Equal(direct[k]!.ToDoubleArray(), perParticle[k]!.Sum(0).ToDoubleArray(), (x, y) => Math.Abs(x - y) < 1e-12);
        }
    }
}
