namespace Reeve.Tasks;

/// <summary>Marks a method as a task (a tracked unit of work inside a flow) and sets its options.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class FlowTaskAttribute : Attribute
{
    /// <summary>The task's name; default: the method's name in kebab case.</summary>
    public string? Name { get; set; }

    /// <summary>How many times a failed task is retried.</summary>
    public int Retries { get; set; }

    /// <summary>Seconds between retries.</summary>
    public int RetryDelaySeconds { get; set; }

    /// <summary>Seconds a task run may take before it fails as timed out; 0 for no limit.</summary>
    public int TimeoutSeconds { get; set; }

    /// <summary>Tags of its runs.</summary>
    public string[] Tags { get; set; } = [];
}
