using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reeve.Workers.CloudRun;

namespace Reeve.Cli.Provisioning;

/// <summary>
/// The CLI user's Google Cloud: their application default credentials (the file <c>GOOGLE_APPLICATION_CREDENTIALS</c>
/// names, else the one <c>gcloud auth application-default login</c> leaves), and calls to Google's REST APIs with
/// them. A refusal ends the command in one line naming what was refused; 429, 500 and 503 are tried again a few
/// times; long-running operations are waited for, within a bound.
/// </summary>
internal sealed class GoogleCloud
{
    private const int Attempts = 4;
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromMinutes(3);

    private readonly HttpClient _http;
    private readonly IGoogleTokenSource _credentials;
    private readonly Uri? _endpoint;
    private readonly TimeProvider _clock;

    private GoogleCloud(HttpClient http, IGoogleTokenSource credentials, Uri? endpoint, string? project, TimeProvider clock)
    {
        _http = http;
        _credentials = credentials;
        _endpoint = endpoint;
        CredentialsProject = project;
        _clock = clock;
    }

    /// <summary>The project the credentials come with (a key's <c>project_id</c>, a user's <c>quota_project_id</c>).</summary>
    public string? CredentialsProject { get; }

    /// <summary>Who the calls are made as, for messages.</summary>
    public string Who => _credentials.Who;

