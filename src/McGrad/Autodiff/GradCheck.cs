using System.Globalization;
using System.Text;

namespace McGrad.Autodiff;

/// <summary>Outcome of a gradient check: pass/fail, the largest errors, and where the worst one was.</summary>
/// <param name="Passed">True when every entry satisfied |analytic − numeric| ≤ atol + rtol·|numeric|.</param>
/// <param name="MaxAbsError">Largest |analytic − numeric| over all entries.</param>
/// <param name="Entries">Number of Jacobian entries compared.</param>
/// <param name="Report">Human-readable description of the worst entry.</param>
public sealed record GradCheckResult(bool Passed, double MaxAbsError, int Entries, string Report);

/// <summary>
/// Checks reverse-mode gradients against float64 central differences, ∂fⱼ/∂xᵢ ≈ (fⱼ(x + εeᵢ) − fⱼ(x − εeᵢ)) / 2ε,
/// for the whole Jacobian, at first order and (through <c>createGraph</c>) second order.
/// </summary>
/// <remarks>
/// Inputs must be Float64 (Int64 inputs, e.g. indices, are passed through unchecked). The function may return any
/// shape. Keep inputs small: the cost is 2·(input elements) forward passes plus (output elements) backward passes.
/// Points where f is not differentiable (|x| at 0, ReLU at 0, ties in Max) make the numeric side meaningless; avoid them.
/// </remarks>
public static class GradCheck
{
    private const string FirstOrder = "first order";

    /// <summary>First-order check: the Jacobian from backward passes against central differences.</summary>
    /// <returns>The result. With empty tensors the Jacobian has no entries: it passes with
    /// <see cref="GradCheckResult.Entries"/> = 0 and a report that says so.</returns>
    /// <exception cref="ArgumentException">A floating-point input is not Float64, no input is Float64 (nothing
    /// would be checked), or <paramref name="f"/> returns a tensor that is not floating point (Int64 has no gradient).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="eps"/> is not finite and &gt; 0, or
    /// <paramref name="atol"/> or <paramref name="rtol"/> is negative or NaN.</exception>
    public static GradCheckResult Check(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-6, double atol = 1e-5, double rtol = 1e-4)
    {
        ArgumentNullException.ThrowIfNull(f);
        return CheckJacobian(xs => [f(xs)], inputs, eps, atol, rtol, FirstOrder);
    }

    /// <summary>
    /// Second-order check: the map x ↦ ∇ₓ⟨v, f(x)⟩ (computed with <c>createGraph: true</c>, v a fixed pseudo-random
    /// seed) is itself checked against central differences, so every Hessian-vector product is verified.
    /// </summary>
    /// <returns>The result (see <see cref="Check"/>).</returns>
    /// <exception cref="ArgumentException">As for <see cref="Check"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for <see cref="Check"/>.</exception>
    public static GradCheckResult CheckSecondOrder(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-5, double atol = 1e-4, double rtol = 1e-3)
    {
        ArgumentNullException.ThrowIfNull(f);
        return CheckJacobian(xs => FirstGradients(f, xs), inputs, eps, atol, rtol, "second order");
    }

    /// <summary>Runs <see cref="Check"/> and throws with its report when it fails.</summary>
    /// <exception cref="InvalidOperationException">The check failed.</exception>
    public static void Assert(Func<Tensor[], Tensor> f, params Tensor[] inputs) => ThrowIfFailed(Check(f, inputs));

    /// <summary>Runs <see cref="CheckSecondOrder"/> and throws with its report when it fails.</summary>
    /// <exception cref="InvalidOperationException">The check failed.</exception>
    public static void AssertSecondOrder(Func<Tensor[], Tensor> f, params Tensor[] inputs) => ThrowIfFailed(CheckSecondOrder(f, inputs));

    private static void ThrowIfFailed(GradCheckResult r)
    {
        if (!r.Passed)
        {
            throw new InvalidOperationException(r.Report);
        }
    }

