using System.Text.Json.Nodes;
using Docker.DotNet.Models;
using Reeve.Core.Deployments;
using Reeve.Core.Logs;
using Reeve.Core.States;

namespace Reeve.Tests.Workers;

/// <summary>
/// The docker worker on a real Docker engine with a real registry on loopback: the tutorial's second half. Each test
/// starts <c>reeve worker start</c> for the pool; the flow is the RepoInfo example in an image built at deploy time.
/// </summary>
public sealed class DockerWorkerTests(DockerFixture fixture) : IClassFixture<DockerFixture>
{
    [Fact]
    public async Task DeployedWithAnImageBuiltAndPushed_RunsInAContainerPulledFromTheRegistry_AndTheContainerIsGoneAfterwards()
    {
        TestEnvironment.RequireDocker();
        var deployed = await fixture.DeployAsync();
        Assert.Contains($"Pushed image {deployed.Image}.", deployed.Output.Out, StringComparison.Ordinal);
        Assert.Contains("Successfully created/updated all deployments!", deployed.Output.Out, StringComparison.Ordinal);

        // Only the registry has it now: the worker must pull it.
        await fixture.Docker.Images.DeleteImageAsync(deployed.Image, new ImageDeleteParameters { Force = true });

        await using var worker = RunningCommand.Start(fixture.Cli(), "worker", "start", "--pool", fixture.Pool);
        await worker.WaitForLineAsync("started!");
        var run = await CreateRunAsync(new JsonObject { ["auto_remove"] = true });

        var ended = await fixture.Server.Client.WaitForEndAsync(run, TimeSpan.FromMinutes(2));

        Assert.True(ended.StateType == StateType.Completed, $"{ended.StateName}: {ended.State?.Message}\n{worker.Output}");
        var logs = await fixture.Server.Client.FilterLogsAsync(new LogFilterRequest { Logs = new() { FlowRunId = new() { Any = [run] } } });
        Assert.Contains(logs, l => l.Message == "Stars 🌠 : 17234");
        Assert.Contains(logs, l => l.Message == "Forks 🍴 : 1642");
        Assert.Contains($"Pulling image '{deployed.Image}'", worker.Output, StringComparison.Ordinal);
        Assert.Equal(64, ended.InfrastructurePid?.Length);
        await worker.WaitForLineAsync("exited cleanly");
        Assert.Empty(await fixture.ContainersOfAsync(run));
    }

    [Fact]
    public async Task AContainerKilledByItsMemoryLimit_EndsTheRunCrashed_SayingItRanOutOfMemory()
    {
        TestEnvironment.RequireDocker();
        await fixture.DeployAsync();
        await using var worker = RunningCommand.Start(fixture.Cli(), "worker", "start", "--pool", fixture.Pool);
        await worker.WaitForLineAsync("started!");

        // busybox's tail keeps the last lines of a stream that has no line end: it grows until the limit stops it.
        var run = await CreateRunAsync(new JsonObject
        {
            ["command"] = "tail /dev/zero",
            ["mem_limit"] = "32m",
            ["memswap_limit"] = "32m",
            ["auto_remove"] = true,
        });

        var ended = await fixture.Server.Client.WaitForEndAsync(run, TimeSpan.FromMinutes(2));

        Assert.True(ended.StateType == StateType.Crashed, $"{ended.StateName}: {ended.State?.Message}\n{worker.Output}");
        var message = ended.State?.Message ?? "";
        Assert.True(message.Contains("ran out of memory (mem_limit 32 MiB)", StringComparison.Ordinal) && message.Contains("exit code 137", StringComparison.Ordinal),
            $"{message}\n{worker.Output}");
        await worker.WaitForLineAsync("the run crashed");
        Assert.Empty(await fixture.ContainersOfAsync(run));
    }

    [Fact]
    public async Task CancellingARunningContainerRun_StopsTheContainer_EndsTheRunCancelled_AndTheContainerIsGone()
    {
        TestEnvironment.RequireDocker();
        await fixture.DeployAsync();
        await using var worker = RunningCommand.Start(fixture.Cli(), "worker", "start", "--pool", fixture.Pool);
        await worker.WaitForLineAsync("started!");

        // The stand-in never answers for this repository, so the flow stays RUNNING until it is stopped.
        var run = await CreateRunAsync(new JsonObject { ["auto_remove"] = true }, new JsonObject { ["repoName"] = "slow/hangs" });
        await fixture.Server.Client.WaitForStateAsync(run, StateType.Running, TimeSpan.FromMinutes(2));
        Assert.Single(await fixture.ContainersOfAsync(run));

        var cancel = await fixture.Cli().RunAsync("flow-run", "cancel", run.ToString());
        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        var ended = await fixture.Server.Client.WaitForEndAsync(run, TimeSpan.FromMinutes(1));

        Assert.True(ended.StateType == StateType.Cancelled, $"{ended.StateName}: {ended.State?.Message}\n{worker.Output}");

        // The engine in the container learns of the cancellation too and may end the run itself before it is stopped.
        await worker.WaitUntilAsync(lines => lines.Any(l => l.Contains("the run is cancelled", StringComparison.Ordinal)
            || l.Contains("the run had ended CANCELLED", StringComparison.Ordinal)), "the container's end");
        Assert.Empty(await fixture.ContainersOfAsync(run));
    }

    private async Task<Guid> CreateRunAsync(JsonObject jobVariables, JsonObject? parameters = null)
    {
        var deployment = await fixture.Server.Client.ReadDeploymentByNameAsync("get-repo-info", "my-docker-deployment");
        jobVariables["env"] = new JsonObject { ["GITHUB_API_URL"] = fixture.GitHub.Url };
        var run = await fixture.Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate
        {
            JobVariables = jobVariables,
            Parameters = parameters ?? [],
        });
        return run.Id;
    }
}
