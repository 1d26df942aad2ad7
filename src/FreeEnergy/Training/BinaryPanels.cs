using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;

namespace FreeEnergy.Training;

/// <summary>
/// A matrix M [K x N] copied into 8-column panels for the products of <see cref="BinaryRows"/>: panel g holds
/// M[:, 8g .. 8g + 8) as K contiguous rows of 8 floats (zero past column N), then one zero row (the target of padded
/// index lists). A panel is 32 (K + 1) bytes (25 KiB for K = 784), so it stays in L1 while every row of a batch sums
/// the panel rows its ones select, where sums over rows of M itself would stream from L2.
/// </summary>
internal sealed class BinaryPanels
{
    /// <summary>Columns per panel (one AVX2 vector).</summary>
    public const int Lanes = 8;

    /// <summary>Panels for a <paramref name="depth"/> x <paramref name="width"/> matrix (contents zero until packed).</summary>
    public BinaryPanels(int depth, int width)
    {
        Depth = depth;
        Width = width;
        Count = (width + Lanes - 1) / Lanes;
        // Pinned, so the offset that puts panel 0 on a 64-byte boundary (every panel row then sits in one cache line) holds.
        Data = GC.AllocateArray<float>(Count * PanelLength + 16, pinned: true);
        unsafe
        {
            fixed (float* p = Data) Start = (int)((64 - ((nint)p & 63)) & 63) / sizeof(float);
        }
    }

    /// <summary>K: rows of the matrix (the length of the binary rows it is multiplied by).</summary>
    public int Depth { get; }

    /// <summary>N: columns of the matrix (of the product).</summary>
    public int Width { get; }

    /// <summary>Number of panels, ceil(N / 8).</summary>
    public int Count { get; }

    /// <summary>Floats per panel: (K + 1) rows of 8, the last row zero.</summary>
    public int PanelLength => (Depth + 1) * Lanes;

    /// <summary>The panels (pinned): panel g starts at <see cref="Start"/> + g * <see cref="PanelLength"/>, and row k of it holds M[k, 8g .. 8g + 8).</summary>
    public float[] Data { get; }

    /// <summary>Where panel 0 starts in <see cref="Data"/>: the first 64-byte aligned float.</summary>
    public int Start { get; }

    /// <summary>
    /// Fills <paramref name="rows"/> with the panels of W [d x h] (row-major) and <paramref name="columns"/> with those
    /// of W^T [h x d], in one parallel pass over 8 x 8 tiles of W (each tile read once, stored as is and transposed).
    /// </summary>
    public static void Pack(IComputeBackend backend, float[] w, int d, int h, BinaryPanels rows, BinaryPanels columns)
    {
        if (rows.Depth != d || rows.Width != h) throw new ArgumentException($"Panels of a {rows.Depth} x {rows.Width} matrix, not {d} x {h}.", nameof(rows));
        if (columns.Depth != h || columns.Width != d) throw new ArgumentException($"Panels of a {columns.Depth} x {columns.Width} matrix, not {h} x {d}.", nameof(columns));
        if (w.Length < d * h) throw new ArgumentException($"W has {w.Length} values, fewer than {d} x {h}.", nameof(w));
        int tileRows = columns.Count;
        backend.For(tileRows, Math.Max(1, 4096 / Math.Max(1, h)), (s, e) =>
        {
            for (int ti = s; ti < e; ti++) PackTileRow(w, d, h, ti, rows, columns);
        });
    }

    /// <summary>The tiles of W's rows [8 ti, 8 ti + 8).</summary>
    private static unsafe void PackTileRow(float[] w, int d, int h, int ti, BinaryPanels rows, BinaryPanels columns)
    {
        fixed (float* pw = w)
        fixed (float* pr = rows.Data)
        fixed (float* pc = columns.Data)
        {
            for (int tj = 0; tj < rows.Count; tj++) PackTile(pw, d, h, ti, tj, rows, pr, columns, pc);
        }
    }

    /// <summary>
    /// Tile (ti, tj) of W [d x h] (rows [8 ti, 8 ti + 8), columns [8 tj, 8 tj + 8)) into both panel sets:
    /// <paramref name="rowData"/> and <paramref name="columnData"/> are the pinned <see cref="Data"/> of
    /// <paramref name="rows"/> and <paramref name="columns"/>.
    /// </summary>
    internal static unsafe void PackTile(float* w, int d, int h, int ti, int tj, BinaryPanels rows, float* rowData, BinaryPanels columns, float* columnData)
    {
        int i0 = ti * Lanes, j0 = tj * Lanes;
        float* rowPanel = rowData + rows.Start + (nint)tj * rows.PanelLength;
        float* columnPanel = columnData + columns.Start + (nint)ti * columns.PanelLength;
        if (Avx.IsSupported && i0 + Lanes <= d && j0 + Lanes <= h)
        {
            float* src = w + (nint)i0 * h + j0;
            float* rowDst = rowPanel + (nint)i0 * Lanes;
            for (int q = 0; q < Lanes; q++) Avx.Store(rowDst + q * Lanes, Avx.LoadVector256(src + (nint)q * h));
            GemmPacking.Transpose8x8(rowDst, Lanes, columnPanel + (nint)j0 * Lanes, Lanes);
            return;
        }
        // Edge tiles (and no AVX): element by element, zero where the tile passes the matrix.
        for (int q = 0; q < Lanes; q++)
            for (int u = 0; u < Lanes; u++)
            {
                int i = i0 + q, j = j0 + u;
                float value = i < d && j < h ? w[(nint)i * h + j] : 0f;
                if (i < d) rowPanel[(nint)i * Lanes + u] = value;
                if (j < h) columnPanel[(nint)j * Lanes + q] = value;
            }
    }
}
