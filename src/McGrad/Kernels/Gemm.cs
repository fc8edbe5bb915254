using System.Numerics;

namespace McGrad.Kernels;

/// <summary>Which implementation computes matrix products (<see cref="Gemm"/>, <c>Tensor.MatMul</c>).</summary>
public enum MatMulBackend
{
    /// <summary>
    /// The native BLAS when it is an optimised library McGrad can identify (<see cref="Gemm.NativeLibraryKind"/>: OpenBLAS,
    /// MKL or BLIS) and the product is large (m·n·k ≥ <see cref="Gemm.AutoNativeMinWork"/>), else the managed kernel.
    /// Small products stay managed because the native call's overhead and its threads' hand-offs dominate there (measured
    /// on the 2-core machine: 128×64×64 float32 takes 21–24 µs managed against 38–80 µs in OpenBLAS). Not chosen: an unidentified CBLAS such as the netlib reference BLAS (Debian's
    /// default <c>libblas.so.3</c>, many times slower than the managed kernel), and an OpenBLAS that fell back to pre-AVX2
    /// kernels on an AVX2/FMA CPU (see <see cref="Gemm.NativeCoreName"/> and <see cref="Gemm.ConfigureNative"/>).
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
/// <para>
/// The native library is loaded on first use (the first product, or the first read of a <c>Native…</c> property). Loading
/// changes nothing in the environment; OpenBLAS picks its kernels from the CPU model number and falls back to slow pre-AVX2
/// kernels on CPUs it does not know (virtual machines often report a generic model). An application that wants the right
/// kernels there calls <see cref="ConfigureNative"/> once at startup, before any matrix product:
/// <code>if (Gemm.SuggestedOpenBlasCoreType is { } core) Gemm.ConfigureNative(core); // keeps a user-set OPENBLAS_CORETYPE</code>
/// The Lab and McGrad's test suite do exactly that.
/// </para>
/// <para>
/// The managed kernel packs panels of A and B, runs a register-blocked Vector512/Vector256 micro-kernel with fused
/// multiply-add where the CPU has it, and splits large products across cores with <see cref="Parallelism"/>; every
/// output element is summed in an order fixed by the shapes alone, so results are bit-identical for any
/// <see cref="Parallelism.MaxThreads"/>. The native library manages its own threads.
/// </para>
/// </remarks>
public static class Gemm
{
    private static volatile int _backend = (int)MatMulBackend.Auto;

    private static readonly AsyncLocal<int> Override = new(); // 0: none, else (int)backend + 1

    /// <summary>
    /// The process-wide default backend for matrix products (default <see cref="MatMulBackend.Auto"/>); a
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

    /// <summary>Which native library loaded: OpenBLAS, MKL, BLIS, an unidentified CBLAS (e.g. the netlib reference), or none.</summary>
    public static NativeBlasKind NativeLibraryKind => NativeBlas.Kind;

    /// <summary>
    /// The kernel set OpenBLAS picked for this CPU (<c>openblas_get_corename()</c>, e.g. "SkylakeX", or "Prescott" when it
    /// did not recognise the CPU; the environment variable <c>OPENBLAS_CORETYPE</c> overrides it); null for other libraries.
    /// </summary>
    public static string? NativeCoreName => NativeBlas.CoreName;

    /// <summary>
    /// The OPENBLAS_CORETYPE value <see cref="ConfigureNative"/> set (e.g. "SkylakeX"); null when it was not called or
    /// kept a value the user had set.
    /// </summary>
    public static string? NativeCoreTypeHint => NativeBlas.CoreTypeSet;

    /// <summary>
    /// The OpenBLAS kernel set that suits this CPU by the instruction sets .NET detects: "SkylakeX" with AVX-512
    /// F/BW/DQ/VL, "Haswell" with AVX2 and FMA; null otherwise (leave the choice to OpenBLAS). Pass it to
    /// <see cref="ConfigureNative"/>.
    /// </summary>
    public static string? SuggestedOpenBlasCoreType => NativeBlas.SuggestedCoreType;

