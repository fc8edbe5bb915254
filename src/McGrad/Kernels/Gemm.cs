using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace McGrad.Kernels;

/// <summary>Which implementation computes matrix products (<see cref="Gemm"/>, <c>Tensor.MatMul</c>).</summary>
public enum MatMulBackend
{
    /// <summary>
    /// The native BLAS when it loaded (<see cref="Gemm.IsNativeAvailable"/>), else the managed kernel. Exception: an
    /// OpenBLAS that fell back to pre-AVX2 kernels on an AVX2/FMA CPU (see <see cref="Gemm.NativeCoreName"/>; it happens
    /// when OpenBLAS does not recognise the CPU) is slower than the managed kernel and is not chosen.
    /// </summary>
    Auto,

    /// <summary>McGrad's own cache-blocked SIMD kernel (always available; results independent of the thread count).</summary>
    Managed,

    /// <summary>The system CBLAS (<c>cblas_sgemm</c>/<c>cblas_dgemm</c>); using it when it did not load throws.</summary>
    Native,
}

/// <summary>
/// General matrix multiply, C ← α·op(A)·op(B) + β·C, for row-major float32 and float64 matrices, where op(X) is X or
/// Xᵀ. Runs on the system BLAS or on a managed cache-blocked SIMD kernel, chosen by <see cref="Backend"/>.
/// </summary>
/// <remarks>
/// The managed kernel packs panels of A and B, runs a register-blocked Vector512/Vector256 micro-kernel with fused
/// multiply-add where the CPU has it, and splits large products across cores with <see cref="Parallelism"/>; every
/// output element is summed in an order fixed by the shapes alone, so results are bit-identical for any
/// <see cref="Parallelism.MaxThreads"/>. The native library manages its own threads.
/// </remarks>
public static class Gemm
{
    private static volatile int _backend = (int)MatMulBackend.Auto;

    [ThreadStatic]
    private static int t_override; // 0: none, else (int)backend + 1

    /// <summary>
    /// The process-wide backend for matrix products (default <see cref="MatMulBackend.Auto"/>); a thread-local
    /// <see cref="UseBackend"/> scope takes precedence.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="MatMulBackend"/>.</exception>
    public static MatMulBackend Backend
    {
        get => (MatMulBackend)_backend;
        set
        {
            CheckDefined(value, nameof(Backend));
            _backend = (int)value;
        }
    }

    /// <summary>The file name of the native BLAS that loaded (e.g. <c>libopenblas.so.0</c>); null when none did.</summary>
    public static string? NativeLibraryName => NativeBlas.LibraryName;

    /// <summary>The library's own description when it provides one (OpenBLAS: <c>openblas_get_config()</c>); else null.</summary>
    public static string? NativeLibraryConfig => NativeBlas.Config;

    /// <summary>
    /// The kernel set OpenBLAS picked for this CPU (<c>openblas_get_corename()</c>, e.g. "SkylakeX", or "Prescott" when it
    /// did not recognise the CPU; the environment variable <c>OPENBLAS_CORETYPE</c> overrides it); null for other libraries.
    /// </summary>
    public static string? NativeCoreName => NativeBlas.CoreName;

    /// <summary>
    /// The OPENBLAS_CORETYPE value McGrad set before loading OpenBLAS because the variable was unset (e.g. "SkylakeX" on a
    /// CPU with AVX-512 that OpenBLAS does not recognise by model number); null when it set none.
    /// </summary>
    public static string? NativeCoreTypeHint => NativeBlas.CoreTypeHint;

    /// <summary>Whether a native CBLAS with <c>cblas_sgemm</c> and <c>cblas_dgemm</c> loaded.</summary>
    public static bool IsNativeAvailable => NativeBlas.IsAvailable;

    /// <summary>The backend that a product started now on this thread would use (never <see cref="MatMulBackend.Auto"/>).</summary>
    /// <exception cref="InvalidOperationException">The selected backend is Native and no native BLAS loaded.</exception>
    public static MatMulBackend EffectiveBackend => Resolve();

    /// <summary>
    /// Overrides <see cref="Backend"/> on the calling thread until the returned scope is disposed (scopes nest);
    /// lets tests and benchmarks force one path without affecting other threads.
    /// </summary>
    /// <example><code>using (Gemm.UseBackend(MatMulBackend.Managed)) { var y = a.MatMul(b); }</code></example>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="backend"/> is not a defined value.</exception>
    public static IDisposable UseBackend(MatMulBackend backend)
    {
        CheckDefined(backend, nameof(backend));
        var scope = new BackendScope(t_override);
        t_override = (int)backend + 1;
        return scope;
    }

    /// <summary>
    /// Float32 GEMM: C ← α·op(A)·op(B) + β·C with op(A) m×k, op(B) k×n, C m×n, all row-major. A is stored m×k
    /// (k×m when <paramref name="transA"/>) with row stride <paramref name="lda"/>; likewise B (k×n, or n×k when
    /// <paramref name="transB"/>) and C (m×n, stride <paramref name="ldc"/>). When β = 0, C is not read (NaNs in it
    /// are overwritten); when α = 0 or k = 0, A and B are not read. C must not overlap A or B.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative or a leading dimension too small.</exception>
    /// <exception cref="ArgumentException">A span is too short for its matrix.</exception>
    /// <exception cref="InvalidOperationException">The backend is Native and no native BLAS loaded.</exception>
    public static unsafe void Multiply(
        bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        fixed (float* pa = a, pb = b, pc = c)
        {
            Run(Resolve(), transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, parallel: true);
        }
    }

    /// <summary>
    /// Float64 GEMM: C ← α·op(A)·op(B) + β·C; the layout and rules are those of the float32 overload
    /// <see cref="Multiply(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative or a leading dimension too small.</exception>
    /// <exception cref="ArgumentException">A span is too short for its matrix.</exception>
    /// <exception cref="InvalidOperationException">The backend is Native and no native BLAS loaded.</exception>
    public static unsafe void Multiply(
        bool transA, bool transB, int m, int n, int k, double alpha, ReadOnlySpan<double> a, int lda,
        ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        fixed (double* pa = a, pb = b, pc = c)
        {
            Run(Resolve(), transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, parallel: true);
        }
    }

    /// <summary>
    /// A batch of products with densely packed operands: for each i, C_i = op(A_i)·op(B_i) where A_i starts at
    /// <paramref name="aOffsets"/>[i] (row stride = its column count), B_i at <paramref name="bOffsets"/>[i], and C_i at
    /// i·m·n in <paramref name="c"/>. Offsets may repeat (broadcast operands). No validation: callers own the shapes.
    /// </summary>
    internal static unsafe void Batched<T>(
        bool transA, bool transB, int m, int n, int k, T[] a, int[] aOffsets, T[] b, int[] bOffsets, T[] c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var batch = aOffsets.Length;
        if (batch == 0 || m == 0 || n == 0)
        {
            return;
        }

        var backend = Resolve();
        var lda = transA ? m : k;
        var ldb = transB ? k : n;
        var work = (long)m * n * Math.Max(k, 1);
        fixed (T* pa = a, pb = b, pc = c)
        {
            var ia = (nint)pa;
            var ib = (nint)pb;
            var ic = (nint)pc;
            if (backend == MatMulBackend.Managed && batch > 1 && work < ManagedGemm.ParallelWork && work * batch >= ManagedGemm.ParallelWork)
            {
                // Many small products: one product per task, each serial (same per-product code, so thread-count independent).
                var grain = (int)Math.Max(1, ManagedGemm.ParallelWork / 4 / work);
                var force256 = ManagedGemm.ForceVector256;
                Parallelism.For(batch, grain, (s, cnt) =>
                {
                    var saved = ManagedGemm.ForceVector256;
                    ManagedGemm.ForceVector256 = force256;
                    try
                    {
                        for (var i = s; i < s + cnt; i++)
                        {
                            Run(MatMulBackend.Managed, transA, transB, m, n, k, T.One, (T*)ia + aOffsets[i], lda, (T*)ib + bOffsets[i], ldb, T.Zero, (T*)ic + ((long)i * m * n), n, parallel: false);
                        }
                    }
                    finally
                    {
                        ManagedGemm.ForceVector256 = saved;
                    }
                });
                return;
            }

            for (var i = 0; i < batch; i++)
            {
                Run(backend, transA, transB, m, n, k, T.One, pa + aOffsets[i], lda, pb + bOffsets[i], ldb, T.Zero, pc + ((long)i * m * n), n, parallel: true);
            }
        }
    }

