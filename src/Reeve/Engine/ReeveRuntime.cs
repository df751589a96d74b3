using System.Collections.Concurrent;
using Reeve.Client;
using Reeve.Core.Flows;

namespace Reeve.Engine;

/// <summary>What flows in this process share: the client, the background reporter, the known flow ids.</summary>
internal sealed class ReeveRuntime
{
    private static readonly Lock Gate = new();
    private static ReeveRuntime? _current;
    private readonly ConcurrentDictionary<string, Task<Guid>> _flowIds = new(StringComparer.Ordinal);

    private ReeveRuntime(ReeveClientOptions? options)
    {
        if (options is not null)
        {
            Client = new ReeveClient(options);
            Reporter = new RunReporter(Client);
        }
    }

    public static ReeveRuntime Current
    {
        get
        {
            if (Volatile.Read(ref _current) is { } current)
            {
                return current;
            }

            lock (Gate)
            {
                return _current ??= new ReeveRuntime(FromSettings());
            }
        }
    }

    /// <summary>The client of the server flows report to; null when flows run untracked.</summary>
    public ReeveClient? Client { get; }

    public RunReporter? Reporter { get; }

    /// <summary>The client, for a feature that lives on the server (<paramref name="what"/>: "Variables live").</summary>
    /// <exception cref="InvalidOperationException">No server is configured.</exception>
    public static ReeveClient RequireClient(string what) => Current.Client
        ?? throw new InvalidOperationException($"{what} on a Reeve server: set REEVE_API_URL (or call ReeveSdk.UseServer) first.");

    public TimeProvider Clock { get; } = TimeProvider.System;

    public static void Replace(ReeveClientOptions? options)
    {
        lock (Gate)
        {
            _current = new ReeveRuntime(options);
        }
    }

    /// <summary>The server's id of the flow named <paramref name="name"/>, registering it the first time.</summary>
    public Task<Guid> FlowIdAsync(string name, CancellationToken cancellationToken) =>
        _flowIds.GetOrAdd(name, async n => (await Client!.CreateFlowAsync(new FlowCreate { Name = n }, cancellationToken)).Id);

    private static ReeveClientOptions? FromSettings()
    {
        var settings = ReeveSettings.Load();
        return settings.Sources.TryGetValue(ReeveSettings.ApiUrlKey, out var source) && source != "default"
            ? ReeveClientOptions.FromSettings(settings)
            : null;
    }
}
