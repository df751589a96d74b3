using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;

namespace Reeve.Workers.Ecs;

/// <summary>
/// Calls to AWS APIs, signed with Signature Version 4, on the two protocols the ECS push pool needs: JSON 1.1 (ECS, ECR:
/// <c>POST /</c> with <c>X-Amz-Target: Prefix.Action</c>) and Query (IAM, EC2, STS: a form-encoded <c>Action</c> and
/// <c>Version</c>, XML answers). Throttling and server errors are retried with bounded backoff when the call allows it.
/// A refusal is an <see cref="AwsException"/> of one line naming AWS's error code.
/// </summary>
public sealed class AwsApi(HttpClient http, AwsCredentials credentials, TimeProvider clock)
{
    private const int Attempts = 4;

    /// <summary>The credentials the calls are signed with.</summary>
    public AwsCredentials Credentials => credentials;

    /// <summary>A JSON 1.1 call: <paramref name="target"/> is the service's target prefix (<c>AmazonEC2ContainerServiceV20141113</c>).</summary>
    public async Task<JsonObject> JsonAsync(AwsService service, string target, string action, JsonObject body, bool retry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(body);
        var payload = Encoding.UTF8.GetBytes(body.ToJsonString());
        var text = await SendAsync(service, action, payload, "application/x-amz-json-1.1", $"{target}.{action}", retry, cancellationToken);
        try
        {
            return text.Length == 0 ? [] : JsonNode.Parse(text) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            throw new AwsException(200, null, $"{service.Name} answered {action} with something that is not JSON.");
        }
    }

    /// <summary>A Query call; the answer's root element.</summary>
    public async Task<XElement> QueryAsync(AwsService service, string action, string version, IEnumerable<KeyValuePair<string, string>> parameters, bool retry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(service);
        var form = new StringBuilder($"Action={AwsSignatureV4.Encode(action, false)}&Version={AwsSignatureV4.Encode(version, false)}");
        foreach (var (name, value) in parameters)
        {
            form.Append('&').Append(AwsSignatureV4.Encode(name, false)).Append('=').Append(AwsSignatureV4.Encode(value, false));
        }

        var text = await SendAsync(service, action, Encoding.UTF8.GetBytes(form.ToString()), "application/x-www-form-urlencoded; charset=utf-8", null, retry, cancellationToken);
        try
        {
            return XElement.Parse(text);
        }
        catch (XmlException)
        {
            throw new AwsException(200, null, $"{service.Name} answered {action} with something that is not XML.");
        }
    }

    private async Task<string> SendAsync(AwsService service, string action, byte[] payload, string contentType, string? target, bool retry, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, service.Endpoint);
            request.Content = new ByteArrayContent(payload);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            if (target is not null)
            {
                request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
            }

            AwsSignatureV4.Sign(request, payload, credentials, service.SigningRegion ?? credentials.Region, service.SigningName, clock.GetUtcNow());
            AwsException refused;
            try
            {
                using var response = await http.SendAsync(request, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return text;
                }

                var (code, message) = AwsErrors.Read(text, response.Headers.TryGetValues("x-amzn-ErrorType", out var types) ? types.FirstOrDefault() : null);
                refused = new AwsException((int)response.StatusCode, code,
                    $"AWS refused {service.Name} {action}: {(code is null ? "" : code + ": ")}{message ?? response.ReasonPhrase ?? "no reason given"}");
            }
            catch (HttpRequestException e)
            {
                refused = new AwsException(0, null, $"Could not reach {service.Name} at {service.Endpoint.GetLeftPart(UriPartial.Authority)} for {action}: {e.Message}");
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                refused = new AwsException(0, null, $"{service.Name} at {service.Endpoint.GetLeftPart(UriPartial.Authority)} did not answer {action} within {http.Timeout.TotalSeconds:0} s.");
            }

            if (!retry || !refused.IsTransient || attempt >= Attempts)
            {
                throw refused;
            }

