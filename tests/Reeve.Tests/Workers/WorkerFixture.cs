using System.Collections.Concurrent;
using System.Diagnostics;

namespace Reeve.Tests.Workers;

/// <summary>
/// What the worker tests share: a server on the real clock, the flow repository served over git, a stand-in for
/// the GitHub API (out of reach here; a loopback HTTP server answers for it), and one Reeve home for the workers,
/// so the build cache carries from test to test as it does on a real machine.
/// </summary>
public sealed class WorkerFixture : IAsyncLifetime
{
    public const string RepositoryJson = """{"full_name":"PrefectHQ/prefect","stargazers_count":17234,"forks_count":1642}""";

    public RunningServer Server { get; private set; } = null!;

    public FlowRepository Repository { get; private set; } = null!;

    public LoopbackHttpServer GitHub { get; private set; } = null!;

    public string Home { get; } = Path.Combine(Path.GetTempPath(), "reeve-worker-tests", Guid.NewGuid().ToString("N")[..12]);

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Home);
        Server = await RunningServer.StartAsync(TestStorage.Sqlite, realClock: true);
        GitHub = await LoopbackHttpServer.StartAsync();
        GitHub.MapJson("/repos/PrefectHQ/prefect", RepositoryJson);
        Repository = await FlowRepository.CreateAsync();
    }

    /// <summary>A <c>reeve</c> command against the server, with the shared home and fast heartbeats.</summary>
    public CliProcess Cli(IReadOnlyDictionary<string, string>? environment = null)
    {
        var cli = new CliProcess(Server.ApiUrl, Home);
        cli.Environment["GITHUB_API_URL"] = GitHub.Url;
        cli.Environment["REEVE_WORKER_HEARTBEAT_SECONDS"] = "1";
        cli.Environment["REEVE_FLOW_RUN_HEARTBEAT_SECONDS"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            cli.Environment[key] = value;
        }

        return cli;
    }

    public async ValueTask DisposeAsync()
    {
        await Repository.DisposeAsync();
        await GitHub.DisposeAsync();
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
            // Cleaned by the OS.
        }
    }
}

/// <summary>A long-running <c>reeve</c> process (a worker, a server) whose output lines the test can wait for.</summary>
public sealed class RunningCommand : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _changed = new(0);

    private RunningCommand(Process process)
    {
        Process = process;
        _ = PumpAsync(process.StandardOutput);
        _ = PumpAsync(process.StandardError);
    }

    public Process Process { get; }

    public string Output => string.Join('\n', _lines);

    public static RunningCommand Start(CliProcess cli, params string[] args) => new(cli.Start(args));

    private async Task PumpAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            _lines.Enqueue(line);
            _changed.Release();
        }
    }

    /// <summary>The first line containing <paramref name="text"/>, once it is written.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan? timeout = null)
    {
        string? found = null;
        await WaitUntilAsync(lines => (found = lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal))) is not null, $"a line with '{text}'", timeout);
        return found!;
    }

    /// <summary>Waits, line by line as they are written, until the output so far meets <paramref name="condition"/>.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyCollection<string>, bool> condition, string what, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        while (!condition(_lines))
        {
            try
            {
                await _changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No {what} in time. Output so far:\n{Output}");
            }
        }
    }

    /// <summary>SIGKILL to this process alone, as <c>kill -9</c> does: what it started lives on.</summary>
    public async Task KillAloneAsync()
    {
        Signals.Send(Process.Id, Signals.SigKill);
        await Process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }

        Process.Dispose();
        _changed.Dispose();
    }
}
