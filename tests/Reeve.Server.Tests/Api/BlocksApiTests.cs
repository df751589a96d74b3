using System.Net;
using System.Text.Json.Nodes;
using Reeve.Core.Credentials;

namespace Reeve.Server.Tests.Api;

/// <summary>
/// Prefect's blocks with the requests Prefect 2.20's client makes (<c>blocks/core.py</c> <c>register_type_and_schema</c>,
/// <c>_save</c>, <c>load</c>; <c>client/orchestration.py</c>; <c>cli/block.py</c>) and its server's answers
/// (<c>server/api/block_types.py</c>, <c>block_schemas.py</c>, <c>block_documents.py</c>): a flow's default result
/// storage saved anonymously, a Secret saved and loaded, <c>prefect block ls</c>, references between documents.
/// </summary>
public abstract class BlocksApiTests(ServerFixture fixture)
{
    private HttpClient Http => fixture.Server.Http;

    /// <summary>What Prefect 2.20 sends for LocalFileSystem, and the checksum its server stores for it.</summary>
    private const string LocalFileSystemFields = """
        {"title": "LocalFileSystem", "description": "Store data as a file on a local file system.", "type": "object",
         "properties": {"basepath": {"title": "Basepath", "description": "Default local path for this block to write to.", "type": "string"}},
         "block_type_slug": "local-file-system", "secret_fields": [], "block_schema_references": {}}
        """;

    private const string LocalFileSystemChecksum = "sha256:6db1ab242e7b2b88a52dc137a7da3a373af63e0a103b9a91e060ed54a26f395a";

    private const string SecretFields = """
        {"title": "Secret", "description": "A block that represents a secret value. The value stored in this block will be obfuscated when\nthis block is logged or shown in the UI.",
         "type": "object", "properties": {"value": {"title": "Value", "description": "A string value that should be kept secret.", "type": "string", "writeOnly": true, "format": "password"}},
         "required": ["value"], "block_type_slug": "secret", "secret_fields": ["value"], "block_schema_references": {}}
        """;

    private const string SecretChecksum = "sha256:e6b26e0a0240eb112e604608338f863e5ca2f137936e310014bfa2139d0a9b6c";

