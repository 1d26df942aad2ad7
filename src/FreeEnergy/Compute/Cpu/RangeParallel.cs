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
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, p =>
        {
            int start = (int)((long)count * p / parts);
            int end = (int)((long)count * (p + 1) / parts);
            if (end > start) body(start, end);
        });
    }
}