    /// <summary>
    /// The user's credentials, read from <c>GOOGLE_APPLICATION_CREDENTIALS</c> or gcloud's application default file.
    /// <c>REEVE_GOOGLE_API_ENDPOINT</c> sends every API call to one address instead of Google's (a stand-in's).
    /// </summary>
    /// <exception cref="CliException">There are none, or they are not a service account key or a user's credentials.</exception>
    public static GoogleCloud Connect(HttpClient http, Func<string, string?> environment, TimeProvider clock)
    {
        var path = environment("GOOGLE_APPLICATION_CREDENTIALS") is { Length: > 0 } named ? named : DefaultFile(environment);
        if (path is null || !File.Exists(path))
        {
            throw new CliException(path is null || environment("GOOGLE_APPLICATION_CREDENTIALS") is null
                ? "No Google Cloud credentials: run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a service account key."
                : $"GOOGLE_APPLICATION_CREDENTIALS names {path}, which does not exist.");
        }

        JsonObject file;
        try
        {
            file = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new CliException($"The Google Cloud credentials in {path} are not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new CliException($"The Google Cloud credentials in {path} are not JSON: {e.Message}");
        }

        Uri? endpoint = null;
        if (environment("REEVE_GOOGLE_API_ENDPOINT") is { Length: > 0 } given
            && !Uri.TryCreate(given.EndsWith('/') ? given : given + "/", UriKind.Absolute, out endpoint))
        {
            throw new CliException($"REEVE_GOOGLE_API_ENDPOINT is not an address: {given}");
        }

        try
        {
            return (file["type"] as JsonValue)?.ToString() switch
            {
                "service_account" => From(GoogleServiceAccount.From(file)),
                "authorized_user" => From(GoogleAuthorizedUser.From(file)),
                var other => throw new CliException($"The Google Cloud credentials in {path} are of type '{other}'; provisioning takes a service account key or a user's application default credentials."),
            };
        }
        catch (InvalidOperationException e)
        {
            throw new CliException($"The Google Cloud credentials in {path} cannot be used: {e.Message}");
        }

        GoogleCloud From(IGoogleTokenSource source) => new(http, source, endpoint,
            source switch { GoogleServiceAccount account => account.ProjectId, GoogleAuthorizedUser user => user.QuotaProject, _ => null }, clock);
    }

    /// <summary>gcloud's application default credentials file: under CLOUDSDK_CONFIG, else its config folder.</summary>
    private static string? DefaultFile(Func<string, string?> environment)
    {
        if (environment("CLOUDSDK_CONFIG") is { Length: > 0 } config)
        {
            return Path.Combine(config, "application_default_credentials.json");
        }

        var folder = OperatingSystem.IsWindows()
            ? environment("APPDATA") is { Length: > 0 } appData ? Path.Combine(appData, "gcloud") : null
            : environment("HOME") is { Length: > 0 } home ? Path.Combine(home, ".config", "gcloud") : null;
        return folder is null ? null : Path.Combine(folder, "application_default_credentials.json");
    }

    /// <summary>The resource at <paramref name="path"/> of <paramref name="service"/> (<c>iam</c>, <c>serviceusage</c>...), or null when it does not exist.</summary>
    public async Task<JsonObject?> FindAsync(string service, string path, string what, CancellationToken ct)
    {
        var (status, answer) = await SendAsync(HttpMethod.Get, service, path, null, what, ct, allowNotFound: true);
        return status == 404 ? null : answer;
    }

    /// <summary>A GET or POST that must succeed.</summary>
    public async Task<JsonObject> CallAsync(HttpMethod method, string service, string path, JsonObject? body, string what, CancellationToken ct) =>
        (await SendAsync(method, service, path, body, what, ct)).Answer;

    /// <summary>A create: the answer, or null when the resource already exists (409 ALREADY_EXISTS).</summary>
    public async Task<JsonObject?> CreateAsync(string service, string path, JsonObject body, string what, CancellationToken ct)
    {
        var (status, answer) = await SendAsync(HttpMethod.Post, service, path, body, what, ct, allowConflict: true);
        return status == 409 ? null : answer;
    }

    /// <summary>Waits for a long-running operation (read back at <c>v1/NAME</c> of the service) to be done; its error ends the command.</summary>
    public async Task<JsonObject> WaitAsync(string service, JsonObject operation, string what, CancellationToken ct)
    {
        var deadline = _clock.GetUtcNow() + OperationTimeout;
        var pause = TimeSpan.FromMilliseconds(250);
        while (operation["done"] is not JsonValue done || !done.TryGetValue<bool>(out var isDone) || !isDone)
        {
            if (operation["name"] is not JsonValue named || !named.TryGetValue<string>(out var name) || name.Length == 0)
            {
                throw new CliException($"{what}: Google answered with an operation that has no name.");
            }

            if (_clock.GetUtcNow() > deadline)
            {
                throw new CliException($"{what}: Google's operation {name} was not done within {OperationTimeout.TotalMinutes:0} minutes; run the command again to go on.");
            }

            await Task.Delay(pause, _clock, ct);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            operation = await CallAsync(HttpMethod.Get, service, $"v1/{name}", null, what, ct);
        }

        if (operation["error"] is JsonObject error)
        {
            throw new CliException($"{what}: {Said(error)}");
        }

        return operation;
    }

    private async Task<(int Status, JsonObject Answer)> SendAsync(HttpMethod method, string service, string path, JsonObject? body, string what,
        CancellationToken ct, bool allowNotFound = false, bool allowConflict = false)
    {
        var address = new Uri(_endpoint ?? new Uri($"https://{service}.googleapis.com/"), path);
        for (var attempt = 1; ; attempt++)
        {
            string token;
            try
            {
                token = await _credentials.TokenAsync(_http, _clock, ct);
            }
            catch (CloudRunException e)
            {
                throw new CliException(e.Message);
            }
            catch (HttpRequestException e)
            {
                throw new CliException($"{what}: Google's token endpoint cannot be reached ({e.Message}).");
            }

            using var request = new HttpRequestMessage(method, address);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (body is not null)
            {
                request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            }

            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, ct);
            }
            catch (HttpRequestException e)
            {
                throw new CliException($"{what}: {address.Host} cannot be reached ({e.Message}).");
            }

            using (response)
            {
                var text = await response.Content.ReadAsStringAsync(ct);
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode || (allowNotFound && status == 404) || (allowConflict && status == 409))
                {
                    return (status, Parse(text) ?? []);
                }

                if (status is 429 or 500 or 503 && attempt < Attempts)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500 * Math.Pow(2, attempt - 1)), _clock, ct);
                    continue;
                }

                var error = Parse(text)?["error"] as JsonObject;
                throw new GoogleRefusal(status, error?["status"]?.ToString(),
                    $"{what}: Google answered {status} {(error is null ? response.ReasonPhrase : Said(error))}");
            }
        }
    }

    /// <summary>Google's <c>{"code", "message", "status"}</c>, on one line.</summary>
    private static string Said(JsonObject error)
    {
        var message = (error["message"]?.ToString() ?? "no reason given").Split('\n', 2)[0].Trim();
        return error["status"]?.ToString() is { Length: > 0 } status ? $"{status}: {message}" : message;
    }

    private static JsonObject? Parse(string text)
    {
        try
        {
            return text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>A call Google refused: a one-line <see cref="CliException"/> that still says the HTTP status and Google's status name.</summary>
internal sealed class GoogleRefusal(int statusCode, string? status, string message) : CliException(message)
{
    /// <summary>The HTTP status.</summary>
    public int StatusCode { get; } = statusCode;

    /// <summary>Google's status name (<c>PERMISSION_DENIED</c>, <c>ABORTED</c>...), when the answer had one.</summary>
    public string? Status { get; } = status;
}
