using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;

namespace FreeEnergy.Training;

// BinaryRows, part two: x W for binary rows x, with W as L1-sized panels (BinaryPanels).
internal sealed partial class BinaryRows
{
    /// <summary>Interleaved index lists of groups of eight rows, and their lengths per k block (<see cref="Multiply"/>'s scratch, grown on demand).</summary>
    private ushort[] _groupLists = [];
    private int[] _groupLengths = [];

    /// <summary>The widest rows <see cref="Multiply"/> takes: panel offsets (k * 8, the zero row at width * 8) are 16-bit.</summary>
    public const int MaxPanelDepth = ushort.MaxValue / BinaryPanels.Lanes;

    /// <summary>Rows summed together by <see cref="Multiply"/> (eight independent vector sums).</summary>
    private const int GroupRows = 8;

    /// <summary>
    /// output[r, :] = sum over the ones k of row first + r of M[k, :], for rows [0, rows), with M [width x N] given as
    /// <paramref name="panels"/>; output rows have stride N.
    /// </summary>
    /// <remarks>
    /// Two parallel passes. First each group of eight rows gets, per k block, its eight index lists interleaved and
    /// padded to the longest with the panels' zero row. Then each thread takes a range of panels and, panel by panel
    /// (in L1), sums the selected panel rows of every group: eight rows at once, each element in increasing k order,
    /// so the result is the same bits as before and whatever the thread count.
    /// </remarks>
    public unsafe void Multiply(IComputeBackend backend, int first, int rows, BinaryPanels panels, Span<float> output)
    {
        if (panels.Depth != _width) throw new ArgumentException($"Panels of depth {panels.Depth} do not match rows of width {_width}.", nameof(panels));
        if (_width > MaxPanelDepth) throw new NotSupportedException($"Rows of width {_width} are wider than the {MaxPanelDepth} the 16-bit panel offsets reach.");
        if (first < 0 || rows < 0 || first + rows > _capacityRows) throw new ArgumentOutOfRangeException(nameof(rows));
        int n = panels.Width;
        if (output.Length < rows * n) throw new ArgumentException($"The output has {output.Length} values, fewer than {rows} x {n}.", nameof(output));
        if (rows == 0) return;
        int width = _width;
        int blocks = (width + BlockDepth - 1) / BlockDepth;
        int blockSize = (width + blocks - 1) / blocks;
        int groups = (rows + GroupRows - 1) / GroupRows;
        int groupCapacity = GroupRows * (width + blocks);
        EnsureGroupCapacity(groups * groupCapacity, groups * blocks);
        var indices = _indices;
        var counts = _counts;
        var lists = _groupLists;
        var lengths = _groupLengths;
        int zero = width * BinaryPanels.Lanes;
        backend.For(groups, Math.Max(1, 4096 / Math.Max(1, width)), (s, e) =>
        {
            for (int g = s; g < e; g++)
            {
                int r0 = first + g * GroupRows;
                Interleave(indices, counts, r0, Math.Min(GroupRows, first + rows - r0), width, blocks, blockSize, zero,
                    lists.AsSpan(g * groupCapacity, groupCapacity), lengths.AsSpan(g * blocks, blocks));
            }
        });
        var data = panels.Data;
        int panelLength = panels.PanelLength;
        fixed (float* pOut = output)
        {
            nint outAddress = (nint)pOut;
            backend.For(panels.Count, Math.Max(1, 64 / Math.Max(1, rows)), (s, e) =>
            {
                fixed (float* pd = data)
                fixed (ushort* pl = lists)
                fixed (int* plen = lengths)
                {
                    for (int p = s; p < e; p++)
                    {
                        int cols = Math.Min(BinaryPanels.Lanes, n - p * BinaryPanels.Lanes);
                        for (int g = 0; g < groups; g++)
                        {
                            int count = Math.Min(GroupRows, rows - g * GroupRows);
                            float* dst = (float*)outAddress + (nint)g * GroupRows * n + p * BinaryPanels.Lanes;
                            SumPanelRows(pd + panels.Start + (nint)p * panelLength, pl + (nint)g * groupCapacity, plen + g * blocks, blocks, dst, n, count, cols);
                        }
                    }
                }
            });
        }
    }

