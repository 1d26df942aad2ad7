using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;

namespace FreeEnergy.Training;

// BinaryRows, part three: the weight step of CD/PCD training from binary visible rows, velocity and weights from X^T P in one pass.
internal sealed partial class BinaryRows
{
    /// <summary>How the weight step scales P's rows: rows below <paramref name="PositiveRows"/> by <paramref name="Positive"/>, the rest by <paramref name="Negative"/>.</summary>
    public readonly record struct RowScale(int PositiveRows, float Positive, float Negative)
    {
        /// <summary>No scaling (P already scaled).</summary>
        public static RowScale None(int rows) => new(rows, 1f, 1f);

        /// <summary>Whether every row is scaled by one.</summary>
        public bool IsNone => (Positive == 1f || PositiveRows <= 0) && Negative == 1f;

        /// <summary>The factor of row r.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Of(int r) => r < PositiveRows ? Positive : Negative;
    }

    /// <summary>
    /// The weight step from binary X (rows [0, m) as collected) and P [m x n]: velocity = momentum * velocity +
    /// lr * X^T P (the GEMM's Blend store, k blocked as <see cref="SumRows"/>), then, when <paramref name="weights"/>
    /// is given, velocity -= <paramref name="decay"/> * weights (L2 weight decay, decay = lr * L2; a rounded product
    /// then a rounded difference) and weights += velocity. On the one-block path with weights and both panel sets
    /// given, the new weights are also packed into the panels, tile by tile while they are in L1
    /// (<see cref="PanelsPacked"/> then says so).
    /// </summary>
    /// <returns>
    /// When the weights were updated on the one-block path, whether every new weight is finite with magnitude at most
    /// <paramref name="limit"/> (checked as it is stored, saving the caller a pass over W); otherwise null (not checked).
    /// </returns>
    /// <remarks>
    /// P's rows are scaled by <paramref name="scale"/> as its 32-column slices are copied (P itself is left as it is),
    /// and, when given, the bias gradients of the scaled rows come from the same pass: visibleGradient[i] = sum over the
    /// rows r (in increasing order) of scale(r) x[r, i], hiddenGradient[j] = sum over r of scale(r) P[r, j] (a rounded
    /// product, then rounded sums). Scaling and gradients need the one-pass path (<see cref="OnePass"/>); otherwise
    /// pass <see cref="RowScale.None"/>, P already scaled, and no gradients.
    /// <para>
    /// Grey data: with <paramref name="dense"/> given, its rows [0, <paramref name="denseRows"/>) (row-major, the
    /// width of the collected rows) are the first rows of X, real-valued and not collected; only rows [denseRows, m)
    /// are. Their terms come first, each a fused multiply-add x[r, i] P[r, j] in increasing r from zero, then the
    /// binary rows add theirs: the same sequence of operations as the one-block GEMM, so the same bits. One pass only.
    /// </para>
    /// </remarks>
    public unsafe bool? WeightStep(IComputeBackend backend, int m, float[] p, RowScale scale, int n, float lr, float momentum, float[] velocity, float[]? weights,
        float limit = float.MaxValue, float decay = 0f, BinaryPanels? rowPanels = null, BinaryPanels? columnPanels = null,
        float[]? visibleGradient = null, float[]? hiddenGradient = null, float[]? dense = null, int denseRows = 0)
    {
        PanelsPacked = false;
        if (dense is null) denseRows = 0;
        if (denseRows < 0 || denseRows > m || (long)denseRows * _width > (dense?.Length ?? 0)) throw new ArgumentOutOfRangeException(nameof(denseRows));
        if (denseRows > 0 && !OnePass(m))
            throw new NotSupportedException($"Real-valued rows in the weight step need one pass (at most {BlockDepth} rows, AVX2).");
        if (!OnePass(m) && (!scale.IsNone || visibleGradient is not null || hiddenGradient is not null))
            throw new NotSupportedException($"Scaling P and summing the bias gradients in the weight step needs one pass (at most {BlockDepth} rows, AVX2).");
        if (visibleGradient is not null && visibleGradient.Length < _width) throw new ArgumentException("The visible gradient is too short.", nameof(visibleGradient));
        if (hiddenGradient is not null && hiddenGradient.Length < n) throw new ArgumentException("The hidden gradient is too short.", nameof(hiddenGradient));
        if (rowPanels is not null && (rowPanels.Depth != _width || rowPanels.Width != n)) throw new ArgumentException("The row panels do not match the weights.", nameof(rowPanels));
        if (columnPanels is not null && (columnPanels.Depth != n || columnPanels.Width != _width)) throw new ArgumentException("The column panels do not match the weights.", nameof(columnPanels));
        int width = _width;
        var columnRows = _columnRows;
        var columnCounts = _columnCounts;
        int blocks = (m + BlockDepth - 1) / BlockDepth;
        int blockSize = (m + blocks - 1) / blocks;
        int capacity = _capacityRows;
        if (OnePass(m))
        {
            // The column lists are built inside the parallel pass, each thread those of its own visible units.
            bool pack = weights is not null && rowPanels is not null && columnPanels is not null;
            bool sane = WeightStepOneBlock(backend, m, p, scale, n, lr, momentum, velocity, weights, Math.Min(limit, float.MaxValue), decay,
                pack ? rowPanels : null, pack ? columnPanels : null, visibleGradient, hiddenGradient, dense, denseRows);
            PanelsPacked = pack;
            return weights is null ? null : sane;
        }
        ColumnLists(m, 0, width);
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
                            var vdecay = Vector256.Create(decay);
                            for (; c + 8 <= cols; c += 8)
                            {
                                var w = Vector256.Load(wj + c);
                                var v = Vector256.Load(vj + c);
                                if (decay != 0f) v -= w * vdecay;
                                v.Store(vj + c);
                                (w + v).Store(wj + c);
                            }
                            for (; c < cols; c++)
                            {
                                if (decay != 0f) vj[c] -= wj[c] * decay;
                                wj[c] += vj[c];
                            }
                        }
                    }
                }
            }
        });
        return null;
    }

    /// <summary>Columns of P per pass of the one-block weight step: a 32-column slice of up to 384 rows (48 KiB at most, 25 KiB for 200 rows) stays in L1.</summary>
    private const int StepColumns = 32;

    /// <summary>Whether <see cref="WeightStep"/> runs in one pass for <paramref name="m"/> rows (one k block, AVX2), so that it can scale P and sum the bias gradients itself.</summary>
    public static bool OnePass(int m) => m <= BlockDepth && Vector256.IsHardwareAccelerated;

    /// <summary>
    /// The nonzero values of the real-valued rows of the last one-pass step by column: column i's values at
    /// i * rows, their row indices in <see cref="_denseRowIndices"/> at the same places, their count in
    /// <see cref="_denseCounts"/>[i] (grown on demand).
    /// </summary>
    private float[] _denseColumns = [];
    private int[] _denseRowIndices = [];
    private int[] _denseCounts = [];

    /// <summary>Whether the last <see cref="WeightStep"/> packed the new weights into the panels it was given.</summary>
    public bool PanelsPacked { get; private set; }

    /// <summary>
    /// For each visible unit i in [s, e), the rows r in [first, m) whose collected list holds i, in increasing r: row r's
    /// sorted list is searched for the first index at least s, then read until e.
    /// </summary>
    private void ColumnLists(int m, int s, int e, int first = 0)
    {
        var columnRows = _columnRows;
        var columnCounts = _columnCounts;
        Array.Clear(columnCounts, s, e - s);
        int width = _width, capacity = _capacityRows;
        for (int r = first; r < m; r++)
        {
            var list = _indices.AsSpan(r * width, _counts[r]);
            int lo = 0, hi = list.Length;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (list[mid] < s) lo = mid + 1;
                else hi = mid;
            }
            for (int t = lo; t < list.Length; t++)
            {
                int i = list[t];
                if (i >= e) break;
                columnRows[i * capacity + columnCounts[i]++] = r;
            }
        }
    }

    /// <summary>
    /// The one-pass weight step (at most <see cref="BlockDepth"/> rows, one k block). P is walked in 32-column slices,
    /// each copied (scaled) to contiguous rows that stay in L1, and two visible units are summed at once (eight
    /// independent vector sums), each element adding its rows in increasing order from zero: the same bits as the
    /// general path's and the GEMM's. Threads take whole groups of eight visible units, so that after each group's part
    /// of a slice the new weights (in L1) can be packed into the panels tile by tile.
    /// </summary>
    /// <returns>Whether every stored weight has magnitude at most <paramref name="limit"/> (NaN fails; true when no weights are given).</returns>
    private unsafe bool WeightStepOneBlock(IComputeBackend backend, int m, float[] p, RowScale scale, int n, float lr, float momentum, float[] velocity, float[]? weights,
        float limit, float decay, BinaryPanels? rowPanels, BinaryPanels? columnPanels, float[]? visibleGradient, float[]? hiddenGradient,
        float[]? dense, int denseRows)
    {
        int width = _width;
        var columnRows = _columnRows;
        var columnCounts = _columnCounts;
        int capacity = _capacityRows;
        int bad = 0;
        int groups = (width + BinaryPanels.Lanes - 1) / BinaryPanels.Lanes;
        if (denseRows > 0 && _denseColumns.Length < width * denseRows)
        {
            _denseColumns = new float[width * _capacityRows];
            _denseRowIndices = new int[width * _capacityRows];
            _denseCounts = new int[width];
        }
        var denseColumns = _denseColumns;
        var denseRowIndices = _denseRowIndices;
        var denseCounts = _denseCounts;
        backend.For(groups, Math.Max(1, 2048 / Math.Max(1, n)), (gs, ge) =>
        {
            int s = gs * BinaryPanels.Lanes, e = Math.Min(ge * BinaryPanels.Lanes, width);
            ColumnLists(m, s, e, denseRows);
            // The nonzero values of the real-valued rows' columns of these units, each column contiguous (at i * denseRows)
            // in increasing row order. A zero term changes no sum (a fused multiply-add by +-0 leaves a nonzero sum as
            // it is, and a zero sum from +0 stays +0), so skipping zeros keeps the GEMM's bits; grey images are mostly zeros.
            if (denseRows > 0) Array.Clear(denseCounts, s, e - s);
            for (int r = 0; r < denseRows; r++)
                for (int i = s; i < e; i++)
                {
                    float value = dense![r * width + i];
                    if (value == 0f) continue;
                    int at = i * denseRows + denseCounts[i]++;
                    denseColumns[at] = value;
                    denseRowIndices[at] = r;
                }
            if (visibleGradient is not null)
                for (int i = s; i < e; i++)
                {
                    var list = columnRows.AsSpan(i * capacity, columnCounts[i]);
                    float sum = 0f;
                    for (int t = 0; t < (denseRows > 0 ? denseCounts[i] : 0); t++) sum += denseColumns[i * denseRows + t] * scale.Of(denseRowIndices[i * denseRows + t]);
                    foreach (int r in list) sum += scale.Of(r);
                    visibleGradient[i] = sum;
                }
            var update = new VelocityUpdate(lr, momentum, decay, limit, momentum != 0f || weights is null);
            float* acc = stackalloc float[2 * StepColumns];
            float* denseAcc = stackalloc float[BinaryPanels.Lanes * StepColumns];
            float* slice = GemmScratch.PackedA(m * StepColumns);
            fixed (float* pp = p)
            fixed (float* pv = velocity)
            fixed (float* pwt = weights)
            fixed (float* prp = rowPanels?.Data)
            fixed (float* pcp = columnPanels?.Data)
            fixed (int* pc = columnRows)
            fixed (int* counts = columnCounts)
            fixed (float* pxt = denseColumns)
            fixed (int* pxr = denseRowIndices)
            {
                for (int j0 = 0; j0 < n; j0 += StepColumns)
                {
                    int cols = Math.Min(StepColumns, n - j0);
                    CopySlice(pp + j0, n, m, cols, scale, slice);
                    if (hiddenGradient is not null && gs == 0) ColumnSums(slice, m, cols, hiddenGradient.AsSpan(j0, cols));
                    for (int g = gs; g < ge; g++)
                    {
                        int i = g * BinaryPanels.Lanes, end = Math.Min(i + BinaryPanels.Lanes, width), i0 = i;
                        for (int u = i0; denseRows > 0 && u < end; u += 2)
                        {
                            nint a = (nint)u * denseRows, b = (nint)Math.Min(u + 1, end - 1) * denseRows;
                            ValueSumsPair(pxr + a, pxt + a, denseCounts[u], pxr + b, pxt + b, u + 1 < end ? denseCounts[u + 1] : 0, slice, StepColumns, denseAcc + (u - i0) * StepColumns);
                        }
                        for (; i < end; i += 2)
                        {
                            bool two = i + 1 < end;
                            float* startA = denseRows > 0 ? denseAcc + (i - i0) * StepColumns : null;
                            SumRowsPair(startA, startA == null ? null : startA + StepColumns, pc + (nint)i * capacity, counts[i], pc + (nint)(i + 1) * capacity, two ? counts[i + 1] : 0, slice, StepColumns, acc);
                            for (int u = 0; u < (two ? 2 : 1); u++)
                                update.Apply(acc + u * StepColumns, pv + (nint)(i + u) * n + j0, pwt == null ? null : pwt + (nint)(i + u) * n + j0, cols);
                        }
                        if (prp != null)
                            for (int tj = j0 / BinaryPanels.Lanes; tj * BinaryPanels.Lanes < j0 + cols; tj++)
                                BinaryPanels.PackTile(pwt, width, n, g, tj, rowPanels!, prp, columnPanels!, pcp);
                    }
                }
            }
            if (!update.Sane) Volatile.Write(ref bad, 1);
        });
        return bad == 0;
    }

    /// <summary>slice[r, 0..32) = scale(r) * P[r, 0..cols) for rows [0, m), zero past cols (rows of 32 floats).</summary>
    private static unsafe void CopySlice(float* p, nint stride, int m, int cols, RowScale scale, float* slice)
    {
        for (int r = 0; r < m; r++)
        {
            float f = scale.Of(r);
            float* src = p + r * stride;
            float* dst = slice + r * StepColumns;
            if (cols == StepColumns)
            {
                var vf = Vector256.Create(f);
                for (int c = 0; c < StepColumns; c += 8) (Vector256.Load(src + c) * vf).Store(dst + c);
                continue;
            }
            int k = 0;
            for (; k < cols; k++) dst[k] = src[k] * f;
            for (; k < StepColumns; k++) dst[k] = 0f;
        }
    }

    /// <summary>sums[c] = slice[0, c] + slice[1, c] + ... (rows in order from zero), for c in [0, sums.Length).</summary>
    private static unsafe void ColumnSums(float* slice, int m, int cols, Span<float> sums)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int r = 0; r < m; r++)
        {
            float* row = slice + r * StepColumns;
            a0 += Vector256.Load(row);
            a1 += Vector256.Load(row + 8);
            a2 += Vector256.Load(row + 16);
            a3 += Vector256.Load(row + 24);
        }
        float* all = stackalloc float[StepColumns];
        a0.Store(all); a1.Store(all + 8); a2.Store(all + 16); a3.Store(all + 24);
        new ReadOnlySpan<float>(all, cols).CopyTo(sums);
    }

    /// <summary>
    /// The per-element end of the weight step: v = lr * sum + momentum * v (one fused multiply-add), v -= decay * w,
    /// w += v; the velocity is stored unless it is only a temporary (no momentum, weights given). Tracks whether every
    /// stored weight is within the limit.
    /// </summary>
    private struct VelocityUpdate(float lr, float momentum, float decay, float limit, bool keepVelocity)
    {
        private Vector256<float> _within = Vector256<float>.AllBitsSet;
        private bool _scalarBad;

        public readonly bool Sane => !_scalarBad && Vector256.EqualsAll(_within.AsInt32(), Vector256<int>.AllBitsSet);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public unsafe void Apply(float* sum, float* velocity, float* weights, int cols)
        {
            var vlr = Vector256.Create(lr);
            var vm = Vector256.Create(momentum);
            var vdecay = Vector256.Create(decay);
            var vlimit = Vector256.Create(limit);
            int c = 0;
            for (; c + 8 <= cols; c += 8)
            {
                var v = Fma(Vector256.Load(sum + c), vlr, keepVelocity ? vm * Vector256.Load(velocity + c) : Vector256<float>.Zero);
                if (weights != null)
                {
                    var w = Vector256.Load(weights + c);
                    if (decay != 0f) v -= w * vdecay;
                    w += v;
                    w.Store(weights + c);
                    _within &= Vector256.LessThanOrEqual(Vector256.Abs(w), vlimit);
                }
                if (keepVelocity) v.Store(velocity + c);
            }
            for (; c < cols; c++)
            {
                float v = MathF.FusedMultiplyAdd(sum[c], lr, keepVelocity ? momentum * velocity[c] : 0f);
                if (weights != null)
                {
                    if (decay != 0f) v -= weights[c] * decay;
                    weights[c] += v;
                    if (!(MathF.Abs(weights[c]) <= limit)) _scalarBad = true;
                }
                if (keepVelocity) velocity[c] = v;
            }
        }
    }

    /// <summary>
    /// acc[0..32) = sum over t of valuesA[t] src[rowsA[t] * stride + 0..32) and acc[32..64) the same over B, fused
    /// multiply-adds in list order from zero (eight independent vector sums: four per list).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ValueSumsPair(int* rowsA, float* valuesA, int countA, int* rowsB, float* valuesB, int countB, float* src, nint stride, float* acc)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
        int common = Math.Min(countA, countB), t = 0;
        for (; t < common; t++)
        {
            float* ra = src + rowsA[t] * stride;
            float* rb = src + rowsB[t] * stride;
            var xa = Vector256.Create(valuesA[t]);
            var xb = Vector256.Create(valuesB[t]);
            a0 = Fma(xa, Vector256.Load(ra), a0);
            b0 = Fma(xb, Vector256.Load(rb), b0);
            a1 = Fma(xa, Vector256.Load(ra + 8), a1);
            b1 = Fma(xb, Vector256.Load(rb + 8), b1);
            a2 = Fma(xa, Vector256.Load(ra + 16), a2);
            b2 = Fma(xb, Vector256.Load(rb + 16), b2);
            a3 = Fma(xa, Vector256.Load(ra + 24), a3);
            b3 = Fma(xb, Vector256.Load(rb + 24), b3);
        }
        AddValueRows(rowsA, valuesA, t, countA, src, stride, ref a0, ref a1, ref a2, ref a3);
        AddValueRows(rowsB, valuesB, t, countB, src, stride, ref b0, ref b1, ref b2, ref b3);
        a0.Store(acc); a1.Store(acc + 8); a2.Store(acc + 16); a3.Store(acc + 24);
        b0.Store(acc + 32); b1.Store(acc + 40); b2.Store(acc + 48); b3.Store(acc + 56);
    }

    /// <summary>s0..s3 += values[u] src[rows[u] * stride + 0..32) for u in [from, count), fused multiply-adds in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AddValueRows(int* rows, float* values, int from, int count, float* src, nint stride,
        ref Vector256<float> s0, ref Vector256<float> s1, ref Vector256<float> s2, ref Vector256<float> s3)
    {
        for (int u = from; u < count; u++)
        {
            float* row = src + rows[u] * stride;
            var x = Vector256.Create(values[u]);
            s0 = Fma(x, Vector256.Load(row), s0);
            s1 = Fma(x, Vector256.Load(row + 8), s1);
            s2 = Fma(x, Vector256.Load(row + 16), s2);
            s3 = Fma(x, Vector256.Load(row + 24), s3);
        }
    }

    /// <summary>
    /// acc[0..32) = startA[0..32) (zero when null) plus src[listA[t] * stride + 0..32) over t, and acc[32..64) the same
    /// with startB and listB, each summed in list order (eight independent vector sums: four per list).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SumRowsPair(float* startA, float* startB, int* listA, int countA, int* listB, int countB, float* src, nint stride, float* acc)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
        if (startA != null)
        {
            a0 = Vector256.Load(startA); a1 = Vector256.Load(startA + 8); a2 = Vector256.Load(startA + 16); a3 = Vector256.Load(startA + 24);
            b0 = Vector256.Load(startB); b1 = Vector256.Load(startB + 8); b2 = Vector256.Load(startB + 16); b3 = Vector256.Load(startB + 24);
        }
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
}
