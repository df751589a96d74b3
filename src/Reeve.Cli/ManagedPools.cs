using System.Collections.Concurrent;
using Reeve.Client;
using Reeve.Core.Filters;
using Reeve.Core.WorkPools;
using Reeve.Workers;

namespace Reeve.Cli;

/// <summary>
/// The server's embedded workers: one for every pool of type <c>managed</c>, running its flow runs as processes
/// in a sandbox folder of their own under the Reeve home (removed after each run). New managed pools are picked
/// up within seconds; a deleted pool's worker stops.
/// </summary>
internal sealed class ManagedPools : IAsyncDisposable
{
    private static readonly TimeSpan Rescan = TimeSpan.FromSeconds(5);
    private readonly ReeveClient _client;
    private readonly string _sandbox;
    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, (Task Run, CancellationTokenSource Stop)> _workers = new();
    private readonly Task _loop;

    public ManagedPools(ReeveClientOptions client, string home, TextWriter output, TextWriter error)
    {
        _client = new ReeveClient(client);
        _sandbox = Path.Combine(home, "sandbox");
        _output = output;
        _error = error;
        _loop = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var pools = await _client.FilterWorkPoolsAsync(new WorkPoolFilterRequest
                {
                    WorkPools = new WorkPoolFilter { Type = new AnyFilter<string> { Any = ["managed"] } },
                }, _stop.Token);
                foreach (var pool in pools.Where(p => !_workers.ContainsKey(p.Name)))
                {
                    Start(pool.Name);
                }

                foreach (var gone in _workers.Keys.Except(pools.Select(p => p.Name)).ToList())
                {
                    if (_workers.TryRemove(gone, out var worker))
                    {
                        await worker.Stop.CancelAsync();
                    }
                }

                await Task.Delay(Rescan, _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or ReeveServerUnavailableException or ReeveApiException)
            {
                await _error.WriteLineAsync($"Managed pools: {e.Message}");
                await Task.Delay(Rescan, CancellationToken.None);
            }
        }
    }

    private void Start(string pool)
    {
        Directory.CreateDirectory(_sandbox);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var worker = new Worker(_client, new WorkerOptions
        {
            PoolName = pool,
            Type = "managed",
            Name = $"Reeve managed worker ({Environment.MachineName})",
            Infrastructure = EngineProcess.Infrastructures(_client.Options, _sandbox, _output, _error),
            Output = _output,
            HeartbeatInterval = TimeSpan.FromSeconds(10),
        });
        _workers[pool] = (Task.Run(() => RunAsync(worker, pool, stop.Token)), stop);
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
            await _error.WriteLineAsync($"The worker of managed pool '{pool}' stopped: {e.Message}");
            _workers.TryRemove(pool, out _);
        }
    }

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
