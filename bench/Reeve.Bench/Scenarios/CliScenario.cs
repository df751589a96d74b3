using System.Diagnostics;
using Reeve.Client;
using Reeve.Core.WorkPools;

namespace Reeve.Bench.Scenarios;

/// <summary>
/// How long a <c>reeve</c> command takes, end to end, as a user runs it: the build output's <c>reeve</c> executable
/// (or the one <c>REEVE_BENCH_CLI</c> names) started as a new process each time, <c>reeve --version</c> and a read command
/// (<c>reeve work-pool ls</c> against a server with 10 pools), median and worst of 10 after one to warm the disk cache.
/// </summary>
internal sealed class CliScenario : IScenario
{
    public string Name => "cli";

    public string Description => "reeve command start: --version and work-pool ls, end to end, median / worst of 10";

    public async Task<IReadOnlyList<Measurement>> RunAsync(BenchOptions options)
    {
        var reeve = ServerProcess.CliEntry;
        if (reeve.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            // The executable beside it: 'reeve' in the build output, the apphost 'Reeve.Cli' in a publish.
            var folder = Path.GetDirectoryName(reeve)!;
            var exe = OperatingSystem.IsWindows() ? ".exe" : "";
            reeve = File.Exists(Path.Combine(folder, "reeve" + exe)) ? Path.Combine(folder, "reeve" + exe) : Path.Combine(folder, "Reeve.Cli" + exe);
        }

        await using var server = await ServerProcess.StartAsync(options.Storage);
        using var client = new ReeveClient(new ReeveClientOptions { ApiUrl = server.ApiUrl });
        for (var i = 0; i < 10; i++)
        {
            await client.CreateWorkPoolAsync(new WorkPoolCreate { Name = $"cli-bench-{i}", Type = "process" });
        }

        var version = await TimeAsync(reeve, ["--version"], server.ApiUrl);
        var list = await TimeAsync(reeve, ["work-pool", "ls"], server.ApiUrl);
        return
        [
            new(Name, "reeve --version, median of 10", Stats.Median(version), "ms", options.Storage),
            new(Name, "reeve --version, worst of 10", version.Max(), "ms", options.Storage),
            new(Name, "reeve work-pool ls (10 pools), median of 10", Stats.Median(list), "ms", options.Storage),
            new(Name, "reeve work-pool ls, worst of 10", list.Max(), "ms", options.Storage),
        ];
    }

    private static async Task<List<double>> TimeAsync(string reeve, string[] args, string apiUrl)
    {
        var times = new List<double>();
        for (var i = 0; i < 11; i++)
        {
            var start = new ProcessStartInfo(reeve) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["REEVE_API_URL"] = apiUrl;
            start.Environment["NO_COLOR"] = "1";
            var watch = Stopwatch.StartNew();
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            watch.Stop();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"reeve {string.Join(' ', args)} failed: {await output}{await error}");
            }

            if (i > 0)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        return times;
    }
}