    /// <summary>
    /// <c>register_type_and_schema</c>: the type by slug (created on a 404), the schema by checksum and version
    /// (created on a 404); the ids of both.
    /// </summary>
    private async Task<(string TypeId, string SchemaId)> RegisterAsync(string slug, string name, string fields, string checksum, string capabilities = "[]")
    {
        var type = await Http.GetJsonAsync($"block_types/slug/{slug}");
        if (type.Status == HttpStatusCode.NotFound)
        {
            Assert.Equal("Block type not found", type.Detail);
            type = await Http.PostJsonAsync("block_types/",
                $$"""{"name": "{{name}}", "slug": "{{slug}}", "logo_url": null, "documentation_url": null, "description": "d", "code_example": null}""");
            Assert.Equal(HttpStatusCode.Created, type.Status);
        }

        var typeId = type.Body!["id"]!.GetValue<string>();
        var schema = await Http.GetJsonAsync($"block_schemas/checksum/{checksum}?version=2.20.18");
        if (schema.Status == HttpStatusCode.NotFound)
        {
            schema = await Http.PostJsonAsync("block_schemas/", $$"""{"fields": {{fields}}, "block_type_id": "{{typeId}}", "capabilities": {{capabilities}}, "version": "2.20.18"}""");
            Assert.Equal(HttpStatusCode.Created, schema.Status);
        }

        Assert.Equal(checksum, schema.Body!["checksum"]!.GetValue<string>());
        return (typeId, schema.Body!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task AFlowsResultStorage_IsSavedAnonymously_LoadedById_AndLeftOutOfBlockLs()
    {
        var (typeId, schemaId) = await RegisterAsync("local-file-system", "Local File System", LocalFileSystemFields, LocalFileSystemChecksum,
            """["read-path", "write-path", "get-directory", "put-directory"]""");

        // Registering again finds both: the schema answers 200 with the same id (server/api/block_schemas.py).
        var again = await Http.PostJsonAsync("block_schemas/", $$"""{"fields": {{LocalFileSystemFields}}, "block_type_id": "{{typeId}}", "capabilities": [], "version": "2.20.18"}""");
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(schemaId, again.Body!["id"]!.GetValue<string>());

        var saved = await Http.PostJsonAsync("block_documents/",
            $$"""{"name": null, "data": {"basepath": "/root/.prefect/storage"}, "block_schema_id": "{{schemaId}}", "block_type_id": "{{typeId}}", "is_anonymous": true}""");
        Assert.Equal(HttpStatusCode.Created, saved.Status);
        Assert.StartsWith("anonymous-", saved.Body!["name"]!.GetValue<string>(), StringComparison.Ordinal);
        var id = saved.Body!["id"]!.GetValue<string>();

        // results.py reads the storage block back by id, with secrets, and needs its schema's type slug.
        var loaded = await Http.GetJsonAsync($"block_documents/{id}?include_secrets=true");
        Assert.Equal(HttpStatusCode.OK, loaded.Status);
        Assert.Equal("/root/.prefect/storage", loaded.Body!["data"]!["basepath"]!.GetValue<string>());
        Assert.Equal("local-file-system", loaded.Body!["block_schema"]!["block_type"]!["slug"]!.GetValue<string>());
        Assert.Equal("Local File System", loaded.Body!["block_type_name"]!.GetValue<string>());
        Assert.True(loaded.Body!["is_anonymous"]!.GetValue<bool>());
        Assert.Contains("write-path", loaded.Body!["block_schema"]!["capabilities"]!.AsArray().Select(c => c!.GetValue<string>()));

        // prefect block ls (cli/block.py): anonymous documents are not listed unless asked for.
        var ls = await Http.PostJsonAsync("block_documents/filter", """{"block_schema_type": null, "offset": null, "limit": null, "include_secrets": true}""");
        Assert.Equal(HttpStatusCode.OK, ls.Status);
        Assert.DoesNotContain(ls.Body!.AsArray(), d => d!["id"]!.GetValue<string>() == id);
        var withAnonymous = await Http.PostJsonAsync("block_documents/filter", $$"""{"block_documents": {"is_anonymous": null, "id": {"any_": ["{{id}}"]} } }""");
        Assert.Single(withAnonymous.Body!.AsArray());
        Assert.Equal("1", (await Http.PostJsonAsync("block_documents/count", $$"""{"block_documents": {"is_anonymous": {"eq_": true}, "id": {"any_": ["{{id}}"]} } }""")).Text);

        var capabilities = await Http.GetJsonAsync("block_capabilities/");
        Assert.Contains("read-path", capabilities.Body!.AsArray().Select(c => c!.GetValue<string>()));
    }

    [Fact]
    public async Task ASecret_IsSavedMasked_LoadedWithSecrets_KeptWhenSentBackMasked_AndIsCredentials()
    {
        // Secret is one of Reeve's credentials types: installed, protected, found by slug on the first call.
        var system = await Http.GetJsonAsync("block_types/slug/secret");
        Assert.Equal(HttpStatusCode.OK, system.Status);
        Assert.True(system.Body!["is_protected"]!.GetValue<bool>());
        var (typeId, schemaId) = await RegisterAsync("secret", "Secret", SecretFields, SecretChecksum);
        var name = "db-password-" + Guid.NewGuid().ToString("N")[..8];
        var value = "hunter2-" + Guid.NewGuid().ToString("N");

        var saved = await Http.PostJsonAsync("block_documents/",
            $$"""{"name": "{{name}}", "data": {"value": "{{value}}"}, "block_schema_id": "{{schemaId}}", "block_type_id": "{{typeId}}", "is_anonymous": false}""");
        Assert.Equal(HttpStatusCode.Created, saved.Status);
        Assert.Equal(CredentialsData.Masked, saved.Body!["data"]!["value"]!.GetValue<string>());
        Assert.DoesNotContain(value, saved.Text, StringComparison.Ordinal);
        var id = saved.Body!["id"]!.GetValue<string>();

        // Secret.load(name): by type slug and name, with secrets.
        var loaded = await Http.GetJsonAsync($"block_types/slug/secret/block_documents/name/{name}?include_secrets=true");
        Assert.Equal(value, loaded.Body!["data"]!["value"]!.GetValue<string>());
        var shown = await Http.GetJsonAsync($"block_types/slug/secret/block_documents/name/{name}");
        Assert.Equal(CredentialsData.Masked, shown.Body!["data"]!["value"]!.GetValue<string>());
        Assert.DoesNotContain(value, (await Http.GetJsonAsync("block_types/slug/secret/block_documents")).Text, StringComparison.Ordinal);

        // The same name again: 409 "Block already exists"; overwrite = read by name, PATCH, read again.
        var twice = await Http.PostJsonAsync("block_documents/",
            $$"""{"name": "{{name}}", "data": {"value": "x"}, "block_schema_id": "{{schemaId}}", "block_type_id": "{{typeId}}", "is_anonymous": false}""");
        Assert.Equal(HttpStatusCode.Conflict, twice.Status);
        Assert.Equal("Block already exists", twice.Detail);
        Assert.Equal(HttpStatusCode.NoContent, (await Http.PatchJsonAsync($"block_documents/{id}", $$"""{"block_schema_id": "{{schemaId}}", "data": {"value": "********"} }""")).Status);
        Assert.Equal(value, (await Http.GetJsonAsync($"block_documents/{id}?include_secrets=true")).Body!["data"]!["value"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await Http.PatchJsonAsync($"block_documents/{id}", """{"data": {"value": "changed-value"}, "merge_existing_data": false}""")).Status);
        Assert.Equal("changed-value", (await Http.GetJsonAsync($"block_documents/{id}?include_secrets=true")).Body!["data"]!["value"]!.GetValue<string>());

        // The same store as /api/credentials: listed there, masked, resolvable in job templates by name.
        var credentials = await Http.GetJsonAsync($"credentials/secret/{name}");
        Assert.Equal(HttpStatusCode.OK, credentials.Status);
        Assert.Equal(CredentialsData.Masked, credentials.Body!["data"]!["value"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteJsonAsync($"block_documents/{id}")).Status);
        var gone = await Http.GetJsonAsync($"block_documents/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        Assert.Equal("Block document not found", gone.Detail);
    }

    [Fact]
    public async Task CredentialsMadeThroughReeve_AreBlockDocumentsOfTheirType()
    {
        var name = "ci-login-" + Guid.NewGuid().ToString("N")[..8];
        var created = await Http.PostJsonAsync("credentials/",
            $$"""{"name": "{{name}}", "type": "docker-registry-credentials", "data": {"username": "ci", "password": "pa55word-x", "registry_url": "127.0.0.1:5000"} }""");
        Assert.Equal(HttpStatusCode.Created, created.Status);

        var document = await Http.GetJsonAsync($"block_types/slug/docker-registry-credentials/block_documents/name/{name}");
        Assert.Equal(HttpStatusCode.OK, document.Status);
        Assert.Equal(CredentialsData.Masked, document.Body!["data"]!["password"]!.GetValue<string>());
        Assert.Equal("ci", document.Body!["data"]!["username"]!.GetValue<string>());
        Assert.Equal("Docker Registry Credentials", document.Body!["block_type_name"]!.GetValue<string>());
        Assert.Equal(["password"], document.Body!["block_schema"]!["fields"]!["secret_fields"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal("pa55word-x", (await Http.GetJsonAsync($"block_documents/{created.Body!["id"]}?include_secrets=true")).Body!["data"]!["password"]!.GetValue<string>());

        // Its type is the server's: neither it nor its schema is deleted through the API.
        var typeId = document.Body!["block_type_id"]!.GetValue<string>();
        var refused = await Http.DeleteJsonAsync($"block_types/{typeId}");
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("protected block types cannot be deleted.", refused.Detail);
        Assert.Equal(HttpStatusCode.Forbidden, (await Http.DeleteJsonAsync($"block_schemas/{document.Body!["block_schema_id"]}")).Status);
    }

    [Fact]
    public async Task AReferenceToAnotherDocument_IsShownInline_WithItsSecretsMasked_AndGoesWhenItIsDeleted()
    {
        var (secretTypeId, secretSchemaId) = await RegisterAsync("secret", "Secret", SecretFields, SecretChecksum);
        var token = "t0ken-" + Guid.NewGuid().ToString("N");
        var child = await Http.PostJsonAsync("block_documents/",
            $$"""{"name": "{{Names.Unique("token")}}", "data": {"value": "{{token}}"}, "block_schema_id": "{{secretSchemaId}}", "block_type_id": "{{secretTypeId}}"}""");
        var childId = child.Body!["id"]!.GetValue<string>();
        var slug = "webhook-" + Guid.NewGuid().ToString("N")[..8];
        var fields = $$"""{"title": "Hook", "type": "object", "properties": {"url": {"type": "string"}, "token": {"$ref": "#/definitions/Secret"} }, "block_type_slug": "{{slug}}", "secret_fields": ["token.value", "headers.*"], "block_schema_references": {"token": {"block_type_slug": "secret", "block_schema_checksum": "{{SecretChecksum}}"} } }""";
        var type = await Http.PostJsonAsync("block_types/", $$"""{"name": "Hook {{slug}}", "slug": "{{slug}}"}""");
        var schema = await Http.PostJsonAsync("block_schemas/", $$"""{"fields": {{fields}}, "block_type_id": "{{type.Body!["id"]}}"}""");
        Assert.Equal(HttpStatusCode.Created, schema.Status);
        Assert.Equal("non-versioned", schema.Body!["version"]!.GetValue<string>());

        var parent = await Http.PostJsonAsync("block_documents/",
            $$"""{"name": "hook", "data": {"url": "https://example.test", "headers": {"Authorization": "Bearer abcd"}, "token": {"$ref": {"block_document_id": "{{childId}}"} } }, "block_schema_id": "{{schema.Body!["id"]}}", "block_type_id": "{{type.Body!["id"]}}"}""");
        Assert.Equal(HttpStatusCode.Created, parent.Status);
        var read = await Http.GetJsonAsync($"block_documents/{parent.Body!["id"]}");
        Assert.Equal(CredentialsData.Masked, read.Body!["data"]!["token"]!["value"]!.GetValue<string>());
        Assert.Equal(CredentialsData.Masked, read.Body!["data"]!["headers"]!["Authorization"]!.GetValue<string>());
        Assert.Equal(childId, read.Body!["block_document_references"]!["token"]!["block_document"]!["id"]!.GetValue<string>());
        var withSecrets = await Http.GetJsonAsync($"block_documents/{parent.Body!["id"]}?include_secrets=true");
        Assert.Equal(token, withSecrets.Body!["data"]!["token"]!["value"]!.GetValue<string>());
        Assert.Equal("Bearer abcd", withSecrets.Body!["data"]!["headers"]!["Authorization"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteJsonAsync($"block_documents/{childId}")).Status);
        var after = await Http.GetJsonAsync($"block_documents/{parent.Body!["id"]}");
        Assert.False(after.Body!["data"]!.AsObject().ContainsKey("token"));
        Assert.Empty(after.Body!["block_document_references"]!.AsObject());

        var dangling = await Http.PostJsonAsync("block_documents/",
            $$"""{"name": "hook-2", "data": {"token": {"$ref": {"block_document_id": "{{childId}}"} } }, "block_schema_id": "{{schema.Body!["id"]}}", "block_type_id": "{{type.Body!["id"]}}"}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, dangling.Status);
        Assert.Equal("data.token", dangling.Field);

        // A type of one's own is deleted with its schemas and documents.
        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteJsonAsync($"block_types/{type.Body!["id"]}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetJsonAsync($"block_documents/{parent.Body!["id"]}")).Status);
    }

    [Theory]
    [InlineData("block_types/", """{"name": "Prefect Thing", "slug": "prefect-thing"}""", HttpStatusCode.Forbidden, null)]
    [InlineData("block_types/", """{"name": "Mine", "slug": "Not_A_Slug"}""", HttpStatusCode.UnprocessableEntity, "slug")]
    [InlineData("block_types/", """{"name": "A/B", "slug": "a-b"}""", HttpStatusCode.UnprocessableEntity, "name")]
    [InlineData("block_types/", """{"name": "Secret", "slug": "secret"}""", HttpStatusCode.Conflict, null)]
    [InlineData("block_schemas/", """{"fields": {}, "block_type_id": "00000000-0000-0000-0000-000000000001"}""", HttpStatusCode.NotFound, null)]
    [InlineData("block_schemas/", """{"fields": {"secret_fields": "value"}, "block_type_id": "00000000-0000-0000-0000-000000000001"}""", HttpStatusCode.UnprocessableEntity, "fields.secret_fields")]
    [InlineData("block_documents/", """{"name": "My Block", "data": {}, "block_schema_id": "00000000-0000-0000-0000-000000000001", "block_type_id": "00000000-0000-0000-0000-000000000001"}""", HttpStatusCode.UnprocessableEntity, "name")]
    [InlineData("block_documents/", """{"data": {}, "block_schema_id": "00000000-0000-0000-0000-000000000001", "block_type_id": "00000000-0000-0000-0000-000000000001"}""", HttpStatusCode.UnprocessableEntity, "name")]
    [InlineData("block_documents/filter", """{"sort": "SIZE"}""", HttpStatusCode.UnprocessableEntity, "sort")]
    [InlineData("block_documents/filter", """{"block_documents": {"is_anonymous": {"eq_": "yes"}}}""", HttpStatusCode.UnprocessableEntity, null)]
    public async Task BadBlocks_AreRefusedWithTheReason(string path, string body, HttpStatusCode status, string? field)
    {
        var answer = await Http.PostJsonAsync(path, body);
        Assert.True(answer.Status == status, $"{path} {body}: {(int)answer.Status} {answer.Text}");
        if (field is not null)
        {
            Assert.StartsWith(field, answer.Field, StringComparison.Ordinal);
        }
    }
}

public sealed class BlocksApiTests_Sqlite(SqliteServerFixture fixture) : BlocksApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class BlocksApiTests_Postgres(PostgresServerFixture fixture) : BlocksApiTests(fixture), IClassFixture<PostgresServerFixture>;
