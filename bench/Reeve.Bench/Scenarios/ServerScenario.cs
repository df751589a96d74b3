namespace Reeve.Bench.Scenarios;

/// <summary>Start of <c>reeve server start</c> to the first 200 on /api/health, and the server's memory at rest.</summary>
internal sealed class ServerScenario : IScenario
{
    public string Name => "server";

    public string Description => "server start to first 200 on /api/health; idle RSS";

    public async Task<IReadOnlyList<Measurement>> RunAsync(BenchOptions options)
    {
        var runs = options.Quick ? 2 : 10;
        var firstStarts = new List<double>();
        var restarts = new List<double>();
        var memory = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            // First start: a new database, so the migrations run.
            var first = await ServerProcess.StartAsync(options.Storage);
            firstStarts.Add(first.StartToHealthy.TotalMilliseconds);

            // Restart: the usual case, a database already up to date.
            await using var server = await ServerProcess.RestartAsync(first);
            await first.DisposeAsync();
            restarts.Add(server.StartToHealthy.TotalMilliseconds);

            // At rest: a couple of seconds (one with --quick) after start, with one request served.
            using var http = new HttpClient();
            await http.PostAsync(server.ApiUrl + "/work_pools/filter", null);
            await Task.Delay(TimeSpan.FromSeconds(options.Quick ? 1 : 2));
            memory.Add(server.ResidentMemoryMiB());
        }

        return
        [
            new(Name, $"restart to first 200 on /api/health, median of {runs}", Stats.Median(restarts), "ms", options.Storage),
            new(Name, $"restart to first 200 on /api/health, worst of {runs}", restarts.Max(), "ms", options.Storage),
            new(Name, $"first start (new database, migrations) to first 200, median of {runs}", Stats.Median(firstStarts), "ms", options.Storage),
            new(Name, "idle memory (RSS) after start", Stats.Median(memory), "MiB", options.Storage),
        ];
    }
}
