namespace Reeve.Deployments;

/// <summary>What a deployment carries besides its name and work pool.</summary>
public sealed record DeployOptions
{
    /// <summary>The pool's queue for its runs; the pool's default queue when null.</summary>
    public string? WorkQueue { get; init; }

    /// <summary>A cron schedule (such as <c>0 1 * * *</c>).</summary>
    public string? Cron { get; init; }

    /// <summary>An interval schedule.</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>The time zone of the schedule (IANA name); UTC when null.</summary>
    public string? Timezone { get; init; }

    /// <summary>Default parameters of its runs: a JSON object, a dictionary or an anonymous object (<c>new { repoName = "dotnet/runtime" }</c>).</summary>
    public object? Parameters { get; init; }

    /// <summary>Job variables over the pool's defaults (such as <c>new { env = new { LOG_LEVEL = "debug" } }</c>); env merges key by key.</summary>
    public object? JobVariables { get; init; }

    /// <summary>The container image its runs use, stored as the <c>image</c> job variable.</summary>
    public string? Image { get; init; }

    /// <summary>Tags.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>A description; the flow's when null.</summary>
    public string? Description { get; init; }

    /// <summary>A version; the flow's when null.</summary>
    public string? Version { get; init; }

    /// <summary>Where the summary is written; the console when null.</summary>
    public TextWriter? Output { get; init; }
}
