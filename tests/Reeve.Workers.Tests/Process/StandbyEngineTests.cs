using System.Text.Json.Nodes;
using Reeve.Core.FlowRuns;
using Reeve.Core.JobTemplates;
using Reeve.Core.Workers;
using Reeve.Workers.Infrastructure;
using Reeve.Workers.Process;

namespace Reeve.Workers.Tests.Process;

/// <summary>
/// The engine a process worker keeps started ahead of its next run. The standby here is a real process, a shell that
/// speaks the handoff: it waits for its line and writes it, with its own process id, to a file of the test's.
/// </summary>
public sealed class StandbyEngineTests : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reeve-standby-").FullName;
    private readonly List<ProcessInfrastructure> _infrastructures = [];

    private string Received => Path.Combine(_folder, "handoff");

    private ProcessInfrastructure Infrastructure(TimeSpan? standbyDelay = null)
    {
        var infrastructure = new ProcessInfrastructure(new ProcessInfrastructureOptions
        {
            // A run started without the standby writes "cold" and its process id instead.
            EngineCommand = ["/bin/sh", "-c", $"echo cold $$ > '{Received}'"],
            StandbyCommand = ["/bin/sh", "-c", $"read -r line && echo \"$$ $line\" > '{Received}'"],
            StandbyEnvironment = new Dictionary<string, string> { ["REEVE_API_URL"] = "http://127.0.0.1:9/api" },
            StandbyDelay = standbyDelay ?? TimeSpan.FromSeconds(1),
            RunEnvironment = run => new Dictionary<string, string> { ["REEVE_FLOW_RUN_ID"] = run.Id.ToString() },
            Output = TextWriter.Null,
            Error = TextWriter.Null,
        });
        _infrastructures.Add(infrastructure);
        return infrastructure;
    }

    private static FlowRun NewRun() =>
        new() { Id = Guid.NewGuid(), Created = DateTimeOffset.UnixEpoch, Updated = DateTimeOffset.UnixEpoch, Name = "r", FlowId = Guid.NewGuid() };

    private JsonObject Configuration(JsonObject? env = null, string? command = null)
    {
        var configuration = new JsonObject { ["working_dir"] = _folder, ["env"] = env ?? new JsonObject() };
        if (command is not null)
        {
            configuration["command"] = command;
        }

        return JobConfiguration.Render(new JsonObject { ["job_configuration"] = configuration }, null, null);
    }

    private static async Task<int> StandbyAsync(ProcessInfrastructure infrastructure)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (infrastructure.StandbyProcessId is { } pid)
            {
                return pid;
            }

            // The standby starts on a background task: there is nothing to wait on but its process.
            await Task.Delay(20, deadline.Token);
        }
    }

    private static async Task<(InfrastructureResult Result, string Pid)> RunAsync(ProcessInfrastructure infrastructure, JsonObject configuration, FlowRun? run = null)
    {
        string? pid = null;
        var result = await infrastructure.RunAsync(run ?? NewRun(), configuration, id =>
        {
            pid = id;
            return Task.CompletedTask;
        }, CancellationToken.None);
        return (result, pid!);
    }

    [Fact]
    public async Task ARunWithTheDefaultCommand_IsHandedToTheWaitingEngine_WithItsVariablesAndFolder()
    {
        var infrastructure = Infrastructure();
        var standby = await StandbyAsync(infrastructure);
        var run = NewRun();

        var (result, pid) = await RunAsync(infrastructure, Configuration(new JsonObject { ["GREETING"] = "hello there", ["UNSET_ME"] = null }), run);

        Assert.True(result.Succeeded);
        Assert.Equal(standby.ToString(System.Globalization.CultureInfo.InvariantCulture), pid);
        var line = await File.ReadAllTextAsync(Received);
        Assert.StartsWith($"{standby} ", line, StringComparison.Ordinal);
        var handoff = EngineHandoff.Parse(line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
        Assert.Equal(Path.GetFullPath(_folder), handoff.WorkingDirectory);
        Assert.Equal(run.Id.ToString(), handoff.Environment["REEVE_FLOW_RUN_ID"]);
        Assert.Equal("hello there", handoff.Environment["GREETING"]);
        Assert.True(handoff.Environment.ContainsKey("UNSET_ME"));
        Assert.Null(handoff.Environment["UNSET_ME"]);
    }

    [Fact]
    public async Task AfterAHandoff_AnotherEngineStartsForTheNextRun()
    {
        var infrastructure = Infrastructure(standbyDelay: TimeSpan.FromMilliseconds(1));
        var first = await StandbyAsync(infrastructure);
        var (_, firstPid) = await RunAsync(infrastructure, Configuration());

        var second = await StandbyAsync(infrastructure);
        var (_, secondPid) = await RunAsync(infrastructure, Configuration());

        Assert.NotEqual(first, second);
        Assert.Equal(first.ToString(System.Globalization.CultureInfo.InvariantCulture), firstPid);
        Assert.Equal(second.ToString(System.Globalization.CultureInfo.InvariantCulture), secondPid);
    }

    [Theory]
    [InlineData("DOTNET_gcServer")]
    [InlineData("LD_PRELOAD")]
    [InlineData("TZ")]
    [InlineData("LC_ALL")]
    public async Task ARunSettingAVariableReadOnlyAtProcessStart_GetsAProcessOfItsOwn_AndTheStandbyKeepsWaiting(string variable)
    {
        var infrastructure = Infrastructure();
        var standby = await StandbyAsync(infrastructure);

        var (result, pid) = await RunAsync(infrastructure, Configuration(new JsonObject { [variable] = "1" }));

        Assert.True(result.Succeeded);
        Assert.NotEqual(standby.ToString(System.Globalization.CultureInfo.InvariantCulture), pid);
        Assert.StartsWith("cold ", await File.ReadAllTextAsync(Received), StringComparison.Ordinal);
        Assert.Equal(standby, infrastructure.StandbyProcessId);
    }

    [Fact]
    public async Task ARunWithACommandOfItsOwn_RunsThatCommand_NotTheStandby()
    {
        var infrastructure = Infrastructure();
        var standby = await StandbyAsync(infrastructure);

        var (result, _) = await RunAsync(infrastructure, Configuration(command: $"/bin/sh -c \"echo own > '{Received}'\""));

        Assert.True(result.Succeeded);
        Assert.Equal("own\n", await File.ReadAllTextAsync(Received));
        Assert.Equal(standby, infrastructure.StandbyProcessId);
    }

    [Fact]
    public async Task AStandbyThatDiedWaiting_IsReplaced_AndTheRunStartsItsOwnProcess()
    {
        var infrastructure = Infrastructure();
        var standby = await StandbyAsync(infrastructure);
        using (var dead = System.Diagnostics.Process.GetProcessById(standby))
        {
            dead.Kill();
            await dead.WaitForExitAsync();
        }

        var (result, pid) = await RunAsync(infrastructure, Configuration());

        Assert.True(result.Succeeded);
        Assert.StartsWith("cold ", await File.ReadAllTextAsync(Received), StringComparison.Ordinal);
        Assert.NotEqual(standby.ToString(System.Globalization.CultureInfo.InvariantCulture), pid);
        Assert.NotEqual(standby, await StandbyAsync(infrastructure));
    }

    [Fact]
    public async Task Disposing_EndsTheWaitingEngine()
    {
        var infrastructure = Infrastructure();
        using var standby = System.Diagnostics.Process.GetProcessById(await StandbyAsync(infrastructure));

        await infrastructure.DisposeAsync();

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await standby.WaitForExitAsync(deadline.Token);
        Assert.Null(infrastructure.StandbyProcessId);
    }

    [Fact]
    public void TheHandoffLine_ReadsBackAsWritten()
    {
        var handoff = new EngineHandoff("/tmp/a folder", new Dictionary<string, string?> { ["A"] = "x \"y\"\nz", ["B"] = null, ["Ü"] = "ü" });

        var read = EngineHandoff.Parse(handoff.ToLine());

        Assert.DoesNotContain('\n', handoff.ToLine());
        Assert.Equal(handoff.WorkingDirectory, read.WorkingDirectory);
        Assert.Equal(handoff.Environment, read.Environment);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var infrastructure in _infrastructures)
        {
            await infrastructure.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }
}
