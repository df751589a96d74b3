using Reeve.Core.Deployments;
using Reeve.Core.Schedules;
using Reeve.Core.WorkPools;

namespace Reeve.Tests.Workers;

/// <summary><c>reeve deploy</c> against the git repository served on loopback: the flow is read from its own code.</summary>
public sealed partial class WorkerEndToEndTests
{
    private const string Entrypoint = "RepoInfo.csproj:RepoInfo.RepoInfoFlows.GetRepoInfo";

    [Fact]
    public async Task Deploy_FromGit_WithACronInLondon_TakesTheFlowsNameAndParameters_AndTheSchedulerPlansItAtOnce()
    {
        var pool = Names.Unique("nightly-pool");
        await Server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "process" });
        var name = Names.Unique("nightly");

        var result = await fixture.Cli().RunAsync("deploy", Entrypoint, "--name", name, "--pool", pool, "--source", fixture.Repository.Url,
            "--cron", "0 1 * * *", "--timezone", "Europe/London", "--param", "repoName=PrefectHQ/marvin");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Successfully created/updated all deployments!", result.Out, StringComparison.Ordinal);
        Assert.Contains($"$ reeve deployment run 'get-repo-info/{name}'", result.Out, StringComparison.Ordinal);
        var deployment = await Server.Client.ReadDeploymentByNameAsync("get-repo-info", name);
        Assert.Equal(Entrypoint, deployment.Entrypoint);
        Assert.Equal(fixture.Repository.Url, deployment.PullSteps![0]!["reeve.deployments.steps.git_clone"]!["repository"]!.GetValue<string>());
        Assert.True(deployment.ParameterOpenapiSchema["properties"]!.AsObject().ContainsKey("repoName"));
        Assert.Equal("PrefectHQ/marvin", deployment.Parameters["repoName"]!.GetValue<string>());
        Assert.Equal("""{"cron":"0 1 * * *","timezone":"Europe/London","day_or":true}""", Assert.Single(deployment.Schedules).Schedule.ToJsonString());

        var runs = await Server.Client.WaitForRunsAsync(deployment.Id, 3);
        var london = ScheduleTime.FindZone("Europe/London")!;
        Assert.All(runs, r => Assert.Equal(new TimeSpan(1, 0, 0), TimeZoneInfo.ConvertTime(r.ExpectedStartTime!.Value, london).TimeOfDay));
    }

    [Theory]
    [InlineData("--cron", "0 1 * *", "Invalid cron string \"0 1 * *\"")]
    [InlineData("--timezone", "Mars/Olympus", "--timezone goes with --cron, --interval or --rrule.")]
    public async Task Deploy_WithABadSchedule_FailsInOneLine_AndCreatesNothing(string option, string value, string expected)
    {
        var pool = Names.Unique("bad-schedule-pool");
        await Server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "process" });
        var name = Names.Unique("bad");

        var result = await fixture.Cli().RunAsync("deploy", Entrypoint, "--name", name, "--pool", pool, "--source", fixture.Repository.Url, option, value);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.Equal(0, await Server.Client.CountDeploymentsAsync(new DeploymentFilterRequest { Deployments = new() { Name = new() { Any = [name] } } }));
    }

    [Fact]
    public async Task Deploy_ToAPoolThatIsNotThere_SaysSoBeforeBuilding()
    {
        var result = await fixture.Cli().RunAsync("deploy", Entrypoint, "--name", Names.Unique("nowhere"), "--pool", "no-such-pool", "--source", fixture.Repository.Url);

        CliAssert.FailsWithOneLine(result, "Work pool 'no-such-pool' does not exist.");
        Assert.DoesNotContain("Building", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_FromARepositoryThatIsNotThere_FailsInOneLine()
    {
        var pool = Names.Unique("missing-source-pool");
        await Server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "process" });

        var result = await fixture.Cli().RunAsync("deploy", Entrypoint, "--name", Names.Unique("missing"), "--pool", pool,
            "--source", fixture.Repository.Url.TrimEnd('/') + "-not-there");

        CliAssert.FailsWithOneLine(result, "git clone failed:");
    }
}
