using System.Reflection;

namespace Reeve.Flows;

/// <summary>Defines flows from methods and delegates.</summary>
/// <example>
/// <code>
/// [Flow(LogPrints = true)]
/// static async Task GetRepoInfo(string repoName = "PrefectHQ/prefect") { ... }
///
/// var flow = Flow.Define(GetRepoInfo);          // named "get-repo-info"
/// await flow.RunAsync("dotnet/runtime");
/// </code>
/// </example>
public static class Flow
{
    /// <summary>
    /// A flow running <paramref name="method"/>; its <see cref="FlowAttribute"/>, if any, gives its options, and
    /// <paramref name="options"/> overrides them. A lambda needs <see cref="FlowOptions.Name"/>.
    /// </summary>
    public static FlowDefinition Define(Delegate method, FlowOptions? options = null) =>
        Define(method.Method, method.Target, options);

    /// <summary>A flow running a static method, or an instance method of <paramref name="target"/>.</summary>
    public static FlowDefinition Define(MethodInfo method, object? target = null, FlowOptions? options = null)
    {
        var attribute = method.GetCustomAttribute<FlowAttribute>();
        var name = options?.Name ?? attribute?.Name;
        if (name is null)
        {
            if (Naming.IsGenerated(method.Name))
            {
                throw new ArgumentException("A flow defined by a lambda needs a name: Flow.Define(..., new FlowOptions { Name = \"my-flow\" }).", nameof(method));
            }

            name = Naming.Kebab(method.Name);
        }

        Core.Naming.ResourceName.Validate(name, "flow name");
        var resolved = new FlowOptions
        {
            Name = name,
            Description = options?.Description ?? attribute?.Description,
            Version = options?.Version ?? attribute?.Version,
            Retries = options?.Retries ?? attribute?.Retries ?? 0,
            RetryDelay = options?.RetryDelay ?? TimeSpan.FromSeconds(attribute?.RetryDelaySeconds ?? 0),
            Timeout = options?.Timeout ?? (attribute is { TimeoutSeconds: > 0 } ? TimeSpan.FromSeconds(attribute.TimeoutSeconds) : null),
            Tags = options?.Tags ?? attribute?.Tags ?? [],
            LogPrints = options?.LogPrints ?? attribute?.LogPrints ?? false,
        };
        return new FlowDefinition(method, target, resolved);
    }

    /// <summary>Every method of <paramref name="type"/> marked <see cref="FlowAttribute"/>, as flows (static methods, or of <paramref name="target"/>).</summary>
    public static IReadOnlyList<FlowDefinition> DefineAll(Type type, object? target = null) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance)
            .Where(m => m.GetCustomAttribute<FlowAttribute>() is not null && (m.IsStatic || target is not null))
            .Select(m => Define(m, m.IsStatic ? null : target))
            .ToList();
}
