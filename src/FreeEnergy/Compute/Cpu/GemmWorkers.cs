using System.Diagnostics;

namespace FreeEnergy.Compute.Cpu;

/// <summary>
/// Dedicated, persistent worker threads for GEMM parts. Thread-pool wake-ups cost tens of microseconds on a busy
/// machine, which is a large share of a sub-millisecond product, so workers spin briefly after each job (staying hot
/// for back-to-back calls, as in training loops) before blocking. Parts are claimed dynamically from a per-job counter
/// by the caller and the workers, and the caller waits only for parts actually claimed: a worker the OS has not
/// scheduled yet simply gets none, so an oversubscribed machine costs at most the single-threaded time. When another
/// GEMM already holds the workers (concurrent or nested calls) the parts run one after another on the caller. None of
/// this changes results: GEMM results do not depend on which thread computes which part.
/// </summary>
internal static class GemmWorkers
{
    /// <summary>How long an idle worker spins for the next job before blocking.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 microseconds

    /// <summary>
    /// Parts per thread. More parts than threads would let the others absorb a descheduled thread's share, but each
    /// part packs the shared operand again; with dynamic claiming, one part per thread measured as well or better.
    /// </summary>
    public const int PartsPerThread = 1;

    private static readonly object Gate = new();
    private static Worker[] s_workers = [];

    /// <summary>Runs body(0) .. body(parts - 1) on the caller and up to threads - 1 workers (when they are free).</summary>
    public static void Run(int parts, int threads, Action<int> body)
    {
        int helpers = Math.Min(threads, parts) - 1;
        // Monitor is re-entrant, so a nested call from a part running on this thread must not take the workers again.
        if (helpers <= 0 || Monitor.IsEntered(Gate) || !Monitor.TryEnter(Gate))
        {
            for (int q = 0; q < parts; q++) body(q);
            return;
        }
        try
        {
            if (s_workers.Length < helpers)
            {
                var grown = new Worker[helpers];
                Array.Copy(s_workers, grown, s_workers.Length);
                for (int w = s_workers.Length; w < grown.Length; w++) grown[w] = new Worker(w + 1);
                s_workers = grown;
            }
            var job = new Job(body, parts);
            for (int w = 0; w < helpers; w++) s_workers[w].Start(job);
            job.Claim();
            var spin = new SpinWait();
            while (Volatile.Read(ref job.Active) != 0) spin.SpinOnce(sleep1Threshold: -1);
            if (job.Failure is { } failure) throw new AggregateException(failure);
        }
        finally
        {
            Monitor.Exit(Gate);
        }
    }

    private sealed class Job(Action<int> body, int parts)
    {
        public int Active;
        public Exception? Failure;
        private int _next;

        /// <summary>Runs parts until none is left. Active is raised before claiming, so the caller waits for every claimed part.</summary>
        public void Claim()
        {
            Interlocked.Increment(ref Active);
            try
            {
                int q;
                while ((q = Interlocked.Increment(ref _next) - 1) < parts) body(q);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref Failure, e, null);
                Volatile.Write(ref _next, parts); // stop handing out parts
            }
            finally
            {
                Interlocked.Decrement(ref Active);
            }
        }
    }

    private sealed class Worker
    {
        private readonly ManualResetEventSlim _wake = new(false, spinCount: 1);
        private Job? _job;
        private int _sequence;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"FreeEnergy GEMM worker {index}" };
            thread.Start();
        }

        public void Start(Job job)
        {
            Volatile.Write(ref _job, job);
            Interlocked.Increment(ref _sequence);
            _wake.Set();
        }

        private void Loop()
        {
            int seen = 0;
            while (true)
            {
                long deadline = Stopwatch.GetTimestamp() + SpinTicks;
                var spin = new SpinWait();
                while (Volatile.Read(ref _sequence) == seen && Stopwatch.GetTimestamp() < deadline) spin.SpinOnce(sleep1Threshold: -1);
                while (Volatile.Read(ref _sequence) == seen)
                {
                    _wake.Reset();
                    if (Volatile.Read(ref _sequence) == seen) _wake.Wait();
                }
                seen = Volatile.Read(ref _sequence);
                // A late worker may find the job finished (no parts left) or already replaced by a newer one: either is fine.
                Volatile.Read(ref _job)?.Claim();
            }
        }
    }
}
