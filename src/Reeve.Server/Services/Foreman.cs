using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;
using Reeve.Server.Hosting;
using Reeve.Server.Storage;

namespace Reeve.Server.Services;

/// <summary>
/// Finds active runs whose heartbeats stopped — no word from the run's engine nor from the worker that claimed
/// it for three of their intervals — and ends them: CRASHED, or CANCELLED if they were being cancelled. Their
/// slots are free again at once, since limits are counted from run states. Safe on every replica: each end is an
/// ordinary orchestrated state change, and a run another replica ended first is refused as a duplicate.
/// </summary>
internal sealed partial class Foreman(IServiceScopeFactory scopes, ReeveServerOptions options, ILogger<Foreman> logger) : BackgroundService
{
    private const int Batch = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.ForemanInterval <= TimeSpan.Zero)
        {
            // Turned off (Timeout.InfiniteTimeSpan): tests run passes themselves.
            return;
        }

        using var timer = new PeriodicTimer(options.ForemanInterval, options.Clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await PassAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    internal async Task<int> PassAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var ended = 0;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var runs = scope.ServiceProvider.GetRequiredService<FlowRunStore>();
            foreach (var (id, state, expired) in await runs.LostAsync(Batch, cancellationToken))
            {
                var end = state == StateType.Cancelling
                    ? new StateCreate { Type = StateType.Cancelled, Message = "Cancelled: the flow run's process was lost before it confirmed (no heartbeat)." }
                    : new StateCreate
                    {
                        Type = StateType.Crashed,
                        Message = $"Flow run lost: no heartbeat from its process or its worker since {expired:u} (three missed intervals).",
                    };
                var (result, written) = await runs.SetStateAsync(id, new SetStateRequest { State = end }, cancellationToken);
                if (written)
                {
                    ended++;
                    LogEnded(id, end.Type, result.State?.Message);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(e);
        }

        LogPass(ended, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return ended;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Foreman: flow run {Id} ended {State}: {Message}")]
    private partial void LogEnded(Guid id, StateType state, string? message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Foreman: pass failed")]
    private partial void LogFailed(Exception e);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Foreman: pass ended {Count} lost run(s) in {Milliseconds:F1} ms")]
    private partial void LogPass(int count, double milliseconds);
}
