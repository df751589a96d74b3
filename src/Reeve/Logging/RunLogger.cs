using Microsoft.Extensions.Logging;
using Reeve.Core.Logs;
using Reeve.Engine;
using Reeve.Flows;
using Reeve.Tasks;

namespace Reeve.Logging;

/// <summary>
/// A logger whose lines become log lines of the flow run (and task run) they are written in, sent in the
/// background, and are also written to the console as <c>10:00:00.000 | INFO    | Flow run 'brisk-otter' - ...</c>.
/// Outside a tracked run, lines only go to the console.
/// </summary>
internal sealed class RunLogger(string category, Func<Guid?>? flowRunId = null, Func<string?>? runName = null, bool writeToConsole = true) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var message = formatter(state, exception);
        var id = flowRunId?.Invoke() ?? FlowRunContext.Current?.FlowRunId;
        var name = runName?.Invoke() ?? FlowRunContext.Current?.Name;
        if (exception is null)
        {
            Write(category, logLevel, message, id, name, writeToConsole);
            return;
        }

        // The stack trace goes to the run's logs; the console gets one line, unless no server keeps the logs.
        var full = message.Length == 0 ? exception.ToString() : $"{message}\n{exception}";
        var tracked = id is not null && ReeveRuntime.Current.Reporter is not null;
        Write(category, logLevel, full, id, name, writeToConsole: false);
        if (writeToConsole)
        {
            var brief = $"{(message.Length == 0 ? "" : message + " ")}{exception.GetType().Name}: {exception.Message.Split('\n', 2)[0].TrimEnd('\r')}";
            Echo(logLevel, tracked ? $"{brief} (the stack trace is in the run's logs)" : full, name);
        }
    }

    /// <summary>Records one line: to the server when a run is tracked, to the console when asked.</summary>
    internal static void Write(string category, LogLevel level, string message, Guid? flowRunId, string? runName, bool writeToConsole)
    {
        var runtime = ReeveRuntime.Current;
        var now = runtime.Clock.GetUtcNow();
        if (flowRunId is { } id && runtime.Reporter is { } reporter)
        {
            reporter.Enqueue(new LogCreate
            {
                Name = category,
                Level = Number(level),
                Message = message,
                Timestamp = now,
                FlowRunId = id,
                TaskRunId = TaskRunContext.Current?.TaskRunId,
            });
        }

        if (writeToConsole)
        {
            Echo(level, message, runName);
        }
    }

    private static void Echo(LogLevel level, string message, string? runName)
    {
        var who = runName is null ? "" : $"Flow run '{runName}' - ";
        ConsoleCapture.Original.WriteLine($"{ReeveRuntime.Current.Clock.GetUtcNow().ToLocalTime():HH:mm:ss.fff} | {Label(level),-7} | {who}{message}");
    }

    /// <summary>Python logging's numbers, which Prefect's API uses.</summary>
    internal static int Number(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => 10,
        LogLevel.Information => 20,
        LogLevel.Warning => 30,
        LogLevel.Error => 40,
        _ => 50,
    };

    private static string Label(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARNING",
        LogLevel.Error => "ERROR",
        _ => "CRITICAL",
    };
}

/// <summary>
/// Sends the lines that code inside flow runs writes through <c>Microsoft.Extensions.Logging</c> to those runs'
/// logs: <c>builder.Logging.AddProvider(new ReeveLoggerProvider())</c>. Lines written outside runs are ignored.
/// </summary>
public sealed class ReeveLoggerProvider : ILoggerProvider
{
    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new RunLogger(categoryName, writeToConsole: false);

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
