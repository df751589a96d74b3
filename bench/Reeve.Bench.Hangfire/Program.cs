using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using Reeve.Bench.Hangfire;

// The throughput workload of Reeve's benchmark, done with Hangfire: JOBS trivial jobs enqueued by 8 concurrent
// producers while a Hangfire server with WORKERS workers processes them, on SQLite or PostgreSQL. Prints one JSON
// object: jobs completed per second (first enqueue to last completion) and enqueue → start latency p50 / p99.
//   Reeve.Bench.Hangfire --storage sqlite|postgres --connection CS --jobs N --workers 16 --polling default|fast
var arguments = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    arguments[args[i]] = args[i + 1];
}

var storageKind = arguments.GetValueOrDefault("--storage", "sqlite");
var connection = arguments["--connection"];
var jobs = int.Parse(arguments.GetValueOrDefault("--jobs", "10000"), CultureInfo.InvariantCulture);
var workers = int.Parse(arguments.GetValueOrDefault("--workers", "16"), CultureInfo.InvariantCulture);
var fast = arguments.GetValueOrDefault("--polling", "default") == "fast";
var sequential = arguments.GetValueOrDefault("--mode", "throughput") == "pickup";
var idle = TimeSpan.FromMilliseconds(double.Parse(arguments.GetValueOrDefault("--idle-ms", "0"), CultureInfo.InvariantCulture));

JobStorage storage = storageKind == "postgres"
    ? new PostgreSqlStorage(new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(connection, PostgresOptions(fast)), PostgresOptions(fast))
    : new SQLiteStorage(connection, SqliteOptions(fast));
JobStorage.Current = storage;
Workload.Reset(jobs);

var client = new BackgroundJobClient(storage);

// Warm up: a few jobs through the whole path, so that the JIT and the connection pool are ready. They are queued
// before the server starts, so its workers find them at once instead of after their first polling interval.
Workload.Warming = true;
for (var i = 0; i < 50; i++)
{
    client.Enqueue(() => Workload.Run(-1));
}

using var server = new BackgroundJobServer(new BackgroundJobServerOptions { WorkerCount = workers }, storage);

await Workload.WarmedUp.Task.WaitAsync(TimeSpan.FromMinutes(2));
Workload.Warming = false;

if (sequential)
{
    // Pickup: one job at a time, each enqueued an idle spell after the one before started: enqueue → start with nothing queued.
    var pickups = new double[jobs];
    for (var i = 0; i < jobs; i++)
    {
        await Task.Delay(idle);
        Workload.Enqueued[i] = Stopwatch.GetTimestamp();
        var started = Workload.StartedSignal(i);
        var index = i;
        client.Enqueue(() => Workload.Run(index));
        await started.WaitAsync(TimeSpan.FromMinutes(2));
        pickups[i] = Stopwatch.GetElapsedTime(Workload.Enqueued[i], Workload.Started[i]).TotalMilliseconds;
    }

    Array.Sort(pickups);
    Console.WriteLine(JsonSerializer.Serialize(new
    {
        storage = storageKind,
        polling = fast ? "fast" : "default",
        jobs,
        latency_p50_ms = Percentile(pickups, 50),
        latency_p99_ms = Percentile(pickups, 99),
    }));
    return 0;
}

var total = Stopwatch.StartNew();
var next = -1;
await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
{
    int i;
    while ((i = Interlocked.Increment(ref next)) < jobs)
    {
        Workload.Enqueued[i] = Stopwatch.GetTimestamp();
        client.Enqueue(() => Workload.Run(i));
    }
})));
var enqueued = total.Elapsed;
try
{
    await Workload.Done.Task.WaitAsync(TimeSpan.FromMinutes(10));
}
catch (TimeoutException)
{
    // A job Hangfire fetched and then lost comes back only after its invisibility timeout (30 minutes by default):
    // say so, rather than wait for it.
    await Console.Error.WriteLineAsync($"{Workload.Remaining} of {jobs} jobs had not run 10 minutes after the last was enqueued.");
    return 1;
}

total.Stop();

var latencies = Enumerable.Range(0, jobs).Select(i => Stopwatch.GetElapsedTime(Workload.Enqueued[i], Workload.Started[i]).TotalMilliseconds).Order().ToArray();
Console.WriteLine(JsonSerializer.Serialize(new
{
    storage = storageKind,
    polling = fast ? "fast" : "default",
    jobs,
    workers,
    enqueue_seconds = enqueued.TotalSeconds,
    seconds = total.Elapsed.TotalSeconds,
    per_second = jobs / total.Elapsed.TotalSeconds,
    latency_p50_ms = Percentile(latencies, 50),
    latency_p99_ms = Percentile(latencies, 99),
}));
return 0;

static PostgreSqlStorageOptions PostgresOptions(bool fast) => fast
    ? new PostgreSqlStorageOptions { PrepareSchemaIfNecessary = true, QueuePollInterval = TimeSpan.FromMilliseconds(50), EnableLongPolling = true }
    : new PostgreSqlStorageOptions { PrepareSchemaIfNecessary = true };

static SQLiteStorageOptions SqliteOptions(bool fast) => fast
    ? new SQLiteStorageOptions { QueuePollInterval = TimeSpan.FromMilliseconds(50) }
    : new SQLiteStorageOptions();

static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];