            await Task.Delay(Backoff(attempt), clock, cancellationToken);
        }
    }

    private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(200 * Math.Pow(2, attempt - 1));
}

/// <summary>An AWS service's endpoint and signing names.</summary>
/// <param name="Name">Its name in messages (<c>ECS</c>, <c>IAM</c>...).</param>
/// <param name="Endpoint">Where requests go.</param>
/// <param name="SigningName">The service of the credential scope (<c>ecs</c>, <c>iam</c>...).</param>
/// <param name="SigningRegion">The region of the credential scope; null for the credentials' region.</param>
public sealed record AwsService(string Name, Uri Endpoint, string SigningName, string? SigningRegion = null)
{
    /// <summary>
    /// The service's endpoint: <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c>, else <c>AWS_ENDPOINT_URL</c> (AWS's own standard
    /// variables, read through <paramref name="environment"/>), else <paramref name="regular"/>.
    /// </summary>
    public static Uri EndpointFor(string serviceId, string regular, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(serviceId);
        ArgumentNullException.ThrowIfNull(environment);
        var given = environment($"AWS_ENDPOINT_URL_{serviceId.ToUpperInvariant().Replace(' ', '_')}") is { Length: > 0 } specific ? specific
            : environment("AWS_ENDPOINT_URL") is { Length: > 0 } general ? general
            : regular;
        return new Uri(given.EndsWith('/') ? given : given + "/");
    }
}

/// <summary>An AWS API's refusal, in one line.</summary>
/// <param name="statusCode">The HTTP status (0 when AWS was not reached).</param>
/// <param name="code">AWS's error code (<c>AccessDeniedException</c>, <c>ThrottlingException</c>...).</param>
/// <param name="message">The line.</param>
public sealed class AwsException(int statusCode, string? code, string message) : Exception(message)
{
    /// <summary>The HTTP status (0 when AWS was not reached).</summary>
    public int StatusCode { get; } = statusCode;

    /// <summary>AWS's error code, when the answer had one.</summary>
    public string? Code { get; } = code;

    /// <summary>Worth another try: throttled, or the service failing or unreachable.</summary>
    public bool IsTransient => StatusCode is 0 or 429 or >= 500
        || Code is "ThrottlingException" or "Throttling" or "ThrottledException" or "RequestLimitExceeded" or "TooManyRequestsException"
            or "ServerException" or "ServiceUnavailable" or "ServiceUnavailableException" or "InternalFailure" or "RequestThrottled";
}

/// <summary>Reading AWS's error answers: JSON's <c>{"__type", "message"}</c> and Query's XML <c>Error</c> (<c>Code</c>, <c>Message</c>).</summary>
internal static class AwsErrors
{
    public static (string? Code, string? Message) Read(string body, string? errorType)
    {
        string? code = null;
        string? message = null;
        var trimmed = body.TrimStart();
        try
        {
            if (trimmed.StartsWith('{') && JsonNode.Parse(trimmed) is JsonObject json)
            {
                code = (json["__type"] ?? json["code"] ?? json["Code"])?.GetValue<string>();
                message = (json["message"] ?? json["Message"] ?? json["errorMessage"])?.GetValue<string>();
            }
            else if (trimmed.StartsWith('<'))
            {
                var error = XElement.Parse(trimmed).DescendantsAndSelf().FirstOrDefault(e => e.Name.LocalName == "Error");
                code = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value;
                message = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value;
            }
        }
        catch (Exception e) when (e is JsonException or XmlException or InvalidOperationException)
        {
            // Not AWS's shape: the status says what there is.
        }

        code ??= errorType;
        // "com.amazonaws.ecs#AccessDeniedException" and "AccessDeniedException:http://..." both name AccessDeniedException.
        if (code is not null)
        {
            code = code[(code.LastIndexOf('#') + 1)..];
            code = code.Split(':', 2)[0];
        }

        return (code, message?.Split('\n', 2)[0].Trim());
    }
}
