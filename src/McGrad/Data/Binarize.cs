using System.Numerics;
using System.Numerics.Tensors;
using McGrad.Kernels;
using McGrad.Randomness;

namespace McGrad.Data;

/// <summary>Turns grey-scale images into binary ones.</summary>
public static class Binarize
{
    /// <summary>
    /// Dynamic binarisation: bᵢ = 1[uᵢ &lt; pᵢ] with u = <see cref="Sampler.Uniform"/>(key, p.Shape, p.DType), so
    /// bᵢ ~ Bernoulli(pᵢ) independently; a fresh key per epoch or batch gives a fresh binary image each time
    /// (R. Salakhutdinov, I. Murray 2008, "On the quantitative analysis of deep belief networks").
    /// </summary>
    /// <remarks>
    /// u lies in the open interval (0, 1), so pᵢ = 0 always gives 0 and pᵢ = 1 always gives 1. The result has the
    /// input's shape and dtype, holds only 0 and 1, and is not recorded for autodiff (sampling has no pathwise gradient).
    /// </remarks>
    /// <param name="key">The key for the uniforms.</param>
    /// <param name="images01">Probabilities in [0, 1] (pixels divided by 255), any shape, Float32 or Float64.</param>
    /// <exception cref="ArgumentException">The input is Int64, or a value is outside [0, 1] or NaN (the message names the first).</exception>
    public static Tensor Dynamic(RngKey key, Tensor images01)
    {
        ArgumentNullException.ThrowIfNull(images01);
        if (!images01.DType.IsFloatingPoint())
        {
            throw new ArgumentException($"Binarize.Dynamic: images01 must be Float32 or Float64 probabilities, got {images01.DType}.", nameof(images01));
        }

        var bad = images01.DType == DType.Float32 ? FirstOutsideUnit<float>(images01) : FirstOutsideUnit<double>(images01);
        if (bad >= 0)
        {
            throw new ArgumentException(
                $"Binarize.Dynamic: images01 (shape {images01.Shape}) must hold probabilities in [0, 1]; element {bad} is {images01.GetFlat(bad)}. Divide raw pixels by 255 first (IdxReader.Read(path, scale: true)).",
                nameof(images01));
        }

        var u = Sampler.Uniform(key, images01.Shape, images01.DType);
        if (images01.DType == DType.Float32)
        {
            Compare<float>(images01, u);
        }
        else
        {
            Compare<double>(images01, u);
        }

        return u;
    }

    /// <summary>The index of the first element outside [0, 1] (or NaN); −1 when there is none.</summary>
    private static int FirstOutsideUnit<T>(Tensor probabilities)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var p = probabilities.Span<T>();
        if (p.Length == 0 || (TensorPrimitives.Min(p) >= T.Zero && TensorPrimitives.Max(p) <= T.One))
        {
            return -1;
        }

        for (var i = 0; i < p.Length; i++)
        {
            if (!(p[i] >= T.Zero && p[i] <= T.One))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Overwrites u with 1[u &lt; p].</summary>
    private static void Compare<T>(Tensor probabilities, Tensor uniforms)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var pArray = (T[])probabilities.Storage;
        var uArray = (T[])uniforms.Storage;
        Parallelism.For(probabilities.Size, Parallelism.ElementwiseGrain, (start, count) =>
        {
            var ps = pArray.AsSpan(start, count);
            var us = uArray.AsSpan(start, count);
            var i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                for (; i <= count - Vector<T>.Count; i += Vector<T>.Count)
                {
                    var less = Vector.LessThan(new Vector<T>(us[i..]), new Vector<T>(ps[i..]));
                    Vector.ConditionalSelect(less, Vector<T>.One, Vector<T>.Zero).CopyTo(us[i..]);
                }
            }

            for (; i < count; i++)
            {
                us[i] = us[i] < ps[i] ? T.One : T.Zero;
            }
        });
    }
}