    /// <summary>
    /// Configures the native BLAS before it loads: sets the environment variable <c>OPENBLAS_CORETYPE</c> (read by OpenBLAS
    /// when it loads) to <paramref name="openBlasCoreType"/>, unless the variable is already set and
    /// <paramref name="overwrite"/> is false. Call it once at startup, before the first matrix product and before reading
    /// any <c>Native…</c> property; other libraries ignore the variable. Returns whether the variable was set.
    /// </summary>
    /// <remarks>
    /// Why: OpenBLAS chooses kernels from the CPU model number and runs pre-AVX2 "Prescott" kernels on CPUs it does not
    /// recognise (common in virtual machines), several times slower than McGrad's managed kernel; Auto then avoids it.
    /// Naming the kernel set (<see cref="SuggestedOpenBlasCoreType"/>) restores its speed. McGrad never sets the variable
    /// on its own.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="openBlasCoreType"/> is empty, or contains '=' or a NUL.</exception>
    /// <exception cref="InvalidOperationException">The native library is already loaded (too late to take effect), or the
    /// platform has no <c>setenv</c>.</exception>
    public static bool ConfigureNative(string openBlasCoreType, bool overwrite = false) => NativeBlas.Configure(openBlasCoreType, overwrite);

    /// <summary>Whether a native CBLAS with <c>cblas_sgemm</c> and <c>cblas_dgemm</c> loaded (identified or not).</summary>
    public static bool IsNativeAvailable => NativeBlas.IsAvailable;

    /// <summary>The backend that a product started now, in this flow of execution, would use (never <see cref="MatMulBackend.Auto"/>).</summary>
    /// <exception cref="InvalidOperationException">The selected backend is Native and no native BLAS loaded.</exception>
    public static MatMulBackend EffectiveBackend => Resolve(long.MaxValue);

    /// <summary>Under <see cref="MatMulBackend.Auto"/>, products with m·n·k below this run on the managed kernel (256³).</summary>
    public const long AutoNativeMinWork = 1L << 24;

    /// <summary>
    /// Overrides <see cref="Backend"/> for this flow of execution until the returned scope is disposed (scopes nest);
    /// lets tests and benchmarks force one path without affecting other threads. Like <see cref="Parallelism.UseMaxThreads"/>
    /// the override is held in an <see cref="AsyncLocal{T}"/>: it follows <c>await</c> and tasks started inside the scope.
    /// </summary>
    /// <example><code>using (Gemm.UseBackend(MatMulBackend.Managed)) { var y = a.MatMul(b); }</code></example>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="backend"/> is not a defined value.</exception>
    public static IDisposable UseBackend(MatMulBackend backend)
    {
        CheckDefined(backend, nameof(backend));
        var scope = new BackendScope(Override.Value);
        Override.Value = (int)backend + 1;
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
            Run(Resolve((long)m * n * k), transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, parallel: true);
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
            Run(Resolve((long)m * n * k), transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, parallel: true);
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

        var work = (long)m * n * Math.Max(k, 1);
        var backend = Resolve(work);
        var lda = transA ? m : k;
        var ldb = transB ? k : n;
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

    /// <summary>The backend to use now for a product of m·n·k = <paramref name="work"/>: the scoped override, else <see cref="Backend"/>, with Auto resolved.</summary>
    internal static MatMulBackend Resolve(long work)
    {
        var o = Override.Value;
        var b = o != 0 ? (MatMulBackend)(o - 1) : (MatMulBackend)_backend;
        return b switch
        {
            MatMulBackend.Managed => MatMulBackend.Managed,
            MatMulBackend.Native when NativeBlas.IsAvailable => MatMulBackend.Native,
            MatMulBackend.Native => throw new InvalidOperationException($"MatMul backend is Native but no native BLAS could be loaded ({NativeBlas.LoadError}). Install OpenBLAS (e.g. libopenblas0) or use MatMulBackend.Auto or Managed."),
            _ => work >= AutoNativeMinWork && NativeBlas.IsAvailable && NativeBlas.AutoPicksNative ? MatMulBackend.Native : MatMulBackend.Managed,
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
                Override.Value = previous;
            }
        }
    }
}
