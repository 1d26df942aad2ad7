using Parquet;

namespace FreeEnergy.Data;

/// <summary>The Parquet.Net options of every read and write: its stream pool bounded, so memory stays at about one row group.</summary>
internal static class ParquetFormat
{
    private const int PoolBytes = 1 << 20;

    /// <summary>Fresh options (Parquet.Net may hold on to them): the pooled buffers kept free for reuse capped at 1 MiB each.</summary>
    public static ParquetOptions Options() => new() { MaximumSmallPoolFreeBytes = PoolBytes, MaximumLargePoolFreeBytes = PoolBytes };
}
