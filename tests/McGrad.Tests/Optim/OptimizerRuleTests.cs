using McGrad.Optim;

namespace McGrad.Tests.Optim;

/// <summary>
/// Each optimizer against its published update rule, re-implemented here in plain doubles element by element
/// (not through the code under test), on a fixed gradient sequence over four steps of a 3-element parameter.
/// </summary>
public class OptimizerRuleTests
{
    private static readonly double[] P0 = [0.5, -1.2, 2.0];

    private static readonly double[][] Grads =
    [
        [0.3, -0.7, 1.1],
        [-0.2, 0.4, 0.9],
        [0.5, 0.1, -1.3],
        [0.05, -0.6, 0.2],
    ];

    /// <summary>Runs <paramref name="transform"/> through an Optimizer on the fixed gradients; returns θ after each step.</summary>
    internal static double[][] Run(IGradientTransformation transform, DType dtype, double[]? p0 = null, double[][]? grads = null)
    {
        grads ??= Grads;
        var p = Tensor.FromArray((double[])(p0 ?? P0).Clone()).To(dtype).RequireGrad();
        var opt = new Optimizer([p], transform);
        var trajectory = new double[grads.Length][];
        for (var t = 0; t < grads.Length; t++)
        {
            p.Grad = Tensor.FromArray(grads[t]).To(dtype);
            opt.Step();
            opt.ZeroGrad();
            trajectory[t] = p.ToDoubleArray();
        }

        return trajectory;
    }

