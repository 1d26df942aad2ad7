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

    // Separate so that the closure below is only allocated when the work is really split.
    private static void Split(int count, int parts, Action<int, int> body)
    {
        // The GEMM's persistent spinning workers: a fork/join costs a few microseconds instead of Parallel.For's
        // thread-pool wake-ups (tens of microseconds, far more on a busy machine), which dominated the many small
        // elementwise passes of a training step. The ranges depend only on (count, parts), never on which thread runs them.
        GemmWorkers.Run(parts, parts, p =>
        {
            int start = (int)((long)count * p / parts);
            int end = (int)((long)count * (p + 1) / parts);
            if (end > start) body(start, end);
        });
    }
}
