using McGrad.Kernels;

namespace McGrad.Tests.Kernels;

/// <summary>
/// GEMM against a naive triple loop: every transpose combination, odd sizes around the kernel's tile edges, α/β,
/// padded leading dimensions, the GEMV special cases, both micro-kernels, both backends.
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class GemmTests
{
    private static readonly int[] Odd = [1, 3, 17, 33, 65];

    public static TheoryData<MatMulBackend> Backends => [MatMulBackend.Managed, MatMulBackend.Native];

    /// <summary>A stored rows×cols matrix with row stride ld (≥ cols), entries in [-1, 1), padding filled with junk.</summary>
    private static double[] RandMatrix(Random rng, int rows, int cols, int ld)
    {
        var x = new double[Math.Max(1, ((rows - 1) * ld) + cols)];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = 1e30; // never read: padding between rows
        }

        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < cols; c++)
            {
                x[(r * ld) + c] = (2 * rng.NextDouble()) - 1;
            }
        }

        return x;
    }

    /// <summary>
    /// Reference: C = α·op(A)·op(B) + β·C0 computed entry by entry, plus the magnitude bound Σ|α·a·b| + |β·c0| used to
    /// scale the tolerance.
    /// </summary>
    private static (double[] C, double[] Bound) Reference(bool ta, bool tb, int m, int n, int k, double alpha, double[] a, int lda, double[] b, int ldb, double beta, double[] c0, int ldc)
    {
        var c = (double[])c0.Clone();
        var bound = new double[c.Length];
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double s = 0, mag = 0;
                for (var p = 0; p < k; p++)
                {
                    var av = ta ? a[(p * lda) + i] : a[(i * lda) + p];
                    var bv = tb ? b[(j * ldb) + p] : b[(p * ldb) + j];
                    s += av * bv;
                    mag += Math.Abs(av * bv);
                }

                var idx = (i * ldc) + j;
                c[idx] = beta == 0 ? alpha * s : (alpha * s) + (beta * c0[idx]);
                bound[idx] = (Math.Abs(alpha) * mag) + (beta == 0 ? 0 : Math.Abs(beta * c0[idx]));
            }
        }

        return (c, bound);
    }

    /// <summary>Runs one float64 and one float32 GEMM and compares both with the reference (and checks C's padding).</summary>
    private static void Check(bool ta, bool tb, int m, int n, int k, double alpha, double beta, int pad, int seed)
    {
        var rng = new Random(seed);
        int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
        var a = RandMatrix(rng, ta ? k : m, ta ? m : k, Math.Max(1, lda));
        var b = RandMatrix(rng, tb ? n : k, tb ? k : n, Math.Max(1, ldb));
        var c0 = RandMatrix(rng, m, n, Math.Max(1, ldc));
        if (beta == 0)
        {
            for (var i = 0; i < m; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    c0[(i * ldc) + j] = double.NaN; // β = 0 must not read C
                }
            }
        }

        var (expected, bound) = Reference(ta, tb, m, n, k, alpha, a, Math.Max(1, lda), b, Math.Max(1, ldb), beta, c0, Math.Max(1, ldc));
        var what = $"ta={ta} tb={tb} m={m} n={n} k={k} α={alpha} β={beta} pad={pad} backend={Gemm.EffectiveBackend}";

        var c = (double[])c0.Clone();
        Gemm.Multiply(ta, tb, m, n, k, alpha, a, Math.Max(1, lda), b, Math.Max(1, ldb), beta, c, Math.Max(1, ldc));
        Compare(expected, bound, c0, c, 1e-13, m, n, ldc, what + " f64");

        var af = Array.ConvertAll(a, v => (float)v);
        var bf = Array.ConvertAll(b, v => (float)v);
        var cf = Array.ConvertAll(c0, v => (float)v);
        Gemm.Multiply(ta, tb, m, n, k, (float)alpha, af, Math.Max(1, lda), bf, Math.Max(1, ldb), (float)beta, cf, Math.Max(1, ldc));
        Compare(expected, bound, Array.ConvertAll(Array.ConvertAll(c0, v => (float)v), v => (double)v), Array.ConvertAll(cf, v => (double)v), 1e-5, m, n, ldc, what + " f32");
    }

    private static void Compare(double[] expected, double[] bound, double[] original, double[] actual, double rel, int m, int n, int ldc, string what)
    {
        for (var i = 0; i < expected.Length; i++)
        {
            var inside = ldc > 0 && i / Math.Max(1, ldc) < m && i % Math.Max(1, ldc) < n;
            if (!inside)
            {
                Assert.True(original[i] == actual[i], $"{what}: padding element {i} of C was written");
                continue;
            }

            var tol = (rel * (bound[i] + 1e-300)) + 1e-300;
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol, $"{what}: C[{i / ldc},{i % ldc}] expected {expected[i]:R}, got {actual[i]:R} (tol {tol:G3})");
        }
    }

    private static IDisposable Force(MatMulBackend backend) => Gemm.UseBackend(backend);

    /// <summary>The Native rows need a native BLAS: skipped (with the reason) when none is installed.</summary>
    private static void RequireBackend(MatMulBackend backend)
    {
        if (backend == MatMulBackend.Native)
        {
            Requires.NativeBlas();
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Backends))]
    public void OddSizesAllTransposesMatchReference(MatMulBackend backend)
    {
        // Every m, n, k in {1, 3, 17, 33, 65}: partial micro-tiles on both edges, GEMV (m or n = 1) and tiny paths.
        RequireBackend(backend);

        using var scope = Force(backend);
        var seed = 0;
        foreach (var m in Odd)
        {
            foreach (var n in Odd)
            {
                foreach (var k in Odd)
                {
                    var t = seed++ % 4;
                    Check(t >= 2, t % 2 == 1, m, n, k, 1.0, 0.0, 0, seed);
                }
            }
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Backends))]
    public void AlphaBetaAndPaddedStridesForEveryTransposeCombination(MatMulBackend backend)
    {
        RequireBackend(backend);

        using var scope = Force(backend);
        var seed = 100;
        foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
        {
            foreach (var (alpha, beta) in new[] { (1.0, 0.0), (1.0, 1.0), (-0.5, 0.75), (2.0, -1.0), (0.0, 0.5), (0.0, 0.0) })
            {
                Check(ta, tb, 33, 17, 65, alpha, beta, 3, seed++);
                Check(ta, tb, 1, 65, 33, alpha, beta, 2, seed++); // GEMV row
                Check(ta, tb, 65, 1, 33, alpha, beta, 2, seed++); // GEMV column (strided vector when pad > 0)
            }
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Backends))]
    public void LargeSizesCrossEveryBlockBoundary(MatMulBackend backend)
    {
        // k = 520 spans three KC blocks (β applies to the first only), m = 129 and 200 span MC blocks and the parallel
        // split, n = 4100 spans two NC column blocks.
        RequireBackend(backend);

        using var scope = Force(backend);
        Check(false, false, 129, 129, 129, 1.0, 0.0, 0, 1);
        Check(true, true, 129, 65, 129, 0.5, 0.25, 1, 2);
        Check(false, true, 200, 97, 520, 1.0, 1.0, 0, 3);
        Check(true, false, 67, 131, 520, -1.0, 0.5, 2, 4);
        Check(false, false, 13, 4100, 5, 1.0, 0.0, 0, 5);
    }

    [SkippableFact]
    public void OpenBlasRunsTheKernelsConfiguredAtStartup()
    {
        // The test assembly configures OPENBLAS_CORETYPE at startup (Requires.ConfigureNativeBlas, as the Lab does). When
        // it set a value (the user had not), OpenBLAS must report that kernel set rather than a pre-AVX2 fallback;
        // otherwise the native path would be several times slower than the managed one.
        Requires.OpenBlas();
        Assert.NotNull(Gemm.NativeLibraryConfig);
        Assert.False(string.IsNullOrEmpty(Gemm.NativeCoreName));
        if (Gemm.NativeCoreTypeHint != null)
        {
            Assert.Equal(Gemm.SuggestedOpenBlasCoreType, Gemm.NativeCoreTypeHint);
            Assert.Equal(Gemm.NativeCoreTypeHint, Gemm.NativeCoreName, ignoreCase: true);
            Assert.False(NativeBlas.IsOutdatedKernel);
            Assert.Equal(MatMulBackend.Native, Gemm.EffectiveBackend);
        }
        else
        {
            // No suggestion for this CPU, or the user's OPENBLAS_CORETYPE was kept.
            Assert.True(Gemm.SuggestedOpenBlasCoreType == null || Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") != null);
        }
    }

    [Fact]
    public void ConfigureNativeValidatesItsArgumentAndRefusesOnceTheLibraryIsLoaded()
    {
        Assert.Equal("openBlasCoreType", Assert.ThrowsAny<ArgumentException>(() => Gemm.ConfigureNative("")).ParamName);
        Assert.Equal("openBlasCoreType", Assert.Throws<ArgumentException>(() => Gemm.ConfigureNative("Haswell=1")).ParamName);
        _ = Gemm.NativeLibraryKind; // loads (or tries to load) the library
        var ex = Assert.Throws<InvalidOperationException>(() => Gemm.ConfigureNative("Haswell", overwrite: true));
        Assert.Contains("before the first matrix product", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AutoUsesOnlyAnOptimisedLibraryItCanIdentify()
    {
        // Debian's default libblas.so.3 is the netlib reference BLAS: unidentified, never chosen by Auto.
        Assert.False(NativeBlas.AutoPicks(NativeBlasKind.Unidentified, null));
        Assert.False(NativeBlas.AutoPicks(NativeBlasKind.None, null));
        Assert.True(NativeBlas.AutoPicks(NativeBlasKind.Mkl, null));
        Assert.True(NativeBlas.AutoPicks(NativeBlasKind.Blis, null));
        Assert.True(NativeBlas.AutoPicks(NativeBlasKind.OpenBlas, "Haswell"));
        Assert.True(NativeBlas.AutoPicks(NativeBlasKind.OpenBlas, "SkylakeX"));
        var avx2 = System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported;
        Assert.Equal(!avx2, NativeBlas.AutoPicks(NativeBlasKind.OpenBlas, "Prescott")); // pre-AVX2 kernels on an AVX2 CPU

        // And the loaded library is classified consistently with its exports.
        var kind = Gemm.NativeLibraryKind;
        Assert.Equal(kind != NativeBlasKind.None, Gemm.IsNativeAvailable);
        Assert.Equal(kind == NativeBlasKind.OpenBlas, Gemm.NativeLibraryConfig != null);
        if (kind == NativeBlasKind.Unidentified)
        {
            Assert.Equal(MatMulBackend.Managed, Gemm.EffectiveBackend);
        }
    }

    [Fact]
    public void Vector256KernelMatchesReference()
    {
        // On AVX-512 machines the Vector256 kernel runs only when forced; check its tiles and edges too.
        using var scope = Force(MatMulBackend.Managed);
        ManagedGemm.ForceVector256 = true;
        try
        {
            var seed = 500;
            foreach (var (m, n, k) in new[] { (3, 5, 7), (17, 33, 65), (65, 17, 33), (129, 40, 300) })
            {
                foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
                {
                    Check(ta, tb, m, n, k, 1.5, 0.5, 1, seed++);
                }
            }
        }
        finally
        {
            ManagedGemm.ForceVector256 = false;
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Backends))]
    public void ZeroSizes(MatMulBackend backend)
    {
        RequireBackend(backend);

        using var scope = Force(backend);

        // k = 0: C = β·C (and with β = 0, zeros even over NaN).
        var c = new double[] { 1, 2, 3, 4, 5, 6 };
        Gemm.Multiply(false, false, 2, 3, 0, 1.0, [], 1, [], 3, 0.5, c, 3);
        Assert.Equal([0.5, 1, 1.5, 2, 2.5, 3], c);
        var cf = new float[] { float.NaN, float.NaN };
        Gemm.Multiply(true, true, 1, 2, 0, 1f, [], 1, [], 1, 0f, cf, 2);
        Assert.Equal([0f, 0f], cf);

        // m = 0 or n = 0: nothing to do, nothing touched.
        var untouched = new double[] { 7 };
        Gemm.Multiply(false, false, 0, 1, 3, 1.0, [], 3, [1, 2, 3], 1, 0.0, untouched, 1);
        Gemm.Multiply(false, false, 1, 0, 3, 1.0, [1, 2, 3], 3, [], 1, 0.0, untouched, 1);
        Assert.Equal(7, untouched[0]);
    }

    [SkippableFact]
    public void NativeAndManagedAgree()
    {
        Requires.NativeBlas();
        Assert.False(string.IsNullOrEmpty(Gemm.NativeLibraryName));
        var rng = new Random(9);
        foreach (var (m, n, k) in new[] { (64, 48, 100), (7, 300, 9), (130, 3, 257) })
        {
            var a = RandMatrix(rng, m, k, k);
            var b = RandMatrix(rng, n, k, k); // used transposed
            var cm = new double[m * n];
            var cn = new double[m * n];
            using (Force(MatMulBackend.Managed))
            {
                Gemm.Multiply(false, true, m, n, k, 1.0, a, k, b, k, 0.0, cm, n);
            }

            using (Force(MatMulBackend.Native))
            {
                Gemm.Multiply(false, true, m, n, k, 1.0, a, k, b, k, 0.0, cn, n);
            }

            for (var i = 0; i < cm.Length; i++)
            {
                Assert.True(Math.Abs(cm[i] - cn[i]) <= 1e-12 * k, $"({m},{n},{k}) element {i}: managed {cm[i]:R} vs native {cn[i]:R}");
            }
        }
    }

    [Fact]
    public void ManagedResultsAreBitIdenticalForOneOrManyThreads()
    {
        // Large enough for the parallel split (tiles, packing, GEMV segments); the sum order must not depend on threads.
        var rng = new Random(3);
        var cases = new[] { (260, 300, 270, false, true), (1, 9000, 200, false, false), (9000, 1, 200, true, false) };
        using var scope = Force(MatMulBackend.Managed);
        foreach (var (m, n, k, ta, tb) in cases)
        {
            var a = Array.ConvertAll(RandMatrix(rng, ta ? k : m, ta ? m : k, ta ? m : k), v => (float)v);
            var b = Array.ConvertAll(RandMatrix(rng, tb ? n : k, tb ? k : n, tb ? k : n), v => (float)v);
            var c1 = new float[m * n];
            var c2 = new float[m * n];
            ThreadCount.OneAndTwo(() =>
            {
                var c = Parallelism.MaxThreads == 1 ? c1 : c2;
                Gemm.Multiply(ta, tb, m, n, k, 1f, a, ta ? m : k, b, tb ? k : n, 0f, c, n);
                return c;
            });

            Assert.Equal(c1, c2);
        }
    }

    [Fact]
    public void AutoKeepsSmallProductsOnTheManagedKernel()
    {
        // Below m·n·k = 256³ Auto never calls the native library (its call and thread overhead dominates there);
        // from 256³ on it uses it when it would at all. An explicit Native scope is honoured at every size.
        var large = Gemm.IsNativeAvailable && NativeBlas.AutoPicksNative ? MatMulBackend.Native : MatMulBackend.Managed;
        Assert.Equal(MatMulBackend.Managed, Gemm.Resolve(128 * 64 * 64));
        Assert.Equal(MatMulBackend.Managed, Gemm.Resolve(Gemm.AutoNativeMinWork - 1));
        Assert.Equal(large, Gemm.Resolve(Gemm.AutoNativeMinWork));
        if (Gemm.IsNativeAvailable)
        {
            using (Gemm.UseBackend(MatMulBackend.Native))
            {
                Assert.Equal(MatMulBackend.Native, Gemm.Resolve(1));
            }
        }
    }

    [Fact]
    public void BackendSettingAndScopes()
    {
        // Auto: native for an identified optimised library, unless OpenBLAS runs pre-AVX2 kernels on an AVX2 CPU.
        var auto = Gemm.IsNativeAvailable && NativeBlas.AutoPicksNative ? MatMulBackend.Native : MatMulBackend.Managed;
        Assert.Equal(MatMulBackend.Auto, Gemm.Backend);
        Assert.Equal(auto, Gemm.EffectiveBackend);
        using (Gemm.UseBackend(MatMulBackend.Managed))
        {
            Assert.Equal(MatMulBackend.Managed, Gemm.EffectiveBackend);
            using (Gemm.UseBackend(MatMulBackend.Auto))
            {
                Assert.Equal(auto, Gemm.EffectiveBackend);
            }

            Assert.Equal(MatMulBackend.Managed, Gemm.EffectiveBackend);
        }

        Assert.Equal(auto, Gemm.EffectiveBackend);
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Backend = (MatMulBackend)7);
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.UseBackend((MatMulBackend)(-1)));
    }

    [Fact]
    public void InvalidArgumentsAreRejectedWithClearMessages()
    {
        var ex1 = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(false, false, 2, 2, 3, 1.0, new double[6], 2, new double[6], 2, 0.0, new double[4], 2));
        Assert.Contains("lda = 2", ex1.Message, StringComparison.Ordinal);
        Assert.Contains("3 columns", ex1.Message, StringComparison.Ordinal);

        var ex2 = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, true, 2, 2, 3, 1.0, new double[6], 3, new double[5], 3, 0.0, new double[4], 2));
        Assert.Contains("B has 5 elements", ex2.Message, StringComparison.Ordinal);

        var ex3 = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 3, 1f, new float[6], 3, new float[6], 2, 0f, new float[3], 2));
        Assert.Contains("C has 3 elements", ex3.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(false, false, -1, 2, 3, 1.0, [], 3, new double[6], 2, 0.0, [], 2));
    }
}
