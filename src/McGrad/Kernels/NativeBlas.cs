using System.Runtime.InteropServices;

namespace McGrad.Kernels;

/// <summary>Which native BLAS loaded (see <see cref="Gemm.NativeLibraryKind"/>).</summary>
public enum NativeBlasKind
{
    /// <summary>No library with <c>cblas_sgemm</c> and <c>cblas_dgemm</c> could be loaded.</summary>
    None,

    /// <summary>OpenBLAS (identified by its <c>openblas_get_config</c> export).</summary>
    OpenBlas,

    /// <summary>Intel oneMKL (identified by <c>mkl_get_version_string</c>).</summary>
    Mkl,

    /// <summary>BLIS (identified by <c>bli_info_get_version_str</c>).</summary>
    Blis,

    /// <summary>
    /// A CBLAS that is none of the above, e.g. the netlib reference BLAS that Debian installs as <c>libblas.so.3</c>: it is
    /// many times slower than the managed kernel, so <see cref="MatMulBackend.Auto"/> never picks it (Native still can).
    /// </summary>
    Unidentified,
}

/// <summary>
/// The system CBLAS, loaded on first use: the first of a few well-known library names that exports both
/// <c>cblas_sgemm</c> and <c>cblas_dgemm</c>, then identified (OpenBLAS, MKL, BLIS, or unidentified). Calls go through
/// unmanaged function pointers (no marshalling). Loading changes no environment variable: OpenBLAS's kernel choice is
/// configured explicitly with <see cref="Configure"/> before first use.
/// </summary>
internal static unsafe partial class NativeBlas
{
    private const int CblasRowMajor = 101;
    private const int CblasNoTrans = 111;
    private const int CblasTrans = 112;

    /// <summary>Library names tried in order (dlopen / LoadLibrary search rules): optimised libraries first.</summary>
    internal static readonly string[] Candidates =
    [
        "libopenblas.so.0", "libopenblas.so", "libmkl_rt.so.2", "libmkl_rt.so", "libblis.so.4", "libblis.so",
        "libblas.so.3", "libcblas.so.3", "libopenblas.dylib", "libopenblas.dll", "mkl_rt.2.dll", "openblas",
    ];

    private static readonly Lock Gate = new();
    private static State? _state;
    private static string? _coreTypeSet;

    private sealed class State
    {
        public delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> Sgemm;
        public delegate* unmanaged[Cdecl]<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void> Dgemm;
        public string? LibraryName;
        public NativeBlasKind Kind;
        public string? Config;
        public string? CoreName;
        public string? LoadError;
    }

    private static State Loaded
    {
        get
        {
            var s = Volatile.Read(ref _state);
            if (s != null)
            {
                return s;
            }

            lock (Gate)
            {
                _state ??= Load();
                return _state;
            }
        }
    }

    /// <summary>Whether the library has been loaded (or its loading attempted) already.</summary>
    public static bool IsLoaded => Volatile.Read(ref _state) != null;

    /// <summary>Whether both entry points resolved.</summary>
    public static bool IsAvailable => Loaded.LibraryName != null;

    /// <summary>The candidate name that loaded; null when none did.</summary>
    public static string? LibraryName => Loaded.LibraryName;

    /// <summary>Which library it is.</summary>
    public static NativeBlasKind Kind => Loaded.Kind;

    /// <summary>OpenBLAS's configuration string (version, core, threads) when exported; else null.</summary>
    public static string? Config => Loaded.Config;

    /// <summary>Why no library loaded (every candidate and its failure); null when one did.</summary>
    public static string? LoadError => Loaded.LoadError;

    /// <summary>The kernel set OpenBLAS chose for this CPU (<c>openblas_get_corename()</c>, e.g. "SkylakeX"); else null.</summary>
    public static string? CoreName => Loaded.CoreName;

    /// <summary>The OPENBLAS_CORETYPE value <see cref="Configure"/> set; null when it set none.</summary>
    public static string? CoreTypeSet => Volatile.Read(ref _coreTypeSet);

    /// <summary>
    /// The OpenBLAS kernel set that suits this CPU by the instruction sets .NET detects: "SkylakeX" with AVX-512
    /// F/BW/DQ/VL, "Haswell" with AVX2 and FMA, else null (let OpenBLAS decide).
    /// </summary>
    public static string? SuggestedCoreType =>
        System.Runtime.Intrinsics.X86.Avx512F.IsSupported && System.Runtime.Intrinsics.X86.Avx512BW.IsSupported
        && System.Runtime.Intrinsics.X86.Avx512DQ.IsSupported && System.Runtime.Intrinsics.X86.Avx512F.VL.IsSupported
            ? "SkylakeX"
            : System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported ? "Haswell" : null;

    /// <summary>
    /// Sets OPENBLAS_CORETYPE in the process environment (libc <c>setenv</c>, which OpenBLAS reads when it loads) to
    /// <paramref name="openBlasCoreType"/>; a value already in the environment is kept unless <paramref name="overwrite"/>.
    /// Returns whether the variable was set.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="openBlasCoreType"/> is empty or contains '=' or a NUL.</exception>
    /// <exception cref="InvalidOperationException">The native library was already loaded (the setting could no longer take
    /// effect), or the platform has no <c>setenv</c>.</exception>
    public static bool Configure(string openBlasCoreType, bool overwrite)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(openBlasCoreType);
        if (openBlasCoreType.Contains('=', StringComparison.Ordinal) || openBlasCoreType.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Gemm.ConfigureNative: '{openBlasCoreType}' is not a valid OPENBLAS_CORETYPE value (no '=' or NUL).", nameof(openBlasCoreType));
        }