    /// <summary>Dispatches one product to the chosen backend (arguments already validated).</summary>
    internal static unsafe void Run<T>(
        MatMulBackend backend, bool transA, bool transB, int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb,
        T beta, T* c, int ldc, bool parallel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        if (backend == MatMulBackend.Native && k > 0)
        {
            if (typeof(T) == typeof(float))
            {
                NativeBlas.Sgemm(transA, transB, m, n, k, float.CreateTruncating(alpha), (float*)a, lda, (float*)b, ldb, float.CreateTruncating(beta), (float*)c, ldc);
            }
            else
            {
                NativeBlas.Dgemm(transA, transB, m, n, k, double.CreateTruncating(alpha), (double*)a, lda, (double*)b, ldb, double.CreateTruncating(beta), (double*)c, ldc);
            }

            return;
        }

        ManagedGemm.Run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, parallel);
    }

    /// <summary>The backend to use now: the thread override, else <see cref="Backend"/>, with Auto resolved.</summary>
    internal static MatMulBackend Resolve()
    {
        var b = t_override != 0 ? (MatMulBackend)(t_override - 1) : (MatMulBackend)_backend;
        return b switch
        {
            MatMulBackend.Managed => MatMulBackend.Managed,
            MatMulBackend.Native when NativeBlas.IsAvailable => MatMulBackend.Native,
            MatMulBackend.Native => throw new InvalidOperationException($"MatMul backend is Native but no native BLAS could be loaded ({NativeBlas.LoadError}). Install OpenBLAS (e.g. libopenblas0) or use MatMulBackend.Auto or Managed."),
            _ => NativeBlas.IsAvailable && !NativeBlas.IsOutdatedKernel ? MatMulBackend.Native : MatMulBackend.Managed,
        };
    }

    private static void CheckDefined(MatMulBackend value, string name)
    {
        if (value is not (MatMulBackend.Auto or MatMulBackend.Managed or MatMulBackend.Native))
        {
            throw new ArgumentOutOfRangeException(name, value, $"Gemm: {(int)value} is not a MatMulBackend (expected Auto, Managed or Native).");
        }
    }

    private static void Validate(bool transA, bool transB, int m, int n, int k, int aLen, int lda, int bLen, int ldb, int cLen, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
        {
            throw new ArgumentOutOfRangeException(m < 0 ? nameof(m) : n < 0 ? nameof(n) : nameof(k), $"Gemm: sizes must be >= 0, got m={m}, n={n}, k={k}.");
        }

        CheckMatrix("A", nameof(lda), transA ? k : m, transA ? m : k, aLen, lda);
        CheckMatrix("B", nameof(ldb), transB ? n : k, transB ? k : n, bLen, ldb);
        CheckMatrix("C", nameof(ldc), m, n, cLen, ldc);
    }

    private static void CheckMatrix(string name, string ldName, int rows, int cols, int length, int ld)
    {
        if (ld < Math.Max(1, cols))
        {
            throw new ArgumentOutOfRangeException(ldName, ld, $"Gemm: {ldName} = {ld} is less than the {cols} columns of the stored {rows}×{cols} matrix {name} (row-major).");
        }

        var need = rows == 0 || cols == 0 ? 0 : ((long)(rows - 1) * ld) + cols;
        if (length < need)
        {
            throw new ArgumentException($"Gemm: {name} has {length} elements but a {rows}×{cols} matrix with row stride {ld} needs {need}.", name.ToLowerInvariant());
        }
    }

    private sealed class BackendScope(int previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                t_override = previous;
            }
        }
    }
}

/// <summary>A register-blocked micro-kernel: C[MR×NR] (+)= α·Σₚ a[p, 0..MR)·b[p, 0..NR) over packed panels.</summary>
internal unsafe interface IGemmKernel<T>
    where T : unmanaged
{
    /// <summary>Rows of C per micro-tile.</summary>
    static abstract int MR { get; }

    /// <summary>Columns of C per micro-tile.</summary>
    static abstract int NR { get; }

    /// <summary>
    /// Computes acc = Σₚ a[p·MR + r]·b[p·NR + j] and writes C = α·acc (mode 0), C = C + α·acc (mode 1) or
    /// C = β·C + α·acc (mode 2) into the top-left <paramref name="mr"/>×<paramref name="nr"/> corner.
    /// </summary>
    static abstract void Run(int kc, T* a, T* b, T* c, int ldc, int mr, int nr, T alpha, T beta, int mode);

    /// <summary>
    /// As <see cref="Run"/> for a full MR-row tile whose A rows are read in place: a[r·lda + p] (no packing).
    /// </summary>
    static abstract void RunRows(int kc, T* a, nint lda, T* b, T* c, int ldc, int nr, T alpha, T beta, int mode);
}

/// <summary>The managed GEMM: packing, cache blocking, parallel split, GEMV special cases.</summary>
internal static unsafe class ManagedGemm
{
    /// <summary>Products with at least this many multiply-adds are split across cores.</summary>
    internal const long ParallelWork = 1L << 20;

    /// <summary>Products with at most this many multiply-adds use plain loops (no packing).</summary>
    internal const long TinyWork = 128;

    private const int KcMax = 256;
    private const int McMax = 192;
    private const int NcMax = 4096;

    /// <summary>Forces the Vector256 kernel on this thread (tests cover it on AVX-512 machines).</summary>
    [ThreadStatic]
    internal static bool ForceVector256;

    internal static bool UsesVector512 => Vector512.IsHardwareAccelerated && !ForceVector256;

