using McGrad.Lab.Xu;

namespace McGrad.Lab.Tests.Xu;

/// <summary>
/// The log joints against direct loops over the data (a transposed weight layout, a dropped prior or a wrong softmax
/// normaliser fails), batched evaluation against one-vector evaluation, and the autodiff Taylor expansion against the
/// linear regression's exact gradient and Hessian.
/// </summary>
public class LogJointTests
{
    private static (double[,] X, double[] Y, long[] Labels) Data(int n, int p, int classes, int seed)
    {
        var rng = new Random(seed);
        var x = new double[n, p];
        var y = new double[n];
        var labels = new long[n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < p; j++)
            {
                x[i, j] = (rng.NextDouble() * 2) - 1;
            }

            y[i] = (rng.NextDouble() * 4) - 2;
            labels[i] = rng.Next(classes);
        }

        return (x, y, labels);
    }

    private static double[] Weights(int d, int seed) => [.. Enumerable.Range(0, d).Select(i => Math.Sin((seed * 7.3) + (i * 1.7)))];

    private static string[] Names(int d) => [.. Enumerable.Range(0, d).Select(i => $"w{i}")];

    [Fact]
    public void Linear_regression_is_the_Gaussian_log_joint_and_its_Taylor_expansion_is_exact()
    {
        var (x, y, _) = Data(9, 3, 2, 1);
        var model = new LinearRegression(Tensor.FromArray(x), Tensor.FromArray(y), 0.5, 2.0, Names(3), "test");
        var w = Weights(3, 1);
        double expected = 0;
        for (var i = 0; i < 9; i++)
        {
            var r = y[i] - ((x[i, 0] * w[0]) + (x[i, 1] * w[1]) + (x[i, 2] * w[2]));
            expected -= r * r / (2 * 0.5);
        }

        expected -= w.Sum(v => v * v) / (2 * 2.0);
        Assert.Equal(expected, model.Evaluate(Tensor.FromArray(w)).Item(), 10);

        var taylor = TaylorExpansion.At(model, w);
        Assert.Equal(expected, taylor.Value, 10);
        var g = model.ExactGradient(w);
        var h = model.ExactHessian();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(g[i], taylor.Gradient[i], 10);
            for (var j = 0; j < 3; j++)
            {
                Assert.Equal(h[i, j], taylor.Hessian[i, j], 10);
            }
        }
    }

    [Fact]
    public void Logistic_regression_is_the_Bernoulli_log_joint()
    {
        var (x, _, labels) = Data(11, 4, 2, 2);
        var model = new LogisticRegression(Tensor.FromArray(x), Tensor.FromArray(labels), 1.5, Names(4), "test");
        var w = Weights(4, 2);
        double expected = 0;
        for (var i = 0; i < 11; i++)
        {
            var t = Enumerable.Range(0, 4).Sum(j => x[i, j] * w[j]);
            var p = 1 / (1 + Math.Exp(-t));
            expected += labels[i] == 1 ? Math.Log(p) : Math.Log(1 - p);
        }

        expected -= w.Sum(v => v * v) / (2 * 1.5);
        Assert.Equal(expected, model.Evaluate(Tensor.FromArray(w)).Item(), 10);
    }

    [Fact]
    public void Softmax_regression_is_the_categorical_log_joint_with_W_row_major()
    {
        const int N = 13, P = 3, C = 4;
        var (x, _, labels) = Data(N, P, C, 3);
        var model = new SoftmaxRegression(Tensor.FromArray(x), Tensor.FromArray(labels), C, 0.8, ["a", "b", "c"], "test");
        Assert.Equal(P * C, model.Dimension);
        Assert.Equal("W[b, class 2]", model.CoordinateNames[(1 * C) + 2]);
        var w = Weights(P * C, 3);
        double expected = 0;
        for (var i = 0; i < N; i++)
        {
            var logits = new double[C];
            for (var c = 0; c < C; c++)
            {
                for (var j = 0; j < P; j++)
                {
                    logits[c] += x[i, j] * w[(j * C) + c];
                }
            }

            expected += logits[labels[i]] - Math.Log(logits.Sum(Math.Exp));
        }

        expected -= w.Sum(v => v * v) / (2 * 0.8);
        Assert.Equal(expected, model.Evaluate(Tensor.FromArray(w)).Item(), 10);
    }

    [Fact]
    public void Batched_evaluation_equals_one_vector_at_a_time()
    {
        var (x, y, labels) = Data(10, 3, 3, 4);
        ILogJoint[] models =
        [
            new LinearRegression(Tensor.FromArray(x), Tensor.FromArray(y), 1, 1, Names(3), "linear"),
            new LogisticRegression(Tensor.FromArray(x), Tensor.FromArray(labels.Select(l => l % 2).ToArray()), 1, Names(3), "logistic"),
            new SoftmaxRegression(Tensor.FromArray(x), Tensor.FromArray(labels), 3, 1, Names(3), "softmax"),
        ];
        foreach (var model in models)
        {
            var d = model.Dimension;
            var rows = Enumerable.Range(0, 6).Select(k => Weights(d, 10 + k)).ToArray();
            var batch = model.Evaluate(Tensor.FromArray(rows.SelectMany(r => r).ToArray(), 2, 3, d));
            Assert.Equal(new Shape(2, 3), batch.Shape);
            var values = batch.ToDoubleArray();
            for (var k = 0; k < 6; k++)
            {
                Assert.Equal(model.Evaluate(Tensor.FromArray(rows[k])).Item(), values[k], 10);
            }
        }
    }

    [Fact]
    public void Taylor_Hessians_of_the_logistic_and_softmax_models_are_the_analytic_ones()
    {
        // Logistic: H = −Σᵢ pᵢ(1 − pᵢ) xᵢxᵢᵀ − I/τ²; softmax: H[(j,c),(k,c')] = −Σᵢ xᵢⱼxᵢₖ(δ_cc' pᵢc − pᵢc pᵢc') − δ/τ².
        const int N = 8, P = 3, C = 3;
        var (x, _, labels) = Data(N, P, C, 6);
        var w = Weights(P, 6);
        var logistic = TaylorExpansion.At(new LogisticRegression(Tensor.FromArray(x), Tensor.FromArray(labels.Select(l => l % 2).ToArray()), 2, Names(P), "logistic"), w);
        for (var j = 0; j < P; j++)
        {
            for (var k = 0; k < P; k++)
            {
                double h = j == k ? -0.5 : 0;
                for (var i = 0; i < N; i++)
                {
                    var p = 1 / (1 + Math.Exp(-Enumerable.Range(0, P).Sum(m => x[i, m] * w[m])));
                    h -= p * (1 - p) * x[i, j] * x[i, k];
                }

                Assert.Equal(h, logistic.Hessian[j, k], 10);
            }
        }

        var v = Weights(P * C, 7);
        var softmax = TaylorExpansion.At(new SoftmaxRegression(Tensor.FromArray(x), Tensor.FromArray(labels), C, 1, ["a", "b", "c"], "softmax"), v);
        var probs = new double[N, C];
        for (var i = 0; i < N; i++)
        {
            var logits = Enumerable.Range(0, C).Select(c => Enumerable.Range(0, P).Sum(m => x[i, m] * v[(m * C) + c])).ToArray();
            var z = logits.Sum(Math.Exp);
            for (var c = 0; c < C; c++)
            {
                probs[i, c] = Math.Exp(logits[c]) / z;
            }
        }

        for (var a = 0; a < P * C; a++)
        {
            for (var b = 0; b < P * C; b++)
            {
                int j = a / C, c = a % C, k = b / C, c2 = b % C;
                double h = a == b ? -1 : 0;
                for (var i = 0; i < N; i++)
                {
                    h -= x[i, j] * x[i, k] * (((c == c2) ? probs[i, c] : 0) - (probs[i, c] * probs[i, c2]));
                }

                Assert.Equal(h, softmax.Hessian[a, b], 10);
            }
        }
    }

    [Fact]
    public void Wrong_shapes_are_rejected_with_the_shapes()
    {
        var (x, y, _) = Data(5, 2, 2, 5);
        var model = new LinearRegression(Tensor.FromArray(x), Tensor.FromArray(y), 1, 1, Names(2), "linear");
        var e = Assert.Throws<ArgumentException>(() => model.Evaluate(Tensor.Zeros([4, 3], DType.Float64)));
        Assert.Contains("[*, 2]", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => new LogisticRegression(Tensor.FromArray(x), Tensor.FromArray(new long[] { 0, 1, 2, 0, 1 }), 1, Names(2), "logistic"));
        Assert.Contains("0 or 1", e.Message, StringComparison.Ordinal);
    }
}
