using System.Text.RegularExpressions;
using Npgsql;
using Reeve.Client;
using Reeve.Core.Deployments;
using Reeve.Core.Flows;
using Reeve.Tests.Workers;

namespace Reeve.Tests.Scheduling;

/// <summary>
/// Two <c>reeve server start</c> processes on one PostgreSQL database, both running the scheduler over the same
/// 1,000 cron deployments at the same moment and then every second: every run is made once.
/// </summary>
public sealed partial class SchedulerReplicaTests
{
    private const int Deployments = 1000;

    [Fact]
    public async Task TwoServersOnOneDatabase_ScheduleAThousandCronDeployments_WithoutADuplicateRun()
    {
        TestEnvironment.RequirePostgres();
        await using var database = await TestDatabase.CreateAsync(TestStorage.Postgres);
        var cli = new CliProcess("http://127.0.0.1:1/api");
        cli.Environment["REEVE_SERVER_SCHEDULER_SECONDS"] = "1";
        string[] start = ["server", "start", "--port", "0", "--log-level", "Debug", "--database", database.Options.ConnectionString];
        await using var first = RunningCommand.Start(cli, start);
        var firstUrl = await ApiUrlAsync(first);
        await using var second = RunningCommand.Start(cli, start);
        var secondUrl = await ApiUrlAsync(second);

        // The deployments are created through both servers at once, so both schedulers wake on changes and race.
        var started = System.Diagnostics.Stopwatch.StartNew();
        var firstPlanned = TimeProvider.System.GetUtcNow();
        using var one = new ReeveClient(new ReeveClientOptions { ApiUrl = firstUrl });
        using var other = new ReeveClient(new ReeveClientOptions { ApiUrl = secondUrl });
        var pool = await one.PoolAsync();
        var flow = await one.CreateFlowAsync(new FlowCreate { Name = Names.Unique("replicated") });
        await Parallel.ForEachAsync(Enumerable.Range(0, Deployments), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await (i % 2 == 0 ? one : other).CreateDeploymentAsync(new DeploymentCreate
            {
                Name = $"every-five-minutes-{i}",
                FlowId = flow.Id,
                WorkPoolName = pool,
                Schedules = [new DeploymentScheduleCreate { Schedule = new() { ["cron"] = "*/5 * * * *" } }],
            }, ct));
        TestContext.Current.TestOutputHelper?.WriteLine($"Created {Deployments} deployments through both servers in {started.Elapsed.TotalSeconds:F1} s.");

        // Two more passes of each after the last change, so that all is planned.
        await WaitForPassesAsync(first, Passes(first) + 2);
        await WaitForPassesAsync(second, Passes(second) + 2);

        // A run that falls due while the test runs stays, and the schedulers plan one more to stay an hour ahead.
        var lastPlanned = TimeProvider.System.GetUtcNow();
        var slotsPassed = (int)(SlotOf(lastPlanned) - SlotOf(firstPlanned));
        await using var connection = new NpgsqlConnection(database.Options.ConnectionString);
        await connection.OpenAsync();
        var total = await ScalarAsync(connection, "SELECT count(*) FROM flow_run");
        var duplicates = await ScalarAsync(connection,
            "SELECT count(*) FROM (SELECT deployment_id, expected_start_time FROM flow_run GROUP BY 1, 2 HAVING count(*) > 1) d");
        var fewest = await ScalarAsync(connection, "SELECT min(c) FROM (SELECT count(*) AS c FROM flow_run GROUP BY deployment_id) d");
        var scheduled = await ScalarAsync(connection, "SELECT count(DISTINCT deployment_id) FROM flow_run");

        Assert.Equal(0, duplicates);
        Assert.Equal(Deployments, scheduled);
        Assert.InRange(fewest, 12, 13 + slotsPassed); // every 5 minutes, until one run is at least an hour ahead
        Assert.Equal(total, Made(first) + Made(second));
        TestContext.Current.TestOutputHelper?.WriteLine($"{total} runs: {Made(first)} made by the first server, {Made(second)} by the second.");
    }

    /// <summary>Which five-minute slot of the cron schedule an instant falls in.</summary>
    private static long SlotOf(DateTimeOffset at) => at.ToUnixTimeSeconds() / 300;

    private static async Task<string> ApiUrlAsync(RunningCommand server)
    {
        var line = await server.WaitForLineAsync("Reeve server listening on ", TimeSpan.FromSeconds(60));
        return line[line.IndexOf("http", StringComparison.Ordinal)..].Trim() + "/api";
    }

    private static int Passes(RunningCommand server) => PassLine().Count(server.Output);

    private static Task WaitForPassesAsync(RunningCommand server, int passes) =>
        server.WaitUntilAsync(lines => lines.Count(l => PassLine().IsMatch(l)) >= passes, $"{passes} scheduler passes", TimeSpan.FromSeconds(120));

    private static long Made(RunningCommand server) => PassLine().Matches(server.Output).Sum(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"Scheduler: made (\d+) runs? ")]
    private static partial Regex PassLine();
}
