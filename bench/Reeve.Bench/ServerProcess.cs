using System.Diagnostics;
using System.Text.RegularExpressions;
using Npgsql;

namespace Reeve.Bench;

/// <summary>
/// A real <c>reeve server start</c> process on a loopback port over a fresh database: a SQLite file in a
/// temporary home folder, or a new database on the PostgreSQL server that <c>REEVE_BENCH_POSTGRES</c>
/// (or <c>REEVE_TEST_POSTGRES</c>) names.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _home;
    private readonly string? _database;
    private bool _owns = true;

    private ServerProcess(Process process, string home, string? database, string url, TimeSpan startToHealthy)
    {
        _process = process;
        _home = home;
        _database = database;
        Url = url;
        StartToHealthy = startToHealthy;
    }

    public string Url { get; }

    /// <summary>
    /// The reeve command to run: the one <c>REEVE_BENCH_CLI</c> names — its <c>Reeve.Cli.dll</c> (run with <c>dotnet</c>)
    /// or an executable (an installed tool's <c>reeve</c>, a self-contained publish's apphost) — else the build output's
    /// Reeve.Cli.dll: artifacts/bin/Reeve.Cli/CONFIG/, beside this program's artifacts/bin/Reeve.Bench/CONFIG/.
    /// </summary>
    public static string CliEntry
    {
        get
        {
            if (Environment.GetEnvironmentVariable("REEVE_BENCH_CLI") is { Length: > 0 } named)
            {
                return File.Exists(named) ? Path.GetFullPath(named) : throw new FileNotFoundException($"REEVE_BENCH_CLI names {named}, which does not exist.");
            }

            var config = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var entry = Path.Combine(config.Parent!.Parent!.FullName, "Reeve.Cli", config.Name, "Reeve.Cli.dll");
            return File.Exists(entry) ? entry : throw new FileNotFoundException($"The reeve command was not built at {entry}.");
        }
    }

    /// <summary>How to start the reeve command with <paramref name="args"/>: <c>dotnet Reeve.Cli.dll ...</c>, or the executable itself.</summary>
    public static ProcessStartInfo Cli(params string[] args)
    {
        var entry = CliEntry;
        var info = entry.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? new ProcessStartInfo("dotnet") : new ProcessStartInfo(entry);
        if (info.FileName == "dotnet")
        {
            info.ArgumentList.Add(entry);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        return info;
    }

    public string ApiUrl => Url + "/api";

    public int Pid => _process.Id;

    public TimeSpan StartToHealthy { get; }

    public static string PostgresAdmin =>
        Environment.GetEnvironmentVariable("REEVE_BENCH_POSTGRES") is { Length: > 0 } bench ? bench
        : Environment.GetEnvironmentVariable("REEVE_TEST_POSTGRES") is { Length: > 0 } test ? test
        : throw new InvalidOperationException("--storage postgres needs REEVE_BENCH_POSTGRES (or REEVE_TEST_POSTGRES) to name a PostgreSQL server.");

    /// <summary>
    /// Starts a server over a fresh database, which it owns and removes when disposed. <paramref name="prepare"/>,
    /// when given, runs first with the database's settings (to migrate and seed it in process).
    /// </summary>
    /// <remarks>With <paramref name="apiKey"/>, the server requires keys and that one is its bootstrap admin key.</remarks>
    public static async Task<ServerProcess> StartAsync(string storage, Func<Reeve.Server.Storage.StorageOptions, Task>? prepare = null, string? apiKey = null)
    {
        var home = Path.Combine(Path.GetTempPath(), "reeve-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(home);
        string? database = null;
        if (storage == "postgres")
        {
            database = "reeve_bench_" + Guid.NewGuid().ToString("N")[..12];
            await ExecuteAdminAsync($"CREATE DATABASE {database}");
        }

        if (prepare is not null)
        {
            await prepare(database is null
                ? Reeve.Server.Storage.StorageOptions.SqliteIn(home)
                : new Reeve.Server.Storage.StorageOptions(Reeve.Server.Storage.StorageProvider.Postgres,
                    new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = database }.ConnectionString));
        }

        return await StartAsync(home, database, owns: true, apiKey);
    }

    /// <summary>Starts another server over the database of <paramref name="previous"/> (stopped first): a restart.</summary>
    public static async Task<ServerProcess> RestartAsync(ServerProcess previous)
    {
        await previous.StopAsync();
        return await StartAsync(previous._home, previous._database, owns: false);
    }

    private static async Task<ServerProcess> StartAsync(string home, string? database, bool owns, string? apiKey = null)
    {
        var info = Cli("server", "start", "--port", "0", "--log-level", "Warning");

        // REEVE_BENCH_NO_UI=1 measures the server without its web UI (what the UI costs at start and at rest).
        if (Environment.GetEnvironmentVariable("REEVE_BENCH_NO_UI") == "1")
        {
            info.ArgumentList.Add("--no-ui");
        }

        info.Environment["REEVE_HOME"] = home;
        info.Environment.Remove("REEVE_SERVER_API_KEY");
        if (apiKey is not null)
        {
            info.Environment["REEVE_SERVER_API_KEY"] = apiKey;
        }
        info.Environment.Remove("REEVE_DATABASE_URL");
        if (database is not null)
        {
            info.Environment["REEVE_DATABASE_URL"] = new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = database }.ConnectionString;
        }

        var clock = Stopwatch.StartNew();
        var process = Process.Start(info)!;
        string? url = null;
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (Listening().Match(line) is { Success: true } match)
            {
                url = match.Groups[1].Value;
                break;
            }
        }

        if (url is null)
        {
            throw new InvalidOperationException("The server did not start: " + await process.StandardError.ReadToEndAsync());
        }

        // Keep draining its output so that it never blocks on a full pipe.
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();

        using var http = new HttpClient();
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(url + "/api/health");
                if (response.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            // Poll gently: a busy loop would take a core from the server it is timing.
            await Task.Delay(5);
        }

        return new ServerProcess(process, home, database, url, clock.Elapsed) { _owns = owns };
    }

    /// <summary>The resident memory of the server process, in MiB.</summary>
    public double ResidentMemoryMiB() => ResidentMemoryMiB(_process.Id);

    /// <summary>The resident memory of process <paramref name="pid"/>, in MiB (Linux).</summary>
    public static double ResidentMemoryMiB(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return double.NaN;
    }

    private async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>Stops the server; the database goes with it unless another server took it over.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        if (!_owns)
        {
            return;
        }

        if (_database is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAdminAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
        }

        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    internal static async Task ExecuteAdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(PostgresAdmin) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [GeneratedRegex(@"Reeve server listening on (http://\S+)")]
    private static partial Regex Listening();
}
