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
/// independent of the thread count.
/// </remarks>
internal sealed class BinaryRows
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

    /// <summary>output[r, :] = sum over the ones k of row first + r of w[k, :] (w is width x n), for rows [0, rows).</summary>
    public unsafe void Multiply(IComputeBackend backend, int first, int rows, float[] w, int n, Span<float> output)
    {
        int width = _width;
        var indices = _indices;
        var counts = _counts;
        int blocks = (width + BlockDepth - 1) / BlockDepth;
        int blockSize = (width + blocks - 1) / blocks;
        fixed (float* pOut = output)
        {
            nint outAddress = (nint)pOut;
            backend.For(rows, Math.Max(1, 16384 / Math.Max(1, n)), (s, e) =>
            {
                float* o = (float*)outAddress;
                fixed (float* pw = w)
                fixed (int* pi = indices)
                {
                    for (int j0 = 0; j0 < n; j0 += 64)
                    {
                        int cols = Math.Min(64, n - j0);
                        for (int r = s; r < e; r++)
                        {
                            int* list = pi + (nint)(first + r) * width;
                            SumRows(list, counts[first + r], blockSize, pw + j0, n, o + (nint)r * n + j0, cols);
                        }
                    }
                }
            });
        }
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
            if (cols == 64)
            {
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                for (; t < end; t++)
                {
                    float* row = src + list[t] * stride;
                    a0 += Vector256.Load(row);
                    a1 += Vector256.Load(row + 8);
                    a2 += Vector256.Load(row + 16);
                    a3 += Vector256.Load(row + 24);
                    a4 += Vector256.Load(row + 32);
                    a5 += Vector256.Load(row + 40);
                    a6 += Vector256.Load(row + 48);
                    a7 += Vector256.Load(row + 56);
                }
                if (firstBlock)
                {
                    a0.Store(dst); a1.Store(dst + 8); a2.Store(dst + 16); a3.Store(dst + 24);
                    a4.Store(dst + 32); a5.Store(dst + 40); a6.Store(dst + 48); a7.Store(dst + 56);
                }
                else
                {
                    (Vector256.Load(dst) + a0).Store(dst);
                    (Vector256.Load(dst + 8) + a1).Store(dst + 8);
                    (Vector256.Load(dst + 16) + a2).Store(dst + 16);
                    (Vector256.Load(dst + 24) + a3).Store(dst + 24);
                    (Vector256.Load(dst + 32) + a4).Store(dst + 32);
                    (Vector256.Load(dst + 40) + a5).Store(dst + 40);
                    (Vector256.Load(dst + 48) + a6).Store(dst + 48);
                    (Vector256.Load(dst + 56) + a7).Store(dst + 56);
                }
            }
            else
            {
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
            }
            firstBlock = false;
            if (!more) break;
        }
    }

    /// <summary>
    /// The weight step from binary X (rows [0, m) as collected) and P [m x n]: velocity = momentum * velocity +
    /// lr * X^T P (the GEMM's Blend store, k blocked as <see cref="SumRows"/>), then, when <paramref name="weights"/>
    /// is given, weights += velocity.
    /// </summary>
    /// <returns>
    /// When the weights were updated on the one-block path, whether every new weight is finite with magnitude at most
    /// <paramref name="limit"/> (checked as it is stored, saving the caller a pass over W); otherwise null (not checked).
    /// </returns>
    public unsafe bool? WeightStep(IComputeBackend backend, int m, float[] p, int n, float lr, float momentum, float[] velocity, float[]? weights, float limit = float.MaxValue)
    {
        int width = _width;
        var columnRows = _columnRows;
        var columnCounts = _columnCounts;
        Array.Clear(columnCounts);
        for (int r = 0; r < m; r++)
        {
            int count = _counts[r];
            int offset = r * width;
            for (int t = 0; t < count; t++)
            {
                int i = _indices[offset + t];
                columnRows[i * _capacityRows + columnCounts[i]++] = r;
            }
        }
        int blocks = (m + BlockDepth - 1) / BlockDepth;
        int blockSize = (m + blocks - 1) / blocks;
        int capacity = _capacityRows;
        if (blocks == 1 && Vector256.IsHardwareAccelerated)
        {
            bool sane = WeightStepOneBlock(backend, m, p, n, lr, momentum, velocity, weights, Math.Min(limit, float.MaxValue));
            return weights is null ? null : sane;
        }
        backend.For(width, Math.Max(1, 16384 / Math.Max(1, n)), (s, e) =>
        {
            float* acc = stackalloc float[64];
            fixed (float* pp = p)
            fixed (float* pv = velocity)
            fixed (float* pwt = weights)
            fixed (int* pc = columnRows)
            {
                var vlr = Vector256.Create(lr);
                var vm = Vector256.Create(momentum);
                // Column chunks outermost: a chunk of P (m x 64) stays in cache while every visible unit sums its rows.
                for (int j0 = 0; j0 < n; j0 += 64)
                {
                    int cols = Math.Min(64, n - j0);
                    for (int i = s; i < e; i++)
                    {
                        int* list = pc + (nint)i * capacity;
                        int count = columnCounts[i];
                        float* vj = pv + (nint)i * n + j0;
                        if (blocks == 1)
                        {
                            // One k block: sum the rows into acc (eight independent vector sums), then fold.
                            SumRows(list, count, blockSize, pp + j0, n, acc, cols);
                            int c = 0;
                            for (; c + 8 <= cols; c += 8) Fma(Vector256.Load(acc + c), vlr, vm * Vector256.Load(vj + c)).Store(vj + c);
                            for (; c < cols; c++) vj[c] = MathF.FusedMultiplyAdd(acc[c], lr, momentum * vj[c]);
                        }
                        else
                        {
                            // acc = X^T P block by block, folded into the velocity as the GEMM store does.
                            int t = 0;
                            bool firstBlock = true;
                            for (int blockEnd = blockSize; ; blockEnd += blockSize)
                            {
                                int end = t;
                                while (end < count && list[end] < blockEnd) end++;
                                int j = 0;
                                for (; j + 8 <= cols; j += 8)
                                {
                                    var a = Vector256<float>.Zero;
                                    for (int q = t; q < end; q++) a += Vector256.Load(pp + (nint)list[q] * n + j0 + j);
                                    var old = Vector256.Load(vj + j);
                                    (firstBlock ? Fma(a, vlr, vm * old) : Fma(a, vlr, old)).Store(vj + j);
                                }
                                for (; j < cols; j++)
                                {
                                    float a = 0f;
                                    for (int q = t; q < end; q++) a += pp[(nint)list[q] * n + j0 + j];
                                    vj[j] = firstBlock ? MathF.FusedMultiplyAdd(a, lr, momentum * vj[j]) : MathF.FusedMultiplyAdd(a, lr, vj[j]);
                                }
                                t = end;
                                firstBlock = false;
                                if (t >= count && blockEnd >= m) break;
                            }
                        }
                        if (pwt != null)
                        {
                            float* wj = pwt + (nint)i * n + j0;
                            int c = 0;
                            for (; c + 8 <= cols; c += 8) (Vector256.Load(wj + c) + Vector256.Load(vj + c)).Store(wj + c);
                            for (; c < cols; c++) wj[c] += vj[c];
                        }
                    }
                }
            }
        });
        return null;
    }

    /// <summary>Columns of P per pass of the one-block weight step: a 32-column slice of up to 384 rows (48 KiB at most, 25 KiB for 200 rows) stays in L1.</summary>
    private const int StepColumns = 32;

    /// <summary>
    /// <see cref="WeightStep"/> for at most <see cref="BlockDepth"/> rows (one k block): P is walked in 32-column slices
    /// that stay in L1, and two visible units are summed at once (eight independent vector sums), each element still
    /// adding its rows in increasing order from zero, so the result is the same as the general path's.
    /// </summary>
    /// <returns>Whether every stored weight has magnitude at most <paramref name="limit"/> (NaN fails; true when no weights are given).</returns>
    private unsafe bool WeightStepOneBlock(IComputeBackend backend, int m, float[] p, int n, float lr, float momentum, float[] velocity, float[]? weights, float limit)
    {
        int width = _width;
        var columnRows = _columnRows;
        var columnCounts = _columnCounts;
        int capacity = _capacityRows;
        int bad = 0;
        backend.For(width, Math.Max(1, 16384 / Math.Max(1, n)), (s, e) =>
        {
            var within = Vector256<float>.AllBitsSet;
            var vlimit = Vector256.Create(limit);
            bool scalarBad = false;
            float* acc = stackalloc float[2 * StepColumns];
            float* slice = GemmScratch.PackedA(m * StepColumns);
            fixed (float* pp = p)
            fixed (float* pv = velocity)
            fixed (float* pwt = weights)
            fixed (int* pc = columnRows)
            fixed (int* counts = columnCounts)
            {
                var vlr = Vector256.Create(lr);
                var vm = Vector256.Create(momentum);
                for (int j0 = 0; j0 < n; j0 += StepColumns)
                {
                    int cols = Math.Min(StepColumns, n - j0);
                    int i = s;
                    if (cols == StepColumns && e - s >= 2)
                    {
                        // The slice P[:, j0 .. j0 + 32) copied to contiguous, aligned rows: 128 bytes each, all in L1.
                        for (int r = 0; r < m; r++)
                            for (int c = 0; c < StepColumns; c += 8) Vector256.Load(pp + (nint)r * n + j0 + c).Store(slice + r * StepColumns + c);
                        for (; i + 2 <= e; i += 2)
                        {
                            SumRowsPair(pc + (nint)i * capacity, counts[i], pc + (nint)(i + 1) * capacity, counts[i + 1], slice, StepColumns, acc);
                            for (int u = 0; u < 2; u++)
                            {
                                float* vj = pv + (nint)(i + u) * n + j0;
                                float* a = acc + u * StepColumns;
                                for (int c = 0; c < StepColumns; c += 8) Fma(Vector256.Load(a + c), vlr, vm * Vector256.Load(vj + c)).Store(vj + c);
                                if (pwt != null)
                                {
                                    float* wj = pwt + (nint)(i + u) * n + j0;
                                    for (int c = 0; c < StepColumns; c += 8)
                                    {
                                        var w = Vector256.Load(wj + c) + Vector256.Load(vj + c);
                                        w.Store(wj + c);
                                        within &= Vector256.LessThanOrEqual(Vector256.Abs(w), vlimit);
                                    }
                                }
                            }
                        }
                    }
                    for (; i < e; i++)
                    {
                        float* vj = pv + (nint)i * n + j0;
                        SumRows(pc + (nint)i * capacity, counts[i], int.MaxValue, pp + j0, n, acc, cols);
                        int c = 0;
                        for (; c + 8 <= cols; c += 8) Fma(Vector256.Load(acc + c), vlr, vm * Vector256.Load(vj + c)).Store(vj + c);
                        for (; c < cols; c++) vj[c] = MathF.FusedMultiplyAdd(acc[c], lr, momentum * vj[c]);
                        if (pwt != null)
                        {
                            float* wj = pwt + (nint)i * n + j0;
                            c = 0;
                            for (; c + 8 <= cols; c += 8)
                            {
                                var w = Vector256.Load(wj + c) + Vector256.Load(vj + c);
                                w.Store(wj + c);
                                within &= Vector256.LessThanOrEqual(Vector256.Abs(w), vlimit);
                            }
                            for (; c < cols; c++)
                            {
                                wj[c] += vj[c];
                                if (!(MathF.Abs(wj[c]) <= limit)) scalarBad = true;
                            }
                        }
                    }
                }
            }
            if (scalarBad || !Vector256.EqualsAll(within.AsInt32(), Vector256<int>.AllBitsSet)) Volatile.Write(ref bad, 1);
        });
        return bad == 0;
    }

    /// <summary>
    /// acc[0..32) = sum over t of src[listA[t] * stride + 0..32) and acc[32..64) the same over listB, each summed in list
    /// order from zero (eight independent vector sums: four per list).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SumRowsPair(int* listA, int countA, int* listB, int countB, float* src, nint stride, float* acc)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
        int common = Math.Min(countA, countB), t = 0;
        for (; t < common; t++)
        {
            float* ra = src + listA[t] * stride;
            float* rb = src + listB[t] * stride;
            a0 += Vector256.Load(ra);
            b0 += Vector256.Load(rb);
            a1 += Vector256.Load(ra + 8);
            b1 += Vector256.Load(rb + 8);
            a2 += Vector256.Load(ra + 16);
            b2 += Vector256.Load(rb + 16);
            a3 += Vector256.Load(ra + 24);
            b3 += Vector256.Load(rb + 24);
        }
        for (int u = t; u < countA; u++)
        {
            float* ra = src + listA[u] * stride;
            a0 += Vector256.Load(ra);
            a1 += Vector256.Load(ra + 8);
            a2 += Vector256.Load(ra + 16);
            a3 += Vector256.Load(ra + 24);
        }
        for (int u = t; u < countB; u++)
        {
            float* rb = src + listB[u] * stride;
            b0 += Vector256.Load(rb);
            b1 += Vector256.Load(rb + 8);
            b2 += Vector256.Load(rb + 16);
            b3 += Vector256.Load(rb + 24);
        }
        a0.Store(acc); a1.Store(acc + 8); a2.Store(acc + 16); a3.Store(acc + 24);
        b0.Store(acc + 32); b1.Store(acc + 40); b2.Store(acc + 48); b3.Store(acc + 56);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c)
        => System.Runtime.Intrinsics.X86.Fma.IsSupported ? System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a, b, c) : a * b + c;
}
