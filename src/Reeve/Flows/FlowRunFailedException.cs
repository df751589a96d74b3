namespace Reeve.Flows;

/// <summary>
/// A tracked flow run (one the Reeve server knows) ended FAILED or CRASHED. The message is one line that names the
/// run, its id and the cause, and says where the stack trace is (the run's logs); the flow's own exception is the
/// <see cref="Exception.InnerException"/>. An untracked run (no server) throws the flow's exception itself, as a plain
/// method call would.
/// </summary>
public sealed class FlowRunFailedException : Exception
{
    /// <summary>Creates the exception for a run that failed with <paramref name="cause"/>.</summary>
    public FlowRunFailedException(string flowName, string runName, Guid flowRunId, Exception cause)
        : base(Describe(flowName, runName, flowRunId, cause), cause)
    {
        FlowName = flowName;
        RunName = runName;
        FlowRunId = flowRunId;
    }

    /// <summary>Creates the exception with a message of its own.</summary>
    public FlowRunFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a message of its own.</summary>
    public FlowRunFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with no message.</summary>
    public FlowRunFailedException()
    {
    }

    /// <summary>The flow's name.</summary>
    public string? FlowName { get; }

    /// <summary>The run's name (<c>placid-tiger</c>).</summary>
    public string? RunName { get; }

    /// <summary>The run's id on the server; <c>reeve flow-run logs ID</c> shows its logs, the stack trace among them.</summary>
    public Guid FlowRunId { get; }

    private static string Describe(string flowName, string runName, Guid id, Exception cause) =>
        $"Flow run '{runName}' of '{flowName}' failed: {cause.GetType().Name}: {FirstLine(cause.Message)} " +
        $"(run {id}; its logs hold the stack trace: reeve flow-run logs {id})";

    private static string FirstLine(string text) => text.Split('\n', 2)[0].TrimEnd('\r');
}
