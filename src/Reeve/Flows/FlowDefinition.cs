using System.Reflection;
using System.Text.Json.Nodes;
using Reeve.Core.FlowRuns;
using Reeve.Engine;

namespace Reeve.Flows;

/// <summary>
/// A flow: a method (or delegate) whose runs Reeve tracks. Call it with <see cref="RunAsync(object?[])"/>: with a
/// server configured, each call is a flow run on the server, with its states, task runs and logs; without one,
/// it simply runs. Serve it with <see cref="Serving.FlowServing.ServeAsync(FlowDefinition, string, string?, TimeSpan?, JsonObject?, Serving.ServeOptions?, string?, string?, CancellationToken)"/>, deploy it to a work pool with
/// <c>DeployAsync</c>.
/// </summary>
public sealed class FlowDefinition
{
    internal FlowDefinition(MethodInfo method, object? target, FlowOptions options)
    {
        Method = method;
        Invocation = new Invocation(method, target);
        Options = options;
        Name = options.Name!;
        ParameterSchema = Invocation.Schema();
    }

    /// <summary>The flow's name, under which its runs and deployments are found (<c>get-repo-info</c>).</summary>
    public string Name { get; }

    /// <summary>The options it runs with, the attribute's and the caller's merged.</summary>
    public FlowOptions Options { get; }

    /// <summary>The method that is the flow.</summary>
    public MethodInfo Method { get; }

    /// <summary>The JSON Schema of its parameters, which its deployments carry so the server can check runs' parameters.</summary>
    public JsonObject ParameterSchema { get; }

    internal Invocation Invocation { get; }

    /// <summary>Runs the flow with positional arguments (defaults fill the rest) and returns what it returns.</summary>
    /// <exception cref="FlowParameterException">An argument does not fit its parameter; nothing ran.</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public Task<object?> RunAsync(params object?[] args) => RunAsync(args, CancellationToken.None);

    /// <summary>Runs the flow with positional arguments; <paramref name="cancellationToken"/> cancels the run.</summary>
    public Task<object?> RunAsync(object?[] args, CancellationToken cancellationToken) =>
        FlowEngine.RunAsync(this, Invocation.FromPositional(args), cancellationToken);

    /// <summary>Runs the flow with named parameters, as JSON (how runs of deployments get them).</summary>
    public Task<object?> RunAsync(JsonObject parameters, CancellationToken cancellationToken = default) =>
        FlowEngine.RunAsync(this, Invocation.FromJson(parameters), cancellationToken);

    /// <summary>Runs the flow and returns its result as <typeparamref name="T"/>.</summary>
    public async Task<T> RunAsync<T>(params object?[] args) => (T)(await RunAsync(args))!;

    /// <summary>Runs an existing flow run of this flow (one a serving process or a worker picked up).</summary>
    internal Task<FlowRunOutcome> RunExistingAsync(FlowRun run, CancellationToken cancellationToken) =>
        FlowEngine.RunExistingAsync(this, run, cancellationToken);

    /// <inheritdoc />
    public override string ToString() => Name;
}