    public static void Run<T>(bool transA, bool transB, int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc, bool parallel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0 || alpha == T.Zero)
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }

        var work = (long)m * n * k;
        parallel &= work >= ParallelWork && Parallelism.MaxThreads > 1;
        if (work <= TinyWork)
        {
            Naive(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        }
        else if (n == 1)
        {
            GemvColumn(transA, transB, m, k, alpha, a, lda, b, ldb, beta, c, ldc, parallel);
        }
        else if (m == 1)
        {
            GemvRow(transA, transB, n, k, alpha, a, lda, b, ldb, beta, c, parallel);
        }
        else if (UsesVector512)
        {
            Blocked<T, Kernel512<T>>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, parallel);
        }
        else
        {
            Blocked<T, Kernel256<T>>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, parallel);
        }
    }

    /// <summary>C ← β·C (β = 0 writes zeros without reading C).</summary>
    private static void ScaleC<T>(int m, int n, T beta, T* c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = 0; i < m; i++)
        {
            var row = new Span<T>(c + ((long)i * ldc), n);
            if (beta == T.Zero)
            {
                row.Clear();
            }
            else if (beta != T.One)
            {
                TensorPrimitives.Multiply(row, beta, row);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Combine<T>(T acc, T alpha, T beta, T* c)
        where T : unmanaged, IFloatingPointIeee754<T>
        => beta == T.Zero ? alpha * acc : (alpha * acc) + (beta * *c);

    private static void Naive<T>(bool transA, bool transB, int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long sa = transA ? 1 : lda, ka = transA ? lda : 1;
        long sb = transB ? ldb : 1, kb = transB ? 1 : ldb;
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var pa = a + (i * sa);
                var pb = b + (j * sb);
                var acc = T.Zero;
                for (var p = 0; p < k; p++)
                {
                    acc = T.FusedMultiplyAdd(pa[p * ka], pb[p * kb], acc);
                }

                var pc = c + ((long)i * ldc) + j;
                *pc = Combine(acc, alpha, beta, pc);
            }
        }
    }

    /// <summary>n = 1: C[:, 0] = α·op(A)·x + β·C[:, 0] with x = op(B)[:, 0].</summary>
    private static void GemvColumn<T>(bool transA, bool transB, int m, int k, T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc, bool parallel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // op(B) is k×1: element p lies at b[p] when B is stored 1×k (transB), else at b[p·ldb].
        var scratch = Scratch<T>.Rent(k + m);
        try
        {
            fixed (T* ps = scratch)
            {
                var x = transB || ldb == 1 ? b : Gather(b, ldb, k, ps);
                var y = ps + k;
                if (!transA)
                {
                    // y_i = ⟨A_i, x⟩: independent rows.
                    nint ia = (nint)a, ix = (nint)x, iy = (nint)y;
                    RowRanges(m, k, parallel, (s, cnt) =>
                    {
                        for (var i = s; i < s + cnt; i++)
                        {
                            ((T*)iy)[i] = TensorPrimitives.Dot(new ReadOnlySpan<T>((T*)ia + ((long)i * lda), k), new ReadOnlySpan<T>((T*)ix, k));
                        }
                    });
                }
                else
                {
                    // A stored k×m: y = Σ_p x_p·A_p (rows of the stored matrix), split by column segments.
                    Axpy(a, lda, x, k, m, y, parallel);
                }

                for (var i = 0; i < m; i++)
                {
                    var pc = c + ((long)i * ldc);
                    *pc = Combine(y[i], alpha, beta, pc);
                }
            }
        }
        finally
        {
            Scratch<T>.Return(scratch);
        }
    }

    /// <summary>m = 1: C[0, :] = α·x·op(B) + β·C[0, :] with x = op(A)[0, :].</summary>
    private static void GemvRow<T>(bool transA, bool transB, int n, int k, T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, bool parallel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var scratch = Scratch<T>.Rent(k + n);
        try
        {
            fixed (T* ps = scratch)
            {
                var x = !transA || lda == 1 ? a : Gather(a, lda, k, ps);
                var y = ps + k;
                if (transB)
                {
                    // B stored n×k: y_j = ⟨B_j, x⟩.
                    nint ib = (nint)b, ix = (nint)x, iy = (nint)y;
                    RowRanges(n, k, parallel, (s, cnt) =>
                    {
                        for (var j = s; j < s + cnt; j++)
                        {
                            ((T*)iy)[j] = TensorPrimitives.Dot(new ReadOnlySpan<T>((T*)ib + ((long)j * ldb), k), new ReadOnlySpan<T>((T*)ix, k));
                        }
                    });
                }
                else
                {
                    Axpy(b, ldb, x, k, n, y, parallel);
                }

                var row = new Span<T>(c, n);
                var yy = new ReadOnlySpan<T>(y, n);
                if (beta == T.Zero)
                {
                    TensorPrimitives.Multiply(yy, alpha, row);
                }
                else
                {
                    for (var j = 0; j < n; j++)
                    {
                        row[j] = (alpha * yy[j]) + (beta * row[j]);
                    }
                }
            }
        }
        finally
        {
            Scratch<T>.Return(scratch);
        }
    }

    private static T* Gather<T>(T* src, int stride, int count, T* dst)
        where T : unmanaged
    {
        for (var p = 0; p < count; p++)
        {
            dst[p] = src[(long)p * stride];
        }

        return dst;
    }

    /// <summary>y[0..len) = Σ_p x_p·M[p, 0..len) for a row-major k×len matrix M with row stride ld.</summary>
    private static void Axpy<T>(T* mat, int ld, T* x, int k, int len, T* y, bool parallel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var ip = (nint)mat;
        var ix = (nint)x;
        var iy = (nint)y;
        void Segment(int s, int cnt)
        {
            var dst = new Span<T>((T*)iy + s, cnt);
            dst.Clear();
            for (var p = 0; p < k; p++)
            {
                TensorPrimitives.FusedMultiplyAdd(new ReadOnlySpan<T>((T*)ip + ((long)p * ld) + s, cnt), ((T*)ix)[p], dst, dst);
            }
        }

        if (!parallel)
        {
            Segment(0, len);
            return;
        }

        // Fixed 256-column segments: boundaries depend on len only.
        const int Seg = 256;
        var segs = (len + Seg - 1) / Seg;
        Parallelism.For(segs, Math.Max(1, (int)(ParallelWork / 8 / ((long)k * Seg))), (s, cnt) =>
        {
            var start = s * Seg;
            Segment(start, Math.Min(len, (s + cnt) * Seg) - start);
        });
    }

    private static void RowRanges(int rows, int k, bool parallel, Action<int, int> body)
    {
        if (!parallel)
        {
            body(0, rows);
            return;
        }

        Parallelism.For(rows, Math.Max(1, (int)(ParallelWork / 8 / Math.Max(1, k))), body);
    }

    /// <summary>
    /// The blocked algorithm (Goto and van de Geijn, 2008). In parallel, C is cut into a grid of regions whose edges
    /// lie on the MR×NR micro-tile grid, and each region runs the whole blocked loop on its own (one parallel step, no
    /// barriers). Every output element is accumulated over the same KC blocks, in the same order and with the same
    /// store as in the serial loop, so results do not depend on the thread count or the grid.
    /// </summary>
    private static void Blocked<T, TK>(bool transA, bool transB, int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc, bool parallel)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
    {
        var mr = TK.MR;
        var nr = TK.NR;

        // KC splits k into equal blocks (the summation order depends on k alone).
        var kBlocks = (k + KcMax - 1) / KcMax;
        var kc = (k + kBlocks - 1) / kBlocks;

        if (!parallel)
        {
            Region<T, TK>(transA, transB, 0, m, 0, n, k, kc, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }

        // About two regions per thread: rows first (each row group re-packs B, a cheap copy), then columns.
        var target = 2 * Parallelism.MaxThreads;
        var rowPanels = (m + mr - 1) / mr;
        var colPanels = (n + nr - 1) / nr;
        var rGroups = Math.Clamp(rowPanels / 4, 1, target);
        var cGroups = Math.Clamp(colPanels / 2, 1, (target + rGroups - 1) / rGroups);
        var rowsPer = (rowPanels + rGroups - 1) / rGroups * mr;
        var colsPer = (colPanels + cGroups - 1) / cGroups * nr;
        rGroups = (m + rowsPer - 1) / rowsPer;
        cGroups = (n + colsPer - 1) / colsPer;
        nint ia = (nint)a, ib = (nint)b, ic = (nint)c;
        Parallelism.For(rGroups * cGroups, 1, (s, cnt) =>
        {
            for (var t = s; t < s + cnt; t++)
            {
                var i0 = t / cGroups * rowsPer;
                var j0 = t % cGroups * colsPer;
                Region<T, TK>(transA, transB, i0, Math.Min(m, i0 + rowsPer), j0, Math.Min(n, j0 + colsPer), k, kc, alpha, (T*)ia, lda, (T*)ib, ldb, beta, (T*)ic, ldc);
            }
        });
    }

    /// <summary>
    /// C[i0..i1, j0..j1) of the product: loops jc (NC columns), pc (KC depth: packs B), ic (MC rows: packs A), then
    /// NR-panels × MR-panels of micro-kernel calls. i0 and j0 lie on the micro-tile grid.
    /// </summary>
    private static void Region<T, TK>(bool transA, bool transB, int i0, int i1, int j0, int j1, int k, int kc, T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, IGemmKernel<T>
    {
        var mr = TK.MR;
        var nr = TK.NR;
        var m = i1 - i0;
        var n = j1 - j0;
        var mBlocks = (m + McMax - 1) / McMax;
        var mc = RoundUp((m + mBlocks - 1) / mBlocks, mr);
        var ncMax = Math.Min(NcMax, RoundUp(n, nr));
        var bBuf = Scratch<T>.Rent((ncMax * kc) + 64);
        var aBuf = Scratch<T>.RentA((mc * kc) + 64);
        try
        {
            fixed (T* bRaw = bBuf, aRaw = aBuf)
            {
                var pb = Align(bRaw);
                var pa = Align(aRaw);
                for (var jc = j0; jc < j1; jc += ncMax)
                {
                    var nc = Math.Min(ncMax, j1 - jc);
                    var nPanels = (nc + nr - 1) / nr;

                    // With few B panels each A panel is used once or twice: full MR-row panels are then read in place
                    // (a transposing pack would cost as much as the product); only a ragged last panel is packed.
                    var rowsA = !transA && nPanels <= 2;
                    for (var pc = 0; pc < k; pc += kc)
                    {
                        var kcur = Math.Min(kc, k - pc);
                        var mode = pc > 0 ? 1 : beta == T.Zero ? 0 : beta == T.One ? 1 : 2;
                        PackB(b, ldb, transB, pc, kcur, jc, nc, 0, nPanels, nr, pb);
                        for (var ib = i0; ib < i1; ib += mc)
                        {
                            var mcur = Math.Min(mc, i1 - ib);
                            var full = rowsA ? mcur / mr * mr : 0;
                            PackA(a, lda, transA, ib + full, mcur - full, pc, kcur, mr, pa);
                            for (var jp = 0; jp < nPanels; jp++)
                            {
                                var ncols = Math.Min(nr, nc - (jp * nr));
                                var bp = pb + ((long)jp * nr * kcur);
                                var cp = c + ((long)ib * ldc) + jc + (jp * nr);
                                for (var ir = 0; ir < mcur; ir += mr)
                                {
                                    if (ir < full)
                                    {
                                        TK.RunRows(kcur, a + ((long)(ib + ir) * lda) + pc, lda, bp, cp, ldc, ncols, alpha, beta, mode);
                                    }
                                    else
                                    {
                                        TK.Run(kcur, pa + ((long)(ir - full) * kcur), bp, cp, ldc, Math.Min(mr, mcur - ir), ncols, alpha, beta, mode);
                                    }

                                    cp += (long)mr * ldc;
                                }
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            Scratch<T>.ReturnA(aBuf);
            Scratch<T>.Return(bBuf);
        }
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    private static T* Align<T>(T* p)
        where T : unmanaged
    {
        var addr = (nint)p;
        return (T*)((addr + 63) & ~(nint)63);
    }

    /// <summary>
    /// Packs rows [i0, i0+mc) × cols [p0, p0+kc) of op(A) into MR-row micro-panels: panel r holds, for each p,
    /// MR consecutive values (zero-padded past the last row).
    /// </summary>
    internal static void PackA<T>(T* a, int lda, bool transA, int i0, int mc, int p0, int kc, int mr, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var ir = 0; ir < mc; ir += mr)
        {
            var rows = Math.Min(mr, mc - ir);
            var d = dst + ((long)ir * kc);
            if (transA)
            {
                // op(A)(i, p) = a[p·lda + i]: MR contiguous values per p.
                CopyRows(a + ((long)p0 * lda) + i0 + ir, lda, kc, rows, d, mr);
            }
            else
            {
                // op(A)(i, p) = a[i·lda + p]: a transpose.
                TransposeInto(a + ((long)(i0 + ir) * lda) + p0, lda, rows, kc, d, mr);
            }
        }
    }

    /// <summary>
    /// Packs NR-column micro-panels [panel0, panel0+count) of op(B) rows [p0, p0+kc) × cols [j0, j0+nc): panel q holds,
    /// for each p, NR consecutive values (zero-padded past the last column).
    /// </summary>
    internal static void PackB<T>(T* b, int ldb, bool transB, int p0, int kc, int j0, int nc, int panel0, int count, int nr, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var q = panel0; q < panel0 + count; q++)
        {
            var j = q * nr;
            var cols = Math.Min(nr, nc - j);
            var d = dst + ((long)q * nr * kc);
            if (!transB)
            {
                CopyRows(b + ((long)p0 * ldb) + j0 + j, ldb, kc, cols, d, nr);
            }
            else
            {
                // op(B)(p, j) = b[j·ldb + p]: a transpose.
                TransposeInto(b + ((long)(j0 + j) * ldb) + p0, ldb, cols, kc, d, nr);
            }
        }
    }

    /// <summary>dst[p·width + c] = src[p·ld + c] for c &lt; cols, zero for cols ≤ c &lt; width, over p &lt; rows.</summary>
    private static void CopyRows<T>(T* src, int ld, int rows, int cols, T* dst, int width)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var bytes = (uint)(cols * sizeof(T));
        for (var p = 0; p < rows; p++)
        {
            var d = dst + ((long)p * width);
            Unsafe.CopyBlockUnaligned(d, src + ((long)p * ld), bytes);
            if (cols < width)
            {
                new Span<T>(d + cols, width - cols).Clear();
            }
        }
    }

    /// <summary>
    /// dst[p·width + r] = src[r·ld + p] for r &lt; rows, p &lt; count; zero for rows ≤ r &lt; width. Blocks of 4×4 are
    /// transposed in registers (SSE for float32, AVX for float64) where the CPU allows.
    /// </summary>
    private static void TransposeInto<T>(T* src, int ld, int rows, int count, T* dst, int width)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = 0;
        var vector = typeof(T) == typeof(float) ? Sse.IsSupported : typeof(T) == typeof(double) && Avx.IsSupported;
        if (vector)
        {
            for (; r + 4 <= rows; r += 4)
            {
                var s0 = src + ((long)r * ld);
                var s1 = s0 + ld;
                var s2 = s1 + ld;
                var s3 = s2 + ld;
                var d = dst + r;
                var p = 0;
                for (; p + 4 <= count; p += 4)
                {
                    if (typeof(T) == typeof(float))
                    {
                        Transpose4((float*)s0 + p, (float*)s1 + p, (float*)s2 + p, (float*)s3 + p, (float*)d + (p * width), width);
                    }
                    else
                    {
                        Transpose4((double*)s0 + p, (double*)s1 + p, (double*)s2 + p, (double*)s3 + p, (double*)d + (p * width), width);
                    }
                }

                for (; p < count; p++)
                {
                    var dd = d + (p * width);
                    dd[0] = s0[p];
                    dd[1] = s1[p];
                    dd[2] = s2[p];
                    dd[3] = s3[p];
                }
            }
        }

        for (; r < rows; r++)
        {
            var s = src + ((long)r * ld);
            var d = dst + r;
            for (var p = 0; p < count; p++)
            {
                d[p * width] = s[p];
            }
        }

        for (r = rows; r < width; r++)
        {
            for (var p = 0; p < count; p++)
            {
                dst[(p * width) + r] = T.Zero;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4(float* s0, float* s1, float* s2, float* s3, float* d, int width)
    {
        var r0 = Sse.LoadVector128(s0);
        var r1 = Sse.LoadVector128(s1);
        var r2 = Sse.LoadVector128(s2);
        var r3 = Sse.LoadVector128(s3);
        var t0 = Sse.UnpackLow(r0, r1);
        var t1 = Sse.UnpackLow(r2, r3);
        var t2 = Sse.UnpackHigh(r0, r1);
        var t3 = Sse.UnpackHigh(r2, r3);
        Sse.Store(d, Sse.MoveLowToHigh(t0, t1));
        Sse.Store(d + width, Sse.MoveHighToLow(t1, t0));
        Sse.Store(d + (2 * width), Sse.MoveLowToHigh(t2, t3));
        Sse.Store(d + (3 * width), Sse.MoveHighToLow(t3, t2));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4(double* s0, double* s1, double* s2, double* s3, double* d, int width)
    {
        var r0 = Avx.LoadVector256(s0);
        var r1 = Avx.LoadVector256(s1);
        var r2 = Avx.LoadVector256(s2);
        var r3 = Avx.LoadVector256(s3);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        Avx.Store(d, Avx.Permute2x128(t0, t2, 0x20));
        Avx.Store(d + width, Avx.Permute2x128(t1, t3, 0x20));
        Avx.Store(d + (2 * width), Avx.Permute2x128(t0, t2, 0x31));
        Avx.Store(d + (3 * width), Avx.Permute2x128(t1, t3, 0x31));
    }

    /// <summary>Per-thread pinned packing buffers, reused across calls (rented, so re-entrant use allocates).</summary>
    private static class Scratch<T>
        where T : unmanaged
    {
        [ThreadStatic]
        private static T[]? t_main;

        [ThreadStatic]
        private static T[]? t_a;

        public static T[] Rent(int length) => Take(ref t_main, length);

        public static void Return(T[] buffer) => t_main = buffer;

        public static T[] RentA(int length) => Take(ref t_a, length);

        public static void ReturnA(T[] buffer) => t_a = buffer;

        private static T[] Take(ref T[]? slot, int length)
        {
            var buf = slot;
            slot = null;
            if (buf == null || buf.Length < length)
            {
                buf = GC.AllocateUninitializedArray<T>(Math.Max(length, 1024), pinned: true);
            }

            return buf;
        }
    }
}

/// <summary>AVX-512 micro-kernel: 12 rows × 2 Vector512 columns (24 accumulators).</summary>
internal readonly unsafe struct Kernel512<T> : IGemmKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => 12;

    public static int NR => 2 * Vector512<T>.Count;

    public static void Run(int kc, T* a, T* b, T* c, int ldc, int mr, int nr, T alpha, T beta, int mode)
    {
        if (nr <= Vector512<T>.Count)
        {
            NarrowPacked(kc, a, b, c, ldc, mr, nr, alpha, beta, mode);
        }
        else
        {
            WidePacked(kc, a, b, c, ldc, mr, nr, alpha, beta, mode);
        }
    }

    public static void RunRows(int kc, T* a, nint lda, T* b, T* c, int ldc, int nr, T alpha, T beta, int mode)
    {
        if (nr <= Vector512<T>.Count)
        {
            NarrowRows(kc, a, lda, b, c, ldc, 12, nr, alpha, beta, mode);
        }
        else
        {
            WideRows(kc, a, lda, b, c, ldc, 12, nr, alpha, beta, mode);
        }
    }

    /// <summary>12 rows × two vectors, packed A.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void WidePacked(int kc, T* a, T* b, T* c, int ldc, int mr, int nr, T alpha, T beta, int mode)
    {
        var w = Vector512<T>.Count;
        var t = stackalloc T[12 * 2 * Vector512<T>.Count]; // spill area for edge tiles (SkipLocalsInit: not zeroed)
        Vector512<T> c00 = default, c01 = default;
        Vector512<T> c10 = default, c11 = default;
        Vector512<T> c20 = default, c21 = default;
        Vector512<T> c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default;
        Vector512<T> c50 = default, c51 = default;
        Vector512<T> c60 = default, c61 = default;
        Vector512<T> c70 = default, c71 = default;
        Vector512<T> c80 = default, c81 = default;
        Vector512<T> c90 = default, c91 = default;
        Vector512<T> c100 = default, c101 = default;
        Vector512<T> c110 = default, c111 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + w);
            var a0 = Vector512.Create(a[0]);
            c00 = VecMath.Fma(a0, b0, c00);
            c01 = VecMath.Fma(a0, b1, c01);
            var a1 = Vector512.Create(a[1]);
            c10 = VecMath.Fma(a1, b0, c10);
            c11 = VecMath.Fma(a1, b1, c11);
            var a2 = Vector512.Create(a[2]);
            c20 = VecMath.Fma(a2, b0, c20);
            c21 = VecMath.Fma(a2, b1, c21);
            var a3 = Vector512.Create(a[3]);
            c30 = VecMath.Fma(a3, b0, c30);
            c31 = VecMath.Fma(a3, b1, c31);
            var a4 = Vector512.Create(a[4]);
            c40 = VecMath.Fma(a4, b0, c40);
            c41 = VecMath.Fma(a4, b1, c41);
            var a5 = Vector512.Create(a[5]);
            c50 = VecMath.Fma(a5, b0, c50);
            c51 = VecMath.Fma(a5, b1, c51);
            var a6 = Vector512.Create(a[6]);
            c60 = VecMath.Fma(a6, b0, c60);
            c61 = VecMath.Fma(a6, b1, c61);
            var a7 = Vector512.Create(a[7]);
            c70 = VecMath.Fma(a7, b0, c70);
            c71 = VecMath.Fma(a7, b1, c71);
            var a8 = Vector512.Create(a[8]);
            c80 = VecMath.Fma(a8, b0, c80);
            c81 = VecMath.Fma(a8, b1, c81);
            var a9 = Vector512.Create(a[9]);
            c90 = VecMath.Fma(a9, b0, c90);
            c91 = VecMath.Fma(a9, b1, c91);
            var a10 = Vector512.Create(a[10]);
            c100 = VecMath.Fma(a10, b0, c100);
            c101 = VecMath.Fma(a10, b1, c101);
            var a11 = Vector512.Create(a[11]);
            c110 = VecMath.Fma(a11, b0, c110);
            c111 = VecMath.Fma(a11, b1, c111);
            a += 12;
            b += 2 * w;
        }

        var va = Vector512.Create(alpha);
        var vb = Vector512.Create(beta);
        if (mr == 12 && nr == 2 * w)
        {
            Store(c + ((long)0 * ldc), c00, c01, va, vb, mode);
            Store(c + ((long)1 * ldc), c10, c11, va, vb, mode);
            Store(c + ((long)2 * ldc), c20, c21, va, vb, mode);
            Store(c + ((long)3 * ldc), c30, c31, va, vb, mode);
            Store(c + ((long)4 * ldc), c40, c41, va, vb, mode);
            Store(c + ((long)5 * ldc), c50, c51, va, vb, mode);
            Store(c + ((long)6 * ldc), c60, c61, va, vb, mode);
            Store(c + ((long)7 * ldc), c70, c71, va, vb, mode);
            Store(c + ((long)8 * ldc), c80, c81, va, vb, mode);
            Store(c + ((long)9 * ldc), c90, c91, va, vb, mode);
            Store(c + ((long)10 * ldc), c100, c101, va, vb, mode);
            Store(c + ((long)11 * ldc), c110, c111, va, vb, mode);
            return;
        }

        // Partial tile: spill α·acc to the stack, then combine the valid corner into C.
        Store(t + (0 * 2 * w), c00, c01, va, vb, 0);
        Store(t + (1 * 2 * w), c10, c11, va, vb, 0);
        Store(t + (2 * 2 * w), c20, c21, va, vb, 0);
        Store(t + (3 * 2 * w), c30, c31, va, vb, 0);
        Store(t + (4 * 2 * w), c40, c41, va, vb, 0);
        Store(t + (5 * 2 * w), c50, c51, va, vb, 0);
        Store(t + (6 * 2 * w), c60, c61, va, vb, 0);
        Store(t + (7 * 2 * w), c70, c71, va, vb, 0);
        Store(t + (8 * 2 * w), c80, c81, va, vb, 0);
        Store(t + (9 * 2 * w), c90, c91, va, vb, 0);
        Store(t + (10 * 2 * w), c100, c101, va, vb, 0);
        Store(t + (11 * 2 * w), c110, c111, va, vb, 0);
        GemmTile.Combine(t, 2 * w, c, ldc, mr, nr, beta, mode);
    }

    /// <summary>12 rows × two vectors, A read in place, rows lda apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void WideRows(int kc, T* a, nint lda, T* b, T* c, int ldc, int mr, int nr, T alpha, T beta, int mode)
    {
        var w = Vector512<T>.Count;
        var t = stackalloc T[12 * 2 * Vector512<T>.Count]; // spill area for edge tiles (SkipLocalsInit: not zeroed)
        var l2 = 2 * lda;
        var r0 = a + (0 * lda);
        var r3 = a + (3 * lda);
        var r6 = a + (6 * lda);
        var r9 = a + (9 * lda);
        Vector512<T> c00 = default, c01 = default;
        Vector512<T> c10 = default, c11 = default;
        Vector512<T> c20 = default, c21 = default;
        Vector512<T> c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default;
        Vector512<T> c50 = default, c51 = default;
        Vector512<T> c60 = default, c61 = default;
        Vector512<T> c70 = default, c71 = default;
        Vector512<T> c80 = default, c81 = default;
        Vector512<T> c90 = default, c91 = default;
        Vector512<T> c100 = default, c101 = default;
        Vector512<T> c110 = default, c111 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + w);
            var a0 = Vector512.Create(r0[0]);
            c00 = VecMath.Fma(a0, b0, c00);
            c01 = VecMath.Fma(a0, b1, c01);
            var a1 = Vector512.Create(r0[lda]);
            c10 = VecMath.Fma(a1, b0, c10);
            c11 = VecMath.Fma(a1, b1, c11);
            var a2 = Vector512.Create(r0[l2]);
            c20 = VecMath.Fma(a2, b0, c20);
            c21 = VecMath.Fma(a2, b1, c21);
            var a3 = Vector512.Create(r3[0]);
            c30 = VecMath.Fma(a3, b0, c30);
            c31 = VecMath.Fma(a3, b1, c31);
            var a4 = Vector512.Create(r3[lda]);
            c40 = VecMath.Fma(a4, b0, c40);
            c41 = VecMath.Fma(a4, b1, c41);
            var a5 = Vector512.Create(r3[l2]);
            c50 = VecMath.Fma(a5, b0, c50);
            c51 = VecMath.Fma(a5, b1, c51);
            var a6 = Vector512.Create(r6[0]);
            c60 = VecMath.Fma(a6, b0, c60);
            c61 = VecMath.Fma(a6, b1, c61);
            var a7 = Vector512.Create(r6[lda]);
            c70 = VecMath.Fma(a7, b0, c70);
            c71 = VecMath.Fma(a7, b1, c71);
            var a8 = Vector512.Create(r6[l2]);
            c80 = VecMath.Fma(a8, b0, c80);
            c81 = VecMath.Fma(a8, b1, c81);
            var a9 = Vector512.Create(r9[0]);
            c90 = VecMath.Fma(a9, b0, c90);
            c91 = VecMath.Fma(a9, b1, c91);
            var a10 = Vector512.Create(r9[lda]);
            c100 = VecMath.Fma(a10, b0, c100);
            c101 = VecMath.Fma(a10, b1, c101);
            var a11 = Vector512.Create(r9[l2]);
            c110 = VecMath.Fma(a11, b0, c110);
            c111 = VecMath.Fma(a11, b1, c111);
            r0++;
            r3++;
            r6++;
            r9++;
            b += 2 * w;
        }

        var va = Vector512.Create(alpha);
        var vb = Vector512.Create(beta);
        if (mr == 12 && nr == 2 * w)
        {
            Store(c + ((long)0 * ldc), c00, c01, va, vb, mode);
            Store(c + ((long)1 * ldc), c10, c11, va, vb, mode);
            Store(c + ((long)2 * ldc), c20, c21, va, vb, mode);
            Store(c + ((long)3 * ldc), c30, c31, va, vb, mode);
            Store(c + ((long)4 * ldc), c40, c41, va, vb, mode);
            Store(c + ((long)5 * ldc), c50, c51, va, vb, mode);
            Store(c + ((long)6 * ldc), c60, c61, va, vb, mode);
            Store(c + ((long)7 * ldc), c70, c71, va, vb, mode);
            Store(c + ((long)8 * ldc), c80, c81, va, vb, mode);
            Store(c + ((long)9 * ldc), c90, c91, va, vb, mode);
            Store(c + ((long)10 * ldc), c100, c101, va, vb, mode);
            Store(c + ((long)11 * ldc), c110, c111, va, vb, mode);
            return;
        }

        // Partial tile: spill α·acc to the stack, then combine the valid corner into C.
        Store(t + (0 * 2 * w), c00, c01, va, vb, 0);
        Store(t + (1 * 2 * w), c10, c11, va, vb, 0);
        Store(t + (2 * 2 * w), c20, c21, va, vb, 0);
        Store(t + (3 * 2 * w), c30, c31, va, vb, 0);
        Store(t + (4 * 2 * w), c40, c41, va, vb, 0);
        Store(t + (5 * 2 * w), c50, c51, va, vb, 0);
        Store(t + (6 * 2 * w), c60, c61, va, vb, 0);
        Store(t + (7 * 2 * w), c70, c71, va, vb, 0);
        Store(t + (8 * 2 * w), c80, c81, va, vb, 0);
        Store(t + (9 * 2 * w), c90, c91, va, vb, 0);
        Store(t + (10 * 2 * w), c100, c101, va, vb, 0);
        Store(t + (11 * 2 * w), c110, c111, va, vb, 0);
        GemmTile.Combine(t, 2 * w, c, ldc, mr, nr, beta, mode);
    }

    /// <summary>12 rows × one vector (nr ≤ one vector), packed A.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void NarrowPacked(int kc, T* a, T* b, T* c, int ldc, int mr, int nr, T alpha, T beta, int mode)
    {
        var w = Vector512<T>.Count;
        var t = stackalloc T[12 * 2 * Vector512<T>.Count]; // spill area for edge tiles (SkipLocalsInit: not zeroed)
        Vector512<T> c00 = default;
        Vector512<T> c10 = default;
        Vector512<T> c20 = default;
        Vector512<T> c30 = default;
        Vector512<T> c40 = default;
        Vector512<T> c50 = default;
        Vector512<T> c60 = default;
        Vector512<T> c70 = default;
        Vector512<T> c80 = default;
        Vector512<T> c90 = default;
        Vector512<T> c100 = default;
        Vector512<T> c110 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var a0 = Vector512.Create(a[0]);
            c00 = VecMath.Fma(a0, b0, c00);
            var a1 = Vector512.Create(a[1]);
            c10 = VecMath.Fma(a1, b0, c10);
            var a2 = Vector512.Create(a[2]);
            c20 = VecMath.Fma(a2, b0, c20);
            var a3 = Vector512.Create(a[3]);
            c30 = VecMath.Fma(a3, b0, c30);
            var a4 = Vector512.Create(a[4]);
            c40 = VecMath.Fma(a4, b0, c40);
            var a5 = Vector512.Create(a[5]);
            c50 = VecMath.Fma(a5, b0, c50);
            var a6 = Vector512.Create(a[6]);
            c60 = VecMath.Fma(a6, b0, c60);
            var a7 = Vector512.Create(a[7]);
            c70 = VecMath.Fma(a7, b0, c70);
            var a8 = Vector512.Create(a[8]);
            c80 = VecMath.Fma(a8, b0, c80);
            var a9 = Vector512.Create(a[9]);
            c90 = VecMath.Fma(a9, b0, c90);
            var a10 = Vector512.Create(a[10]);
            c100 = VecMath.Fma(a10, b0, c100);
            var a11 = Vector512.Create(a[11]);
            c110 = VecMath.Fma(a11, b0, c110);
            a += 12;
            b += 2 * w;
        }

        var va = Vector512.Create(alpha);
        (c00 * va).Store(t + (0 * 2 * w));
        (c10 * va).Store(t + (1 * 2 * w));
        (c20 * va).Store(t + (2 * 2 * w));
        (c30 * va).Store(t + (3 * 2 * w));
        (c40 * va).Store(t + (4 * 2 * w));
        (c50 * va).Store(t + (5 * 2 * w));
        (c60 * va).Store(t + (6 * 2 * w));
        (c70 * va).Store(t + (7 * 2 * w));
        (c80 * va).Store(t + (8 * 2 * w));
        (c90 * va).Store(t + (9 * 2 * w));
        (c100 * va).Store(t + (10 * 2 * w));
        (c110 * va).Store(t + (11 * 2 * w));
        GemmTile.Combine(t, 2 * w, c, ldc, mr, nr, beta, mode);
    }

    /// <summary>12 rows × one vector (nr ≤ one vector), A read in place, rows lda apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void NarrowRows(int kc, T* a, nint lda, T* b, T* c, int ldc, int mr, int nr, T alpha, T beta, int mode)
    {
        var w = Vector512<T>.Count;
        var t = stackalloc T[12 * 2 * Vector512<T>.Count]; // spill area for edge tiles (SkipLocalsInit: not zeroed)
        var l2 = 2 * lda;
        var r0 = a + (0 * lda);
        var r3 = a + (3 * lda);
        var r6 = a + (6 * lda);
        var r9 = a + (9 * lda);
        Vector512<T> c00 = default;
        Vector512<T> c10 = default;
        Vector512<T> c20 = default;
        Vector512<T> c30 = default;
        Vector512<T> c40 = default;
        Vector512<T> c50 = default;
        Vector512<T> c60 = default;
        Vector512<T> c70 = default;
        Vector512<T> c80 = default;
        Vector512<T> c90 = default;
        Vector512<T> c100 = default;
        Vector512<T> c110 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var a0 = Vector512.Create(r0[0]);
            c00 = VecMath.Fma(a0, b0, c00);
            var a1 = Vector512.Create(r0[lda]);
            c10 = VecMath.Fma(a1, b0, c10);
            var a2 = Vector512.Create(r0[l2]);
            c20 = VecMath.Fma(a2, b0, c20);
            var a3 = Vector512.Create(r3[0]);
            c30 = VecMath.Fma(a3, b0, c30);
            var a4 = Vector512.Create(r3[lda]);
            c40 = VecMath.Fma(a4, b0, c40);
            var a5 = Vector512.Create(r3[l2]);
            c50 = VecMath.Fma(a5, b0, c50);
            var a6 = Vector512.Create(r6[0]);
            c60 = VecMath.Fma(a6, b0, c60);
            var a7 = Vector512.Create(r6[lda]);
            c70 = VecMath.Fma(a7, b0, c70);
            var a8 = Vector512.Create(r6[l2]);
            c80 = VecMath.Fma(a8, b0, c80);
            var a9 = Vector512.Create(r9[0]);
            c90 = VecMath.Fma(a9, b0, c90);
            var a10 = Vector512.Create(r9[lda]);
            c100 = VecMath.Fma(a10, b0, c100);
            var a11 = Vector512.Create(r9[l2]);
            c110 = VecMath.Fma(a11, b0, c110);
            r0++;
            r3++;
            r6++;
            r9++;
            b += 2 * w;
        }

        var va = Vector512.Create(alpha);
        (c00 * va).Store(t + (0 * 2 * w));
        (c10 * va).Store(t + (1 * 2 * w));
        (c20 * va).Store(t + (2 * 2 * w));
        (c30 * va).Store(t + (3 * 2 * w));
        (c40 * va).Store(t + (4 * 2 * w));
        (c50 * va).Store(t + (5 * 2 * w));
        (c60 * va).Store(t + (6 * 2 * w));
        (c70 * va).Store(t + (7 * 2 * w));
        (c80 * va).Store(t + (8 * 2 * w));
        (c90 * va).Store(t + (9 * 2 * w));
        (c100 * va).Store(t + (10 * 2 * w));
        (c110 * va).Store(t + (11 * 2 * w));
        GemmTile.Combine(t, 2 * w, c, ldc, mr, nr, beta, mode);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(T* c, Vector512<T> x0, Vector512<T> x1, Vector512<T> va, Vector512<T> vb, int mode)
    {
        var w = Vector512<T>.Count;
        if (mode == 0)
        {
            (x0 * va).Store(c);
            (x1 * va).Store(c + w);
        }
        else if (mode == 1)
        {
            VecMath.Fma(x0, va, Vector512.Load(c)).Store(c);
            VecMath.Fma(x1, va, Vector512.Load(c + w)).Store(c + w);
        }
        else
        {
            VecMath.Fma(x0, va, Vector512.Load(c) * vb).Store(c);
            VecMath.Fma(x1, va, Vector512.Load(c + w) * vb).Store(c + w);
        }
    }
}

/// <summary>AVX2 / portable micro-kernel: 6 rows × 2 Vector256 columns (12 accumulators).</summary>
internal readonly unsafe struct Kernel256<T> : IGemmKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => 6;

    public static int NR => 2 * Vector256<T>.Count;

    public static void Run(int kc, T* a, T* b, T* c, int ldc, int mr, int nr, T alpha, T beta, int mode)
    {
        if (nr <= Vector256<T>.Count)
        {
            NarrowPacked(kc, a, b, c, ldc, mr, nr, alpha, beta, mode);
        }
        else
        {
            WidePacked(kc, a, b, c, ldc, mr, nr, alpha, beta, mode);
        }
    }

    public static void RunRows(int kc, T* a, nint lda, T* b, T* c, int ldc, int nr, T alpha, T beta, int mode)
    {
        if (nr <= Vector256<T>.Count)
        {
            NarrowRows(kc, a, lda, b, c, ldc, 6, nr, alpha, beta, mode);
        }
        else
        {
            WideRows(kc, a, lda, b, c, ldc, 6, nr, alpha, beta, mode);
        }
    }

    /// <summary>6 rows × two vectors, packed A.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void WidePacked(int kc, T* a, T* b, T* c, int ldc, int mr, int nr, T alpha, T beta, int mode)
    {
        var w = Vector256<T>.Count;
        var t = stackalloc T[6 * 2 * Vector256<T>.Count]; // spill area for edge tiles (SkipLocalsInit: not zeroed)
        Vector256<T> c00 = default, c01 = default;
        Vector256<T> c10 = default, c11 = default;
        Vector256<T> c20 = default, c21 = default;
        Vector256<T> c30 = default, c31 = default;
        Vector256<T> c40 = default, c41 = default;
        Vector256<T> c50 = default, c51 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + w);
            var a0 = Vector256.Create(a[0]);
            c00 = VecMath.Fma(a0, b0, c00);
            c01 = VecMath.Fma(a0, b1, c01);
            var a1 = Vector256.Create(a[1]);
            c10 = VecMath.Fma(a1, b0, c10);
            c11 = VecMath.Fma(a1, b1, c11);
            var a2 = Vector256.Create(a[2]);
            c20 = VecMath.Fma(a2, b0, c20);
            c21 = VecMath.Fma(a2, b1, c21);
            var a3 = Vector256.Create(a[3]);
            c30 = VecMath.Fma(a3, b0, c30);
            c31 = VecMath.Fma(a3, b1, c31);
            var a4 = Vector256.Create(a[4]);
            c40 = VecMath.Fma(a4, b0, c40);
            c41 = VecMath.Fma(a4, b1, c41);
            var a5 = Vector256.Create(a[5]);
            c50 = VecMath.Fma(a5, b0, c50);
            c51 = VecMath.Fma(a5, b1, c51);
            a += 6;
            b += 2 * w;
        }

        var va = Vector256.Create(alpha);
        var vb = Vector256.Create(beta);
        if (mr == 6 && nr == 2 * w)
        {
            Store(c + ((long)0 * ldc), c00, c01, va, vb, mode);
            Store(c + ((long)1 * ldc), c10, c11, va, vb, mode);
            Store(c + ((long)2 * ldc), c20, c21, va, vb, mode);
            Store(c + ((long)3 * ldc), c30, c31, va, vb, mode);
            Store(c + ((long)4 * ldc), c40, c41, va, vb, mode);
            Store(c + ((long)5 * ldc), c50, c51, va, vb, mode);
            return;
        }

        // Partial tile: spill α·acc to the stack, then combine the valid corner into C.
        Store(t + (0 * 2 * w), c00, c01, va, vb, 0);
        Store(t + (1 * 2 * w), c10, c11, va, vb, 0);
        Store(t + (2 * 2 * w), c20, c21, va, vb, 0);
        Store(t + (3 * 2 * w), c30, c31, va, vb, 0);
        Store(t + (4 * 2 * w), c40, c41, va, vb, 0);
        Store(t + (5 * 2 * w), c50, c51, va, vb, 0);
        GemmTile.Combine(t, 2 * w, c, ldc, mr, nr, beta, mode);
    }

    /// <summary>6 rows × two vectors, A read in place, rows lda apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void WideRows(int kc, T* a, nint lda, T* b, T* c, int ldc, int mr, int nr, T alpha, T beta, int mode)
    {
        var w = Vector256<T>.Count;
        var t = stackalloc T[6 * 2 * Vector256<T>.Count]; // spill area for edge tiles (SkipLocalsInit: not zeroed)
        var l2 = 2 * lda;
        var r0 = a + (0 * lda);
        var r3 = a + (3 * lda);
        Vector256<T> c00 = default, c01 = default;
        Vector256<T> c10 = default, c11 = default;
        Vector256<T> c20 = default, c21 = default;
        Vector256<T> c30 = default, c31 = default;
        Vector256<T> c40 = default, c41 = default;
        Vector256<T> c50 = default, c51 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + w);
            var a0 = Vector256.Create(r0[0]);
            c00 = VecMath.Fma(a0, b0, c00);
            c01 = VecMath.Fma(a0, b1, c01);
            var a1 = Vector256.Create(r0[lda]);
            c10 = VecMath.Fma(a1, b0, c10);
            c11 = VecMath.Fma(a1, b1, c11);
            var a2 = Vector256.Create(r0[l2]);
            c20 = VecMath.Fma(a2, b0, c20);
            c21 = VecMath.Fma(a2, b1, c21);
            var a3 = Vector256.Create(r3[0]);
            c30 = VecMath.Fma(a3, b0, c30);
            c31 = VecMath.Fma(a3, b1, c31);
            var a4 = Vector256.Create(r3[lda]);
            c40 = VecMath.Fma(a4, b0, c40);
            c41 = VecMath.Fma(a4, b1, c41);
            var a5 = Vector256.Create(r3[l2]);
            c50 = VecMath.Fma(a5, b0, c50);
            c51 = VecMath.Fma(a5, b1, c51);
            r0++;
            r3++;
            b += 2 * w;
        }

        var va = Vector256.Create(alpha);
        var vb = Vector256.Create(beta);
        if (mr == 6 && nr == 2 * w)
        {
            Store(c + ((long)0 * ldc), c00, c01, va, vb, mode);
            Store(c + ((long)1 * ldc), c10, c11, va, vb, mode);
            Store(c + ((long)2 * ldc), c20, c21, va, vb, mode);
            Store(c + ((long)3 * ldc), c30, c31, va, vb, mode);
            Store(c + ((long)4 * ldc), c40, c41, va, vb, mode);
            Store(c + ((long)5 * ldc), c50, c51, va, vb, mode);
            return;
        }

        // Partial tile: spill α·acc to the stack, then combine the valid corner into C.
        Store(t + (0 * 2 * w), c00, c01, va, vb, 0);
        Store(t + (1 * 2 * w), c10, c11, va, vb, 0);
        Store(t + (2 * 2 * w), c20, c21, va, vb, 0);
        Store(t + (3 * 2 * w), c30, c31, va, vb, 0);
        Store(t + (4 * 2 * w), c40, c41, va, vb, 0);
        Store(t + (5 * 2 * w), c50, c51, va, vb, 0);
        GemmTile.Combine(t, 2 * w, c, ldc, mr, nr, beta, mode);
    }

    /// <summary>6 rows × one vector (nr ≤ one vector), packed A.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void NarrowPacked(int kc, T* a, T* b, T* c, int ldc, int mr, int nr, T alpha, T beta, int mode)
    {
        var w = Vector256<T>.Count;
        var t = stackalloc T[6 * 2 * Vector256<T>.Count]; // spill area for edge tiles (SkipLocalsInit: not zeroed)
        Vector256<T> c00 = default;
        Vector256<T> c10 = default;
        Vector256<T> c20 = default;
        Vector256<T> c30 = default;
        Vector256<T> c40 = default;
        Vector256<T> c50 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var a0 = Vector256.Create(a[0]);
            c00 = VecMath.Fma(a0, b0, c00);
            var a1 = Vector256.Create(a[1]);
            c10 = VecMath.Fma(a1, b0, c10);
            var a2 = Vector256.Create(a[2]);
            c20 = VecMath.Fma(a2, b0, c20);
            var a3 = Vector256.Create(a[3]);
            c30 = VecMath.Fma(a3, b0, c30);
            var a4 = Vector256.Create(a[4]);
            c40 = VecMath.Fma(a4, b0, c40);
            var a5 = Vector256.Create(a[5]);
            c50 = VecMath.Fma(a5, b0, c50);
            a += 6;
            b += 2 * w;
        }

        var va = Vector256.Create(alpha);
        (c00 * va).Store(t + (0 * 2 * w));
        (c10 * va).Store(t + (1 * 2 * w));
        (c20 * va).Store(t + (2 * 2 * w));
        (c30 * va).Store(t + (3 * 2 * w));
        (c40 * va).Store(t + (4 * 2 * w));
        (c50 * va).Store(t + (5 * 2 * w));
        GemmTile.Combine(t, 2 * w, c, ldc, mr, nr, beta, mode);
    }

    /// <summary>6 rows × one vector (nr ≤ one vector), A read in place, rows lda apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void NarrowRows(int kc, T* a, nint lda, T* b, T* c, int ldc, int mr, int nr, T alpha, T beta, int mode)
    {
        var w = Vector256<T>.Count;
        var t = stackalloc T[6 * 2 * Vector256<T>.Count]; // spill area for edge tiles (SkipLocalsInit: not zeroed)
        var l2 = 2 * lda;
        var r0 = a + (0 * lda);
        var r3 = a + (3 * lda);
        Vector256<T> c00 = default;
        Vector256<T> c10 = default;
        Vector256<T> c20 = default;
        Vector256<T> c30 = default;
        Vector256<T> c40 = default;
        Vector256<T> c50 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var a0 = Vector256.Create(r0[0]);
            c00 = VecMath.Fma(a0, b0, c00);
            var a1 = Vector256.Create(r0[lda]);
            c10 = VecMath.Fma(a1, b0, c10);
            var a2 = Vector256.Create(r0[l2]);
            c20 = VecMath.Fma(a2, b0, c20);
            var a3 = Vector256.Create(r3[0]);
            c30 = VecMath.Fma(a3, b0, c30);
            var a4 = Vector256.Create(r3[lda]);
            c40 = VecMath.Fma(a4, b0, c40);
            var a5 = Vector256.Create(r3[l2]);
            c50 = VecMath.Fma(a5, b0, c50);
            r0++;
            r3++;
            b += 2 * w;
        }

        var va = Vector256.Create(alpha);
        (c00 * va).Store(t + (0 * 2 * w));
        (c10 * va).Store(t + (1 * 2 * w));
        (c20 * va).Store(t + (2 * 2 * w));
        (c30 * va).Store(t + (3 * 2 * w));
        (c40 * va).Store(t + (4 * 2 * w));
        (c50 * va).Store(t + (5 * 2 * w));
        GemmTile.Combine(t, 2 * w, c, ldc, mr, nr, beta, mode);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(T* c, Vector256<T> x0, Vector256<T> x1, Vector256<T> va, Vector256<T> vb, int mode)
    {
        var w = Vector256<T>.Count;
        if (mode == 0)
        {
            (x0 * va).Store(c);
            (x1 * va).Store(c + w);
        }
        else if (mode == 1)
        {
            VecMath.Fma(x0, va, Vector256.Load(c)).Store(c);
            VecMath.Fma(x1, va, Vector256.Load(c + w)).Store(c + w);
        }
        else
        {
            VecMath.Fma(x0, va, Vector256.Load(c) * vb).Store(c);
            VecMath.Fma(x1, va, Vector256.Load(c + w) * vb).Store(c + w);
        }
    }
}


