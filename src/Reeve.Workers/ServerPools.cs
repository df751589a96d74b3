using System.Collections.Concurrent;
using Reeve.Client;
using Reeve.Core.Filters;
using Reeve.Core.PoolTypes;
using Reeve.Core.WorkPools;
using Reeve.Workers.Infrastructure;

namespace Reeve.Workers;

/// <summary>How the server's own workers run: the infrastructures, and where they write.</summary>
public sealed record ServerPoolsOptions
{
    /// <summary>The infrastructure of a type (<c>managed</c>, <c>docker</c>, <c>kubernetes</c>); null when this server cannot run it.</summary>
    public required Func<string, IInfrastructure?> Infrastructure { get; init; }

    /// <summary>How often the pools are listed (new pools are picked up, deleted ones let go).</summary>
    public TimeSpan Rescan { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The time between each worker's heartbeats.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Where the workers write what they do.</summary>
    public TextWriter Output { get; init; } = TextWriter.Null;

    /// <summary>Where a worker that stops says why.</summary>
    public TextWriter Error { get; init; } = TextWriter.Null;

    /// <summary>
    /// Where each push pool's worker keeps the journal of the runs it holds (<c>{pool id}.runs</c>), so that a server
    /// started again on the same folder takes back the runs it had submitted or claimed (see
    /// <see cref="WorkerOptions.JournalPath"/>). Null keeps no journal: runs in flight then report their own end.
    /// </summary>
    public string? JournalFolder { get; init; }
}

/// <summary>
/// The server's own workers: one for every pool whose runs the server runs itself — a <c>managed</c> pool (runs as
/// processes on the server) and a push pool (<c>docker:push</c>, <c>kubernetes:push</c>: runs submitted to the pool's
/// infrastructure). Each is a <see cref="Worker"/> like any other: it claims due runs under the pool's, queues' and
/// deployments' limits (so several server replicas on one database never submit a run twice), submits them, follows
/// them, stops cancelled ones, and ends a run it cannot start CRASHED saying why. New pools are picked up within
/// <see cref="ServerPoolsOptions.Rescan"/>; a deleted pool's worker stops. A push pool's worker journals the runs it
/// holds (<see cref="ServerPoolsOptions.JournalFolder"/>): after a restart it follows again the runs it had submitted
/// (reporting how their jobs end, stopping cancelled ones), submits those it had claimed and not yet submitted, and ends
/// CRASHED, saying why, those whose job is gone. Without a journal, a run submitted before a restart keeps running and
/// reports its own states, and the restarted server's worker takes only runs not yet claimed.
/// </summary>
public sealed class ServerPools : IAsyncDisposable
{
    private readonly ReeveClient _client;
    private readonly ServerPoolsOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, (Task Run, CancellationTokenSource Stop)> _workers = new();
    private readonly Task _loop;

    /// <summary>Starts looking for the server's pools, with a client of its own made from <paramref name="client"/>.</summary>
    public ServerPools(ReeveClientOptions client, ServerPoolsOptions options)
    {
        _client = new ReeveClient(client);
        _options = options;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>The pools that have a worker now.</summary>
    public IReadOnlyCollection<string> Pools => [.. _workers.Keys];

    private static readonly string[] ServerTypes = [.. PoolTypeCatalog.All.Where(t => t.RunsOnServer).Select(t => t.Type)];

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var pools = await _client.FilterWorkPoolsAsync(new WorkPoolFilterRequest
                {
                    WorkPools = new WorkPoolFilter { Type = new AnyFilter<string> { Any = [.. ServerTypes] } },
                }, _stop.Token);
                foreach (var pool in pools.Where(p => !_workers.ContainsKey(p.Name)))
                {
                    Start(pool);
                }

                foreach (var gone in _workers.Keys.Except(pools.Select(p => p.Name)).ToList())
                {
                    if (_workers.TryRemove(gone, out var worker))
                    {
                        await worker.Stop.CancelAsync();
                    }
                }

                await Task.Delay(_options.Rescan, _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or ReeveServerUnavailableException or ReeveApiException)
            {
                await _options.Error.WriteLineAsync($"Server pools: {e.Message}");
                try
                {
                    await Task.Delay(_options.Rescan, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void Start(WorkPool pool)
    {
        var type = PoolTypeCatalog.Find(pool.Type)!;
        var stop = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var worker = new Worker(_client, new WorkerOptions
        {
            PoolName = pool.Name,
            Type = pool.Type,
            Name = type.IsPush ? $"Reeve push worker ({Environment.MachineName})" : $"Reeve managed worker ({Environment.MachineName})",
            Infrastructure = _ => _options.Infrastructure(type.Infrastructure),
            Output = _options.Output,
            HeartbeatInterval = _options.HeartbeatInterval,
            OnServer = true,
            JournalPath = type.IsPush && _options.JournalFolder is { } folder ? Path.Combine(folder, $"{pool.Id}.runs") : null,
        });
        _workers[pool.Name] = (Task.Run(() => RunAsync(worker, pool.Name, stop.Token)), stop);
    }

    private async Task RunAsync(Worker worker, string pool, CancellationToken stop)
    {
        try
        {
            await worker.RunAsync(stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped.
        }
#pragma warning disable CA1031 // One pool's worker failing must not bring the server down; it is retried at the next scan.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await _options.Error.WriteLineAsync($"The server's worker of pool '{pool}' stopped: {e.Message}");
            _workers.TryRemove(pool, out _);
        }
    }

    /// <summary>Stops every worker (runs already submitted keep running on their infrastructure).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        await Task.WhenAll(_workers.Values.Select(w => w.Run));
        foreach (var (_, worker) in _workers)
        {
            worker.Stop.Dispose();
        }

        _client.Dispose();
        _stop.Dispose();
    }
}
