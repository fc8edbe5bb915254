using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace McGrad.Tests.Tensors;

/// <summary>
/// FsCheck properties of broadcasting and the movement ops: agreement with reference definitions written in
/// <see cref="MovementReference"/>, and round trips. Every property runs from a fixed replay seed, so a run
/// passes or fails the same way every time; a failure message prints the counterexample.
/// </summary>
public class MovementProperties
{
    /// <summary>Quick, throws on failure, quiet on success, 150 cases from a fixed seed.</summary>
    private static Config Cfg(ulong seed) => Config.QuickThrowOnFailure
        .WithMaxTest(150)
        .WithQuietOnSuccess(true)
        .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed), FSharpOption<int>.None)));

    /// <summary>Dimension sizes 0..3, with 0 (empty tensors) and 1 (broadcastable) both common.</summary>
    private static readonly Gen<int> Dim = Gen.Frequency(
    [
        (1, Gen.Constant(0)),
        (3, Gen.Constant(1)),
        (6, Gen.Choose(2, 3)),
    ]);

    private static Gen<int[]> ShapeGen(int minRank, int maxRank) =>
        from rank in Gen.Choose(minRank, maxRank)
        from dims in Gen.ArrayOf(Dim, rank)
        select dims;

    /// <summary>A random float64 tensor of the shape together with its data (values from a generated seed).</summary>
    private static Gen<Case> CaseGen(int minRank, int maxRank) =>
        from shape in ShapeGen(minRank, maxRank)
        from seed in Gen.Choose(0, 1_000_000)
        select new Case(shape, seed);

    /// <summary>An axis in [−rank, rank), negative half the time.</summary>
    private static Gen<int> AxisGen(int rank) =>
        from a in Gen.Choose(0, rank - 1)
        from neg in Gen.Elements(false, true)
        select neg ? a - rank : a;

    private static void Check(ulong seed, Property property) => FsCheck.Check.One(Cfg(seed), property);

    // ---------- broadcasting ----------

    /// <summary>Pairs of shapes that are often (but not always) compatible: b is derived from a.</summary>
    private static readonly Gen<(int[] A, int[] B)> ShapePairGen =
        from a in ShapeGen(0, 4)
        from drop in Gen.Choose(0, a.Length)
        from extra in ShapeGen(0, 2)
        from edits in Gen.ArrayOf(Gen.Choose(0, 4), a.Length)
        select (a, extra.Concat(a.Skip(drop).Select((d, k) => edits[k + drop] switch
        {
            0 => 1, // broadcast dim
            1 => d + 1, // usually a mismatch
            _ => d, // equal
        })).ToArray());

    [Fact]
    public void BroadcastIsSymmetricAndMatchesReferenceDefinition()
    {
        Check(101, Prop.ForAll(ShapePairGen.ToArbitrary(), p =>
        {
            var expected = MovementReference.Broadcast(p.A, p.B);
            var ab = TryBroadcast(p.A, p.B);
            var ba = TryBroadcast(p.B, p.A);
            Assert.Equal(expected, ab);
            Assert.Equal(expected, ba);
        }));
    }

    private static int[]? TryBroadcast(int[] a, int[] b)
    {
        try
        {
            return Shape.Broadcast(new Shape(a), new Shape(b)).ToArray();
        }
        catch (ArgumentException e)
        {
            Assert.Contains(new Shape(a).ToString(), e.Message, StringComparison.Ordinal);
            return null;
        }
    }

    /// <summary>A shape x and a target it broadcasts to: new leading dims, and size-1 dims of x replaced.</summary>
    private static readonly Gen<(int[] X, int[] S, int Seed)> BroadcastTargetGen =
        from x in ShapeGen(0, 4)
        from lead in ShapeGen(0, 2)
        from grow in Gen.ArrayOf(Gen.Choose(0, 3), x.Length)
        from seed in Gen.Choose(0, 1_000_000)
        select (x, lead.Concat(x.Select((d, k) => d == 1 ? grow[k] : d)).ToArray(), seed);

    [Fact]
    public void BroadcastToThenSumToScalesBySizeRatio()
    {
        Check(102, Prop.ForAll(BroadcastTargetGen.ToArbitrary(), c =>
        {
            // Small integers: every sum is exact, so equality is exact.
            var x = IntegerValued(c.Seed, c.X);
            var s = new Shape(c.S);
            var b = x.BroadcastTo(s);
            Assert.Equal(s, b.Shape);
            var back = b.SumTo(x.Shape);
            Assert.Equal(x.Shape, back.Shape);
            if (x.Size > 0)
            {
                var ratio = s.Size / x.Size;
                Assert.Equal(s.Size, ratio * x.Size);
                Assert.Equal(x.ToDoubleArray().Select(v => v * ratio), back.ToDoubleArray());
            }

            // Every element of the broadcast equals the x element it came from (reference indexing).
            var xs = x.ToDoubleArray();
            var bs = b.ToDoubleArray();
            var lead = c.S.Length - c.X.Length;
            for (var f = 0; f < bs.Length; f++)
            {
                var i = MovementReference.Unravel(f, c.S).Skip(lead).Select((v, k) => c.X[k] == 1 ? 0 : v).ToArray();
                Assert.Equal(xs[MovementReference.Ravel(i, c.X)], bs[f]);
            }
        }));
    }

    private static Tensor IntegerValued(int seed, int[] shape)
    {
        var rng = new Random(seed);
        var data = new double[MovementReference.Size(shape)];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = rng.Next(-9, 10);
        }

        return Tensor.FromArray(data, shape.Length == 0 ? [] : shape).Reshape(shape);
    }

    // ---------- round trips and reference agreement ----------

    [Fact]
    public void ReshapeBackIsIdentity()
    {
        var gen =
            from c in CaseGen(0, 5)
            from order in Gen.Shuffle(c.Shape)
            select (c, order);
        Check(103, Prop.ForAll(gen.ToArbitrary(), p =>
        {
            var x = p.c.Tensor();
            var y = x.Reshape(p.order).Reshape(-1).Reshape(p.c.Shape);
            Assert.Equal(x.Shape, y.Shape);
            Assert.Equal(x.ToDoubleArray(), y.ToDoubleArray());
        }));
    }

    [Fact]
    public void PermuteMatchesReferenceAndInversePermuteIsIdentity()
    {
        var gen =
            from c in CaseGen(0, 5)
            from perm in Gen.Shuffle(Enumerable.Range(0, c.Shape.Length).ToArray())
            from negate in Gen.ArrayOf(Gen.Elements(false, true), c.Shape.Length)
            select (c, perm, axes: perm.Select((a, k) => negate[k] ? a - perm.Length : a).ToArray());
        Check(104, Prop.ForAll(gen.ToArbitrary(), p =>
        {
            var x = p.c.Tensor();
            var y = x.Permute(p.axes);
            var expected = MovementReference.Permute(x.ToDoubleArray(), p.c.Shape, p.perm, out var outShape);
            Assert.Equal(outShape, y.Shape.ToArray());
            Assert.Equal(expected, y.ToDoubleArray());

            var inverse = new int[p.perm.Length];
            for (var k = 0; k < inverse.Length; k++)
            {
                inverse[p.perm[k]] = k;
            }

            var back = y.Permute(inverse);
            Assert.Equal(x.Shape, back.Shape);
            Assert.Equal(x.ToDoubleArray(), back.ToDoubleArray());
        }));
    }

    [Fact]
    public void TransposeTwiceIsIdentity()
    {
        var gen =
            from c in CaseGen(1, 5)
            from a in AxisGen(c.Shape.Length)
            from b in AxisGen(c.Shape.Length)
            select (c, a, b);
        Check(105, Prop.ForAll(gen.ToArbitrary(), p =>
        {
            var x = p.c.Tensor();
            var once = x.Transpose(p.a, p.b);
            var twice = once.Transpose(p.b, p.a);
            Assert.Equal(x.Shape, twice.Shape);
            Assert.Equal(x.ToDoubleArray(), twice.ToDoubleArray());
            var a = p.a < 0 ? p.a + p.c.Shape.Length : p.a;
            var b = p.b < 0 ? p.b + p.c.Shape.Length : p.b;
            Assert.Equal(x.Shape[a], once.Shape[b]);
            Assert.Equal(x.Shape[b], once.Shape[a]);
        }));
    }

    [Fact]
    public void FlipMatchesReferenceAndFlipTwiceIsIdentity()
    {
        var gen =
            from c in CaseGen(1, 5)
            from axes in Gen.SubListOf(Enumerable.Range(0, c.Shape.Length).ToArray())
            from neg in Gen.Elements(false, true)
            select (c, norm: axes.ToArray(), axes: axes.Select(a => neg ? a - c.Shape.Length : a).ToArray());
        Check(106, Prop.ForAll(gen.ToArbitrary(), p =>
        {
            var x = p.c.Tensor();
            var y = x.Flip(p.axes);
            Assert.Equal(x.Shape, y.Shape);
            Assert.Equal(MovementReference.Flip(x.ToDoubleArray(), p.c.Shape, p.norm), y.ToDoubleArray());
            Assert.Equal(x.ToDoubleArray(), y.Flip(p.axes).ToDoubleArray());
        }));
    }

    [Fact]
    public void SliceMatchesReferenceDefinition()
    {
        var gen =
            from c in CaseGen(1, 4)
            from axis in AxisGen(c.Shape.Length)
            let n = c.Shape[axis < 0 ? axis + c.Shape.Length : axis]
            from start in Gen.Choose(0, n)
            from end in Gen.Choose(start, n)
            from step in Gen.Choose(1, 4)
            from negStart in Gen.Elements(false, true)
            from negEnd in Gen.Elements(false, true)
            select (c, axis, start, end, step, s: negStart && start < n ? start - n : start, e: negEnd && end < n ? end - n : end);
        Check(107, Prop.ForAll(gen.ToArbitrary(), p =>
        {
            var x = p.c.Tensor();
            var a = p.axis < 0 ? p.axis + p.c.Shape.Length : p.axis;
            var length = (p.end - p.start + p.step - 1) / p.step;
            var expected = MovementReference.Slice(x.ToDoubleArray(), p.c.Shape, a, p.start, p.step, length, out var outShape);
            var y = x.Slice(p.axis, p.s, p.e, p.step);
            Assert.Equal(outShape, y.Shape.ToArray());
            Assert.Equal(expected, y.ToDoubleArray());
        }));
    }

    [Fact]
    public void ConcatMatchesReferenceAndSlicesGiveBackTheParts()
    {
        var gen =
            from c in CaseGen(1, 4)
            from axis in AxisGen(c.Shape.Length)
            from sizes in Gen.ArrayOf(Dim, 3).Select(s => s.Take(1 + (s.Sum() % 3)).ToArray())
            from seeds in Gen.ArrayOf(Gen.Choose(0, 1_000_000), sizes.Length)
            select (c.Shape, axis, sizes, seeds);
        Check(108, Prop.ForAll(gen.ToArbitrary(), p =>
        {
            var rank = p.Shape.Length;
            var a = p.axis < 0 ? p.axis + rank : p.axis;
            var shapes = p.sizes.Select(s =>
            {
                var d = (int[])p.Shape.Clone();
                d[a] = s;
                return d;
            }).ToArray();
            var parts = shapes.Select((s, i) => TestUtil.Rand(p.seeds[i], s)).ToArray();
            var y = Tensor.Concat(parts, p.axis);
            var expected = MovementReference.Concat(parts.Select(t => t.ToDoubleArray()).ToArray(), shapes, a, out var outShape);
            Assert.Equal(outShape, y.Shape.ToArray());
            Assert.Equal(expected, y.ToDoubleArray());

            var offset = 0;
            var split = y.Split(p.sizes, p.axis);
            for (var i = 0; i < parts.Length; i++)
            {
                var back = y.Slice(p.axis, offset, offset + p.sizes[i]);
                Assert.Equal(parts[i].Shape, back.Shape);
                Assert.Equal(parts[i].ToDoubleArray(), back.ToDoubleArray());
                Assert.Equal(parts[i].ToDoubleArray(), y.Narrow(p.axis, offset, p.sizes[i]).ToDoubleArray());
                Assert.Equal(parts[i].ToDoubleArray(), split[i].ToDoubleArray());
                offset += p.sizes[i];
            }

            // Stack is Concat of unsqueezed parts: unstacking with Select-by-Narrow gives the parts back.
            var stacked = Tensor.Stack([parts[0], parts[0]], p.axis < 0 ? p.axis - 1 : p.axis);
            Assert.Equal(parts[0].ToDoubleArray(), stacked.Narrow(p.axis < 0 ? p.axis - 1 : p.axis, 1, 1).Squeeze(p.axis < 0 ? p.axis - 1 : p.axis).ToDoubleArray());
        }));
    }

    [Fact]
    public void SqueezeOfUnsqueezeIsIdentity()
    {
        var gen =
            from c in CaseGen(0, 4)
            from axis in Gen.Choose(-c.Shape.Length - 1, c.Shape.Length)
            select (c, axis);
        Check(109, Prop.ForAll(gen.ToArbitrary(), p =>
        {
            var x = p.c.Tensor();
            var u = x.Unsqueeze(p.axis);
            Assert.Equal(x.Rank + 1, u.Rank);
            Assert.Equal(1, u.Shape[p.axis]);
            var back = u.Squeeze(p.axis);
            Assert.Equal(x.Shape, back.Shape);
            Assert.Equal(x.ToDoubleArray(), back.ToDoubleArray());
        }));
    }

    /// <summary>A generated tensor: shape plus data seed (the tensor is rebuilt on demand so cases print compactly).</summary>
    public sealed record Case(int[] Shape, int Seed)
    {
        public Tensor Tensor() => TestUtil.Rand(Seed, Shape);

        public override string ToString() => $"Case([{string.Join(", ", Shape)}], seed {Seed})";
    }
}
