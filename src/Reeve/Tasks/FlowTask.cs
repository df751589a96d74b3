using System.Reflection;

namespace Reeve.Tasks;

/// <summary>
/// Defines tasks: units of work inside a flow, each run tracked with its own states, retries and logs. (The
/// name avoids <see cref="System.Threading.Tasks.Task"/>.)
/// </summary>
/// <example>
/// <code>
/// static readonly TaskDefinition Fetch = FlowTask.Define(FetchRepoAsync, new FlowTaskOptions { Retries = 2 });
/// var repo = await Fetch.RunAsync&lt;Repo&gt;("PrefectHQ/prefect");
/// var many = await Task.WhenAll(names.Select(n => Fetch.RunAsync&lt;Repo&gt;(n)));   // in parallel
/// </code>
/// </example>
public static class FlowTask
{
    /// <summary>A task running <paramref name="method"/>; its <see cref="FlowTaskAttribute"/> gives options, <paramref name="options"/> overrides them.</summary>
    public static TaskDefinition Define(Delegate method, FlowTaskOptions? options = null) => Define(method.Method, method.Target, options);

    /// <summary>A task running a static method, or an instance method of <paramref name="target"/>.</summary>
    public static TaskDefinition Define(MethodInfo method, object? target = null, FlowTaskOptions? options = null)
    {
        var attribute = method.GetCustomAttribute<FlowTaskAttribute>();
        var name = options?.Name ?? attribute?.Name;
        if (name is null)
        {
            if (Naming.IsGenerated(method.Name))
            {
                throw new ArgumentException("A task defined by a lambda needs a name: FlowTask.Define(..., new FlowTaskOptions { Name = \"my-task\" }).", nameof(method));
            }

            name = Naming.Kebab(method.Name);
        }

        Core.Naming.ResourceName.Validate(name, "task name");
        var delays = options?.RetryDelays ?? (attribute is { RetryDelaySeconds: > 0 } ? [TimeSpan.FromSeconds(attribute.RetryDelaySeconds)] : []);
        return new TaskDefinition(method, target, new FlowTaskOptions
        {
            Name = name,
            Retries = options?.Retries ?? attribute?.Retries ?? 0,
            RetryDelays = delays,
            Timeout = options?.Timeout ?? (attribute is { TimeoutSeconds: > 0 } ? TimeSpan.FromSeconds(attribute.TimeoutSeconds) : null),
            Tags = options?.Tags ?? attribute?.Tags ?? [],
        });
    }
}
