using System.Diagnostics;

namespace Reeve.Bench.Hangfire;

/// <summary>The job: records when it started, and signals when every job has run.</summary>
public static class Workload
{
    private static int _remaining;
    private static int _warm = 50;

    public static long[] Enqueued { get; private set; } = [];

    public static long[] Started { get; private set; } = [];

    public static bool Warming { get; set; }

    /// <summary>How many of the measured jobs have not run yet.</summary>
    public static int Remaining => Volatile.Read(ref _remaining);

    public static TaskCompletionSource WarmedUp { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, TaskCompletionSource> Signals = new();

    /// <summary>Completes when job <paramref name="i"/> starts.</summary>
    public static Task StartedSignal(int i) => Signals.GetOrAdd(i, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public static void Reset(int jobs)
    {
        _remaining = jobs;
        Enqueued = new long[jobs];
        Started = new long[jobs];
    }

    public static void Run(int i)
    {
        if (i < 0)
        {
            if (Interlocked.Decrement(ref _warm) == 0)
            {
                WarmedUp.TrySetResult();
            }

            return;
        }

        Started[i] = Stopwatch.GetTimestamp();
        if (Signals.TryGetValue(i, out var signal))
        {
            signal.TrySetResult();
        }

        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            Done.TrySetResult();
        }
    }
}