    private static Tensor[] FirstGradients(Func<Tensor[], Tensor> f, Tensor[] xs)
    {
        var y = f(xs);
        RequireFloatOutput(y, nameof(f));
        var grads = new Tensor[xs.Length];
        var diff = new List<int>();
        for (var i = 0; i < xs.Length; i++)
        {
            if (xs[i].RequiresGrad)
            {
                diff.Add(i);
            }
        }

        if (!y.RequiresGrad || diff.Count == 0)
        {
            for (var i = 0; i < xs.Length; i++)
            {
                grads[i] = Tensor.ZerosLike(xs[i]);
            }

            return grads;
        }

        var g = Autograd.Grad([y], [.. diff.Select(i => xs[i])], [Seed(y.Shape, 7)], createGraph: true, allowUnused: true);
        for (var i = 0; i < xs.Length; i++)
        {
            var k = diff.IndexOf(i);
            grads[i] = k >= 0 && g[k] != null ? g[k]! : Tensor.ZerosLike(xs[i]);
        }

        return grads;
    }

    /// <summary>A deterministic pseudo-random float64 seed in [0.5, 1.5) (no zeros, so no entry goes unchecked).</summary>
    private static Tensor Seed(Shape shape, uint salt)
    {
        var data = new double[shape.Size];
        var state = 2463534242u ^ salt;
        for (var i = 0; i < data.Length; i++)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            data[i] = 0.5 + (state / (double)uint.MaxValue);
        }