        lock (Gate)
        {
            if (_state != null)
            {
                throw new InvalidOperationException($"Gemm.ConfigureNative must be called before the first matrix product or native BLAS query: the library is already loaded ({_state.LibraryName ?? "none found"}), so OPENBLAS_CORETYPE = {openBlasCoreType} would have no effect.");
            }

            if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
            {
                throw new InvalidOperationException("Gemm.ConfigureNative: setting OPENBLAS_CORETYPE needs libc setenv (Linux, macOS); on this platform set the variable before starting the process.");
            }

            if (!overwrite && GetEnv("OPENBLAS_CORETYPE") != IntPtr.Zero)
            {
                return false;
            }

            if (SetEnv("OPENBLAS_CORETYPE", openBlasCoreType, 1) != 0)
            {
                throw new InvalidOperationException("Gemm.ConfigureNative: setenv(OPENBLAS_CORETYPE) failed.");
            }

            _coreTypeSet = openBlasCoreType;
            return true;
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);

    private static State Load()
    {
        var state = new State();
        var failures = new List<string>();
        foreach (var name in Candidates)
        {
            try
            {
                if (!NativeLibrary.TryLoad(name, out var handle))
                {
                    failures.Add($"{name}: not found");
                    continue;
                }

                if (!NativeLibrary.TryGetExport(handle, "cblas_sgemm", out var s) || !NativeLibrary.TryGetExport(handle, "cblas_dgemm", out var d))
                {
                    failures.Add($"{name}: no cblas_sgemm/cblas_dgemm export");
                    NativeLibrary.Free(handle);
                    continue;
                }

                state.Sgemm = (delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)s;
                state.Dgemm = (delegate* unmanaged[Cdecl]<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void>)d;
                state.LibraryName = name;
                state.Config = ReadString(handle, "openblas_get_config");
                state.CoreName = ReadString(handle, "openblas_get_corename");
                state.Kind = Identify(handle);
                return state;
            }
#pragma warning disable CA1031 // A broken library must not take the managed path down with it.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures.Add($"{name}: {e.GetType().Name}: {e.Message}");
            }
        }

        state.LoadError = "tried " + string.Join("; ", failures);
        return state;
    }

    private static NativeBlasKind Identify(IntPtr handle)
    {
        bool Has(string export) => NativeLibrary.TryGetExport(handle, export, out _);
        return Has("openblas_get_config") ? NativeBlasKind.OpenBlas
            : Has("mkl_get_version_string") || Has("MKL_Get_Version_String") ? NativeBlasKind.Mkl
            : Has("bli_info_get_version_str") ? NativeBlasKind.Blis
            : NativeBlasKind.Unidentified;
    }

    /// <summary>
    /// True when OpenBLAS runs pre-AVX2 kernels (it did not recognise the CPU, e.g. "Prescott") on a CPU with AVX2 and
    /// FMA: the managed kernel is then several times faster, so <see cref="MatMulBackend.Auto"/> does not pick it.
    /// </summary>
    public static bool IsOutdatedKernel => IsOutdated(CoreName);

    /// <summary>Whether <see cref="MatMulBackend.Auto"/> uses the loaded library.</summary>
    public static bool AutoPicksNative => AutoPicks(Kind, CoreName);

    /// <summary>The Auto policy: an identified optimised library, and for OpenBLAS one that runs kernels for this CPU.</summary>
    internal static bool AutoPicks(NativeBlasKind kind, string? coreName) => kind switch
    {
        NativeBlasKind.OpenBlas => !IsOutdated(coreName),
        NativeBlasKind.Mkl or NativeBlasKind.Blis => true,
        _ => false,
    };

    internal static bool IsOutdated(string? coreName) =>
        coreName != null && System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported
        && OldCores.Contains(coreName.Trim(), StringComparer.OrdinalIgnoreCase);

    private static readonly string[] OldCores =
    [
        "Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Katmai", "Coppermine", "Northwood", "Banias",
        "Sandybridge", "Opteron", "Opteron_SSE3", "Barcelona", "Bobcat", "Nano", "Generic",
    ];

    private static string? ReadString(IntPtr handle, string export)
    {
        if (!NativeLibrary.TryGetExport(handle, export, out var f))
        {
            return null;
        }

        var p = ((delegate* unmanaged[Cdecl]<IntPtr>)f)();
        return p == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(p)?.Trim();
    }

    /// <summary>cblas_sgemm, row-major (caller guarantees m, n, k ≥ 1 and valid leading dimensions).</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        var s = Require();
        s.Sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>cblas_dgemm, row-major (caller guarantees m, n, k ≥ 1 and valid leading dimensions).</summary>
    public static void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha, double* a, int lda, double* b, int ldb, double beta, double* c, int ldc)
    {
        var s = Require();
        s.Dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    private static State Require()
    {
        var s = Loaded;
        if (s.LibraryName == null)
        {
            throw new InvalidOperationException($"Native BLAS is not available ({s.LoadError}).");
        }

        return s;
    }
}
