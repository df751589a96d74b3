using System.Diagnostics;
using System.Text.RegularExpressions;
using Reeve.Core.Deployments;
using Reeve.Core.Logs;
using Reeve.Core.States;

namespace Reeve.Tests.Examples;

/// <summary>
/// examples/RepoInfo run as a user runs it: a real process, against a real server. GitHub is out of reach here,
/// so a loopback HTTP server answers its API with a fixed repository (a stand-in, named as such).
/// </summary>
public sealed partial class RepoInfoExampleTests : IClassFixture<SdkServerFixture>, IAsyncLifetime
{
    private const string Repository = """{"full_name":"PrefectHQ/prefect","stargazers_count":17234,"forks_count":1642}""";

    private readonly SdkServerFixture _fixture;
    private LoopbackHttpServer _gitHub = null!;

    public RepoInfoExampleTests(SdkServerFixture fixture) => _fixture = fixture;

    private RunningServer Server => _fixture.Server;

    public async ValueTask InitializeAsync()
    {
        _gitHub = await LoopbackHttpServer.StartAsync();
        _gitHub.MapJson("/repos/PrefectHQ/prefect", Repository);
        _gitHub.MapJson("/repos/dotnet/runtime", """{"stargazers_count":16000,"forks_count":5000}""");
    }

    public async ValueTask DisposeAsync() => await _gitHub.DisposeAsync();

    private CliProcess Example(bool tracked)
    {
        var example = CliProcess.ForApp("RepoInfo", tracked ? Server.ApiUrl : null);
        example.Environment["GITHUB_API_URL"] = _gitHub.Url;
        return example;
    }

    [Fact]
    public async Task RunsDirectly_WithNoServer_AndPrintsStarsAndForks()
    {
        var result = await Example(tracked: false).RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("PrefectHQ/prefect repository statistics", result.Out, StringComparison.Ordinal);
        Assert.Contains("Stars 🌠 : 17234", result.Out, StringComparison.Ordinal);
        Assert.Contains("Forks 🍴 : 1642", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsDirectly_Tracked_WithTheRepositoryAsParameter_AndItsPrintsAreTheRunsLogs()
    {
        var result = await Example(tracked: true).RunAsync("dotnet/runtime");

        Assert.True(result.ExitCode == 0, result.ToString());
        var runs = await Server.Client.FilterFlowRunsAsync(new() { Flows = new() { Name = new() { Any = ["get-repo-info"] } } });
        var run = Assert.Single(runs, r => r.Parameters["repoName"]?.GetValue<string>() == "dotnet/runtime");
        Assert.Equal(StateType.Completed, run.StateType);
        var logs = await Server.Client.FilterLogsAsync(new LogFilterRequest { Logs = new() { FlowRunId = new() { Any = [run.Id] } } });
        Assert.Contains(logs, l => l.Message == "Stars 🌠 : 16000");
        Assert.Contains(logs, l => l.Message == "Forks 🍴 : 5000");
    }

    [Fact]
    public async Task Served_TriggeredWithTheCli_PrintsStarsAndForksIntoItsLogs_AndStopsOnSigterm()
    {
        var name = Names.Unique("repo-info");
        var serving = Example(tracked: true).Start(["serve", name]);
        var output = new ProcessOutput(serving);
        try
        {
            await output.WaitForLineAsync(l => l.Contains("is being served", StringComparison.Ordinal), TimeSpan.FromSeconds(60));

            var cli = new CliProcess(Server.ApiUrl);
            var triggered = await cli.RunAsync("deployment", "run", $"get-repo-info/{name}");
            Assert.True(triggered.ExitCode == 0, triggered.ToString());
            var runId = Guid.Parse(UuidLine().Match(triggered.Out).Groups[1].Value);

            var finished = await Server.Client.WaitForEndAsync(runId, TimeSpan.FromSeconds(60));
            Assert.Equal(StateType.Completed, finished.StateType);

            var logs = await cli.RunAsync("flow-run", "logs", runId.ToString());
            Assert.True(logs.ExitCode == 0, logs.ToString());
            Assert.Contains("Stars 🌠 : 17234", logs.Out, StringComparison.Ordinal);
            Assert.Contains("Forks 🍴 : 1642", logs.Out, StringComparison.Ordinal);

            Signals.Send(serving.Id, Signals.SigTerm);
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await serving.WaitForExitAsync(exit.Token);
            Assert.True(serving.ExitCode == 0, output.ToString());
            var deployment = await Server.Client.ReadDeploymentByNameAsync("get-repo-info", name);
            Assert.True(deployment.Paused, "Serving should pause the deployment when it stops.");
        }
        finally
        {
            if (!serving.HasExited)
            {
                serving.Kill(entireProcessTree: true);
            }

            serving.Dispose();
        }
    }

    [GeneratedRegex(@"UUID: ([0-9a-f-]{36})")]
    private static partial Regex UuidLine();

    /// <summary>Reads a process's stdout and stderr as they come, so a test can wait for a line.</summary>
    private sealed class ProcessOutput
    {
        private readonly List<string> _lines = [];
        private readonly Lock _gate = new();
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ProcessOutput(Process process)
        {
            process.OutputDataReceived += (_, e) => Add(e.Data);
            process.ErrorDataReceived += (_, e) => Add(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        private void Add(string? line)
        {
            if (line is null)
            {
                return;
            }

            TaskCompletionSource changed;
            lock (_gate)
            {
                _lines.Add(line);
                changed = _changed;
                _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            changed.SetResult();
        }

        public async Task WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            while (true)
            {
                Task changed;
                lock (_gate)
                {
                    if (_lines.Any(match))
                    {
                        return;
                    }

                    changed = _changed.Task;
                }

                try
                {
                    await changed.WaitAsync(cancel.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"No such line within {timeout}; the output was:\n{this}");
                }
            }
        }

        public override string ToString()
        {
            lock (_gate)
            {
                return string.Join('\n', _lines);
            }
        }
    }
}
