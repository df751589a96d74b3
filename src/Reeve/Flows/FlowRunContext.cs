using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Reeve.Flows;

/// <summary>
/// The flow run the current code runs in: available anywhere inside a flow, and in its tasks, as
/// <see cref="Current"/>, also when several flows run at once in one process.
/// </summary>
public sealed class FlowRunContext
{
    private static readonly AsyncLocal<FlowRunContext?> Ambient = new();
    private readonly ConcurrentDictionary<string, int> _dynamicKeys = new(StringComparer.Ordinal);

    internal FlowRunContext(Guid? flowRunId, string name, string flowName, JsonObject parameters, bool logPrints, ILogger logger, CancellationToken cancellationToken)
    {
        FlowRunId = flowRunId;
        Name = name;
        FlowName = flowName;
        Parameters = parameters;
        LogPrints = logPrints;
        CancellationToken = cancellationToken;
        Logger = logger;
    }

    /// <summary>The context of the flow run this code runs in, or null outside any flow.</summary>
    public static FlowRunContext? Current => Ambient.Value;

    /// <summary>The run's id on the server; null when the flow runs untracked (no server configured).</summary>
    public Guid? FlowRunId { get; }

    /// <summary>Whether the run is tracked by a server.</summary>
    public bool IsTracked => FlowRunId is not null;

    /// <summary>The run's name.</summary>
    public string Name { get; }

    /// <summary>The flow's name.</summary>
    public string FlowName { get; }

    /// <summary>The parameters the run was called with.</summary>
    public JsonObject Parameters { get; }

    /// <summary>Fires when the run is cancelled (from the CLI, the API or the UI) or times out.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>A logger whose lines become log lines of the run (and are written to the console).</summary>
    public ILogger Logger { get; }

    internal bool LogPrints { get; }

    /// <summary>Partial console lines written by this run, until their newline arrives.</summary>
    internal System.Text.StringBuilder PendingOut { get; } = new();

    internal System.Text.StringBuilder PendingError { get; } = new();

    /// <summary>The next dynamic key of a task in this run: 0, 1, 2... per task key.</summary>
    internal string NextDynamicKey(string taskKey) =>
        _dynamicKeys.AddOrUpdate(taskKey, 0, (_, n) => n + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static IDisposable Enter(FlowRunContext context)
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
