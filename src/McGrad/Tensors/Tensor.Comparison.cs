using McGrad.Autodiff;
using McGrad.Kernels;

namespace McGrad;

public sealed partial class Tensor
{
    /// <summary>[a = b] elementwise with broadcasting: 1 where it holds, 0 elsewhere, in the operands' dtype. No gradient (untracked).</summary>
    /// <remarks>
    /// McGrad has no bool dtype: a Float32 comparison gives a Float32 1/0 mask that multiplies straight into Float32
    /// arithmetic, an Int64 comparison an Int64 mask. NaN is unequal to everything (Ne gives 1, the others 0).
    /// C# <c>==</c>/<c>!=</c> are not overloaded (they keep reference equality); use Eq and Ne.
    /// </remarks>
    /// <exception cref="ArgumentException">The dtypes differ or the shapes do not broadcast.</exception>
    public Tensor Eq(Tensor other) => Autograd.Untracked(Compare.Run<EqCmp>(this, other, "Eq"), "Eq");

    /// <summary>[x = value] against a scalar: 1 where it holds, 0 elsewhere, in this tensor's dtype. No gradient (untracked).</summary>
    /// <remarks>A Float32 tensor compares against the value rounded to float32; an Int64 tensor compares as Int64 when the value is integral, else as double (exact for |x| ≤ 2⁵³).</remarks>
    public Tensor Eq(double value) => Autograd.Untracked(Compare.Run<EqCmp>(this, value, "Eq"), "Eq");

    /// <summary>[a ≠ b] elementwise with broadcasting: 1 where it holds, 0 elsewhere, in the operands' dtype. No gradient (untracked).</summary>
    /// <remarks>
    /// McGrad has no bool dtype: a Float32 comparison gives a Float32 1/0 mask that multiplies straight into Float32
    /// arithmetic, an Int64 comparison an Int64 mask. NaN is unequal to everything (Ne gives 1, the others 0).
    /// C# <c>==</c>/<c>!=</c> are not overloaded (they keep reference equality); use Eq and Ne.
    /// </remarks>
    /// <exception cref="ArgumentException">The dtypes differ or the shapes do not broadcast.</exception>
    public Tensor Ne(Tensor other) => Autograd.Untracked(Compare.Run<NeCmp>(this, other, "Ne"), "Ne");

    /// <summary>[x ≠ value] against a scalar: 1 where it holds, 0 elsewhere, in this tensor's dtype. No gradient (untracked).</summary>
    /// <remarks>A Float32 tensor compares against the value rounded to float32; an Int64 tensor compares as Int64 when the value is integral, else as double (exact for |x| ≤ 2⁵³).</remarks>
    public Tensor Ne(double value) => Autograd.Untracked(Compare.Run<NeCmp>(this, value, "Ne"), "Ne");

    /// <summary>[a &lt; b] elementwise with broadcasting: 1 where it holds, 0 elsewhere, in the operands' dtype. No gradient (untracked).</summary>
    /// <remarks>
    /// McGrad has no bool dtype: a Float32 comparison gives a Float32 1/0 mask that multiplies straight into Float32
    /// arithmetic, an Int64 comparison an Int64 mask. NaN is unequal to everything (Ne gives 1, the others 0).
    /// C# <c>==</c>/<c>!=</c> are not overloaded (they keep reference equality); use Eq and Ne.
    /// </remarks>
    /// <exception cref="ArgumentException">The dtypes differ or the shapes do not broadcast.</exception>
    public Tensor Lt(Tensor other) => Autograd.Untracked(Compare.Run<LtCmp>(this, other, "Lt"), "Lt");

    /// <summary>[x &lt; value] against a scalar: 1 where it holds, 0 elsewhere, in this tensor's dtype. No gradient (untracked).</summary>
    /// <remarks>A Float32 tensor compares against the value rounded to float32; an Int64 tensor compares as Int64 when the value is integral, else as double (exact for |x| ≤ 2⁵³).</remarks>
    public Tensor Lt(double value) => Autograd.Untracked(Compare.Run<LtCmp>(this, value, "Lt"), "Lt");

