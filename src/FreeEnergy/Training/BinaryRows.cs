using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;

namespace FreeEnergy.Training;

/// <summary>
/// Matrix products with a binary (0/1) operand as sums of selected rows: x W for binary rows x is the sum of the rows
/// of W where x is 1, and X^T P for binary X sums, for each column of X, the rows of P where that column is 1. Binary
/// MNIST rows are about 13% ones and Bernoulli samples rarely much more, so this does a fraction of a dense GEMM's work.
/// </summary>
/// <remarks>
/// Each output element adds its terms in increasing k order, in k blocks of the same size as the AVX2 packed GEMM
/// (first block stored, later blocks added), which is exactly what that GEMM computes for a 0/1 operand (a fused
/// multiply-add by 1 is one rounded add, by 0 leaves the sum unchanged): results are bit-identical to it and, like it,
/// independent of the thread count. The products are in BinaryRows.Product.cs, the weight step in
/// BinaryRows.WeightStep.cs.
/// </remarks>
internal sealed partial class BinaryRows
{
    /// <summary>Depth of one k block (the AVX2 GEMM kernel's KC).</summary>
    private const int BlockDepth = 384;

    /// <summary>Above this fraction of ones a dense GEMM is as fast.</summary>
    public const double MaxDensity = 0.5;

    private readonly int _capacityRows, _width;
    private readonly int[] _indices, _counts;
    private readonly int[] _columnRows, _columnCounts;

    /// <summary>Index storage for up to <paramref name="rows"/> rows of <paramref name="width"/> values.</summary>
    public BinaryRows(int rows, int width)
    {
        _capacityRows = rows;
        _width = width;
        _indices = new int[rows * width];
        _counts = new int[rows];
        _columnRows = new int[width * rows];
        _columnCounts = new int[width];
    }

    /// <summary>
    /// Records the positions of the ones of rows [first, first + rows) of <paramref name="x"/> (row-major, width
    /// columns). Returns false when a value is neither 0 nor 1 or the rows are denser than <see cref="MaxDensity"/>.
    /// </summary>
    public bool Collect(IComputeBackend backend, float[] x, int first, int rows)
    {
        int width = _width;
        var indices = _indices;
        var counts = _counts;
        int bad = 0;
        backend.For(rows, Math.Max(1, 65536 / width), (s, e) =>
        {
            for (int r = first + s; r < first + e; r++)
            {
                int count = CollectRow(x.AsSpan(r * width, width), indices.AsSpan(r * width, width));
                counts[r] = count;
                if (count < 0) Volatile.Write(ref bad, 1);
            }
        });
        if (bad != 0) return false;
        long ones = 0;
        for (int r = first; r < first + rows; r++) ones += counts[r];
        return ones <= MaxDensity * rows * width;
    }

    /// <summary>Positions of the ones in a 0/1 row, or -1 when another value occurs.</summary>
    private static int CollectRow(ReadOnlySpan<float> row, Span<int> positions)
    {
        int count = 0, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var one = Vector256<float>.One;
            for (; i + 8 <= row.Length; i += 8)
            {
                var v = Vector256.Create(row.Slice(i, 8));
                var isOne = Vector256.Equals(v, one);
                if ((isOne | Vector256.Equals(v, Vector256<float>.Zero)).ExtractMostSignificantBits() != 0xFFu) return -1;
                uint mask = isOne.ExtractMostSignificantBits();
                while (mask != 0)
                {
                    positions[count++] = i + BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                }
            }
        }
        for (; i < row.Length; i++)
        {
            float v = row[i];
            if (v == 1f) positions[count++] = i;
            else if (v != 0f) return -1;
        }
        return count;
    }

    /// <summary>
    /// dst[0..cols) = sum over t of src[list[t] * stride + 0..cols), in k blocks of blockSize (by list value):
    /// the first block is stored, later ones added.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SumRows(int* list, int count, int blockSize, float* src, nint stride, float* dst, int cols)
    {
        int t = 0;
        bool firstBlock = true;
        for (int blockEnd = blockSize; ; blockEnd += blockSize)
        {
            int end = t;
            while (end < count && list[end] < blockEnd) end++;
            bool more = end < count;
            int start = t;
            int j = 0;
            for (; j + 8 <= cols; j += 8)
            {
                var a = Vector256<float>.Zero;
                for (int q = start; q < end; q++) a += Vector256.Load(src + list[q] * stride + j);
                if (firstBlock) a.Store(dst + j);
                else (Vector256.Load(dst + j) + a).Store(dst + j);
            }
            for (; j < cols; j++)
            {
                float a = 0f;
                for (int q = start; q < end; q++) a += src[list[q] * stride + j];
                dst[j] = firstBlock ? a : dst[j] + a;
            }
            t = end;
            firstBlock = false;
            if (!more) break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c)
        => System.Runtime.Intrinsics.X86.Fma.IsSupported ? System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a, b, c) : a * b + c;
}
