namespace Reeve.Flows;

/// <summary>
/// Marks a method as a flow and sets its options; <see cref="Flow.Define(System.Delegate, FlowOptions?)"/> reads it.
/// Options passed to <c>Define</c> win over the attribute's.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class FlowAttribute : Attribute
{
    /// <summary>The flow's name; default: the method's name in kebab case (<c>GetRepoInfo</c> → <c>get-repo-info</c>).</summary>
    public string? Name { get; set; }

    /// <summary>A description, shown with its deployments.</summary>
    public string? Description { get; set; }

    /// <summary>A version label.</summary>
    public string? Version { get; set; }

    /// <summary>How many times a failed run is retried.</summary>
    public int Retries { get; set; }

    /// <summary>Seconds between retries.</summary>
    public int RetryDelaySeconds { get; set; }

    /// <summary>Seconds a run may take before it fails as timed out; 0 for no limit.</summary>
    public int TimeoutSeconds { get; set; }

    /// <summary>Tags of its runs.</summary>
    public string[] Tags { get; set; } = [];

    /// <summary>Whether what the flow writes to <see cref="Console.Out"/> and <see cref="Console.Error"/> becomes log lines of its run.</summary>
    public bool LogPrints { get; set; }
}
