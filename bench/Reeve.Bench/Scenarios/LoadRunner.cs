using System.Diagnostics;

namespace Reeve.Bench.Scenarios;

/// <summary>Runs <c>count</c> operations on <c>clients</c> concurrent loops and times each one.</summary>
internal static class LoadRunner
{
    public sealed record Result(int Count, TimeSpan Elapsed, IReadOnlyList<double> LatenciesMs)
    {
        public double PerSecond => Count / Elapsed.TotalSeconds;

        public double P50 => Stats.Percentile(LatenciesMs, 50);

        public double P99 => Stats.Percentile(LatenciesMs, 99);
    }

    /// <summary>
    /// Keeps <paramref name="clients"/> loops busy for <paramref name="duration"/>: the server's code reaches its
    /// optimised tier (the JIT recompiles hot methods during the first seconds of load) before anything is timed.
    /// </summary>
    public static async Task WarmUpAsync(TimeSpan duration, int clients, Func<int, Task> operation)
    {
        var until = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (until.Elapsed < duration)
            {
                await operation(Interlocked.Increment(ref next));
            }
        })));
    }

    public static async Task<Result> RunAsync(int count, int clients, Func<int, Task> operation)
    {
        var latencies = new double[count];
        var next = -1;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var started = Stopwatch.GetTimestamp();
                await operation(i);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        })));
        total.Stop();
        return new Result(count, total.Elapsed, latencies);
    }
}
