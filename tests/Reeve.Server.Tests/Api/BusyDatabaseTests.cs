using System.Net;
using System.Text;
using Npgsql;

namespace Reeve.Server.Tests.Api;

/// <summary>
/// A database that does not answer in time (here: a row another connection holds locked past the command timeout)
/// is overload, not a fault: the API answers 503 with Retry-After, writes nothing, and logs no error.
/// </summary>
public sealed class BusyDatabaseTests
{
    [Fact]
    public async Task AWriteThatWaitsOnALockPastTheCommandTimeout_Is503WithRetryAfter_AndWritesNothing()
    {
        TestEnvironment.RequirePostgres();
        await using var server = await RunningServer.StartAsync(TestStorage.Postgres,
            configure: o => o with { Storage = o.Storage with { ConnectionString = o.Storage.ConnectionString + ";Command Timeout=1" } });
        var deployment = await server.Client.DeploymentAsync();

        await using var holder = new NpgsqlConnection(server.Server.Options.Storage.ConnectionString);
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM deployment WHERE id = @id FOR UPDATE", holder, transaction))
        {
            lockRow.Parameters.AddWithValue("id", deployment.Id);
            await lockRow.ExecuteScalarAsync();
        }

        using var request = new HttpRequestMessage(HttpMethod.Patch, $"deployments/{deployment.Id}")
        {
            Content = new StringContent("""{"description": "changed while locked"}""", Encoding.UTF8, "application/json"),
        };
        using var response = await server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        Assert.Contains("too busy", text, StringComparison.Ordinal);
        Assert.Empty(server.Logs.Errors);

        await transaction.RollbackAsync();
        var after = await server.Http.GetJsonAsync($"deployments/{deployment.Id}");
        Assert.NotEqual("changed while locked", after.Body?["description"]?.GetValue<string>());
    }
}
