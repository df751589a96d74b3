using System.Diagnostics;
using System.Text;

namespace Reeve.Testing;

/// <summary>What one run of the <c>reeve</c> command printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Out}\n--- stderr ---\n{Error}";
}

/// <summary>
/// Runs the real <c>reeve</c> command as a child process (<c>dotnet Reeve.Cli.dll ...</c>), with a private
/// <c>REEVE_HOME</c> and only the environment a test gives it. <see cref="ForApp"/> runs another program built
/// beside the tests (an example) the same way.
/// </summary>
public sealed class CliProcess
{
    private readonly string _entry;

    public CliProcess(string apiUrl, string? home = null)
        : this("Reeve.Cli", apiUrl, home)
    {
    }

    private CliProcess(string app, string? apiUrl, string? home)
    {
        _entry = FindEntry(app);
        Home = home ?? Path.Combine(Path.GetTempPath(), "reeve-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Home);
        Environment["REEVE_HOME"] = Home;
        Environment["REEVE_API_URL"] = apiUrl;
    }

    /// <summary>Runs <c>dotnet APP.dll</c>, a program the test project references; tracked when <paramref name="apiUrl"/> is given.</summary>
    public static CliProcess ForApp(string app, string? apiUrl) => new(app, apiUrl, home: null);

    public string Home { get; }

    /// <summary>Variables set for each run; a null value removes a variable the test process has.</summary>
    public Dictionary<string, string?> Environment { get; } = new()
    {
        ["REEVE_API_KEY"] = null,
        ["REEVE_DATABASE_URL"] = null,
        ["REEVE_SERVER_API_KEY"] = null,
        ["NO_COLOR"] = "1",
    };

    /// <summary>How long <see cref="RunAsync"/> waits for the command to finish.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    public async Task<CliResult> RunAsync(params string[] args)
    {
        using var process = Start(args, redirectInput: true);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileNameWithoutExtension(_entry)} {string.Join(' ', args)} did not finish within {Timeout.TotalSeconds:N0} s.");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a long-running command (such as <c>server start</c>); the caller reads and ends it.</summary>
    public Process Start(IEnumerable<string> args, bool redirectInput = false)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(_entry);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in Environment)
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

        return Process.Start(info) ?? throw new InvalidOperationException($"Could not start {_entry}.");
    }

    private static string FindEntry(string app)
    {
        var beside = Path.Combine(AppContext.BaseDirectory, app + ".dll");
        if (IsApp(beside))
        {
            return beside;
        }

        // Built by a ReferenceOutputAssembly="false" reference: artifacts/bin/PROJECT/CONFIG/APP.dll, next to
        // the tests' own artifacts/bin/TESTS/CONFIG/.
        var config = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var bin = config.Parent?.Parent;
        // The app's own project folder first: copies beside other projects' tests can be older builds.
        var built = bin?.EnumerateDirectories()
            .OrderByDescending(project => project.Name == app)
            .Select(project => Path.Combine(project.FullName, config.Name, app + ".dll"))
            .FirstOrDefault(IsApp);
        return built ?? throw new FileNotFoundException(
            $"{app}.dll was found neither beside the tests nor under {bin?.FullName}; does the test project reference its project?");
    }

    private static bool IsApp(string dll) => File.Exists(dll) && File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json"));
}
