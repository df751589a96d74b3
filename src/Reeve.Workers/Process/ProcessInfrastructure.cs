using System.Diagnostics;
using System.Text.Json.Nodes;
using Reeve.Core.FlowRuns;
using Reeve.Core.JobTemplates;
using Reeve.Workers.Infrastructure;

namespace Reeve.Workers.Process;

/// <summary>
/// Runs a flow run as a process on this machine: the job's <c>command</c> (by default the Reeve engine for the
/// run), in <c>working_dir</c> (a fresh temporary folder when unset, removed afterwards), with the worker's
/// environment, the run's Reeve settings and the job's <c>env</c> (a null value unsets a variable).
/// </summary>
public sealed class ProcessInfrastructure(ProcessInfrastructureOptions options) : IInfrastructure
{
    /// <inheritdoc />
    public async Task<InfrastructureResult> RunAsync(FlowRun run, JsonObject configuration, Func<string, Task> started, CancellationToken cancellationToken)
    {
        var command = JobConfiguration.Arguments(configuration, "command") ?? options.EngineCommand;
        if (command.Count == 0)
        {
            throw new InvalidOperationException("The job's command is empty.");
        }

        var workingDir = JobConfiguration.Text(configuration, "working_dir");
        var temporary = workingDir is null or "";
        if (temporary)
        {
            workingDir = Path.Combine(options.SandboxRoot ?? Path.GetTempPath(), $"reeve-run-{run.Id:N}");
        }

        Directory.CreateDirectory(workingDir!);
        try
        {
            var info = new ProcessStartInfo(command[0])
            {
                WorkingDirectory = workingDir,
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            };
            foreach (var arg in command.Skip(1))
            {
                info.ArgumentList.Add(arg);
            }

            foreach (var (key, value) in Infrastructure.RunEnvironment.Of(options.RunEnvironment(run), JobConfiguration.Strings(configuration, "env")))
            {
                if (value is null)
                {
                    info.Environment.Remove(key);
                }
                else
                {
                    info.Environment[key] = value;
                }
            }

            return await RunProcessAsync(info, JobConfiguration.Flag(configuration, "stream_output") ?? true, started, cancellationToken);
        }
        finally
        {
            if (temporary)
            {
                TryDelete(workingDir!);
            }
        }
    }

    private async Task<InfrastructureResult> RunProcessAsync(ProcessStartInfo info, bool streamOutput, Func<string, Task> started, CancellationToken cancellationToken)
    {
        using var process = System.Diagnostics.Process.Start(info)
            ?? throw new InvalidOperationException($"Could not start {info.FileName}.");
        process.StandardInput.Close();
        var stdout = CopyAsync(process.StandardOutput, streamOutput ? options.Output : null);
        var stderr = CopyAsync(process.StandardError, streamOutput ? options.Error : null);
        await started(process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await StopAsync(process);
        }

        await Task.WhenAll(stdout, stderr);
        var code = process.ExitCode;
        return OperatingSystem.IsWindows() ? new InfrastructureResult(code) : InfrastructureResult.FromUnixExitCode(code);
    }

    /// <summary>SIGTERM to the process and what it started, SIGKILL to whatever is left after the grace period.</summary>
    private async Task StopAsync(System.Diagnostics.Process process)
    {
        var tree = ProcessTree.Descendants(process.Id);
        ProcessTree.Signal(process.Id, ProcessTree.SigTerm);
        foreach (var pid in tree)
        {
            ProcessTree.Signal(pid, ProcessTree.SigTerm);
        }

        using var grace = new CancellationTokenSource(options.KillGracePeriod);
        try
        {
            await process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        // Children that outlived their parent were orphaned out of its tree; they go too.
        foreach (var pid in tree.Concat(ProcessTree.Descendants(process.Id)))
        {
            ProcessTree.Signal(pid, ProcessTree.SigKill);
        }
    }

    private static async Task CopyAsync(StreamReader from, TextWriter? to)
    {
        while (await from.ReadLineAsync() is { } line)
        {
            if (to is not null)
            {
                await to.WriteLineAsync(line);
            }
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the OS's temporary-file cleaning; the run's result does not depend on it.
        }
    }
}

/// <summary>Settings of <see cref="ProcessInfrastructure"/>.</summary>
public sealed record ProcessInfrastructureOptions
{
    /// <summary>The command when a job names none: the Reeve engine, which finds its run through <c>REEVE_FLOW_RUN_ID</c>.</summary>
    public required IReadOnlyList<string> EngineCommand { get; init; }

    /// <summary>The variables every run's process gets (its run id, the API URL and key).</summary>
    public required Func<FlowRun, IReadOnlyDictionary<string, string>> RunEnvironment { get; init; }

    /// <summary>Where runs without a working_dir get their temporary folder; the system's temporary folder when null.</summary>
    public string? SandboxRoot { get; init; }

    /// <summary>How long a cancelled run's process has to stop after SIGTERM before it is killed.</summary>
    public TimeSpan KillGracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Where a run's standard output is streamed.</summary>
    public TextWriter Output { get; init; } = Console.Out;

    /// <summary>Where a run's standard error is streamed.</summary>
    public TextWriter Error { get; init; } = Console.Error;
}
