namespace Reeve.Tasks;

/// <summary>How a task is named and run.</summary>
public sealed record FlowTaskOptions
{
    /// <summary>The task's name; default: the method's name in kebab case.</summary>
    public string? Name { get; init; }

    /// <summary>How many times a failed task is retried.</summary>
    public int? Retries { get; init; }

    /// <summary>The wait before each retry; one value, or one per retry (the last one repeats).</summary>
    public IReadOnlyList<TimeSpan>? RetryDelays { get; init; }

    /// <summary>How long a task run may take before it fails as timed out.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Tags of its runs.</summary>
    public IReadOnlyList<string>? Tags { get; init; }
}
