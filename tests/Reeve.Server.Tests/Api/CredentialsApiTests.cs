using System.Data.Common;
using System.Net;
using System.Text.Json.Nodes;
using Reeve.Core.Credentials;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;
using Reeve.Server.Storage;

namespace Reeve.Server.Tests.Api;

public abstract class CredentialsApiTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    private static string Secret() => "s3cret-" + Guid.NewGuid().ToString("N");

    private async Task<Credentials> DockerLoginAsync(string password, string? name = null) =>
        await Server.Client.CreateCredentialsAsync(new CredentialsCreate
        {
            Name = name ?? Names.Unique("registry"),
            Type = "docker-registry-credentials",
            Data = Seed.Json($$"""{"username": "ci", "password": "{{password}}", "registry_url": "127.0.0.1:5000"}"""),
        });

    [Fact]
    public async Task Create_AnswersWithTheSecretMasked_AndNoAnswerNorTheDatabaseHoldsItInPlaintext()
    {
        var password = Secret();

        var created = await DockerLoginAsync(password);

        Assert.Equal(CredentialsData.Masked, created.Data["password"]!.GetValue<string>());
        Assert.Equal("ci", created.Data["username"]!.GetValue<string>());
        foreach (var path in new[] { $"credentials/{created.Id}", $"credentials/docker-registry-credentials/{created.Name}" })
        {
            var read = await Server.Http.SendJsonAsync(HttpMethod.Get, path);
            Assert.Equal(HttpStatusCode.OK, read.Status);
            Assert.DoesNotContain(password, read.Text, StringComparison.Ordinal);
            Assert.Contains(CredentialsData.Masked, read.Text, StringComparison.Ordinal);
        }

        var list = await Server.Http.PostJsonAsync("credentials/filter", """{"type": "docker-registry-credentials"}""");
        Assert.Contains(created.Name, list.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(password, list.Text, StringComparison.Ordinal);

        var stored = await StoredTextAsync(created.Id);
        Assert.DoesNotContain(password, stored, StringComparison.Ordinal);
        Assert.Contains("ci", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(password, string.Join("\n", Server.Logs.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_KeepsASecretSentBackMasked_ReplacesOneSentAnew_AndRemovesANull()
    {
        var password = Secret();
        var created = await DockerLoginAsync(password);

        // What a client that read the credentials sends back: the masked secret, one field changed.
        var renamed = created.Data.DeepClone().AsObject();
        renamed["username"] = "deploy";
        renamed["reauth"] = true;
        var updated = await Server.Client.UpdateCredentialsAsync(created.Id, new CredentialsUpdate { Data = renamed });
        Assert.Equal("deploy", updated.Data["username"]!.GetValue<string>());
        Assert.Equal(password, (await ResolveAsync(created.Id))["password"]!.GetValue<string>());

        var newPassword = Secret();
        await Server.Client.UpdateCredentialsAsync(created.Id, new CredentialsUpdate { Data = Seed.Json($$"""{"password": "{{newPassword}}", "reauth": null}""") });
        var resolved = await ResolveAsync(created.Id);
        Assert.Equal(newPassword, resolved["password"]!.GetValue<string>());
        Assert.False(resolved.ContainsKey("reauth"));
        Assert.DoesNotContain(newPassword, await StoredTextAsync(created.Id), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name": "x", "type": "no-such-type", "data": {}}""", "type")]
    [InlineData("""{"name": "x", "type": "secret", "data": {}}""", "data.value")]
    [InlineData("""{"name": "x", "type": "secret", "data": {"value": ""}}""", "data.value")]
    [InlineData("""{"name": "x", "type": "secret", "data": {"value": 5}}""", "data.value")]
    [InlineData("""{"name": "x", "type": "secret", "data": {"value": "********"}}""", "data.value")]
    [InlineData("""{"name": "x", "type": "secret", "data": {"value": "v", "extra": "y"}}""", "data.extra")]
    [InlineData("""{"name": "x", "type": "docker-registry-credentials", "data": {"username": "u", "password": "p", "registry_url": "r", "reauth": "yes"}}""", "data.reauth")]
    [InlineData("""{"name": "x", "type": "kubernetes-cluster-config", "data": {"config": "not an object", "context_name": "c"}}""", "data.config")]
    [InlineData("""{"name": "a/b", "type": "secret", "data": {"value": "v"}}""", "name")]
    public async Task Create_BadInput_Is422NamingTheField(string body, string field)
    {
        var response = await Server.Http.PostJsonAsync("credentials/", body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Equal(field, response.Field);
    }

    [Fact]
    public async Task Create_TheSameTypeAndName_Is409_ButAnotherTypeMayShareTheName()
    {
        var name = Names.Unique("shared");
        await Server.Client.CreateCredentialsAsync(new CredentialsCreate { Name = name, Type = "secret", Data = Seed.Json("""{"value": "a"}""") });

        var again = await Server.Http.PostJsonAsync("credentials/", $$$"""{"name": "{{{name}}}", "type": "secret", "data": {"value": "b"}}""");
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        await DockerLoginAsync(Secret(), name);
    }

    [Fact]
    public async Task Delete_RemovesThem_AndASecondDeleteIs404()
    {
        var created = await DockerLoginAsync(Secret());

        await Server.Client.DeleteCredentialsAsync(created.Id);

        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.SendJsonAsync(HttpMethod.Get, $"credentials/{created.Id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.SendJsonAsync(HttpMethod.Delete, $"credentials/{created.Id}")).Status);
    }

    [Fact]
    public async Task Resolve_ReplacesReferencesByIdAndByName_ForAPendingRun()
    {
        var password = Secret();
        var login = await DockerLoginAsync(password);
        var token = Secret();
        var tokenName = Names.Unique("token");
        await Server.Client.CreateCredentialsAsync(new CredentialsCreate { Name = tokenName, Type = "secret", Data = Seed.Json($$"""{"value": "{{token}}"}""") });
        var run = await PendingRunAsync();

        var resolved = await Server.Client.ResolveCredentialsAsync(run, Seed.Json($$$"""
            {
              "image": "busybox",
              "registry": {"$ref": {"block_document_id": "{{{login.Id}}}"}},
              "env": {"API_TOKEN": "{{ prefect.blocks.secret.{{{tokenName}}} }}", "PLAIN": "kept {{ other }}"}
            }
            """));

        Assert.Equal(password, resolved["registry"]!["password"]!.GetValue<string>());
        Assert.Equal("127.0.0.1:5000", resolved["registry"]!["registry_url"]!.GetValue<string>());
        Assert.Equal(token, resolved["env"]!["API_TOKEN"]!.GetValue<string>());
        Assert.Equal("kept {{ other }}", resolved["env"]!["PLAIN"]!.GetValue<string>());
        Assert.Equal("busybox", resolved["image"]!.GetValue<string>());
    }

    [Fact]
    public async Task Resolve_IsRefusedForARunThatIsNotBeingSubmitted_AndForAMissingOrMalformedReference()
    {
        var login = await DockerLoginAsync(Secret());
        var configuration = $$$$"""{"registry": {"$ref": {"block_document_id": "{{{{login.Id}}}}"}}}""";
        var deployment = await Server.Client.DeploymentAsync();
        var scheduled = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new Core.Deployments.DeploymentFlowRunCreate());

        var notPending = await Server.Http.PostJsonAsync("credentials/resolve", $$"""{"flow_run_id": "{{scheduled.Id}}", "configuration": {{configuration}}}""");
        Assert.Equal(HttpStatusCode.Conflict, notPending.Status);
        Assert.Contains("PENDING", notPending.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("password", notPending.Text, StringComparison.Ordinal);
        var ended = await PendingRunAsync();
        await Server.Client.SetFlowRunStateAsync(ended, new StateCreate { Type = StateType.Running });
        Assert.Equal(HttpStatusCode.OK, (await Server.Http.PostJsonAsync("credentials/resolve", $$"""{"flow_run_id": "{{ended}}", "configuration": {{configuration}}}""")).Status);
        await Server.Client.SetFlowRunStateAsync(ended, new StateCreate { Type = StateType.Completed });
        Assert.Equal(HttpStatusCode.Conflict, (await Server.Http.PostJsonAsync("credentials/resolve", $$"""{"flow_run_id": "{{ended}}", "configuration": {{configuration}}}""")).Status);

        var run = await PendingRunAsync();
        var missing = await Server.Http.PostJsonAsync("credentials/resolve",
            $$$$"""{"flow_run_id": "{{{{run}}}}", "configuration": {"env": {"T": "{{ prefect.blocks.secret.no-such-name }}"}}}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing.Status);
        Assert.Contains("prefect.blocks.secret.no-such-name", missing.Text, StringComparison.Ordinal);

        var embedded = await Server.Http.PostJsonAsync("credentials/resolve",
            $$$$"""{"flow_run_id": "{{{{run}}}}", "configuration": {"env": {"T": "Bearer {{ prefect.blocks.secret.x }}"}}}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, embedded.Status);
        Assert.Equal("configuration.env.T", embedded.Field);

        var badRef = await Server.Http.PostJsonAsync("credentials/resolve", $$$$"""{"flow_run_id": "{{{{run}}}}", "configuration": {"r": {"$ref": {"block_document_id": 5} } } }""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badRef.Status);
        Assert.Equal("configuration.r.$ref", badRef.Field);
    }

    [Fact]
    public async Task TheRecordOfWhatARunWasGiven_GoesWithTheRun_AndWithTheCredentials()
    {
        var kept = await DockerLoginAsync(Secret());
        var deleted = await DockerLoginAsync(Secret());
        var run = await PendingRunAsync();
        var other = await PendingRunAsync();
        var configuration = Seed.Json($$$$"""{"a": {"$ref": {"block_document_id": "{{{{kept.Id}}}}"} }, "b": {"$ref": {"block_document_id": "{{{{deleted.Id}}}}"} } }""");
        await Server.Client.ResolveCredentialsAsync(run, configuration);
        await Server.Client.ResolveCredentialsAsync(other, configuration);
        Assert.Equal(2, await RecordedForAsync(run));

        await Server.Client.DeleteFlowRunAsync(run);
        await Server.Client.DeleteCredentialsAsync(deleted.Id);

        Assert.Equal(0, await RecordedForAsync(run));
        Assert.Equal(1, await RecordedForAsync(other));
    }

    /// <summary>The rows of <c>flow_run_credentials</c> for a run, read past the server.</summary>
    private async Task<long> RecordedForAsync(Guid run)
    {
        var (connection, command) = await QueryPastTheServerAsync("SELECT COUNT(*) FROM flow_run_credentials WHERE flow_run_id = @id", run);
        await using (connection)
        await using (command)
        {
            return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>A command on the server's database, opened by the test itself, with <c>@id</c> bound to <paramref name="id"/> as the provider stores ids.</summary>
    private async Task<(DbConnection Connection, DbCommand Command)> QueryPastTheServerAsync(string sql, Guid id)
    {
        var options = Server.Server.Options.Storage;
        DbConnection connection = options.Provider == StorageProvider.Sqlite
            ? new Microsoft.Data.Sqlite.SqliteConnection(options.ConnectionString)
            : new Npgsql.NpgsqlConnection(options.ConnectionString);
        await connection.OpenAsync();
        var command = connection.CreateCommand();
        command.CommandText = sql;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "id";
        parameter.Value = options.Provider == StorageProvider.Sqlite ? id.ToString().ToUpperInvariant() : id;
        command.Parameters.Add(parameter);
        return (connection, command);
    }

    [Fact]
    public async Task Types_ListsEveryTypeWithItsSecretFields()
    {
        var response = await Server.Http.SendJsonAsync(HttpMethod.Get, "credentials/types");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(CredentialsTypeCatalog.All.Count, response.Body!.AsArray().Count);
        Assert.Contains("docker-registry-credentials", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASecretGivenToARun_IsMaskedInThatRunsLogLines_AndOnlyThere()
    {
        var password = Secret();
        var token = Secret();
        var login = await DockerLoginAsync(password);
        var key = await Server.Client.CreateCredentialsAsync(new CredentialsCreate
        {
            Name = Names.Unique("key"),
            Type = "gcp-credentials",
            Data = Seed.Json($$"""{"service_account_info": {"private_key": "{{token}}", "client_email": "ci@example.com"}, "project": "p"}"""),
        });
        var run = await PendingRunAsync();
        var other = await PendingRunAsync();
        await Server.Client.ResolveCredentialsAsync(run, Seed.Json($$$"""
            {"registry": {"$ref": {"block_document_id": "{{{login.Id}}}"}}, "gcp": "{{ prefect.blocks.gcp-credentials.{{{key.Name}}} }}"}
            """));

        var lines = new JsonArray();
        foreach (var id in new[] { run, other })
        {
            lines.Add(new JsonObject
            {
                ["name"] = "flow", ["level"] = 20, ["timestamp"] = "2026-01-01T00:00:00Z", ["flow_run_id"] = id.ToString(),
                ["message"] = $"logging in with {password}, then signing with {token}, as ci",
            });
        }

        Assert.Equal(HttpStatusCode.Created, (await Server.Http.PostJsonAsync("logs/", lines.ToJsonString())).Status);

        async Task<string> MessageAsync(Guid id) => (await Server.Client.FilterLogsAsync(new Core.Logs.LogFilterRequest
        {
            Logs = new() { FlowRunId = new() { Any = [id] } },
        })).Single().Message;
        Assert.Equal("logging in with ********, then signing with ********, as ci", await MessageAsync(run));
        Assert.Contains(password, await MessageAsync(other), StringComparison.Ordinal);
    }

    private async Task<JsonObject> ResolveAsync(Guid id) =>
        (JsonObject)(await Server.Client.ResolveCredentialsAsync(await PendingRunAsync(),
            Seed.Json($$$$"""{"c": {"$ref": {"block_document_id": "{{{{id}}}}"}}}""")))["c"]!;

    /// <summary>A run claimed by a worker and not yet started: the one moment its credentials are resolved.</summary>
    private async Task<Guid> PendingRunAsync()
    {
        var deployment = await Server.Client.DeploymentAsync();
        var run = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new Core.Deployments.DeploymentFlowRunCreate());
        var result = await Server.Client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Pending });
        Assert.Equal(StateType.Pending, (await Server.Client.ReadFlowRunAsync(run.Id)).StateType);
        return run.Id;
    }

    /// <summary>Every stored column of the credentials' row, as text, read past the server.</summary>
    private async Task<string> StoredTextAsync(Guid id)
    {
        var options = Server.Server.Options.Storage;
        var (connection, command) = await QueryPastTheServerAsync("SELECT name, type, plain_data, secret_data, secret_names FROM credentials WHERE id = @id", id);
        await using var _ = connection;
        await using var __ = command;
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "the credentials' row");
        var text = string.Join('\n', Enumerable.Range(0, reader.FieldCount).Select(reader.GetString));
        if (options.Provider == StorageProvider.Sqlite)
        {
            // And the files themselves, write-ahead log included.
            var source = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(options.ConnectionString).DataSource;
            foreach (var file in new[] { source, source + "-wal" }.Where(File.Exists))
            {
                await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var content = new StreamReader(stream, System.Text.Encoding.Latin1);
                text += "\n" + await content.ReadToEndAsync();
            }
        }

        return text;
    }
}

public sealed class CredentialsApiTests_Sqlite(SqliteServerFixture fixture) : CredentialsApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class CredentialsApiTests_Postgres(PostgresServerFixture fixture) : CredentialsApiTests(fixture), IClassFixture<PostgresServerFixture>;
