using System.Diagnostics;

namespace Reeve.Deployments;

/// <summary>Runs a tool the engine needs (git, dotnet) to its end, with its output captured.</summary>
internal static class ChildProcess
{
    public sealed record Result(int ExitCode, string Output, string Error);

    /// <summary>
    /// Runs <paramref name="program"/> in <paramref name="folder"/>; <paramref name="environment"/> sets (or, with null,
    /// removes) variables; <paramref name="onLine"/>, when given, hears each line of its output as it is written.
    /// </summary>
    public static async Task<Result> RunAsync(string program, string folder, IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? environment, CancellationToken cancellationToken, Action<string>? onLine = null)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
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

        Process? process;
        try
        {
            process = Process.Start(info);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new DeploymentSourceException($"Could not start '{program}'; is it installed? ({e.Message})");
        }

        using var started = process ?? throw new DeploymentSourceException($"Could not start '{program}'; is it installed?");
        var output = onLine is null ? started.StandardOutput.ReadToEndAsync(cancellationToken) : ReadLinesAsync(started.StandardOutput, onLine, cancellationToken);
        var error = started.StandardError.ReadToEndAsync(cancellationToken);
        await started.WaitForExitAsync(cancellationToken);
        return new Result(started.ExitCode, await output, await error);
    }

    private static async Task<string> ReadLinesAsync(StreamReader reader, Action<string> onLine, CancellationToken cancellationToken)
    {
        var all = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            all.AppendLine(line);
            onLine(line);
        }

        return all.ToString();
    }
}
