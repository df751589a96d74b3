using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace RepoInfo;

/// <summary>
/// A stand-in for the one GitHub API call the flow makes (<c>GET /repos/{owner}/{name}</c>), served on 127.0.0.1,
/// so that the tutorial works on a machine without internet access. It answers every repository with the same
/// figures. Point the flow at it with <c>GITHUB_API_URL</c>.
/// </summary>
public static partial class GitHubStandIn
{
    /// <summary>Serves until Ctrl+C.</summary>
    public static async Task ServeAsync(int port)
    {
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        Console.WriteLine($"GitHub API stand-in listening on http://127.0.0.1:{port}");
        Console.WriteLine($"Point the flow at it:  export GITHUB_API_URL=http://127.0.0.1:{port}");
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().WaitAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            var found = Repository().Match(context.Request.Url?.AbsolutePath ?? string.Empty);
            var body = found.Success
                ? $$"""{"full_name": "{{found.Groups[1].Value}}", "stargazers_count": 17234, "forks_count": 1642}"""
                : """{"message": "Not Found"}""";
            context.Response.StatusCode = found.Success ? 200 : 404;
            context.Response.ContentType = "application/json";
            var bytes = Encoding.UTF8.GetBytes(body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    [GeneratedRegex("^/repos/([^/]+/[^/]+)/?$")]
    private static partial Regex Repository();
}
