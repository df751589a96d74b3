using Reeve.Core.FlowRuns;
using Reeve.Core.Logs;
using Reeve.Core.Orchestration;
using Reeve.Core.States;
using Reeve.Core.TaskRuns;

namespace Reeve.Client;

public sealed partial class ReeveClient
{
    /// <summary>Creates an ad-hoc flow run (Pending unless a state is given).</summary>
    public Task<FlowRun> CreateFlowRunAsync(FlowRunCreate run, CancellationToken cancellationToken = default) =>
        SendAsync<FlowRun>(HttpMethod.Post, "flow_runs/", run, cancellationToken);

    /// <summary>Reads a flow run.</summary>
    public Task<FlowRun> ReadFlowRunAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync<FlowRun>(HttpMethod.Get, $"flow_runs/{id}", null, cancellationToken);

    /// <summary>Changes the fields of a flow run that <paramref name="update"/> sets.</summary>
    public Task UpdateFlowRunAsync(Guid id, FlowRunUpdate update, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Patch, $"flow_runs/{id}", update, cancellationToken);

    /// <summary>Tells the server the run's engine is alive; the run is CRASHED if three intervals pass without one (a Reeve addition).</summary>
    public Task HeartbeatFlowRunAsync(Guid id, int intervalSeconds, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"flow_runs/{id}/heartbeat", new FlowRunHeartbeat { IntervalSeconds = intervalSeconds }, cancellationToken);

    /// <summary>Deletes a flow run with its states, task runs and logs.</summary>
    public Task DeleteFlowRunAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"flow_runs/{id}", null, cancellationToken);

    /// <summary>Lists flow runs.</summary>
    public async Task<IReadOnlyList<FlowRun>> FilterFlowRunsAsync(FlowRunFilterRequest? filter = null, CancellationToken cancellationToken = default) =>
        await SendAsync<List<FlowRun>>(HttpMethod.Post, "flow_runs/filter", filter ?? new FlowRunFilterRequest(), cancellationToken);

    /// <summary>Counts flow runs.</summary>
    public Task<int> CountFlowRunsAsync(FlowRunFilterRequest? filter = null, CancellationToken cancellationToken = default) =>
        SendAsync<int>(HttpMethod.Post, "flow_runs/count", filter ?? new FlowRunFilterRequest(), cancellationToken);

    /// <summary>
    /// Counts the runs matching the request's filters by state, in intervals of their expected start between its
    /// start and end (<c>POST /api/flow_runs/history</c>); every interval is returned, empty ones too.
    /// </summary>
    public Task<List<HistoryInterval>> FlowRunHistoryAsync(FlowRunHistoryRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<List<HistoryInterval>>(HttpMethod.Post, "flow_runs/history", request, cancellationToken);

    /// <summary>Proposes a state for a flow run; the answer says whether it was accepted, changed, refused or must wait.</summary>
    public Task<OrchestrationResult> SetFlowRunStateAsync(Guid id, StateCreate state, bool force = false, CancellationToken cancellationToken = default) =>
        SetFlowRunStateAsync(id, new SetStateRequest { State = state, Force = force }, cancellationToken);

    /// <summary>Proposes a state for a flow run, with every field of the request (<see cref="SetStateRequest.HeartbeatIntervalSeconds"/>).</summary>
    public Task<OrchestrationResult> SetFlowRunStateAsync(Guid id, SetStateRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<OrchestrationResult>(HttpMethod.Post, $"flow_runs/{id}/set_state", request, cancellationToken);

    /// <summary>A flow run's states, oldest first.</summary>
    public async Task<IReadOnlyList<State>> ReadFlowRunStatesAsync(Guid id, CancellationToken cancellationToken = default) =>
        await SendAsync<List<State>>(HttpMethod.Get, $"flow_run_states/?flow_run_id={id}", null, cancellationToken);

    /// <summary>Hands a worker the due runs of its pool (they stay SCHEDULED until the worker claims one with PENDING).</summary>
    public async Task<IReadOnlyList<WorkerFlowRun>> ReadScheduledRunsOfPoolAsync(string pool, WorkerScheduledRunsRequest? request = null, CancellationToken cancellationToken = default) =>
        await SendAsync<List<WorkerFlowRun>>(HttpMethod.Post, $"work_pools/{Segment(pool)}/get_scheduled_flow_runs", request ?? new WorkerScheduledRunsRequest(), cancellationToken);

    /// <summary>
    /// Claims due runs of a pool for the calling worker (<c>POST /api/work_pools/{name}/claim_flow_runs</c>, Reeve's
    /// own): the runs <see cref="ReadScheduledRunsOfPoolAsync"/> would offer, moved to PENDING in one request. Of
    /// racing workers each gets different runs; the limits of the pool, its queues and the runs' deployments hold.
    /// </summary>
    public async Task<IReadOnlyList<WorkerFlowRun>> ClaimRunsOfPoolAsync(string pool, WorkerClaimRequest request, CancellationToken cancellationToken = default) =>
        await SendAsync<List<WorkerFlowRun>>(HttpMethod.Post, $"work_pools/{Segment(pool)}/claim_flow_runs", request, cancellationToken);

    /// <summary>Creates a task run, or returns the one with the same flow run, task key and dynamic key.</summary>
    public Task<TaskRun> CreateTaskRunAsync(TaskRunCreate task, CancellationToken cancellationToken = default) =>
        SendAsync<TaskRun>(HttpMethod.Post, "task_runs/", task, cancellationToken);

    /// <summary>Reads a task run.</summary>
    public Task<TaskRun> ReadTaskRunAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync<TaskRun>(HttpMethod.Get, $"task_runs/{id}", null, cancellationToken);

    /// <summary>Lists task runs.</summary>
    public async Task<IReadOnlyList<TaskRun>> FilterTaskRunsAsync(TaskRunFilterRequest? filter = null, CancellationToken cancellationToken = default) =>
        await SendAsync<List<TaskRun>>(HttpMethod.Post, "task_runs/filter", filter ?? new TaskRunFilterRequest(), cancellationToken);

    /// <summary>Counts task runs.</summary>
    public Task<int> CountTaskRunsAsync(TaskRunFilterRequest? filter = null, CancellationToken cancellationToken = default) =>
        SendAsync<int>(HttpMethod.Post, "task_runs/count", filter ?? new TaskRunFilterRequest(), cancellationToken);

    /// <summary>Proposes a state for a task run.</summary>
    public Task<OrchestrationResult> SetTaskRunStateAsync(Guid id, StateCreate state, bool force = false, CancellationToken cancellationToken = default) =>
        SendAsync<OrchestrationResult>(HttpMethod.Post, $"task_runs/{id}/set_state", new SetStateRequest { State = state, Force = force }, cancellationToken);

    /// <summary>Sends a batch of log lines.</summary>
    public Task CreateLogsAsync(IReadOnlyList<LogCreate> logs, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "logs/", logs, cancellationToken);

    /// <summary>Reads log lines, oldest first unless sorted otherwise.</summary>
    public async Task<IReadOnlyList<Log>> FilterLogsAsync(LogFilterRequest? filter = null, CancellationToken cancellationToken = default) =>
        await SendAsync<List<Log>>(HttpMethod.Post, "logs/filter", filter ?? new LogFilterRequest(), cancellationToken);
}
