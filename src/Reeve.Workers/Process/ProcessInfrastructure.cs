using System.Diagnostics;
using System.Text.Json.Nodes;
using Reeve.Core.FlowRuns;
using Reeve.Core.JobTemplates;
using Reeve.Core.Workers;
using Reeve.Workers.Infrastructure;

namespace Reeve.Workers.Process;

/// <summary>
/// Runs a flow run as a process on this machine: the job's <c>command</c> (by default the Reeve engine for the
/// run), in <c>working_dir</c> (a fresh temporary folder when unset, removed afterwards), with the worker's
/// environment, the run's Reeve settings and the job's <c>env</c> (a null value unsets a variable).
/// With <see cref="ProcessInfrastructureOptions.StandbyCommand"/>, one engine waits ready ahead of the next run: a run
/// with the default command is handed to it (its variables and folder with it), and another is started for the run after.
/// Dispose it to end the waiting engine.
/// </summary>
public sealed class ProcessInfrastructure : IInfrastructure, IAsyncDisposable
{
    private readonly ProcessInfrastructureOptions options;
    private readonly Lock _gate = new();
    private System.Diagnostics.Process? _standby;
    private bool _disposed;

    /// <summary>Creates the infrastructure; with a standby command, its first standby engine starts now.</summary>
    public ProcessInfrastructure(ProcessInfrastructureOptions options)
    {
        this.options = options;
        StartStandby();
    }

    /// <summary>The process id of the engine waiting for the next run, if one is.</summary>
    public int? StandbyProcessId
    {
        get
        {
            lock (_gate)
            {
                return _standby is { HasExited: false } standby ? standby.Id : null;
            }
        }
    }

    /// <inheritdoc />
    public async Task<InfrastructureResult> RunAsync(FlowRun run, JsonObject configuration, Func<string, Task> started, CancellationToken cancellationToken)
    {
        var custom = JobConfiguration.Arguments(configuration, "command");
        var command = custom ?? options.EngineCommand;
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
            var environment = Infrastructure.RunEnvironment.Of(options.RunEnvironment(run), JobConfiguration.Strings(configuration, "env"));
            var streamOutput = JobConfiguration.Flag(configuration, "stream_output") ?? true;
            var handed = custom is null && EngineHandoff.CanHandOff(environment.Keys)
                ? HandOff(new EngineHandoff(Path.GetFullPath(workingDir!), environment))
                : null;
            if (handed is not null)
            {
                // The next standby starts when this run has ended or has had a moment to get going, whichever comes
                // first: starting a runtime takes a core, and this run's own start needs it more.
                var followed = new CancellationTokenSource();
                _ = StartStandbyAfterAsync(options.StandbyDelay, followed.Token);
                try
                {
                    return await FollowAsync(handed, streamOutput, started, cancellationToken);
                }
                finally
                {
                    await followed.CancelAsync();
                    followed.Dispose();
                }
            }

            var info = StartInfo(command, workingDir!);
            foreach (var (key, value) in environment)
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

            var process = System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException($"Could not start {info.FileName}.");
            process.StandardInput.Close();
            return await FollowAsync(process, streamOutput, started, cancellationToken);
        }
        finally
        {
            if (temporary)
            {
                TryDelete(workingDir!);
            }
        }
    }

    /// <summary>Hands the run to the waiting engine, and starts the next one; null when no engine is waiting (or it has died).</summary>
    private System.Diagnostics.Process? HandOff(EngineHandoff handoff)
    {
        System.Diagnostics.Process? standby;
        lock (_gate)
        {
            standby = _standby;
            _standby = null;
        }

        if (standby is null)
        {
            return null;
        }

        try
        {
            if (standby.HasExited)
            {
                throw new IOException("The standby engine has ended.");
            }

            standby.StandardInput.WriteLine(handoff.ToLine());
            standby.StandardInput.Close();
            return standby;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // It died waiting (killed, out of memory): the run gets a process of its own, and the next run a new standby.
            Stop(standby);
            _ = Task.Run(StartStandby);
            return null;
        }
    }

    private async Task StartStandbyAfterAsync(TimeSpan delay, CancellationToken ended)
    {
        try
        {
            await Task.Delay(delay, ended);
        }
        catch (OperationCanceledException)
        {
            // The run ended first.
        }

        StartStandby();
    }

    /// <summary>Starts an engine to wait for the next run, when there is a standby command and none is waiting.</summary>
    private void StartStandby()
    {
        if (options.StandbyCommand is not { Count: > 0 } command)
        {
            return;
        }

        lock (_gate)
        {
            if (_disposed || _standby is not null)
            {
                return;
            }

            var info = StartInfo(command, options.SandboxRoot ?? Path.GetTempPath());
            foreach (var (key, value) in options.StandbyEnvironment)
            {
                info.Environment[key] = value;
            }

            try
            {
                _standby = System.Diagnostics.Process.Start(info);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // No standby: every run starts its own process, as without one.
            }
        }
    }

    /// <summary>A run's process (or a standby's): <paramref name="command"/> in <paramref name="folder"/>, its input and output piped.</summary>
    private static ProcessStartInfo StartInfo(IReadOnlyList<string> command, string folder)
    {
        var info = new ProcessStartInfo(command[0])
        {
            WorkingDirectory = folder,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in command.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    private static void Stop(System.Diagnostics.Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }

        process.Dispose();
    }

    /// <summary>Ends the engine waiting for a run, if one is; runs already handed over go on.</summary>
    public ValueTask DisposeAsync()
    {
        System.Diagnostics.Process? standby;
        lock (_gate)
        {
            _disposed = true;
            standby = _standby;
            _standby = null;
        }

        if (standby is not null)
        {
            Stop(standby);
        }

        return ValueTask.CompletedTask;
    }

    private async Task<InfrastructureResult> FollowAsync(System.Diagnostics.Process running, bool streamOutput, Func<string, Task> started, CancellationToken cancellationToken)
    {
        using var process = running;
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

    /// <summary>
    /// The command of an engine started ahead of the next run (<c>reeve flow-run execute --standby</c>), which waits on its
    /// standard input for the run (<see cref="EngineHandoff"/>); null for none, every run starting its own process.
    /// Runs with a <c>command</c> of their own, or whose variables must be set before a process starts (<c>DOTNET_*</c>,
    /// <c>LD_*</c>, <c>TZ</c>...), always start their own.
    /// </summary>
    public IReadOnlyList<string>? StandbyCommand { get; init; }

    /// <summary>How long after a run was handed to the standby engine the next one starts, unless that run ends sooner.</summary>
    public TimeSpan StandbyDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The variables the standby engine starts with, over the worker's own (the API URL and key, to warm up with).</summary>
    public IReadOnlyDictionary<string, string> StandbyEnvironment { get; init; } = new Dictionary<string, string>();

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