    /// <summary>[a ≤ b] elementwise with broadcasting: 1 where it holds, 0 elsewhere, in the operands' dtype. No gradient (untracked).</summary>
    /// <remarks>
    /// McGrad has no bool dtype: a Float32 comparison gives a Float32 1/0 mask that multiplies straight into Float32
    /// arithmetic, an Int64 comparison an Int64 mask. NaN is unequal to everything (Ne gives 1, the others 0).
    /// C# <c>==</c>/<c>!=</c> are not overloaded (they keep reference equality); use Eq and Ne.
    /// </remarks>
    /// <exception cref="ArgumentException">The dtypes differ or the shapes do not broadcast.</exception>
    public Tensor Le(Tensor other) => Autograd.Untracked(Compare.Run<LeCmp>(this, other, "Le"), "Le");

    /// <summary>[x ≤ value] against a scalar: 1 where it holds, 0 elsewhere, in this tensor's dtype. No gradient (untracked).</summary>
    /// <remarks>A Float32 tensor compares against the value rounded to float32; an Int64 tensor compares as Int64 when the value is integral, else as double (exact for |x| ≤ 2⁵³).</remarks>
    public Tensor Le(double value) => Autograd.Untracked(Compare.Run<LeCmp>(this, value, "Le"), "Le");

    /// <summary>[a &gt; b] elementwise with broadcasting: 1 where it holds, 0 elsewhere, in the operands' dtype. No gradient (untracked).</summary>
    /// <remarks>
    /// McGrad has no bool dtype: a Float32 comparison gives a Float32 1/0 mask that multiplies straight into Float32
    /// arithmetic, an Int64 comparison an Int64 mask. NaN is unequal to everything (Ne gives 1, the others 0).
    /// C# <c>==</c>/<c>!=</c> are not overloaded (they keep reference equality); use Eq and Ne.
    /// </remarks>
    /// <exception cref="ArgumentException">The dtypes differ or the shapes do not broadcast.</exception>
    public Tensor Gt(Tensor other) => Autograd.Untracked(Compare.Run<GtCmp>(this, other, "Gt"), "Gt");

    /// <summary>[x &gt; value] against a scalar: 1 where it holds, 0 elsewhere, in this tensor's dtype. No gradient (untracked).</summary>
    /// <remarks>A Float32 tensor compares against the value rounded to float32; an Int64 tensor compares as Int64 when the value is integral, else as double (exact for |x| ≤ 2⁵³).</remarks>
    public Tensor Gt(double value) => Autograd.Untracked(Compare.Run<GtCmp>(this, value, "Gt"), "Gt");

    /// <summary>[a ≥ b] elementwise with broadcasting: 1 where it holds, 0 elsewhere, in the operands' dtype. No gradient (untracked).</summary>
    /// <remarks>
    /// McGrad has no bool dtype: a Float32 comparison gives a Float32 1/0 mask that multiplies straight into Float32
    /// arithmetic, an Int64 comparison an Int64 mask. NaN is unequal to everything (Ne gives 1, the others 0).
    /// C# <c>==</c>/<c>!=</c> are not overloaded (they keep reference equality); use Eq and Ne.
    /// </remarks>
    /// <exception cref="ArgumentException">The dtypes differ or the shapes do not broadcast.</exception>
    public Tensor Ge(Tensor other) => Autograd.Untracked(Compare.Run<GeCmp>(this, other, "Ge"), "Ge");

    /// <summary>[x ≥ value] against a scalar: 1 where it holds, 0 elsewhere, in this tensor's dtype. No gradient (untracked).</summary>
    /// <remarks>A Float32 tensor compares against the value rounded to float32; an Int64 tensor compares as Int64 when the value is integral, else as double (exact for |x| ≤ 2⁵³).</remarks>
    public Tensor Ge(double value) => Autograd.Untracked(Compare.Run<GeCmp>(this, value, "Ge"), "Ge");

    /// <summary>Elementwise comparison as 1/0 (see <see cref="Lt(Tensor)"/>).</summary>
    public static Tensor operator <(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Lt(b);
    }

