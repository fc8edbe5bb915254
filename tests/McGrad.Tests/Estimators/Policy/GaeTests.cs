using McGrad.Estimators.Policy;
using static McGrad.Tests.Estimators.Policy.PolicyTestHelpers;

namespace McGrad.Tests.Estimators.Policy;

public class GaeTests
{
    [Fact]
    public void RecursionWithAnEpisodeEndInTheMiddle()
    {
        // T = 5, the episode ends at t = 2 (done_2 = 1), γ = 0.9, λ = 0.8, bootstrap V_5 = 0.7.
        // Written out step by step, backwards. Catches bootstrapping across the episode end, a recursion that does
        // not restart after it, λ applied to δ instead of to A_{t+1}, or returns = A instead of A + V.
        double[] r = [1.0, -0.5, 2.0, 0.3, 1.5];
        double[] v = [0.4, 0.9, -0.2, 1.1, 0.6];
        double[] done = [0, 0, 1, 0, 0];
        const double g = 0.9, l = 0.8, boot = 0.7;

        var d4 = 1.5 + (g * boot) - 0.6;      // 1.53
        var a4 = d4;
        var d3 = 0.3 + (g * 0.6) - 1.1;       // −0.26
        var a3 = d3 + (g * l * a4);
        var d2 = 2.0 + (g * 1.1 * 0) - (-0.2); // terminal: no bootstrap from the next episode
        var a2 = d2 + (g * l * 0 * a3);       // and no advantage carried back across the boundary
        var d1 = -0.5 + (g * -0.2) - 0.9;
        var a1 = d1 + (g * l * a2);
        var d0 = 1.0 + (g * 0.9) - 0.4;
        var a0 = d0 + (g * l * a1);
        Assert.Equal(1.53, d4, 12);
        Assert.Equal(2.2, a2, 12);

        var res = Gae.Compute(T(r), T(v), T(done), S(boot), g, l);
        double[] adv = [a0, a1, a2, a3, a4];
        Close(adv, res.Advantages.ToDoubleArray(), what: "A");
        Close([a0 + 0.4, a1 + 0.9, a2 - 0.2, a3 + 1.1, a4 + 0.6], res.Returns.ToDoubleArray(), what: "returns");
        Assert.False(res.Advantages.RequiresGrad);
    }

    [Fact]
    public void EnvironmentsAreIndependentColumns()
    {
        // [T = 4, envs = 3]: each column equals the 1-D computation on that column alone (catches a flat loop that
        // runs the recursion across environments, or a transposed layout).
        var rng = new Random(5);
        int steps = 4, envs = 3;
        var r = new double[steps * envs];
        var v = new double[steps * envs];
        var done = new double[steps * envs];
        for (var i = 0; i < r.Length; i++)
        {
            r[i] = rng.NextDouble() - 0.5;
            v[i] = rng.NextDouble();
        }

        done[(1 * envs) + 0] = 1;
        done[(3 * envs) + 2] = 1;
        done[(0 * envs) + 1] = 1;
        double[] boot = [0.3, -0.4, 0.9];
        var res = Gae.Compute(T(r, steps, envs), T(v, steps, envs), T(done, steps, envs), T(boot, envs), 0.95, 0.9);
        Assert.Equal(new Shape(steps, envs), res.Advantages.Shape);
        var all = res.Advantages.ToDoubleArray();
        for (var e = 0; e < envs; e++)
        {
            double[] Col(double[] x) => [.. Enumerable.Range(0, steps).Select(t => x[(t * envs) + e])];
            var single = Gae.Compute(T(Col(r)), T(Col(v)), T(Col(done)), S(boot[e]), 0.95, 0.9);
            Close(single.Advantages.ToDoubleArray(), Col(all), what: $"env {e}");
        }

        // Env 2 ends at its last step: the bootstrap value must not enter.
        Close(r[(3 * envs) + 2] - v[(3 * envs) + 2], all[(3 * envs) + 2], what: "terminal last step");
    }

    [Fact]
    public void LambdaOneIsMonteCarloAndLambdaZeroIsTd()
    {
        // λ = 1: A_t = Σ_k γ^k r_{t+k} + γ^{T−t} V_T − V_t; λ = 0: A_t = δ_t.
        double[] r = [0.5, 1.0, -1.0, 2.0];
        double[] v = [0.1, 0.2, 0.3, 0.4];
        double[] done = [0, 0, 0, 0];
        const double g = 0.9, boot = 1.5;
        var mc = Gae.Compute(T(r), T(v), T(done), S(boot), g, 1.0).Advantages.ToDoubleArray();
        var td = Gae.Compute(T(r), T(v), T(done), S(boot), g, 0.0).Advantages.ToDoubleArray();
        for (var t = 0; t < 4; t++)
        {
            var ret = 0.0;
            for (var k = t; k < 4; k++)
            {
                ret += Math.Pow(g, k - t) * r[k];
            }

            ret += Math.Pow(g, 4 - t) * boot;
            Close(ret - v[t], mc[t], what: $"MC A[{t}]");
            var next = t == 3 ? boot : v[t + 1];
            Close(r[t] + (g * next) - v[t], td[t], what: $"TD A[{t}]");
        }
    }

    [Fact]
    public void Float32KeepsItsDType()
    {
        var f = Gae.Compute(T([1.0, 2.0]).To(DType.Float32), T([0.5, 0.5]).To(DType.Float32), T([0.0, 1.0]), S(0.0).To(DType.Float32), 0.5, 0.5);
        Assert.Equal(DType.Float32, f.Returns.DType);
        Close([1.0 + (0.5 * 0.5) - 0.5 + (0.25 * 1.5), 2.0 - 0.5], f.Advantages.ToDoubleArray(), 1e-6);
    }

    [Fact]
    public void ArgumentsAreValidated()
    {
        var r = T([1.0, 2.0, 3.0]);
        var ex = Assert.Throws<ArgumentException>(() => Gae.Compute(r, r, T([0.0, 0.5, 1.0]), S(0.0)));
        Assert.Contains("dones", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Gae.Compute(r, T([1.0, 2.0]), T([0.0, 0.0, 0.0]), S(0.0)));
        ex = Assert.Throws<ArgumentException>(() => Gae.Compute(r, r, T([0.0, 0.0, 0.0]), T([0.0])));
        Assert.Contains("bootstrapValue", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Gae.Compute(S(1.0), S(1.0), S(0.0), S(0.0)));
        Assert.Throws<ArgumentException>(() => Gae.Compute(r, r.To(DType.Float32), T([0.0, 0.0, 0.0]), S(0.0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gae.Compute(r, r, T([0.0, 0.0, 0.0]), S(0.0), gamma: 1.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gae.Compute(r, r, T([0.0, 0.0, 0.0]), S(0.0), lambda: -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gae.Compute(r, r, T([0.0, 0.0, 0.0]), S(0.0), gamma: double.NaN));
    }
}
