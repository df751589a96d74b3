using System.Diagnostics;
using System.Text;

namespace Reeve.Testing;

/// <summary>What one run of the <c>reeve</c> command printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Out}\n--- stderr ---\n{Error}";
}

/// <summary>
/// Runs the real <c>reeve</c> command as a child process (<c>dotnet reeve.dll ...</c>), with a private
/// <c>REEVE_HOME</c> and only the environment a test gives it.
/// </summary>
public sealed class CliProcess
{
    private static readonly Lazy<string> Entry = new(FindEntry);

    public CliProcess(string apiUrl, string? home = null)
    {
        Home = home ?? Path.Combine(Path.GetTempPath(), "reeve-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Home);
        Environment["REEVE_HOME"] = Home;
        Environment["REEVE_API_URL"] = apiUrl;
    }

    public string Home { get; }

    /// <summary>Variables set for each run; a null value removes a variable the test process has.</summary>
    public Dictionary<string, string?> Environment { get; } = new()
    {
        ["REEVE_API_KEY"] = null,
        ["REEVE_DATABASE_URL"] = null,
        ["REEVE_SERVER_API_KEY"] = null,
        ["NO_COLOR"] = "1",
    };

    public async Task<CliResult> RunAsync(params string[] args)
    {
        using var process = Start(args, redirectInput: true);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"reeve {string.Join(' ', args)} did not finish within 60 s.");
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
        info.ArgumentList.Add(Entry.Value);
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

        return Process.Start(info) ?? throw new InvalidOperationException("Could not start reeve.");
    }

    private static string FindEntry()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "reeve.dll");
        if (File.Exists(beside) && File.Exists(Path.Combine(AppContext.BaseDirectory, "reeve.runtimeconfig.json")))
        {
            return beside;
        }

        throw new FileNotFoundException($"reeve.dll was not found beside the tests in {AppContext.BaseDirectory}; does the test project reference src/Reeve.Cli?");
    }
}
