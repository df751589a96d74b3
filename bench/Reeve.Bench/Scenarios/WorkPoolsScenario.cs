using Reeve.Client;
using Reeve.Core.WorkPools;

namespace Reeve.Bench.Scenarios;

/// <summary>Work-pool create and read throughput and latency with 8 concurrent clients.</summary>
internal sealed class WorkPoolsScenario : IScenario
{
    private const int Clients = 8;

    public string Name => "pools";

    public string Description => "work-pool create and read: requests per second and p50 / p99 with 8 concurrent clients";

    public async Task<IReadOnlyList<Measurement>> RunAsync(BenchOptions options)
    {
        var creates = options.Quick ? 500 : 5_000;
        var reads = options.Quick ? 2_000 : 20_000;
        await using var server = await ServerProcess.StartAsync(options.Storage);
        using var client = new ReeveClient(new ReeveClientOptions { ApiUrl = server.ApiUrl });

        await LoadRunner.WarmUpAsync(options.WarmUp, Clients, async i =>
        {
            await client.CreateWorkPoolAsync(new WorkPoolCreate { Name = $"warm-{i}", Type = "process" });
            await client.ReadWorkPoolAsync($"warm-{i}");
        });

        var create = await LoadRunner.RunAsync(creates, Clients, i => client.CreateWorkPoolAsync(new WorkPoolCreate { Name = $"pool-{i}", Type = "process" }));
        var read = await LoadRunner.RunAsync(reads, Clients, i => client.ReadWorkPoolAsync($"pool-{(i * 7919) % creates}"));

        return
        [
            new(Name, $"create: throughput ({creates:N0} pools)", create.PerSecond, "req/s", options.Storage),
            new(Name, "create: p50 latency", create.P50, "ms", options.Storage),
            new(Name, "create: p99 latency", create.P99, "ms", options.Storage),
            new(Name, $"read by name: throughput ({reads:N0} reads)", read.PerSecond, "req/s", options.Storage),
            new(Name, "read by name: p50 latency", read.P50, "ms", options.Storage),
            new(Name, "read by name: p99 latency", read.P99, "ms", options.Storage),
        ];
    }
}
