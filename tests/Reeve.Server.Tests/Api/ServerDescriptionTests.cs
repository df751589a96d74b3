using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Reeve.Core.JobTemplates;

namespace Reeve.Server.Tests.Api;

public sealed class ServerDescriptionTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private RunningServer Server => fixture.Server;

    [Fact]
    public async Task Health_Returns200True()
    {
        var response = await Server.Http.GetJsonAsync("health");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(response.Body!.GetValue<bool>());
    }

    [Fact]
    public async Task OpenApi_DescribesEveryEndpoint()
    {
        var response = await Server.Http.GetJsonAsync("openapi.json");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        // The document writes /api/work_pools/ as /api/work_pools; both reach the same endpoint.
        var paths = response.Body!["paths"]!.AsObject().Select(p => p.Key.TrimEnd('/')).ToHashSet();

        var routes = Server.Server.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Select(e => "/" + System.Text.RegularExpressions.Regex.Replace(e.RoutePattern.RawText!.Trim('/'), @":\w+\}", "}"))
            .Where(p => p.StartsWith("/api/", StringComparison.Ordinal) && p != "/api/openapi.json")
            .Distinct()
            .ToList();

        Assert.NotEmpty(routes);
        Assert.All(routes, route => Assert.True(paths.Contains(route), $"{route} is missing from the OpenAPI document"));
        Assert.Contains("/api/work_pools/{name}", routes);
    }

    [Fact]
    public async Task WorkerMetadata_ListsEachTypeWithAValidDefaultTemplate()
    {
        var response = await Server.Http.GetJsonAsync("collections/views/aggregate-worker-metadata");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var types = response.Body!.AsObject().SelectMany(c => c.Value!.AsObject()).ToDictionary(t => t.Key, t => t.Value!.AsObject());
        Assert.Equal(["aci:push", "cloud-run:push", "docker", "docker:push", "ecs:push", "kubernetes", "kubernetes:push", "managed", "process"], types.Keys.Order(StringComparer.Ordinal));
        foreach (var (type, metadata) in types)
        {
            Assert.Equal(type, metadata["type"]!.GetValue<string>());
            Assert.False(string.IsNullOrEmpty(metadata["display_name"]!.GetValue<string>()));
            BaseJobTemplateRules.Validate((JsonObject)metadata["default_base_job_configuration"]!);
        }
    }

    [Fact]
    public async Task Client_ReadsTheSameMetadata()
    {
        var metadata = await Server.Client.ReadWorkerMetadataAsync();

        Assert.Contains("process", metadata["reeve"].Keys);
        Assert.Contains("docker", metadata["reeve-docker"].Keys);
    }
}
