using System.Text;
using Microsoft.Extensions.Logging;
using Reeve.Flows;

namespace Reeve.Logging;

/// <summary>
/// For flows with <c>LogPrints</c>: what they write to <see cref="Console.Out"/> and <see cref="Console.Error"/>
/// becomes log lines of their own run — the writer looks up the run the writing code belongs to, so flows
/// running at once in one process each get their own lines — and still reaches the real console.
/// </summary>
internal static class ConsoleCapture
{
    private static readonly Lock Gate = new();
    private static TextWriter? _original;

    /// <summary>The console as it was before capture: where run logs are echoed.</summary>
    public static TextWriter Original => _original ?? Console.Out;

    public static void Install()
    {
        lock (Gate)
        {
            if (_original is not null)
            {
                return;
            }

            _original = Console.Out;
            var error = Console.Error;
            Console.SetOut(TextWriter.Synchronized(new CapturingWriter(_original, LogLevel.Information, isError: false)));
            Console.SetError(TextWriter.Synchronized(new CapturingWriter(error, LogLevel.Error, isError: true)));
        }
    }

    private sealed class CapturingWriter(TextWriter inner, LogLevel level, bool isError) : TextWriter
    {
        public override Encoding Encoding => inner.Encoding;

        public override void Write(char value)
        {
            inner.Write(value);
            Capture(value.ToString());
        }

        public override void Write(string? value)
        {
            inner.Write(value);
            Capture(value);
        }

        public override void Write(char[] buffer, int index, int count)
        {
            inner.Write(buffer, index, count);
            Capture(new string(buffer, index, count));
        }

        public override void WriteLine(string? value)
        {
            inner.WriteLine(value);
            Capture(value + "\n");
        }

        public override void WriteLine()
        {
            inner.WriteLine();
            Capture("\n");
        }

        public override void Flush() => inner.Flush();

        private void Capture(string? text)
        {
            if (string.IsNullOrEmpty(text) || FlowRunContext.Current is not { LogPrints: true, IsTracked: true } run)
            {
                return;
            }

            var pending = isError ? run.PendingError : run.PendingOut;
            lock (pending)
            {
                foreach (var c in text)
                {
                    if (c == '\n')
                    {
                        var line = pending.ToString().TrimEnd('\r');
                        pending.Clear();
                        RunLogger.Write("reeve.flow_runs", level, line, run.FlowRunId, run.Name, writeToConsole: false);
                    }
                    else
                    {
                        pending.Append(c);
                    }
                }
            }
        }
    }
}
