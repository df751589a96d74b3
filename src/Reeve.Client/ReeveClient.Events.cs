using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Reeve.Core.Events;
using Reeve.Core.Json;
using Reeve.Core.TaskRuns;

namespace Reeve.Client;

public sealed partial class ReeveClient
{
    /// <summary>
    /// Streams flow run changes as the server commits them (<c>GET /api/events/flow_runs</c>): those of the given
    /// runs, deployments or pools, or all when none is given. The first item is <c>null</c>, when the subscription
    /// is in place; heartbeats are not returned. The stream ends when the server goes away or
    /// <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async IAsyncEnumerable<FlowRunEvent?> SubscribeFlowRunEventsAsync(
        IEnumerable<Guid>? flowRunIds = null,
        IEnumerable<Guid>? deploymentIds = null,
        IEnumerable<string>? workPoolNames = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var query = string.Join('&',
            (flowRunIds ?? []).Select(id => $"flow_run_id={id}")
            .Concat((deploymentIds ?? []).Select(id => $"deployment_id={id}"))
            .Concat((workPoolNames ?? []).Select(n => $"work_pool_name={Segment(n)}")));
        using var request = new HttpRequestMessage(HttpMethod.Get, "events/flow_runs" + (query.Length > 0 ? "?" + query : ""));
        request.Headers.Accept.ParseAdd("text/event-stream");
        HttpResponseMessage response;
        try
        {
            response = await _streams.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            throw ReeveServerUnavailableException.At(Options.ApiUrl, e);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw await ToExceptionAsync(response, cancellationToken);
            }

            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
            {
                switch (item.EventType)
                {
                    case "subscribed":
                        yield return null;
                        break;
                    case "flow_run":
                        yield return JsonSerializer.Deserialize<FlowRunEvent>(item.Data, ReeveJson.Default);
                        break;
                }
            }
        }
    }

    /// <summary>
    /// Follows flow run changes (see <see cref="SubscribeFlowRunEventsAsync"/>) until <paramref name="cancellationToken"/>
    /// fires or <paramref name="onEvent"/> returns false, subscribing again a second after the stream breaks or the
    /// server cannot be reached. <paramref name="onEvent"/> gets <c>null</c> each time a subscription is in place:
    /// events may have been missed before it, so that is the moment to read the current state.
    /// </summary>
    public async Task FollowFlowRunEventsAsync(Func<FlowRunEvent?, ValueTask<bool>> onEvent,
        IEnumerable<Guid>? flowRunIds = null, IEnumerable<Guid>? deploymentIds = null, IEnumerable<string>? workPoolNames = null,
        CancellationToken cancellationToken = default)
    {
        // Materialised once: each subscription sends the same filters.
        List<Guid> runs = [.. flowRunIds ?? []];
        List<Guid> deployments = [.. deploymentIds ?? []];
        List<string> pools = [.. workPoolNames ?? []];
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in SubscribeFlowRunEventsAsync(runs, deployments, pools, cancellationToken))
                {
                    if (!await onEvent(change))
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or ReeveServerUnavailableException or ReeveApiException)
            {
                // Subscribed again below; callers poll meanwhile.
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Reports task runs as the engine ran them, with their states (<c>POST /api/task_runs/batch</c>).</summary>
    public Task ReportTaskRunsAsync(TaskRunReportBatch batch, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "task_runs/batch", batch, cancellationToken);
}
