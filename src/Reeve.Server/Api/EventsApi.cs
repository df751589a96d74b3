using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Reeve.Core.Events;
using Reeve.Core.Json;
using Reeve.Server.Events;
using Reeve.Server.Storage;

namespace Reeve.Server.Api;

/// <summary>
/// <c>GET /api/events/flow_runs</c> (a Reeve addition): a server-sent event stream of flow run changes, so that
/// serving processes and workers learn of due runs the moment they exist, and engines of cancellations, without
/// polling. Filters: <c>flow_run_id</c>, <c>deployment_id</c>, <c>work_pool_name</c> (repeatable; an event that
/// matches any is sent; none means every event). A <c>heartbeat</c> event comes every 10 seconds.
/// </summary>
internal static class EventsApi
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(10);

    public static void MapEvents(this IEndpointRouteBuilder api) =>
        api.MapGet("/events/flow_runs", StreamAsync).WithTags("Events").ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<IResult> StreamAsync(
        [FromQuery(Name = "flow_run_id")] Guid[]? flowRunIds,
        [FromQuery(Name = "deployment_id")] Guid[]? deploymentIds,
        [FromQuery(Name = "work_pool_name")] string[]? poolNames,
        RunEventHub hub, Store store, HttpContext context)
    {
        var pools = new HashSet<Guid>();
        foreach (var name in poolNames ?? [])
        {
            pools.Add(await store.Db.WorkPools.Where(p => p.Name == name).Select(p => (Guid?)p.Id).FirstOrDefaultAsync(context.RequestAborted)
                ?? throw WorkPoolStore.NotFound(name));
        }

        var runs = (flowRunIds ?? []).ToHashSet();
        var deployments = (deploymentIds ?? []).ToHashSet();
        var everything = runs.Count == 0 && deployments.Count == 0 && pools.Count == 0;
        var subscription = hub.Subscribe(e => everything
            || runs.Contains(e.FlowRunId)
            || (e.DeploymentId is { } d && deployments.Contains(d))
            || (e.WorkPoolId is { } p && pools.Contains(p)));
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        return TypedResults.ServerSentEvents(Events(subscription, context.RequestAborted));
    }

    private static async IAsyncEnumerable<SseItem<string>> Events(RunEventHub.Subscription subscription, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using (subscription)
        {
            // Sent at once, so the client knows it is subscribed before it reads the state it might otherwise miss.
            yield return new SseItem<string>("{}", "subscribed");
            while (!cancellationToken.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                wait.CancelAfter(Heartbeat);
                bool more;
                try
                {
                    more = await subscription.Reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    more = true;
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }

                if (!more)
                {
                    yield break;
                }

                var sent = false;
                while (subscription.Reader.TryRead(out var change))
                {
                    sent = true;
                    yield return new SseItem<string>(JsonSerializer.Serialize(change, ReeveJson.Default), "flow_run");
                }

                if (!sent)
                {
                    yield return new SseItem<string>("{}", "heartbeat");
                }
            }
        }
    }
}
