using System.Numerics;
using McGrad.Autodiff;
using McGrad.Kernels;

namespace McGrad;

public sealed partial class Tensor
{
    /// <summary>
    /// Matrix product with <c>torch.matmul</c> semantics (see <see cref="MatMul(Tensor, Tensor)"/>):
    /// <c>this @ other</c>.
    /// </summary>
    public Tensor MatMul(Tensor other) => MatMul(this, other);

    /// <summary>
    /// Matrix product a @ b with <c>torch.matmul</c> semantics: 1-D·1-D is the dot product Σₖ aₖbₖ (a scalar);
    /// 2-D·2-D is (a·b)ᵢⱼ = Σₖ aᵢₖbₖⱼ; a 1-D operand is promoted to a matrix by prepending (a) or appending (b) a
    /// dimension of size 1 that is removed from the result; with ≥ 3 dimensions the leading (batch) dimensions
    /// broadcast, e.g. [2, 1, 3, 4] @ [5, 4, 6] → [2, 5, 3, 6]. Gradients: ∂/∂a = g·bᵀ and ∂/∂b = aᵀ·g, each
    /// summed over the batch dimensions its operand was broadcast along; the gradient is itself differentiable.
    /// </summary>
    /// <remarks>
    /// Both operands must have the same floating-point dtype. Computed by <see cref="Gemm"/> (native BLAS or the
    /// managed kernel, per <see cref="Gemm.Backend"/>); the backward pass multiplies with transpose flags instead of
    /// materialising transposed copies.
    /// </remarks>
    /// <exception cref="ArgumentException">A 0-D operand, mismatched inner dimensions, batch dimensions that do not
    /// broadcast, or a dtype mismatch; the message names both shapes.</exception>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        Elementwise.RequireSameFloat(a, b, "MatMul");
        if (a.Rank == 0 || b.Rank == 0)
        {
            throw new ArgumentException($"MatMul: both operands must have at least 1 dimension, got a {a.Shape} and b {b.Shape}; use Mul (*) to scale by a scalar.");
        }

        var ka = a.Shape.Dims[^1];
        var kb = b.Rank == 1 ? b.Shape.Dims[0] : b.Shape.Dims[^2];
        if (ka != kb)
        {
            var which = b.Rank == 1 ? "size" : "second-to-last dimension";
            throw new ArgumentException($"MatMul: inner dimensions do not match for a {a.Shape} @ b {b.Shape}: a's last dimension is {ka} but b's {which} is {kb}.");
        }

        var a2 = a.Rank == 1 ? a.Reshape(1, ka) : a;
        var b2 = b.Rank == 1 ? b.Reshape(kb, 1) : b;
        var y = MatMulT(a2, b2, transA: false, transB: false);
        if (a.Rank > 1 && b.Rank > 1)
        {
            return y;
        }

        // Remove the promoted dimension(s): the −2 one for a 1-D a, the last for a 1-D b.
        var dims = y.Shape.Dims;
        var keep = new List<int>(dims.Length);
        for (var i = 0; i < dims.Length; i++)
        {
            if ((a.Rank == 1 && i == dims.Length - 2) || (b.Rank == 1 && i == dims.Length - 1))
            {
                continue;
            }

            keep.Add(dims[i]);
        }

