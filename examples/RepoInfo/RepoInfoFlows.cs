using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Reeve.Flows;

namespace RepoInfo;

/// <summary>The tutorial's flow: how popular is a GitHub repository?</summary>
public static class RepoInfoFlows
{
    private static readonly HttpClient Http = CreateClient();

    /// <summary>
    /// Where the GitHub API is: <c>GITHUB_API_URL</c> when set (a GitHub Enterprise server, or a test's stand-in),
    /// else <c>https://api.github.com</c>.
    /// </summary>
    public static Uri GitHubApi =>
        new(Environment.GetEnvironmentVariable("GITHUB_API_URL") is { Length: > 0 } url ? url.TrimEnd('/') + "/" : "https://api.github.com/");

    /// <summary>Prints the stars and forks of <paramref name="repoName"/>; with <c>LogPrints</c>, into the run's logs.</summary>
    [Flow(LogPrints = true, Description = "Prints the stars and forks of a GitHub repository.")]
    public static async Task GetRepoInfo(string repoName = "PrefectHQ/prefect", CancellationToken cancellationToken = default)
    {
        var url = new Uri(GitHubApi, $"repos/{repoName}");
        using var response = await Http.GetAsync(url, cancellationToken);
        response.EnsureSuccessStatusCode();
        var repo = await response.Content.ReadFromJsonAsync<Repository>(cancellationToken)
            ?? throw new InvalidOperationException($"{url} answered with an empty body.");

        Console.WriteLine($"{repoName} repository statistics 🤓:");
        Console.WriteLine($"Stars 🌠 : {repo.StargazersCount}");
        Console.WriteLine($"Forks 🍴 : {repo.ForksCount}");
    }

    private static HttpClient CreateClient()
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        // GitHub refuses requests without a User-Agent.
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("reeve-repo-info", "1.0"));
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
        if (Environment.GetEnvironmentVariable("GITHUB_TOKEN") is { Length: > 0 } token)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    private sealed record Repository(
        [property: JsonPropertyName("stargazers_count")] int StargazersCount,
        [property: JsonPropertyName("forks_count")] int ForksCount);
}
