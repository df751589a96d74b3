namespace Reeve.Tasks;

/// <summary>The task run the current code runs in, if any.</summary>
public sealed class TaskRunContext
{
    private static readonly AsyncLocal<TaskRunContext?> Ambient = new();

    internal TaskRunContext(Guid? taskRunId, string name)
    {
        TaskRunId = taskRunId;
        Name = name;
    }

    /// <summary>The context of the task run this code runs in, or null outside any task.</summary>
    public static TaskRunContext? Current => Ambient.Value;

    /// <summary>The task run's id on the server; null when untracked.</summary>
    public Guid? TaskRunId { get; }

    /// <summary>The task run's name.</summary>
    public string Name { get; }

    internal static IDisposable Enter(TaskRunContext context)
    {
        var previous = Ambient.Value;
        Ambient.Value = context;
        return new Restore(() => Ambient.Value = previous);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}
