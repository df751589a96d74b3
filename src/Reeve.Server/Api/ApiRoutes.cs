using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Reeve.Server.Api;

/// <summary>Maps every endpoint under <c>/api</c>.</summary>
internal static class ApiRoutes
{
    public static void MapReeveApi(this WebApplication app)
    {
        var api = app.MapGroup("/api");
        api.AddEndpointFilterFactory(InputLimitsFilter.Create);
        api.MapHealth();
        api.MapWorkPools();
        api.MapWorkQueues();
        api.MapWorkers();
        api.MapCollections();
        api.MapFlows();
        api.MapDeployments();
        api.MapFlowRuns();
        api.MapTaskRuns();
        api.MapLogs();
        api.MapEvents();
        api.MapCredentials();
        api.MapBlocks();
        api.MapApiKeys();
        api.MapAudit();
        api.MapVariables();
        api.MapConcurrencyLimits();
        api.MapTagConcurrencyLimits();
        api.MapArtifacts();
        app.MapOpenApi("/api/openapi.json").ExcludeFromDescription();
    }
}