    /// <summary>Comparison with a scalar as 1/0 (see <see cref="Lt(double)"/>).</summary>
    public static Tensor operator <(Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Lt(b);
    }

    /// <summary>Comparison of a scalar with each element, as 1/0 in the tensor's dtype.</summary>
    public static Tensor operator <(double a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return b.Gt(a);
    }

    /// <summary>Elementwise comparison as 1/0 (see <see cref="Gt(Tensor)"/>).</summary>
    public static Tensor operator >(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Gt(b);
    }

    /// <summary>Comparison with a scalar as 1/0 (see <see cref="Gt(double)"/>).</summary>
    public static Tensor operator >(Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Gt(b);
    }

    /// <summary>Comparison of a scalar with each element, as 1/0 in the tensor's dtype.</summary>
    public static Tensor operator >(double a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return b.Lt(a);
    }

    /// <summary>Elementwise comparison as 1/0 (see <see cref="Le(Tensor)"/>).</summary>
    public static Tensor operator <=(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Le(b);
    }

    /// <summary>Comparison with a scalar as 1/0 (see <see cref="Le(double)"/>).</summary>
    public static Tensor operator <=(Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Le(b);
    }

    /// <summary>Comparison of a scalar with each element, as 1/0 in the tensor's dtype.</summary>
    public static Tensor operator <=(double a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return b.Ge(a);
    }

    /// <summary>Elementwise comparison as 1/0 (see <see cref="Ge(Tensor)"/>).</summary>
    public static Tensor operator >=(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Ge(b);
    }

    /// <summary>Comparison with a scalar as 1/0 (see <see cref="Ge(double)"/>).</summary>
    public static Tensor operator >=(Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Ge(b);
    }

    /// <summary>Comparison of a scalar with each element, as 1/0 in the tensor's dtype.</summary>
    public static Tensor operator >=(double a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return b.Le(a);
    }

    /// <summary>
    /// Selects <paramref name="a"/> where <paramref name="condition"/> is nonzero and <paramref name="b"/> elsewhere, with
    /// numpy broadcasting over all three; ∂/∂a = g·[c ≠ 0], ∂/∂b = g·[c = 0] (each summed to its input's shape), and
    /// no gradient to the condition.
    /// </summary>
    /// <remarks>
    /// The condition may have any dtype (Float32, Float64, Int64; a comparison's 1/0 mask is the usual source); NaN
    /// counts as nonzero, i.e. true. a and b must share a dtype, which the result has. The gradient rule is itself a
    /// Where, so it differentiates to any order. Note that the unselected branch is still computed: if it is NaN or ±∞
    /// somewhere (ln x for x ≤ 0, say) its gradient there is masked to 0, but the gradient of that branch's own inputs
    /// may still be 0·∞ = NaN; select the input before the singular op instead (ln(Where(x &gt; 0, x, 1))).
    /// </remarks>
    /// <exception cref="ArgumentException">a and b have different dtypes, or the three shapes do not broadcast.</exception>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var y = WhereKernel.Run(condition, a, b, "Where");
        return Autograd.Record(y, "Where", [condition, a, b], static (g, n) =>
        {
            var c = n.Inputs[0];
            var a0 = n.Inputs[1];
            var b0 = n.Inputs[2];
            var zero = g.ScalarLike(0.0);
            return
            [
                null,
                n.NeedsGrad(1) ? Where(c, g, zero).SumTo(a0.Shape) : null,
                n.NeedsGrad(2) ? Where(c, zero, g).SumTo(b0.Shape) : null,
            ];
        });
    }

    /// <summary>Where with a scalar for the false branch, in <paramref name="a"/>'s dtype (see <see cref="Where(Tensor, Tensor, Tensor)"/>).</summary>
    public static Tensor Where(Tensor condition, Tensor a, double b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Where(condition, a, a.ScalarLike(b));
    }

    /// <summary>Where with a scalar for the true branch, in <paramref name="b"/>'s dtype (see <see cref="Where(Tensor, Tensor, Tensor)"/>).</summary>
    public static Tensor Where(Tensor condition, double a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return Where(condition, b.ScalarLike(a), b);
    }
}
