using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FreeEnergy.Compute.Random;

/// <summary>
/// Bernoulli draws from Philox uniforms, bit-identical to <see cref="Compute.Cpu.Sampling.Bernoulli"/> (element i uses
/// word <c>startIndex + i</c> of the stream), with eight Philox blocks computed at once on AVX2.
/// </summary>
internal static class PhiloxBernoulli
{
    private const uint M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;

    /// <summary>output[i] = 1 if uniform(seed, stream, startIndex + i) &lt; probabilities[i] else 0 (output may alias probabilities).</summary>
    public static void Sample(ReadOnlySpan<float> probabilities, Span<float> output, ulong seed, ulong stream, ulong startIndex)
    {
        if (output.Length < probabilities.Length) throw new ArgumentException("Output is shorter than the input.", nameof(output));
        int n = probabilities.Length;
        int i = 0;
        if (Avx2.IsSupported)
        {
            // Scalar prefix up to a block boundary, then 32 words (8 blocks) at a time.
            int prefix = (int)Math.Min((ulong)n, (4 - (startIndex & 3)) & 3);
            if (prefix > 0) Scalar(probabilities[..prefix], output[..prefix], seed, stream, startIndex);
            i = prefix;
            while (i + 32 <= n)
            {
                ulong block = (startIndex + (ulong)i) >> 2;
                if ((uint)block > uint.MaxValue - 7u) break; // the low counter word would carry inside this group
                Blocks8(seed, stream, block, probabilities.Slice(i, 32), output.Slice(i, 32));
                i += 32;
            }
            // A last partial group (a row of 500 or 784 words ends with one) through the vector path too: the scalar
            // blocks cost about as much as the rest of the row.
            int rest = n - i;
            ulong tail = (startIndex + (ulong)i) >> 2;
            if (rest is > 0 and < 32 && ((startIndex + (ulong)i) & 3) == 0 && (uint)tail <= uint.MaxValue - 7u)
            {
                Span<float> p = stackalloc float[32];
                Span<float> draws = stackalloc float[32];
                p.Clear();
                probabilities.Slice(i, rest).CopyTo(p);
                Blocks8(seed, stream, tail, p, draws);
                draws[..rest].CopyTo(output.Slice(i, rest));
                i = n;
            }
        }
        if (i < n) Scalar(probabilities[i..], output[i..n], seed, stream, startIndex + (ulong)i);
    }

    private static void Scalar(ReadOnlySpan<float> p, Span<float> output, ulong seed, ulong stream, ulong startIndex)
    {
        Span<float> u = stackalloc float[64];
        for (int start = 0; start < p.Length; start += u.Length)
        {
            int count = Math.Min(u.Length, p.Length - start);
            Philox.FillUniform(seed, stream, startIndex + (ulong)start, u[..count]);
            for (int k = 0; k < count; k++) output[start + k] = u[k] < p[start + k] ? 1f : 0f;
        }
    }

    /// <summary>Bernoulli draws for the 32 words of blocks block .. block + 7 (the low counter word must not carry).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Blocks8(ulong seed, ulong stream, ulong block, ReadOnlySpan<float> p, Span<float> output)
    {
        var c0 = Vector256.Create((uint)block) + Vector256.Create(0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u);
        var c1 = Vector256.Create((uint)(block >> 32));
        var c2 = Vector256.Create((uint)stream);
        var c3 = Vector256.Create((uint)(stream >> 32));
        uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
        var m0 = Vector256.Create(M0);
        var m1 = Vector256.Create(M1);
        for (int round = 0; round < 10; round++)
        {
            var (loP0, hiP0) = MultiplyWide(c0, m0);
            var (loP1, hiP1) = MultiplyWide(c2, m1);
            var n0 = hiP1 ^ c1 ^ Vector256.Create(k0);
            var n2 = hiP0 ^ c3 ^ Vector256.Create(k1);
            c1 = loP1;
            c3 = loP0;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }
        // Transpose to flat word order: block 0's four words, then block 1's, ...
        var t0 = Avx2.UnpackLow(c0, c1);
        var t1 = Avx2.UnpackHigh(c0, c1);
        var t2 = Avx2.UnpackLow(c2, c3);
        var t3 = Avx2.UnpackHigh(c2, c3);
        var u0 = Avx2.UnpackLow(t0.AsUInt64(), t2.AsUInt64()).AsUInt32();   // blocks 0 | 4
        var u1 = Avx2.UnpackHigh(t0.AsUInt64(), t2.AsUInt64()).AsUInt32();  // blocks 1 | 5
        var u2 = Avx2.UnpackLow(t1.AsUInt64(), t3.AsUInt64()).AsUInt32();   // blocks 2 | 6
        var u3 = Avx2.UnpackHigh(t1.AsUInt64(), t3.AsUInt64()).AsUInt32();  // blocks 3 | 7
        Draw(Avx2.Permute2x128(u0, u1, 0x20), p, output, 0);
        Draw(Avx2.Permute2x128(u2, u3, 0x20), p, output, 8);
        Draw(Avx2.Permute2x128(u0, u1, 0x31), p, output, 16);
        Draw(Avx2.Permute2x128(u2, u3, 0x31), p, output, 24);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Draw(Vector256<uint> words, ReadOnlySpan<float> p, Span<float> output, int offset)
    {
        var u = Avx.ConvertToVector256Single(Avx2.ShiftRightLogical(words, 8).AsInt32()) * Vector256.Create(1.0f / 16777216f);
        var probabilities = Vector256.Create(p.Slice(offset, 8));
        var draw = Vector256.LessThan(u, probabilities) & Vector256.Create(1f);
        draw.CopyTo(output.Slice(offset, 8));
    }

    /// <summary>Low and high 32 bits of the 64-bit products a[i] * b of eight lanes (b the same in every lane).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<uint> Low, Vector256<uint> High) MultiplyWide(Vector256<uint> a, Vector256<uint> b)
    {
        var even = Avx2.Multiply(a, b).AsUInt32();                                                   // lanes 0,2,4,6: lo; 1,3,5,7: hi of even products
        var odd = Avx2.Multiply(Avx2.ShiftRightLogical(a.AsUInt64(), 32).AsUInt32(), b).AsUInt32();  // b broadcast: its even lanes are b too
        var low = Avx2.Blend(even, Avx2.ShiftLeftLogical(odd.AsUInt64(), 32).AsUInt32(), 0b10101010);
        var high = Avx2.Blend(Avx2.ShiftRightLogical(even.AsUInt64(), 32).AsUInt32(), odd, 0b10101010);
        return (low, high);
    }
}
