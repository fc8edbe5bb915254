using McGrad.Autodiff;
using McGrad.Randomness;
using McGrad.Rl.Pipps;

namespace McGrad.Rl.Tests.Pipps;

/// <summary>
/// The sampling node's messages against values computed here by hand from the drawn noise (so a wrong sign, a missing
/// 1/σ, a baseline that includes the particle's own cost, a variance over the wrong axis or a mix that is not
/// k·LR + (1 − k)·RP fails), the inverse-variance weight at its extremes, and the errors.
/// </summary>
public class StochasticChainTests
{
    private const int P = 5;

    /// <summary>One node x = m + s ⊙ ε with leaf m, s ([P, 1], so the gradients are per particle) and cost x².</summary>
    private static (double[] Dm, double[] Ds, double[] X, double[] Eps, double K) OneNode(PropagationMode mode)
    {
        var m = Tensor.FromArray([0.3, -0.2, 0.5, 1.0, -0.7], P, 1).RequireGrad();
        var s = Tensor.FromArray([0.5, 1.5, 0.8, 0.3, 1.1], P, 1).RequireGrad();
        var chain = new StochasticChain(mode, P);
        var x = chain.Sample(m, s, new RngKey(7));
        chain.AddCost(x.Square().Reshape(P));
        var grads = Autograd.Grad([chain.Loss()], [m, s]);
        var xs = x.ToDoubleArray();
        var ms = m.ToDoubleArray();
        var ss = s.ToDoubleArray();
        var eps = xs.Select((v, i) => (v - ms[i]) / ss[i]).ToArray();
        return (grads[0]!.ToDoubleArray(), grads[1]!.ToDoubleArray(), xs, eps, chain.LikelihoodRatioWeights.Single());
    }

    private static (double[] Mean, double[] Std) ExpectedRp(double[] x, double[] eps)
        => ([.. x.Select(v => 2 * v / P)], [.. x.Select((v, i) => 2 * v / P * eps[i])]);

    private static (double[] Mean, double[] Std) ExpectedLr(double[] x, double[] eps)
    {
        double[] s = [0.5, 1.5, 0.8, 0.3, 1.1];
        var r = x.Select(v => v * v).ToArray();
        var mean = new double[P];
        var std = new double[P];
        for (var i = 0; i < P; i++)
        {
            var others = 0.0;
            for (var j = 0; j < P; j++)
            {
                others += j == i ? 0 : r[j];
            }

            var a = (r[i] - (others / (P - 1))) / P;
            mean[i] = a * eps[i] / s[i];
            std[i] = a * ((eps[i] * eps[i]) - 1) / s[i];
        }

        return (mean, std);
    }

    private static double PopulationVariance(double[] v)
    {
        var m = v.Average();
        return v.Sum(x => (x - m) * (x - m)) / v.Length;
    }