    private void EnsureGroupCapacity(int lists, int lengths)
    {
        if (_groupLists.Length < lists) _groupLists = new ushort[lists];
        if (_groupLengths.Length < lengths) _groupLengths = new int[lengths];
    }

    /// <summary>
    /// The index lists of rows [r0, r0 + count) (count at most eight), block by block: block b's part is lengths[b]
    /// entries of eight offsets (k * 8 into a panel, one per row; rows past count and past their own list point at the
    /// zero row), stored one after another in <paramref name="lists"/>.
    /// </summary>
    private static void Interleave(int[] indices, int[] counts, int r0, int count, int width, int blocks, int blockSize, int zero, Span<ushort> lists, Span<int> lengths)
    {
        Span<int> position = stackalloc int[GroupRows];
        Span<int> end = stackalloc int[GroupRows];
        position.Clear();
        int offset = 0;
        for (int b = 0; b < blocks; b++)
        {
            int blockEnd = (b + 1) * blockSize, longest = 0;
            for (int r = 0; r < count; r++)
            {
                var list = indices.AsSpan((r0 + r) * width, counts[r0 + r]);
                int t = position[r];
                while (t < list.Length && list[t] < blockEnd) t++;
                end[r] = t;
                longest = Math.Max(longest, t - position[r]);
            }
            for (int r = 0; r < GroupRows; r++)
            {
                int from = r < count ? position[r] : 0, length = r < count ? end[r] - from : 0;
                var list = r < count ? indices.AsSpan((r0 + r) * width + from, length) : default;
                for (int t = 0; t < longest; t++) lists[offset + t * GroupRows + r] = (ushort)(t < length ? list[t] * BinaryPanels.Lanes : zero);
                if (r < count) position[r] = end[r];
            }
            lengths[b] = longest;
            offset += longest * GroupRows;
        }
    }

    /// <summary>
    /// Eight rows' sums of the panel rows their interleaved lists select, block by block (the first block stored, later
    /// ones added, as the GEMM does), written to the first <paramref name="count"/> rows of dst (stride
    /// <paramref name="stride"/>), <paramref name="cols"/> columns.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SumPanelRows(float* panel, ushort* lists, int* lengths, int blocks, float* dst, nint stride, int count, int cols)
    {
        for (int b = 0; b < blocks; b++)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            int length = lengths[b];
            for (int t = 0; t < length; t++, lists += GroupRows)
            {
                // Eight 16-bit offsets in two 64-bit loads: the vector loads, not the index loads, set the pace.
                ulong lo = *(ulong*)lists, hi = *(ulong*)(lists + 4);
                a0 += Vector256.Load(panel + (uint)(ushort)lo);
                a1 += Vector256.Load(panel + (uint)(ushort)(lo >> 16));
                a2 += Vector256.Load(panel + (uint)(ushort)(lo >> 32));
                a3 += Vector256.Load(panel + (uint)(lo >> 48));
                a4 += Vector256.Load(panel + (uint)(ushort)hi);
                a5 += Vector256.Load(panel + (uint)(ushort)(hi >> 16));
                a6 += Vector256.Load(panel + (uint)(ushort)(hi >> 32));
                a7 += Vector256.Load(panel + (uint)(hi >> 48));
            }
            bool store = b == 0;
            Put(a0, dst, store, cols);
            if (count > 1) Put(a1, dst + stride, store, cols);
            if (count > 2) Put(a2, dst + 2 * stride, store, cols);
            if (count > 3) Put(a3, dst + 3 * stride, store, cols);
            if (count > 4) Put(a4, dst + 4 * stride, store, cols);
            if (count > 5) Put(a5, dst + 5 * stride, store, cols);
            if (count > 6) Put(a6, dst + 6 * stride, store, cols);
            if (count > 7) Put(a7, dst + 7 * stride, store, cols);
        }
    }

    /// <summary>dst[0..cols) = sum (store) or dst[0..cols) += sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Put(Vector256<float> sum, float* dst, bool store, int cols)
    {
        if (cols == BinaryPanels.Lanes)
        {
            (store ? sum : Vector256.Load(dst) + sum).Store(dst);
            return;
        }
        for (int c = 0; c < cols; c++) dst[c] = store ? sum.GetElement(c) : dst[c] + sum.GetElement(c);
    }
}
