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

    /// <summary>Reports task runs as the engine ran them, with their states (<c>POST /api/task_runs/batch</c>).</summary>
    public Task ReportTaskRunsAsync(TaskRunReportBatch batch, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "task_runs/batch", batch, cancellationToken);
}
