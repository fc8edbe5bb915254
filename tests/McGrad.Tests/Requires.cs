using System.Runtime.CompilerServices;
using McGrad.Kernels;

namespace McGrad.Tests;

/// <summary>
/// Optional components (a native BLAS, the Fashion-MNIST package, Chromium). A test whose component is absent is
/// reported as skipped with the reason, never as passed; with MCGRAD_REQUIRE_ALL=1 (set by CI) an absent component
/// fails the test instead, so CI cannot skip silently. Tests that call these are [SkippableFact] / [SkippableTheory].
/// </summary>
internal static class Requires
{
    /// <summary>Whether every optional component must be present (CI sets MCGRAD_REQUIRE_ALL=1).</summary>
    public static bool All => Environment.GetEnvironmentVariable("MCGRAD_REQUIRE_ALL") == "1";

    /// <summary>Skips the test (or fails it under MCGRAD_REQUIRE_ALL=1) unless <paramref name="present"/>.</summary>
    public static void Component(bool present, string reason)
    {
        if (present)
        {
            return;
        }

        if (All)
        {
            Assert.Fail($"MCGRAD_REQUIRE_ALL=1, but {reason}");
        }

        Skip.If(true, reason);
    }

    /// <summary>Any CBLAS (OpenBLAS, MKL, BLIS or the reference BLAS).</summary>
    public static void NativeBlas() => Component(Gemm.IsNativeAvailable, $"no native BLAS could be loaded ({Gemm.NativeLibraryKind}); install one with `apt-get install libopenblas0-pthread` (./test.sh does)");

    /// <summary>OpenBLAS itself.</summary>
    public static void OpenBlas() => Component(Gemm.NativeLibraryKind == NativeBlasKind.OpenBlas, $"OpenBLAS is not installed (the native BLAS is {Gemm.NativeLibraryName ?? "none"}, {Gemm.NativeLibraryKind}); install it with `apt-get install libopenblas0-pthread` (./test.sh does)");

#pragma warning disable CA2255 // The test assembly's startup step, as the Lab's Program.cs does it.
    /// <summary>Configures OpenBLAS's kernel set before any test multiplies a matrix, as an application does at startup.</summary>
    [ModuleInitializer]
    internal static void ConfigureNativeBlas()
#pragma warning restore CA2255
    {
        if (Gemm.SuggestedOpenBlasCoreType is { } core)
        {
            Gemm.ConfigureNative(core);
        }
    }
}