/// <summary>Scalar combination of a spilled micro-tile into C (edge tiles).</summary>
internal static unsafe class GemmTile
{
    /// <summary>C[r, j] = t (mode 0), C + t (mode 1) or β·C + t (mode 2) for the valid mr×nr corner; t already holds α·acc.</summary>
    public static void Combine<T>(T* t, int ldt, T* c, int ldc, int mr, int nr, T beta, int mode)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var r = 0; r < mr; r++)
        {
            var src = t + (r * ldt);
            var dst = c + ((long)r * ldc);
            if (mode == 0)
            {
                Unsafe.CopyBlockUnaligned(dst, src, (uint)(nr * sizeof(T)));
            }
            else if (mode == 1)
            {
                for (var j = 0; j < nr; j++)
                {
                    dst[j] += src[j];
                }
            }
            else
            {
                for (var j = 0; j < nr; j++)
                {
                    dst[j] = (beta * dst[j]) + src[j];
                }
            }
        }
    }
}

/// <summary>FMA helpers that fold to one instruction where the CPU has fused multiply-add (else multiply then add).</summary>
internal static class VecMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Fma<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            }

            if (typeof(T) == typeof(double))
            {
                return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
            }
        }

        return (a * b) + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Fma<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c)
    {
        if (System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            }

            if (typeof(T) == typeof(double))
            {
                return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
            }
        }

        return (a * b) + c;
    }
}
