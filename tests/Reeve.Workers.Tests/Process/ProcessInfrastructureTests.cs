using System.Text.Json.Nodes;
using Reeve.Core.FlowRuns;
using Reeve.Core.JobTemplates;
using Reeve.Workers.Process;

namespace Reeve.Workers.Tests.Process;

/// <summary>A real process started from a rendered job configuration: a job variable is one argument, never more.</summary>
public sealed class ProcessInfrastructureTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reeve-process-").FullName;

    private static JsonObject Template(string command) => new()
    {
        ["job_configuration"] = new JsonObject { ["command"] = command, ["working_dir"] = "{{ working_dir }}", ["stream_output"] = false },
        ["variables"] = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject { ["note"] = new JsonObject { ["type"] = "string" }, ["working_dir"] = new JsonObject { ["type"] = "string" } },
        },
    };

    private Task<Infrastructure.InfrastructureResult> RunAsync(string command, string note)
    {
        var configuration = JobConfiguration.Render(Template(command), null, new JsonObject { ["note"] = note, ["working_dir"] = _folder });
        var infrastructure = new ProcessInfrastructure(new ProcessInfrastructureOptions
        {
            EngineCommand = ["/bin/false"],
            RunEnvironment = _ => new Dictionary<string, string>(),
            Output = TextWriter.Null,
            Error = TextWriter.Null,
        });
        var run = new FlowRun { Id = Guid.NewGuid(), Created = DateTimeOffset.UnixEpoch, Updated = DateTimeOffset.UnixEpoch, Name = "r", FlowId = Guid.NewGuid() };
        return infrastructure.RunAsync(run, configuration, _ => Task.CompletedTask, CancellationToken.None);
    }

    [Fact]
    public async Task AVariableWithSpacesAndQuotes_IsOneArgument_SoItCannotStartAnotherProgram()
    {
        // Split after substitution, this would be `env /bin/sh -c 'touch injected'`: env would run a shell.
        var result = await RunAsync("/usr/bin/env {{ note }}", "/bin/sh -c 'touch injected'");

        Assert.False(result.Succeeded);
        Assert.False(File.Exists(Path.Combine(_folder, "injected")));
    }

    [Fact]
    public async Task AVariableInsideTheCommand_FillsExactlyTheArgumentItStandsIn()
    {
        var result = await RunAsync("/usr/bin/touch --no-create {{ note }} 'second file'", "a b");

        Assert.True(result.Succeeded);
        var created = await RunAsync("/usr/bin/touch {{ note }}", "a b");
        Assert.True(created.Succeeded);
        Assert.Equal(["a b"], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
