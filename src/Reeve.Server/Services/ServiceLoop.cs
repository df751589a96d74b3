using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Reeve.Server.Services;

/// <summary>What one pass of a background loop did: how many things it changed, in its own words.</summary>
/// <summary>What a pass did: how many things it changed, in words; a routine change (a schedule topped up as it runs) is logged as an idle pass is.</summary>
internal readonly record struct PassOutcome(int Changed, string Summary, bool Routine = false);

/// <summary>
/// A background loop of the server: one pass per interval, each pass logged in one line with its duration —
/// Information when it changed something, Debug when it had nothing to do, Warning when it took longer than its
/// interval (a loop falling behind is something an operator should see). A pass that fails is logged and the
/// loop goes on. An interval of zero or less (<see cref="Timeout.InfiniteTimeSpan"/>) turns the loop off; tests
/// then run passes themselves with <see cref="PassAsync"/>.
/// </summary>
internal abstract partial class ServiceLoop(ILogger logger, TimeProvider clock, Hosting.StorageReady storage, Telemetry.ReeveMetrics? metrics = null) : BackgroundService
{
    /// <summary>The loop's name in its log lines.</summary>
    protected abstract string Name { get; }

    /// <summary>The time between passes.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>Whether a pass runs as soon as the server starts.</summary>
    protected virtual bool PassAtStart => false;

    /// <summary>Runs one pass now and logs it.</summary>
    public async Task<PassOutcome> PassAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        PassOutcome outcome;
        try
        {
            outcome = await RunPassAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(Name, e);
            return new PassOutcome(0, "failed");
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        metrics?.Pass(Name, elapsed);
        if (Interval > TimeSpan.Zero && elapsed > Interval)
        {
            LogSlow(Name, outcome.Summary, elapsed.TotalMilliseconds, Interval.TotalSeconds);
        }
        else if (outcome.Changed > 0 && !outcome.Routine)
        {
            LogPass(Name, outcome.Summary, elapsed.TotalMilliseconds);
        }
        else
        {
            LogIdle(Name, outcome.Summary, elapsed.TotalMilliseconds);
        }

        return outcome;
    }

    /// <summary>The pass itself.</summary>
    protected abstract Task<PassOutcome> RunPassAsync(CancellationToken cancellationToken);

    /// <summary>"1 run", "3 runs": counts in the pass's line read as sentences.</summary>
    protected static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";

    /// <summary>Waits until the next pass is due; the scheduler also wakes on changes.</summary>
    protected virtual async Task WaitAsync(CancellationToken stoppingToken) => await Task.Delay(Interval, clock, stoppingToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Interval <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            // Nothing to do before the database is migrated; a server that failed to open it is stopping.
            await storage.Opened.Task.WaitAsync(stoppingToken);
            if (!PassAtStart)
            {
                await WaitAsync(stoppingToken);
            }

            while (!stoppingToken.IsCancellationRequested)
            {
                await PassAsync(stoppingToken);
                await WaitAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception) when (storage.Opened.Task.IsFaulted)
        {
            // The storage could not be opened: the server reports it and stops.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Loop}: {Summary} in {Milliseconds:F1} ms")]
    private partial void LogPass(string loop, string summary, double milliseconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Loop}: {Summary} in {Milliseconds:F1} ms")]
    private partial void LogIdle(string loop, string summary, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Loop}: {Summary} in {Milliseconds:F1} ms, longer than its {Interval} s interval")]
    private partial void LogSlow(string loop, string summary, double milliseconds, double interval);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Loop}: pass failed")]
    private partial void LogFailed(string loop, Exception e);
}
