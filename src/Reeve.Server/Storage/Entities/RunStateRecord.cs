using Reeve.Core.States;

namespace Reeve.Server.Storage.Entities;

/// <summary>A row of a run's state history (<c>flow_run_state</c>, <c>task_run_state</c>).</summary>
internal abstract class RunStateRecord
{
    public Guid Id { get; set; }
    public StateType Type { get; set; }
    public required string Name { get; set; }
    public DateTime Timestamp { get; set; }
    public string? Message { get; set; }
    public string StateDetails { get; set; } = "{}";
    public string? Data { get; set; }
}

/// <summary>A row of <c>flow_run_state</c>.</summary>
internal sealed class FlowRunStateRecord : RunStateRecord
{
    public Guid FlowRunId { get; set; }
}

/// <summary>A row of <c>task_run_state</c>.</summary>
internal sealed class TaskRunStateRecord : RunStateRecord
{
    public Guid TaskRunId { get; set; }
}
