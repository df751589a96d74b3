using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Reeve.Core.Errors;
using Reeve.Core.PoolTypes;

namespace Reeve.Server.Api;

/// <summary>
/// <c>GET /api/collections/views/aggregate-worker-metadata</c>: the known work pool types and their default
/// base job templates, grouped by collection as Prefect's view is.
/// </summary>
internal static class CollectionsApi
{
    public const string WorkerMetadataView = "aggregate-worker-metadata";

    public static void MapCollections(this IEndpointRouteBuilder api) =>
        api.MapGet("/collections/views/{view}", ReadView).WithTags("Collections").ProducesProblem(StatusCodes.Status404NotFound);

    private static Ok<Dictionary<string, Dictionary<string, WorkerTypeMetadata>>> ReadView(string view)
    {
        if (view != WorkerMetadataView)
        {
            throw new ReeveNotFoundException($"View {view} not found in registry");
        }

        var result = PoolTypeCatalog.All
            .GroupBy(t => t.Collection)
            .ToDictionary(g => g.Key, g => g.ToDictionary(t => t.Type, WorkerTypeMetadata.From));
        return TypedResults.Ok(result);
    }
}
