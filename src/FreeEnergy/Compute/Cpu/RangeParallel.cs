namespace FreeEnergy.Compute.Cpu;

/// <summary>A parallel loop over contiguous ranges whose split depends only on the count, grain and thread count.</summary>
public static class RangeParallel
{
    /// <summary>Splits [0, count) into at most <paramref name="threads"/> ranges of at least <paramref name="grain"/> items and runs them.</summary>
    public static void For(int count, int grain, int threads, Action<int, int> body)
    {
        if (count <= 0) return;
        grain = Math.Max(1, grain);
        int parts = Math.Max(1, Math.Min(threads, (count + grain - 1) / grain));
        if (parts == 1) { body(0, count); return; }
        Split(count, parts, body);
    }

    // Separate so that the closure below is only allocated when the work is really split. The ranges run on the
    // GEMM's dedicated spinning workers (the caller takes parts too): thread-pool wake-ups cost more than a whole
    // elementwise pass over a training batch on a busy machine. The split itself is unchanged (count, parts only).
    private static void Split(int count, int parts, Action<int, int> body)
    {
        GemmWorkers.Run(parts, parts, p =>
        {
            int start = (int)((long)count * p / parts);
            int end = (int)((long)count * (p + 1) / parts);
            if (end > start) body(start, end);
        });
    }
}
