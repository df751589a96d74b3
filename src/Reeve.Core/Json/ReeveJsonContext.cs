using System.Text.Json.Serialization;

namespace Reeve.Core.Json;

/// <summary>
/// Serialization code generated at build time for the wire types that short-lived processes read and write most
/// (a <c>reeve</c> command, a run's engine, a worker's claims), so that they do not pay for building it by
/// reflection at start (about 25 ms of a <c>reeve work-pool ls</c>). <see cref="ReeveJson"/>'s options use it first
/// and reflection for every other type; the options' converters and naming apply to both alike.
/// </summary>
[JsonSerializable(typeof(List<WorkPools.WorkPool>))]
[JsonSerializable(typeof(WorkPools.WorkPoolFilterRequest))]
[JsonSerializable(typeof(List<WorkQueues.WorkQueue>))]
[JsonSerializable(typeof(FlowRuns.FlowRun))]
[JsonSerializable(typeof(List<FlowRuns.FlowRun>))]
[JsonSerializable(typeof(FlowRuns.FlowRunFilterRequest))]
[JsonSerializable(typeof(FlowRuns.SetStateRequest))]
[JsonSerializable(typeof(FlowRuns.WorkerClaimRequest))]
[JsonSerializable(typeof(List<FlowRuns.WorkerFlowRun>))]
[JsonSerializable(typeof(Orchestration.OrchestrationResult))]
[JsonSerializable(typeof(Deployments.Deployment))]
[JsonSerializable(typeof(List<Deployments.Deployment>))]
[JsonSerializable(typeof(Flows.Flow))]
[JsonSerializable(typeof(List<Logs.LogCreate>))]
internal sealed partial class ReeveJsonContext : JsonSerializerContext;
