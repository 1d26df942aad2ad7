using System.Diagnostics;

namespace FreeEnergy.Compute.Cpu;

/// <summary>
/// Dedicated, persistent worker threads for GEMM parts. Thread-pool wake-ups cost tens of microseconds on a busy
/// machine, which is a large share of a sub-millisecond product, so workers spin briefly after each job (staying hot
/// for back-to-back calls, as in training loops) before blocking. The caller runs part 0 itself. When another GEMM
/// already holds the workers (concurrent or nested calls) the parts simply run one after another on the caller:
/// the result is the same, since GEMM results do not depend on how the parts are scheduled.
/// </summary>
internal static class GemmWorkers
{
    /// <summary>How long an idle worker spins for the next job before blocking.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 microseconds

    private static readonly object Gate = new();
    private static Worker[] s_workers = [];
    private static int s_pending;
    private static Exception? s_failure;

    /// <summary>Runs body(0) .. body(parts - 1), in parallel when the workers are free.</summary>
    public static void Run(int parts, Action<int> body)
    {
        if (parts <= 1 || !Monitor.TryEnter(Gate))
        {
            for (int q = 0; q < parts; q++) body(q);
            return;
        }
        try
        {
            if (s_workers.Length < parts - 1)
            {
                var grown = new Worker[parts - 1];
                Array.Copy(s_workers, grown, s_workers.Length);
                for (int w = s_workers.Length; w < grown.Length; w++) grown[w] = new Worker(w + 1);
                s_workers = grown;
            }
            s_failure = null;
            Volatile.Write(ref s_pending, parts - 1);
            for (int w = 0; w < parts - 1; w++) s_workers[w].Start(body, w + 1);
            try { body(0); }
            catch (Exception e) { s_failure ??= e; }
            var spin = new SpinWait();
            while (Volatile.Read(ref s_pending) != 0) spin.SpinOnce(sleep1Threshold: -1);
            if (s_failure is { } failure) throw new AggregateException(failure);
        }
        finally
        {
            Monitor.Exit(Gate);
        }
    }

    private sealed class Worker
    {
        private readonly ManualResetEventSlim _wake = new(false, spinCount: 1);
        private Action<int>? _body;
        private int _part;
        private int _sequence;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"FreeEnergy GEMM worker {index}" };
            thread.Start();
        }

        public void Start(Action<int> body, int part)
        {
            _body = body;
            _part = part;
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
                try { _body!(_part); }
                catch (Exception e) { Interlocked.CompareExchange(ref s_failure, e, null); }
                _body = null;
                Interlocked.Decrement(ref s_pending);
            }
        }
    }
}