        return Tensor.FromArray(data, shape.ToArray()).Reshape(shape.ToArray());
    }

    private static void RequireFloatOutput(Tensor y, string paramName)
    {
        if (y.DType == DType.Int64)
        {
            throw new ArgumentException($"GradCheck: f returns an Int64 tensor of shape {y.Shape}, which has no gradient, so nothing would be checked; check a floating-point output.", paramName);
        }
    }

    /// <summary>
    /// Checks the Jacobian of every floating-point output of <paramref name="f"/> (for the second order these are the
    /// gradients; the Int64 zeros standing for Int64 inputs are skipped) w.r.t. every Float64 input.
    /// </summary>
    private static GradCheckResult CheckJacobian(Func<Tensor[], Tensor[]> f, Tensor[] inputs, double eps, double atol, double rtol, string order)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (!(eps > 0) || !double.IsFinite(eps))
        {
            throw new ArgumentOutOfRangeException(nameof(eps), eps, $"GradCheck: eps (the finite-difference step) must be finite and > 0, got {eps}.");
        }

        if (!(atol >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(atol), atol, $"GradCheck: atol must be >= 0, got {atol}.");
        }

        if (!(rtol >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(rtol), rtol, $"GradCheck: rtol must be >= 0, got {rtol}.");
        }

        if (!inputs.Any(x => x.DType == DType.Float64))
        {
            var dtypes = string.Join(", ", inputs.Select(x => x.DType));
            throw new ArgumentException($"GradCheck: no input is Float64 (got [{dtypes}]), so there is nothing to check; pass the tensors to differentiate as Float64.", nameof(inputs));
        }
        var leaves = new Tensor[inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            var x = inputs[i];
            if (x.DType == DType.Float32)
            {
                throw new ArgumentException($"GradCheck: inputs[{i}] is Float32 {x.Shape}; gradient checking needs Float64 inputs (use .To(DType.Float64)).", nameof(inputs));
            }

            leaves[i] = new Tensor(x.Shape, x.DType, (Array)x.Storage.Clone());
            if (x.DType == DType.Float64)
            {
                leaves[i].RequiresGrad = true;
            }
        }

        var outputs = f(leaves);
        if (order == FirstOrder)
        {
            RequireFloatOutput(outputs[0], nameof(f));
        }

        var sb = new StringBuilder();
        var passed = true;
        var maxAbs = 0.0;
        var entries = 0;
        var worst = double.NegativeInfinity;
        for (var o = 0; o < outputs.Length; o++)
        {
            if (outputs[o].DType == DType.Int64)
            {
                continue;
            }

            var analytic = AnalyticJacobian(outputs[o], leaves);
            for (var i = 0; i < leaves.Length; i++)
            {
                if (leaves[i].DType != DType.Float64)
                {
                    continue;
                }

                var numeric = NumericJacobian(f, leaves, o, i, eps);
                var rows = outputs[o].Size;
                for (var r = 0; r < rows; r++)
                {
                    for (var c = 0; c < leaves[i].Size; c++)
                    {
                        var a = analytic[i][r, c];
                        var n = numeric[r, c];
                        var err = Math.Abs(a - n);
                        var excess = err - (atol + (rtol * Math.Abs(n)));
                        entries++;
                        maxAbs = Math.Max(maxAbs, double.IsNaN(err) ? double.PositiveInfinity : err);
                        if (excess > worst || double.IsNaN(err))
                        {
                            worst = double.IsNaN(err) ? double.PositiveInfinity : excess;
                            sb.Clear().Append(CultureInfo.InvariantCulture, $"GradCheck ({order}): output {o} element {r} w.r.t. inputs[{i}] element {c}: analytic {a:G10}, numeric {n:G10}, |diff| {err:G4} (tolerance {atol} + {rtol}·|numeric|).");
                        }

                        if (!(excess <= 0))
                        {
                            passed = false;
                        }
                    }
                }
            }
        }

        if (entries == 0)
        {
            // Only reachable with empty tensors (every case with nothing to differentiate throws above): the
            // Jacobian has no entries, so what was checked is that f and its backward run on them.
            var sizes = string.Join(", ", leaves.Select(l => $"{l.DType} {l.Shape}"));
            return new GradCheckResult(true, 0, 0, $"GradCheck ({order}): passed with 0 entries: the Jacobian is empty (inputs [{sizes}]; output shapes [{string.Join(", ", outputs.Select(t => t.Shape))}]); only that f and its backward run was checked.");
        }

        var report = (passed ? "passed; worst entry: " : "FAILED; worst entry: ") + sb;
        return new GradCheckResult(passed, maxAbs, entries, report);
    }

    private static double[][,] AnalyticJacobian(Tensor output, Tensor[] leaves)
    {
        var jac = new double[leaves.Length][,];
        for (var i = 0; i < leaves.Length; i++)
        {
            jac[i] = new double[output.Size, leaves[i].Size];
        }

        var diff = leaves.Where(l => l.RequiresGrad).ToArray();
        if (!output.RequiresGrad || diff.Length == 0)
        {
            return jac;
        }

        for (var r = 0; r < output.Size; r++)
        {
            var seed = Tensor.Zeros(output.Shape, output.DType);
            seed.SetFlat(r, 1);
            var grads = Autograd.Grad([output], diff, [seed], createGraph: false, allowUnused: true, retainGraph: true);
            var k = 0;
            for (var i = 0; i < leaves.Length; i++)
            {
                if (!leaves[i].RequiresGrad)
                {
                    continue;
                }

                var g = grads[k++];
                if (g == null)
                {
                    continue;
                }

                for (var c = 0; c < g.Size; c++)
                {
                    jac[i][r, c] = g.GetFlat(c);
                }
            }
        }

        return jac;
    }

    private static double[,] NumericJacobian(Func<Tensor[], Tensor[]> f, Tensor[] leaves, int outputIndex, int inputIndex, double eps)
    {
        var x = leaves[inputIndex].Span<double>();
        double[,]? jac = null;
        for (var c = 0; c < x.Length; c++)
        {
            var saved = x[c];
            x[c] = saved + eps;
            var plus = Evaluate(f, leaves, outputIndex);
            x[c] = saved - eps;
            var minus = Evaluate(f, leaves, outputIndex);
            x[c] = saved;
            jac ??= new double[plus.Length, x.Length];
            for (var r = 0; r < plus.Length; r++)
            {
                jac[r, c] = (plus[r] - minus[r]) / (2 * eps);
            }
        }

        return jac ?? new double[0, 0];
    }

    private static double[] Evaluate(Func<Tensor[], Tensor[]> f, Tensor[] leaves, int outputIndex) => f(leaves)[outputIndex].ToDoubleArray();
}