        return y.Reshape([.. keep]);
    }

    /// <summary>
    /// op(a) @ op(b) where op transposes the last two dimensions when its flag is set (no copy is made); leading
    /// dimensions broadcast. Both operands have rank ≥ 2. Its gradient rule is again expressed with MatMulT, so
    /// derivatives of any order are available.
    /// </summary>
    internal static Tensor MatMulT(Tensor a, Tensor b, bool transA, bool transB)
    {
        Elementwise.RequireSameFloat(a, b, "MatMul");
        var ad = a.Shape.Dims;
        var bd = b.Shape.Dims;
        var (m, ka) = transA ? (ad[^1], ad[^2]) : (ad[^2], ad[^1]);
        var (kb, n) = transB ? (bd[^1], bd[^2]) : (bd[^2], bd[^1]);
        if (ka != kb)
        {
            throw new ArgumentException($"MatMul: inner dimensions do not match for a {a.Shape}{(transA ? "ᵀ" : string.Empty)} @ b {b.Shape}{(transB ? "ᵀ" : string.Empty)}: {ka} vs {kb}.");
        }

        var k = ka;
        var batchA = Shape.Wrap(ad[..^2]);
        var batchB = Shape.Wrap(bd[..^2]);
        Shape batch;
        if (batchA == batchB)
        {
            batch = batchA;
        }
        else
        {
            try
            {
                batch = Shape.Broadcast(batchA, batchB, "MatMul");
            }
            catch (ArgumentException)
            {
                throw new ArgumentException($"MatMul: batch dimensions {batchA} of a {a.Shape} and {batchB} of b {b.Shape} cannot be broadcast together (each must match or be 1).");
            }
        }

        var outDims = new int[batch.Rank + 2];
        batch.Dims.CopyTo(outDims, 0);
        outDims[^2] = m;
        outDims[^1] = n;
        var y = Uninitialized(Shape.Wrap(outDims), a.DType);
        if (a.DType == DType.Float32)
        {
            MatMulKernel<float>(a, b, y, batch, batchA, batchB, m, n, k, transA, transB);
        }
        else
        {
            MatMulKernel<double>(a, b, y, batch, batchA, batchB, m, n, k, transA, transB);
        }

        return Autograd.Record(y, "MatMul", a, b, (g, node) =>
        {
            var x = node.Inputs[0];
            var w = node.Inputs[1];
            return
            [
                node.NeedsGrad(0) ? MatMulGradA(g, x, w, transA, transB) : null,
                node.NeedsGrad(1) ? MatMulGradB(g, x, w, transA, transB) : null,
            ];
        });
    }

    /// <summary>∂/∂a of op(a)·op(b): g·op(b)ᵀ (or its transpose when a was transposed), summed to a's shape.</summary>
    private static Tensor MatMulGradA(Tensor g, Tensor a, Tensor b, bool transA, bool transB)
    {
        // d op(a) = g · op(b)ᵀ; when op(a) = aᵀ, da = (g · op(b)ᵀ)ᵀ = op(b) · gᵀ.
        var da = transA ? MatMulT(b, g, transB, true) : MatMulT(g, b, false, !transB);
        return da.SumTo(a.Shape);
    }

    /// <summary>∂/∂b of op(a)·op(b): op(a)ᵀ·g (or its transpose when b was transposed), summed to b's shape.</summary>
    private static Tensor MatMulGradB(Tensor g, Tensor a, Tensor b, bool transA, bool transB)
    {
        // When b has no batch of its own but a does, fold the batch into the rows: Σ_batch op(a)ᵀ·g is one product
        // of a [batch·m, k] and g [batch·m, n] (possible when a is not transposed and not broadcast).
        if (g.Rank > 2 && !transA && a.Size > 0 && g.Size > 0 && MatMulBatchCount(b) == 1 && MatMulBatchCount(a) == MatMulBatchCount(g))
        {
            var a2 = a.Reshape(-1, a.Shape.Dims[^1]);
            var g2 = g.Reshape(-1, g.Shape.Dims[^1]);
            var folded = transB ? MatMulT(g2, a2, true, false) : MatMulT(a2, g2, true, false);
            return folded.Reshape(b.Shape.Dims);
        }

        // d op(b) = op(a)ᵀ · g; when op(b) = bᵀ, db = gᵀ · op(a).
        var db = transB ? MatMulT(g, a, true, transA) : MatMulT(a, g, !transA, false);
        return db.SumTo(b.Shape);
    }

    private static long MatMulBatchCount(Tensor t)
    {
        long count = 1;
        var d = t.Shape.Dims;
        for (var i = 0; i < d.Length - 2; i++)
        {
            count *= d[i];
        }

        return count;
    }

    private static readonly int[] MatMulZeroOffset = [0];

    private static void MatMulKernel<T>(Tensor a, Tensor b, Tensor y, Shape batch, Shape batchA, Shape batchB, int m, int n, int k, bool transA, bool transB)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var aa = (T[])a.Storage;
        var bb = (T[])b.Storage;
        var yy = (T[])y.Storage;
        var count = batch.Size;
        if (y.Size == 0)
        {
            return;
        }

        var matA = m * k;
        var matB = k * n;

        // b shared by every batch and a not broadcast: fold the batch into the rows of one product.
        if (batchB.Size == 1 && batchA.Size == count && !transA)
        {
            Gemm.Batched(false, transB, count * m, n, k, aa, MatMulZeroOffset, bb, MatMulZeroOffset, yy);
            return;
        }

        if (count == 1)
        {
            Gemm.Batched(transA, transB, m, n, k, aa, MatMulZeroOffset, bb, MatMulZeroOffset, yy);
            return;
        }

        var offA = new int[count];
        var offB = new int[count];
        if (batchA.Size == count && batchB.Size == count)
        {
            for (var i = 0; i < count; i++)
            {
                offA[i] = i * matA;
                offB[i] = i * matB;
            }
        }
        else
        {
            var sa = BroadcastPlan.BroadcastStrides(batch, batchA);
            var sb = BroadcastPlan.BroadcastStrides(batch, batchB);
            var dims = batch.Dims;
            for (var i = 0; i < count; i++)
            {
                int rem = i, oa = 0, ob = 0;
                for (var d = dims.Length - 1; d >= 0; d--)
                {
                    var idx = rem % dims[d];
                    rem /= dims[d];
                    oa += idx * sa[d];
                    ob += idx * sb[d];
                }

                offA[i] = oa * matA;
                offB[i] = ob * matB;
            }
        }

        Gemm.Batched(transA, transB, m, n, k, aa, offA, bb, offB, yy);
    }
}
