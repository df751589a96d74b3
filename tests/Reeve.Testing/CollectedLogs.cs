using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Reeve.Testing;

/// <summary>
/// The server's error lines (with their exceptions), kept so that a test which saw a 500 can say why: the console
/// of the test host is not shown by <c>dotnet test</c>.
/// </summary>
public sealed class CollectedLogs : ILoggerProvider
{
    private const int Kept = 50;
    private readonly ConcurrentQueue<string> _errors = new();

    /// <summary>The first error lines logged, each with its category and exception.</summary>
    public IReadOnlyCollection<string> Errors => _errors;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CollectedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel) && owner._errors.Count < Kept)
            {
                owner._errors.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : "\n" + exception)}");
            }
        }
    }
}
