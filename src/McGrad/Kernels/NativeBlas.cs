using System.Runtime.InteropServices;

namespace McGrad.Kernels;

/// <summary>
/// The system CBLAS, loaded once on first use: the first of a few well-known library names that exports both
/// <c>cblas_sgemm</c> and <c>cblas_dgemm</c>. Calls go through unmanaged function pointers (no marshalling).
/// </summary>
internal static unsafe partial class NativeBlas
{
    private const int CblasRowMajor = 101;
    private const int CblasNoTrans = 111;
    private const int CblasTrans = 112;

    /// <summary>Library names tried in order (dlopen / LoadLibrary search rules).</summary>
    internal static readonly string[] Candidates =
    [
        "libopenblas.so.0", "libopenblas.so", "libblas.so.3", "libcblas.so.3",
        "libopenblas.dylib", "libopenblas.dll", "openblas",
    ];

    private static readonly delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> SgemmPtr;
    private static readonly delegate* unmanaged[Cdecl]<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void> DgemmPtr;

#pragma warning disable CA1810 // Initialize reference type static fields inline: the loader sets several fields together.
    static NativeBlas()
#pragma warning restore CA1810
    {
        CoreTypeHint = HintOpenBlasCoreType();
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

                SgemmPtr = (delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)s;
                DgemmPtr = (delegate* unmanaged[Cdecl]<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void>)d;
                LibraryName = name;
                Config = ReadString(handle, "openblas_get_config");
                CoreName = ReadString(handle, "openblas_get_corename");
                return;
            }
#pragma warning disable CA1031 // A broken library must not take the managed path down with it.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures.Add($"{name}: {e.GetType().Name}: {e.Message}");
            }
        }

        LoadError = "tried " + string.Join("; ", failures);
    }

    /// <summary>
    /// The OPENBLAS_CORETYPE value McGrad set before loading (null when it set none). OpenBLAS picks its kernels from
    /// the CPU model number and falls back to slow pre-AVX2 "Prescott" kernels on CPUs it does not know (virtual
    /// machines often report a generic model). When the variable is unset, McGrad sets it from the instruction sets
    /// .NET detects: "SkylakeX" with AVX-512 F/BW/DQ/VL, "Haswell" with AVX2 and FMA. A value the user set is never
    /// changed.
    /// </summary>
    public static string? CoreTypeHint { get; }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);

    private static string? HintOpenBlasCoreType()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            if (GetEnv("OPENBLAS_CORETYPE") != IntPtr.Zero)
            {
                return null;
            }

            string? core = null;
            if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported && System.Runtime.Intrinsics.X86.Avx512BW.IsSupported
                && System.Runtime.Intrinsics.X86.Avx512DQ.IsSupported && System.Runtime.Intrinsics.X86.Avx512F.VL.IsSupported)
            {
                core = "SkylakeX";
            }
            else if (System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported)
            {
                core = "Haswell";
            }

            return core != null && SetEnv("OPENBLAS_CORETYPE", core, 0) == 0 ? core : null;
        }
#pragma warning disable CA1031 // No libc (or no setenv): load OpenBLAS as it is.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    /// <summary>Whether both entry points resolved.</summary>
    public static bool IsAvailable => LibraryName != null;

    /// <summary>The candidate name that loaded; null when none did.</summary>
    public static string? LibraryName { get; }

    /// <summary>OpenBLAS's configuration string (version, core, threads) when exported; else null.</summary>
    public static string? Config { get; }

    /// <summary>Why no library loaded (every candidate and its failure); null when one did.</summary>
    public static string? LoadError { get; }

    /// <summary>The kernel set OpenBLAS chose for this CPU (<c>openblas_get_corename()</c>, e.g. "SkylakeX"); else null.</summary>
    public static string? CoreName { get; }

    /// <summary>
    /// True when OpenBLAS runs pre-AVX2 kernels (it did not recognise the CPU, e.g. "Prescott") on a CPU with AVX2 and
    /// FMA: the managed kernel is then several times faster, so <see cref="MatMulBackend.Auto"/> does not pick it.
    /// </summary>
    public static bool IsOutdatedKernel =>
        CoreName != null && System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported
        && OldCores.Contains(CoreName.Trim(), StringComparer.OrdinalIgnoreCase);

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
        Require();
        SgemmPtr(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>cblas_dgemm, row-major (caller guarantees m, n, k ≥ 1 and valid leading dimensions).</summary>
    public static void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha, double* a, int lda, double* b, int ldb, double beta, double* c, int ldc)
    {
        Require();
        DgemmPtr(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    private static void Require()
    {
        if (!IsAvailable)
        {
            throw new InvalidOperationException($"Native BLAS is not available ({LoadError}).");
        }
    }
}
