using Reeve.Core.Access;
using Reeve.Core.WorkPools;
using Reeve.Deployments;
using Reeve.Flows;

namespace Reeve.Tests.Deployments;

/// <summary>The SDK's door to a pool's locked job variables: a developer's <c>DeployAsync</c> cannot set one.</summary>
public sealed class LockedVariablesTests : IAsyncLifetime
{
    private const string Admin = "bootstrap-admin-key-for-sdk-tests";
    private RunningServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await RunningServer.StartAsync(TestStorage.Sqlite, apiKey: Admin, realClock: true);

    public async ValueTask DisposeAsync()
    {
        ReeveSdk.UseNoServer();
        await _server.DisposeAsync();
    }

    [Flow]
    private static void Report() { }

    [Fact]
    public async Task DeployAsync_WithADeveloperKey_CannotSetAVariableThePoolLocks_ButMaySetTheOthers()
    {
        var pool = Names.Unique("locked");
        await _server.Client.CreateWorkPoolAsync(new WorkPoolCreate
        {
            Name = pool,
            Type = "process",
            BaseJobTemplate = Seed.Json("""
                {
                  "job_configuration": {"command": "{{ command }}", "working_dir": "{{ working_dir }}"},
                  "variables": {"type": "object", "properties": {
                    "command": {"type": "string", "x-reeve-overridable": false},
                    "working_dir": {"type": "string"}
                  }}
                }
                """),
        });
        var developer = await _server.Client.CreateApiKeyAsync(new ApiKeyCreate { Name = Names.Unique("dev"), Role = ApiRoles.Developer });
        ReeveSdk.UseServer(_server.ApiUrl, developer.Key);

        var refused = await Assert.ThrowsAsync<DeploymentException>(() => Flow.Define(Report).DeployAsync(Names.Unique("report"), pool,
            new DeployOptions { JobVariables = new { command = "/bin/sh -c id" }, Output = TextWriter.Null }));
        var allowed = await Flow.Define(Report).DeployAsync(Names.Unique("report"), pool,
            new DeployOptions { JobVariables = new { working_dir = "/srv" }, Output = TextWriter.Null });

        Assert.Contains("job_variables.command", refused.Message, StringComparison.Ordinal);
        Assert.Contains("platform or admin", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);
        Assert.Equal("/srv", allowed.JobVariables!["working_dir"]!.GetValue<string>());
    }
}
