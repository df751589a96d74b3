namespace Reeve.Cli;

/// <summary>A user error the CLI reports as one line on standard error, exiting with <see cref="ExitCode"/>.</summary>
internal class CliException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