    internal static void AssertTrajectory(double[][] expected, double[][] actual, double tol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var t = 0; t < expected.Length; t++)
        {
            for (var j = 0; j < expected[t].Length; j++)
            {
                var e = expected[t][j];
                var a = actual[t][j];
                Assert.True(Math.Abs(e - a) <= tol * (1 + Math.Abs(e)), $"step {t + 1}, element {j}: expected {e:R}, got {a:R} (tol {tol})");
            }
        }
    }

    /// <summary>Kingma and Ba 2015, Algorithm 1, with an optional L2 term λθ added to g (torch's Adam weight_decay)
    /// or decoupled decay (Loshchilov and Hutter: θ ← θ − α(m̂/(√v̂ + ε) + λθ)).</summary>
    internal static double[][] AdamReference(double alpha, double b1, double b2, double eps, double l2 = 0, double decoupled = 0, double[]? p0 = null, double[][]? grads = null)
    {
        grads ??= Grads;
        var theta = (double[])(p0 ?? P0).Clone();
        var n = theta.Length;
        var m = new double[n];
        var v = new double[n];
        var result = new double[grads.Length][];
        for (var t = 1; t <= grads.Length; t++)
        {
            for (var j = 0; j < n; j++)
            {
                var g = grads[t - 1][j] + (l2 * theta[j]);
                m[j] = (b1 * m[j]) + ((1 - b1) * g);
                v[j] = (b2 * v[j]) + ((1 - b2) * g * g);
                var mHat = m[j] / (1 - Math.Pow(b1, t));
                var vHat = v[j] / (1 - Math.Pow(b2, t));
                theta[j] -= alpha * ((mHat / (Math.Sqrt(vHat) + eps)) + (decoupled * theta[j]));
            }

            result[t - 1] = (double[])theta.Clone();
        }

        return result;
    }

    /// <summary>torch.optim.SGD as documented (dampening τ = 0): g ← g + λθ; b = g at t = 1, else μb + g;
    /// g ← g + μb (Nesterov) or b; θ ← θ − γg.</summary>
    internal static double[][] SgdReference(double lr, double mu, bool nesterov, double wd, double[]? p0 = null, double[][]? grads = null)
    {
        grads ??= Grads;
        var theta = (double[])(p0 ?? P0).Clone();
        var n = theta.Length;
        var b = new double[n];
        var result = new double[grads.Length][];
        for (var t = 1; t <= grads.Length; t++)
        {
            for (var j = 0; j < n; j++)
            {
                var g = grads[t - 1][j] + (wd * theta[j]);
                if (mu != 0)
                {
                    b[j] = t > 1 ? (mu * b[j]) + g : g;
                    g = nesterov ? g + (mu * b[j]) : b[j];
                }

                theta[j] -= lr * g;
            }

            result[t - 1] = (double[])theta.Clone();
        }

        return result;
    }

    /// <summary>torch.optim.RMSprop as documented: g ← g + λθ; v ← αv + (1 − α)g²; ṽ = v, centered ṽ = v − ḡ² with
    /// ḡ ← αḡ + (1 − α)g; with μ &gt; 0: b ← μb + g/(√ṽ + ε), θ ← θ − γb; else θ ← θ − γg/(√ṽ + ε).</summary>
    internal static double[][] RmsReference(double lr, double alpha, double eps, double mu, bool centered, double wd)
    {
        var theta = (double[])P0.Clone();
        var n = theta.Length;
        var v = new double[n];
        var gAvg = new double[n];
        var b = new double[n];
        var result = new double[Grads.Length][];
        for (var t = 1; t <= Grads.Length; t++)
        {
            for (var j = 0; j < n; j++)
            {
                var g = Grads[t - 1][j] + (wd * theta[j]);
                v[j] = (alpha * v[j]) + ((1 - alpha) * g * g);
                var vt = v[j];
                if (centered)
                {
                    gAvg[j] = (alpha * gAvg[j]) + ((1 - alpha) * g);
                    vt -= gAvg[j] * gAvg[j];
                }

                if (mu > 0)
                {
                    b[j] = (mu * b[j]) + (g / (Math.Sqrt(vt) + eps));
                    theta[j] -= lr * b[j];
                }
                else
                {
                    theta[j] -= lr * g / (Math.Sqrt(vt) + eps);
                }
            }

            result[t - 1] = (double[])theta.Clone();
        }

        return result;
    }

    // Catches: missing bias correction, ε inside the root, β1/β2 swapped, a wrong sign, a per-call rather than
    // per-parameter step count (all change the four-step trajectory far beyond 1e-12).
    [Theory]
    [InlineData(0.1, 0.8, 0.9, 1e-3)]
    [InlineData(0.05, 0.9, 0.999, 1e-8)]
    [InlineData(0.2, 0.0, 0.5, 0.3)]
    public void AdamFollowsKingmaBaAlgorithm1(double lr, double b1, double b2, double eps)
    {
        var expected = AdamReference(lr, b1, b2, eps);
        AssertTrajectory(expected, Run(Transforms.Adam(lr, b1, b2, eps), DType.Float64), 1e-12);
        AssertTrajectory(expected, Run(Transforms.Adam(lr, b1, b2, eps), DType.Float32), 2e-6);
    }

    [Fact]
    public void AdamWithWeightDecayAddsL2TermToTheGradient()
    {
        var expected = AdamReference(0.1, 0.8, 0.9, 1e-3, l2: 0.3);
        AssertTrajectory(expected, Run(Transforms.Adam(0.1, 0.8, 0.9, 1e-3, weightDecay: 0.3), DType.Float64), 1e-12);
    }

    // Catches: coupled (L2) instead of decoupled decay, decay not multiplied by lr, decay applied to the updated θ.
    [Theory]
    [InlineData(0.1, 0.8, 0.9, 1e-3, 0.3)]
    [InlineData(0.01, 0.9, 0.999, 1e-8, 0.01)]
    public void AdamWFollowsLoshchilovHutter(double lr, double b1, double b2, double eps, double wd)
    {
        var expected = AdamReference(lr, b1, b2, eps, decoupled: wd);
        AssertTrajectory(expected, Run(Transforms.AdamW(lr, b1, b2, eps, wd), DType.Float64), 1e-12);
        AssertTrajectory(expected, Run(Transforms.AdamW(lr, b1, b2, eps, wd), DType.Float32), 2e-6);

        // and it really differs from Adam with an L2 term (the test can tell them apart)
        var coupled = AdamReference(lr, b1, b2, eps, l2: wd);
        Assert.True(Math.Abs(coupled[3][0] - expected[3][0]) > 1e-6);
    }

    // Catches: a dampened or mis-initialised buffer, Nesterov written as b instead of g + μb, weight decay
    // applied after momentum, a wrong sign.
    [Theory]
    [InlineData(0.1, 0.0, false, 0.0)]
    [InlineData(0.1, 0.9, false, 0.0)]
    [InlineData(0.1, 0.9, true, 0.0)]
    [InlineData(0.05, 0.5, false, 0.2)]
    [InlineData(0.05, 0.5, true, 0.2)]
    [InlineData(0.3, 0.0, false, 0.1)]
    public void SgdFollowsTorchSgd(double lr, double mu, bool nesterov, double wd)
    {
        var expected = SgdReference(lr, mu, nesterov, wd);
        AssertTrajectory(expected, Run(Transforms.Sgd(lr, mu, nesterov, wd), DType.Float64), 1e-12);
        AssertTrajectory(expected, Run(Transforms.Sgd(lr, mu, nesterov, wd), DType.Float32), 2e-6);
    }

    // Catches: ε inside the root (optax style), centering with the wrong sign or not at all, momentum applied
    // before the rescaling, torch's α read as 1 − α.
    [Theory]
    [InlineData(0.01, 0.99, 1e-8, 0.0, false, 0.0)]
    [InlineData(0.05, 0.9, 1e-2, 0.0, false, 0.0)]
    [InlineData(0.05, 0.9, 1e-2, 0.0, true, 0.0)]
    [InlineData(0.05, 0.8, 1e-3, 0.7, false, 0.0)]
    [InlineData(0.05, 0.8, 1e-3, 0.7, true, 0.1)]
    public void RmsPropFollowsTorchRmsprop(double lr, double alpha, double eps, double mu, bool centered, double wd)
    {
        var expected = RmsReference(lr, alpha, eps, mu, centered, wd);
        AssertTrajectory(expected, Run(Transforms.RmsProp(lr, alpha, eps, mu, centered, wd), DType.Float64), 1e-12);
        AssertTrajectory(expected, Run(Transforms.RmsProp(lr, alpha, eps, mu, centered, wd), DType.Float32), 5e-6);
    }

    [Fact]
    public void LearningRateScheduleIsReadAtStepsZeroOneTwo()
    {
        // SGD with lr_t = 0.1·(t + 1): θ_t = θ_{t−1} − lr_{t−1}·g_t. Catches a schedule read at t + 1 or not advanced.
        var lr = Schedule.FromFunc(t => 0.1 * (t + 1), "0.1(t+1)");
        var actual = Run(Transforms.Sgd(lr), DType.Float64);
        var theta = (double[])P0.Clone();
        for (var t = 0; t < Grads.Length; t++)
        {
            for (var j = 0; j < theta.Length; j++)
            {
                theta[j] -= 0.1 * (t + 1) * Grads[t][j];
            }

            AssertTrajectory([theta], [actual[t]], 1e-12);
        }
    }

    [Fact]
    public void TorchDefaultsAreTheDefaults()
    {
        var adam = (ScaleByAdam)Transforms.Adam(1e-3).Transforms[0];
        Assert.Equal((0.9, 0.999, 1e-8), (adam.Beta1, adam.Beta2, adam.Epsilon));
        var adamw = Transforms.AdamW(1e-3);
        Assert.Equal(1e-2, ((AddDecayedWeights)adamw.Transforms[1]).WeightDecay);
        var rms = (ScaleByRms)Transforms.RmsProp(1e-2).Transforms[0];
        Assert.Equal((0.99, 1e-8, false), (rms.Decay, rms.Epsilon, rms.Centered));
        Assert.Single(Transforms.Sgd(0.1).Transforms);
    }
}
