using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reeve.Workers.CloudRun;

/// <summary>
/// A Google Cloud service account's JSON key, and the OAuth 2.0 access tokens it is given for it: a JWT signed with
/// the key (RS256) exchanged at the key's <c>token_uri</c> (the JWT bearer grant of RFC 7523), kept until a minute
/// before it expires.
/// </summary>
internal sealed class GoogleServiceAccount : IGoogleTokenSource
{
    /// <summary>The scope the Cloud Run and IAM APIs accept.</summary>
    public const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

    private const string DefaultTokenUri = "https://oauth2.googleapis.com/token";

    private readonly string _privateKey;
    private readonly string? _keyId;
    private volatile Held? _token;

    private GoogleServiceAccount(string email, string privateKey, string? keyId, Uri tokenUri, string? projectId)
    {
        Email = email;
        _privateKey = privateKey;
        _keyId = keyId;
        TokenUri = tokenUri;
        ProjectId = projectId;
    }

    /// <summary>The account's e-mail (<c>client_email</c>).</summary>
    public string Email { get; }

    /// <inheritdoc />
    public string Who => $"service account {Email}";

    /// <summary>Where tokens are asked for.</summary>
    public Uri TokenUri { get; }

    /// <summary>The project the key belongs to (<c>project_id</c>).</summary>
    public string? ProjectId { get; }

    /// <summary>The account of a JSON key (<c>service_account_info</c>).</summary>
    /// <exception cref="InvalidOperationException">The key lacks a field a token needs, or its private key is not PEM.</exception>
    public static GoogleServiceAccount From(JsonObject key)
    {
        string? Field(string name) => key[name] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
        var email = Field("client_email") ?? throw new InvalidOperationException("The service account key has no client_email.");
        var privateKey = Field("private_key") ?? throw new InvalidOperationException("The service account key has no private_key.");
        if (!Uri.TryCreate(Field("token_uri") ?? DefaultTokenUri, UriKind.Absolute, out var tokenUri) || tokenUri.Scheme is not ("https" or "http"))
        {
            throw new InvalidOperationException("The service account key's token_uri is not an http(s) address.");
        }

        using (var rsa = RSA.Create())
        {
            try
            {
                rsa.ImportFromPem(privateKey);
            }
            catch (ArgumentException)
            {
                throw new InvalidOperationException($"The private_key of service account {email} is not a PEM RSA key.");
            }
        }

        return new GoogleServiceAccount(email, privateKey, Field("private_key_id"), tokenUri, Field("project_id"));
    }

    /// <summary>
    /// An access token for <see cref="CloudPlatformScope"/>, asked for again a minute before the last one expires (two
    /// callers at that moment may both ask; either token is good).
    /// </summary>
    public async Task<string> TokenAsync(HttpClient http, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (_token is { } held && held.Expires > clock.GetUtcNow())
        {
            return held.Token;
        }

        var now = clock.GetUtcNow();
        var (token, expires) = await GoogleTokens.ExchangeAsync(http, TokenUri, new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:jwt-bearer",
            ["assertion"] = Assertion(now),
        }, Who, now, cancellationToken);
        _token = new Held(token, expires);
        return token;
    }

    private sealed record Held(string Token, DateTimeOffset Expires);

    /// <summary>The signed JWT: the account asks for the scope, for an hour, addressed to the token endpoint.</summary>
    private string Assertion(DateTimeOffset now)
    {
        var header = new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT" };
        if (_keyId is not null)
        {
            header["kid"] = _keyId;
        }

        var claims = new JsonObject
        {
            ["iss"] = Email,
            ["scope"] = CloudPlatformScope,
            ["aud"] = TokenUri.ToString(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        };
        var signed = $"{Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString()))}.{Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()))}";
        using var rsa = RSA.Create();
        rsa.ImportFromPem(_privateKey);
        var signature = rsa.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signed}.{Base64Url(signature)}";
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>The OAuth 2.0 token endpoint's exchange, shared by the ways of asking for a token.</summary>
internal static class GoogleTokens
{
    /// <summary>Posts <paramref name="form"/> to <paramref name="tokenUri"/>: the access token and when to stop using it (a minute before it expires).</summary>
    /// <exception cref="CloudRunException">The endpoint refused, or gave no token.</exception>
    public static async Task<(string Token, DateTimeOffset Expires)> ExchangeAsync(HttpClient http, Uri tokenUri, Dictionary<string, string> form,
        string who, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var content = new FormUrlEncodedContent(form);
        using var response = await http.PostAsync(tokenUri, content, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new CloudRunException((int)response.StatusCode, null, $"Google refused a token to {who}: {GoogleErrors.Read(body, response.ReasonPhrase).Why}");
        }

        JsonObject? answer;
        try
        {
            answer = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            answer = null;
        }

        var token = answer?["access_token"] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text
            : throw new CloudRunException((int)response.StatusCode, null, $"Google's token endpoint gave {who} no access_token.");
        var lifetime = answer["expires_in"] is JsonValue seconds && seconds.TryGetValue<int>(out var s) ? s : 3600;
        return (token, now.AddSeconds(Math.Max(lifetime - 60, 0)));
    }
}

/// <summary>Who asks Google's APIs for something, and the OAuth 2.0 access tokens it is given for it.</summary>
internal interface IGoogleTokenSource
{
    /// <summary>Who it is, for messages (<c>service account E</c>, <c>user credentials of client C</c>).</summary>
    string Who { get; }

    /// <summary>An access token for the cloud-platform scope, kept until shortly before it expires.</summary>
    Task<string> TokenAsync(HttpClient http, TimeProvider clock, CancellationToken cancellationToken);
}

/// <summary>A refusal from a Google API: its HTTP status, Google's status name, and one line saying what was refused and why.</summary>
public sealed class CloudRunException(int statusCode, string? status, string message) : Exception(message)
{
    /// <summary>The HTTP status.</summary>
    public int StatusCode { get; } = statusCode;

    /// <summary>Google's status name (<c>PERMISSION_DENIED</c>, <c>RESOURCE_EXHAUSTED</c>...), when the answer had one.</summary>
    public string? Status { get; } = status;

    /// <summary>Worth another try: rate limited or the service unavailable (429, 500, 503).</summary>
    public bool IsTransient => StatusCode is 429 or 500 or 503;
}

/// <summary>Reading Google's error answers: <c>{"error": {"code", "message", "status"}}</c> and OAuth's <c>{"error", "error_description"}</c>.</summary>
internal static class GoogleErrors
{
    /// <summary>Google's status name (<c>PERMISSION_DENIED</c>...), when the answer has one, and one line saying why.</summary>
    public static (string? Status, string Why) Read(string body, string? reason)
    {
        try
        {
            if (JsonNode.Parse(body) is JsonObject answer)
            {
                if (answer["error"] is JsonObject error)
                {
                    var status = error["status"]?.GetValue<string>();
                    var message = error["message"]?.GetValue<string>() ?? reason ?? "no reason given";
                    return (status, FirstLine(status is null ? message : $"{status}: {message}"));
                }

                if (answer["error"] is JsonValue code)
                {
                    return (null, FirstLine($"{code.GetValue<string>()}: {answer["error_description"]?.GetValue<string>() ?? reason}"));
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not Google's JSON: say what the status says.
        }

        return (null, reason ?? "no reason given");
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