    private static void Close(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * (1 + Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    [Fact]
    public void Reparameterization_passes_g_and_g_times_eps()
    {
        var (dm, ds, x, eps, k) = OneNode(PropagationMode.Reparameterization);
        var (em, es) = ExpectedRp(x, eps);
        Close(em, dm);
        Close(es, ds);
        Assert.Equal(0, k);
    }

    /// <summary>With the noise fixed by the key, the RP chain is a deterministic function of (μ, σ) over two nodes and
    /// its gradient must match central differences.</summary>
    [Fact]
    public void Reparameterization_through_two_nodes_passes_gradcheck()
    {
        GradCheck.Assert(
            xs =>
            {
                var chain = new StochasticChain(PropagationMode.Reparameterization, 3);
                var x1 = chain.Sample(xs[0], xs[1], new RngKey(12));
                chain.AddCost(x1.Sin().Sum(1));
                var x2 = chain.Sample(x1 * x1, xs[1] * 2.0, new RngKey(13));
                chain.AddCost(x2.Tanh().Sum(1));
                return chain.Loss();
            },
            Tensor.FromArray([0.3, -0.2, 0.5, 1.0, -0.7, 0.1], 3, 2),
            Tensor.FromArray([0.5, 1.5, 0.8, 0.3, 1.1, 0.4], 3, 2));
    }

    [Fact]
    public void Likelihood_ratio_passes_the_leave_one_out_baselined_cost_times_the_gaussian_score()
    {
        var (dm, ds, x, eps, k) = OneNode(PropagationMode.LikelihoodRatio);
        var (em, es) = ExpectedLr(x, eps);
        Close(em, dm);
        Close(es, ds);
        Assert.Equal(1, k);
    }

    [Fact]
    public void Total_propagation_mixes_by_inverse_variance_across_particles()
    {
        var (dm, ds, x, eps, k) = OneNode(PropagationMode.Total);
        var (rm, rs) = ExpectedRp(x, eps);
        var (lm, ls) = ExpectedLr(x, eps);
        var varRp = PopulationVariance(rm) + PopulationVariance(rs);
        var varLr = PopulationVariance(lm) + PopulationVariance(ls);
        var expectedK = varRp / (varLr + varRp);
        Assert.InRange(expectedK, 0.01, 0.99); // a real mix, so a mode that sends either message alone fails
        Assert.Equal(expectedK, k, 12);
        Close([.. lm.Select((v, i) => (expectedK * v) + ((1 - expectedK) * rm[i]))], dm);
        Close([.. ls.Select((v, i) => (expectedK * v) + ((1 - expectedK) * rs[i]))], ds);
    }

    /// <summary>
    /// With per-particle copies w_i of θ as weight targets and μ_i = a_i w_i, the per-particle target gradients are the
    /// messages times a_i, so k must be var_i(a_i·RP_i)/(var_i(a_i·LR_i) + var_i(a_i·RP_i)), computed here by hand, and
    /// ∂L/∂θ = Σ_i a_i (k·LR_i + (1 − k)·RP_i).
    /// </summary>
    [Fact]
    public void Total_propagation_with_weight_targets_weighs_the_per_particle_parameter_gradients()
    {
        double[] a = [1.0, -2.0, 0.5, 3.0, 0.1];
        double[] s = [0.5, 1.5, 0.8, 0.3, 1.1];
        var theta = Tensor.Scalar(0.4, DType.Float64).RequireGrad();
        var copies = theta.Reshape(1, 1).Expand(P, 1);
        var chain = new StochasticChain(PropagationMode.Total, P);
        var x = chain.Sample(copies * Tensor.FromArray(a, P, 1), Tensor.FromArray(s, P, 1), new RngKey(7), [copies]);
        chain.AddCost(x.Square().Reshape(P));
        var grad = Autograd.Grad(chain.Loss(), theta).Item();

        var xs = x.ToDoubleArray();
        var eps = xs.Select((v, i) => (v - (0.4 * a[i])) / s[i]).ToArray();
        var r = xs.Select(v => v * v).ToArray();
        var rp = xs.Select(v => 2 * v / P).ToArray();
        var lr = r.Select((ri, i) => (ri - ((r.Sum() - ri) / (P - 1))) / P * eps[i] / s[i]).ToArray();
        var k = PopulationVariance([.. rp.Select((v, i) => v * a[i])]) / (PopulationVariance([.. lr.Select((v, i) => v * a[i])]) + PopulationVariance([.. rp.Select((v, i) => v * a[i])]));
        Assert.InRange(k, 0.01, 0.99);
        Assert.Equal(k, chain.LikelihoodRatioWeights.Single(), 12);
        Assert.Equal(Enumerable.Range(0, P).Sum(i => a[i] * ((k * lr[i]) + ((1 - k) * rp[i]))), grad, 12);

        var rpChain = new StochasticChain(PropagationMode.Reparameterization, P);
        var e = Assert.Throws<ArgumentException>(() => rpChain.Sample(copies, Tensor.FromArray(s, P, 1), new RngKey(7), [copies]));
        Assert.Contains("adaptive Total chain only", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Cost Σ_t x_t with x_{t+1} ~ N(x_t + θ, 0.3²): every particle gets the same RP message (∂L/∂x_t does not depend on
    /// the state), so var_RP = 0 and total propagation must pick RP alone (k = 0) at every node, giving the RP gradient.
    /// </summary>
    [Fact]
    public void Total_propagation_picks_RP_when_the_RP_messages_do_not_vary()
    {
        double Run(PropagationMode mode, out IReadOnlyList<double> weights)
        {
            var theta = Tensor.Scalar(0.2, DType.Float64).RequireGrad();
            var chain = new StochasticChain(mode, 8);
            var x = Tensor.Zeros([8, 1], DType.Float64);
            var std = Tensor.Full([8, 1], 0.3, DType.Float64);
            for (var t = 0; t < 4; t++)
            {
                x = chain.Sample(x + theta, std, new RngKey(3).FoldIn((uint)t));
                chain.AddCost(x.Reshape(8));
            }

            var g = Autograd.Grad(chain.Loss(), theta).Item();
            weights = chain.LikelihoodRatioWeights;
            return g;
        }

        var tp = Run(PropagationMode.Total, out var k);
        var rp = Run(PropagationMode.Reparameterization, out _);
        Assert.All(k, w => Assert.Equal(0.0, w));
        Assert.Equal(4 + 3 + 2 + 1, rp, 12); // d/dθ Σ_t E[x_t] = Σ_t t
        Assert.Equal(rp, tp, 12);
    }

    /// <summary>
    /// Every particle's cost is the particles' mean of x² (the same number for all), so the leave-one-out baselined
    /// costs are 0 and var_LR = 0 while the RP messages vary: total propagation must pick LR alone (k = 1), whose message
    /// is 0.
    /// </summary>
    [Fact]
    public void Total_propagation_picks_LR_when_the_LR_messages_do_not_vary()
    {
        var theta = Tensor.Scalar(0.2, DType.Float64).RequireGrad();
        var chain = new StochasticChain(PropagationMode.Total, 6);
        var x = chain.Sample(Tensor.Zeros([6, 1], DType.Float64) + theta, Tensor.Full([6, 1], 0.5, DType.Float64), new RngKey(4));
        chain.AddCost(x.Square().Mean().Expand(6));
        var g = Autograd.Grad(chain.Loss(), theta).Item();
        Assert.Equal(1.0, chain.LikelihoodRatioWeights.Single());
        Assert.Equal(0.0, g, 12);
    }

    [Fact]
    public void Inverse_variance_weight_has_exact_values()
    {
        Assert.Equal(0.75, InverseVarianceWeighting.Weight(1.0, 3.0));
        Assert.Equal(0.5, InverseVarianceWeighting.Weight(0.0, 0.0));
        Assert.Equal(0.0, InverseVarianceWeighting.Weight(2.0, 0.0));
        Assert.Equal(1.0, InverseVarianceWeighting.Weight(0.0, 2.0));
        Assert.Equal(0.5, InverseVarianceWeighting.Weight(double.PositiveInfinity, double.PositiveInfinity));
        // columns [1, 3] and [2, 6]: variances (divisor P) 1 and 4; the second message [[0], [2]] adds 1.
        Assert.Equal(6.0, InverseVarianceWeighting.SummedVariance([Tensor.FromArray([1.0, 2, 3, 6], 2, 2), Tensor.FromArray([0.0, 2], 2, 1)]), 12);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => InverseVarianceWeighting.Weight(-1.0, 1.0));
        Assert.Contains("var_LR = -1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_particle_counts_and_shapes_give_clear_errors()
    {
        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => new StochasticChain(PropagationMode.Total, 1));
        Assert.Contains("particles ≥ 2", e1.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new StochasticChain(PropagationMode.LikelihoodRatio, 1));
        Assert.Equal(1, new StochasticChain(PropagationMode.Reparameterization, 1).Particles);

        var chain = new StochasticChain(PropagationMode.Total, 4);
        var key = new RngKey(1);
        var e2 = Assert.Throws<ArgumentException>(() => chain.Sample(Tensor.Zeros([3, 2], DType.Float64), Tensor.Ones([3, 2], DType.Float64), key));
        Assert.Contains("[P, D] with P = 4; got [3, 2]", e2.Message, StringComparison.Ordinal);
        var e3 = Assert.Throws<ArgumentException>(() => chain.Sample(Tensor.Zeros([4, 2], DType.Float64), Tensor.Ones([4, 1], DType.Float64), key));
        Assert.Contains("std must have the mean's shape", e3.Message, StringComparison.Ordinal);
        var e4 = Assert.Throws<ArgumentException>(() => chain.Sample(Tensor.Zeros([4, 1], DType.Float64), Tensor.FromArray([1.0, 0, 1, 1], 4, 1), key));
        Assert.Contains("every std must be > 0", e4.Message, StringComparison.Ordinal);
        var e5 = Assert.Throws<ArgumentException>(() => chain.AddCost(Tensor.Zeros([4, 1], DType.Float64)));
        Assert.Contains("cost must be [P] with P = 4", e5.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => chain.Loss());

        chain.AddCost(Tensor.Zeros([4], DType.Float64));
        chain.Loss();
        var e6 = Assert.Throws<InvalidOperationException>(() => chain.Sample(Tensor.Zeros([4, 1], DType.Float64), Tensor.Ones([4, 1], DType.Float64), key));
        Assert.Contains("sealed", e6.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_backward_pass_that_does_not_come_from_Loss_is_refused()
    {
        var m = Tensor.Zeros([3, 1], DType.Float64).RequireGrad();
        var chain = new StochasticChain(PropagationMode.LikelihoodRatio, 3);
        var x = chain.Sample(m, Tensor.Ones([3, 1], DType.Float64), new RngKey(2));
        chain.AddCost(x.Reshape(3));
        var e = Assert.Throws<InvalidOperationException>(() => Autograd.Grad(x.Sum(), m));
        Assert.Contains("Loss()", e.Message, StringComparison.Ordinal);
    }
}
