namespace Reeve.Bench.Scenarios;

/// <summary>Start of <c>reeve server start</c> to the first 200 on /api/health, and the server's memory at rest.</summary>
internal sealed class ServerScenario : IScenario
{
    public string Name => "server";

    public string Description => "server start to first 200 on /api/health; idle RSS";

    public async Task<IReadOnlyList<Measurement>> RunAsync(BenchOptions options)
    {
        var runs = options.Quick ? 3 : 10;
        var starts = new List<double>();
        var memory = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            await using var server = await ServerProcess.StartAsync(options.Storage);
            starts.Add(server.StartToHealthy.TotalMilliseconds);

            // At rest: a couple of seconds after start, with one request served.
            using var http = new HttpClient();
            await http.PostAsync(server.ApiUrl + "/work_pools/filter", null);
            await Task.Delay(TimeSpan.FromSeconds(2));
            memory.Add(server.ResidentMemoryMiB());
        }

        return
        [
            new(Name, $"start to first 200 on /api/health, median of {runs}", Stats.Median(starts), "ms", options.Storage),
            new(Name, $"start to first 200 on /api/health, worst of {runs}", starts.Max(), "ms", options.Storage),
            new(Name, "idle memory (RSS) after start", Stats.Median(memory), "MiB", options.Storage),
        ];
    }
}
