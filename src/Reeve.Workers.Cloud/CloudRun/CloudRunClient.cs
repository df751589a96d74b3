using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Reeve.Workers.CloudRun;

/// <summary>
/// The calls of the Cloud Run Admin API v2 (REST, JSON) that running a flow run as a Cloud Run job takes: create a job
/// (a long-running operation), read it, run it (an operation whose metadata is the new execution), read and cancel an
/// execution, delete the job. Every call carries the service account's token; answers 429, 500 and 503 are retried
/// (but a run, which is not idempotent, only after checking that no execution started). A refusal is a
/// <see cref="CloudRunException"/> of one line.
/// </summary>
internal sealed class CloudRunClient(HttpClient http, Uri endpoint, GoogleServiceAccount account, TimeProvider clock)
{
    private const int Attempts = 4;

    /// <summary>Creates job <paramref name="jobId"/> under <paramref name="parent"/> (<c>projects/P/locations/R</c>); a job that a lost answer already created is taken as created.</summary>
    public async Task CreateJobAsync(string parent, string jobId, JsonObject body, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(HttpMethod.Post, $"v2/{parent}/jobs?jobId={Uri.EscapeDataString(jobId)}", body, $"create Cloud Run job {jobId}", retry: true, cancellationToken);
        }
        catch (CloudRunException e) when (e.StatusCode == 409)
        {
            // ALREADY_EXISTS after a retried create: the first attempt made it.
        }
    }

    /// <summary>The job named <paramref name="name"/> (<c>projects/P/locations/R/jobs/J</c>).</summary>
    public Task<JsonObject> GetJobAsync(string name, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"v2/{name}", null, $"read Cloud Run job {Last(name)}", retry: true, cancellationToken);

    /// <summary>Runs the job; the name of the execution it started.</summary>
    public async Task<string> RunJobAsync(string name, CancellationToken cancellationToken)
    {
        var before = (await GetJobAsync(name, cancellationToken))["latestCreatedExecution"]?["name"]?.GetValue<string>();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var operation = await SendAsync(HttpMethod.Post, $"v2/{name}:run", new JsonObject(), $"run Cloud Run job {Last(name)}", retry: false, cancellationToken);
                return operation["metadata"]?["name"]?.GetValue<string>()
                    ?? throw new CloudRunException(200, null, $"Cloud Run started job {Last(name)} without naming its execution.");
            }
            catch (CloudRunException e) when (e.IsTransient && attempt < Attempts)
            {
                // Running is not idempotent: an execution the refused request started anyway is the one to follow.
                var latest = (await GetJobAsync(name, cancellationToken))["latestCreatedExecution"]?["name"]?.GetValue<string>();
                if (latest is not null && latest != before)
                {
                    return latest;
                }

                await Task.Delay(Backoff(attempt), clock, cancellationToken);
            }
        }
    }

    /// <summary>The execution named <paramref name="name"/>.</summary>
    public Task<JsonObject> GetExecutionAsync(string name, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"v2/{name}", null, $"read Cloud Run execution {Last(name)}", retry: true, cancellationToken);

    /// <summary>Asks Cloud Run to stop the execution's tasks.</summary>
    public Task CancelExecutionAsync(string name, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"v2/{name}:cancel", new JsonObject(), $"cancel Cloud Run execution {Last(name)}", retry: true, cancellationToken);

    /// <summary>Deletes the job (and its executions); one already gone is fine.</summary>
    public async Task DeleteJobAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(HttpMethod.Delete, $"v2/{name}", null, $"delete Cloud Run job {Last(name)}", retry: true, cancellationToken);
        }
        catch (CloudRunException e) when (e.StatusCode == 404)
        {
        }
    }

    private async Task<JsonObject> SendAsync(HttpMethod method, string path, JsonObject? body, string what, bool retry, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, new Uri(endpoint, path));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await account.TokenAsync(http, clock, cancellationToken));
            if (body is not null)
            {
                request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            }

            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return text.Length == 0 ? [] : JsonNode.Parse(text) as JsonObject ?? [];
            }

            var (status, why) = GoogleErrors.Read(text, response.ReasonPhrase);
            var refused = new CloudRunException((int)response.StatusCode, status, $"Cloud Run refused to {what}: {why}");
            if (!retry || !refused.IsTransient || attempt >= Attempts)
            {
                throw refused;
            }

            await Task.Delay(Backoff(attempt), clock, cancellationToken);
        }
    }

    private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(250 * Math.Pow(2, attempt - 1));

    /// <summary>The last segment of a resource name (a job's or an execution's id).</summary>
    internal static string Last(string name) => name[(name.LastIndexOf('/') + 1)..];
}
