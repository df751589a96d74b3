namespace Reeve.Flows;

/// <summary>How a flow is named and run.</summary>
public sealed record FlowOptions
{
    /// <summary>The flow's name; default: the method's name in kebab case.</summary>
    public string? Name { get; init; }

    /// <summary>A description.</summary>
    public string? Description { get; init; }

    /// <summary>A version label.</summary>
    public string? Version { get; init; }

    /// <summary>How many times a failed run is retried (in the same process).</summary>
    public int? Retries { get; init; }

    /// <summary>The wait between retries.</summary>
    public TimeSpan? RetryDelay { get; init; }

    /// <summary>How long a run may take before it fails as timed out.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Tags of its runs.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Whether console output becomes log lines of the run.</summary>
    public bool? LogPrints { get; init; }
}
