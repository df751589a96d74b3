using Reeve.Core.Deployments;
using Reeve.Core.FlowRuns;

namespace Reeve.Client;

public sealed partial class ReeveClient
{
    /// <summary>Creates a deployment, or updates the one of the same flow and name with the fields set.</summary>
    public Task<Deployment> CreateDeploymentAsync(DeploymentCreate deployment, CancellationToken cancellationToken = default) =>
        SendAsync<Deployment>(HttpMethod.Post, "deployments/", deployment, cancellationToken);

    /// <summary>Reads a deployment by id.</summary>
    public Task<Deployment> ReadDeploymentAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync<Deployment>(HttpMethod.Get, $"deployments/{id}", null, cancellationToken);

    /// <summary>Reads a deployment by its flow's name and its own (<c>get-repo-info</c>, <c>my-first-deployment</c>).</summary>
    public Task<Deployment> ReadDeploymentByNameAsync(string flowName, string deploymentName, CancellationToken cancellationToken = default) =>
        SendAsync<Deployment>(HttpMethod.Get, $"deployments/name/{Segment(flowName)}/{Segment(deploymentName)}", null, cancellationToken);

    /// <summary>Changes the fields of a deployment that <paramref name="update"/> sets.</summary>
    public Task UpdateDeploymentAsync(Guid id, DeploymentUpdate update, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Patch, $"deployments/{id}", update, cancellationToken);

    /// <summary>Deletes a deployment (its runs stay, without it).</summary>
    public Task DeleteDeploymentAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"deployments/{id}", null, cancellationToken);

    /// <summary>Pauses a deployment: its schedules make no runs.</summary>
    public Task PauseDeploymentAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"deployments/{id}/pause_deployment", null, cancellationToken);

    /// <summary>Resumes a paused deployment.</summary>
    public Task ResumeDeploymentAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"deployments/{id}/resume_deployment", null, cancellationToken);

    /// <summary>Lists deployments, by flow name then name.</summary>
    public async Task<IReadOnlyList<Deployment>> FilterDeploymentsAsync(DeploymentFilterRequest? filter = null, CancellationToken cancellationToken = default) =>
        await SendAsync<List<Deployment>>(HttpMethod.Post, "deployments/filter", filter ?? new DeploymentFilterRequest(), cancellationToken);

    /// <summary>Counts deployments.</summary>
    public Task<int> CountDeploymentsAsync(DeploymentFilterRequest? filter = null, CancellationToken cancellationToken = default) =>
        SendAsync<int>(HttpMethod.Post, "deployments/count", filter ?? new DeploymentFilterRequest(), cancellationToken);

    /// <summary>Creates a run of a deployment (Scheduled now unless a state is given).</summary>
    public Task<FlowRun> CreateFlowRunFromDeploymentAsync(Guid deploymentId, DeploymentFlowRunCreate? run = null, CancellationToken cancellationToken = default) =>
        SendAsync<FlowRun>(HttpMethod.Post, $"deployments/{deploymentId}/create_flow_run", run ?? new DeploymentFlowRunCreate(), cancellationToken);

    /// <summary>The SCHEDULED runs of some deployments due by a time (what a serving process polls).</summary>
    public async Task<IReadOnlyList<FlowRun>> ReadScheduledRunsOfDeploymentsAsync(DeploymentScheduledRunsRequest request, CancellationToken cancellationToken = default) =>
        await SendAsync<List<FlowRun>>(HttpMethod.Post, "deployments/get_scheduled_flow_runs", request, cancellationToken);

    /// <summary>
    /// Claims the deployments' due runs (PENDING) for a serving process (<c>POST /api/deployments/claim_flow_runs</c>,
    /// Reeve's own): the runs due by the request's time (now when absent), claimed in one request, so that several
    /// processes serving the same deployments each get different runs.
    /// </summary>
    public async Task<IReadOnlyList<FlowRun>> ClaimRunsOfDeploymentsAsync(DeploymentScheduledRunsRequest request, CancellationToken cancellationToken = default) =>
        await SendAsync<List<FlowRun>>(HttpMethod.Post, "deployments/claim_flow_runs", request, cancellationToken);

    /// <summary>A deployment's schedules.</summary>
    public async Task<IReadOnlyList<DeploymentSchedule>> ReadDeploymentSchedulesAsync(Guid deploymentId, CancellationToken cancellationToken = default) =>
        await SendAsync<List<DeploymentSchedule>>(HttpMethod.Get, $"deployments/{deploymentId}/schedules", null, cancellationToken);

    /// <summary>Adds schedules to a deployment; the server makes their runs at once.</summary>
    public async Task<IReadOnlyList<DeploymentSchedule>> CreateDeploymentSchedulesAsync(Guid deploymentId, IReadOnlyList<DeploymentScheduleCreate> schedules, CancellationToken cancellationToken = default) =>
        await SendAsync<List<DeploymentSchedule>>(HttpMethod.Post, $"deployments/{deploymentId}/schedules", schedules, cancellationToken);

    /// <summary>Changes one schedule of a deployment (pause it with <c>Active = false</c>).</summary>
    public Task UpdateDeploymentScheduleAsync(Guid deploymentId, Guid scheduleId, DeploymentScheduleUpdate update, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Patch, $"deployments/{deploymentId}/schedules/{scheduleId}", update, cancellationToken);

    /// <summary>Deletes one schedule of a deployment, and the runs it made that have not started.</summary>
    public Task DeleteDeploymentScheduleAsync(Guid deploymentId, Guid scheduleId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"deployments/{deploymentId}/schedules/{scheduleId}", null, cancellationToken);
}
