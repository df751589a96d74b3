using System.Text.Json.Nodes;

namespace Reeve.Workers.CloudRun;

/// <summary>
/// A person's Google credentials as <c>gcloud auth application-default login</c> leaves them (an
/// <c>authorized_user</c> file: an OAuth client and a refresh token), and the access tokens the refresh token is
/// exchanged for at the token endpoint.
/// </summary>
internal sealed class GoogleAuthorizedUser : IGoogleTokenSource
{
    private const string DefaultTokenUri = "https://oauth2.googleapis.com/token";

    private readonly string _clientId;
    private readonly string _clientSecret;
    private readonly string _refreshToken;
    private readonly Uri _tokenUri;
    private volatile Held? _token;

    private GoogleAuthorizedUser(string clientId, string clientSecret, string refreshToken, Uri tokenUri, string? quotaProject)
    {
        _clientId = clientId;
        _clientSecret = clientSecret;
        _refreshToken = refreshToken;
        _tokenUri = tokenUri;
        QuotaProject = quotaProject;
    }

    /// <summary>The project the credentials bill quota to (<c>quota_project_id</c>), when they name one.</summary>
    public string? QuotaProject { get; }

    /// <inheritdoc />
    public string Who => $"the user credentials of OAuth client {_clientId}";

    /// <summary>The credentials of an <c>authorized_user</c> file.</summary>
    /// <exception cref="InvalidOperationException">A field a token needs is missing, or the token_uri is not an http(s) address.</exception>
    public static GoogleAuthorizedUser From(JsonObject file)
    {
        string? Field(string name) => file[name] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
        var clientId = Field("client_id") ?? throw new InvalidOperationException("The user credentials have no client_id.");
        var secret = Field("client_secret") ?? throw new InvalidOperationException("The user credentials have no client_secret.");
        var refresh = Field("refresh_token") ?? throw new InvalidOperationException("The user credentials have no refresh_token.");
        if (!Uri.TryCreate(Field("token_uri") ?? DefaultTokenUri, UriKind.Absolute, out var tokenUri) || tokenUri.Scheme is not ("https" or "http"))
        {
            throw new InvalidOperationException("The user credentials' token_uri is not an http(s) address.");
        }

        return new GoogleAuthorizedUser(clientId, secret, refresh, tokenUri, Field("quota_project_id"));
    }

    /// <inheritdoc />
    public async Task<string> TokenAsync(HttpClient http, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (_token is { } held && held.Expires > clock.GetUtcNow())
        {
            return held.Token;
        }

        var (token, expires) = await GoogleTokens.ExchangeAsync(http, _tokenUri, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = _clientId,
            ["client_secret"] = _clientSecret,
            ["refresh_token"] = _refreshToken,
        }, Who, clock.GetUtcNow(), cancellationToken);
        _token = new Held(token, expires);
        return token;
    }

    private sealed record Held(string Token, DateTimeOffset Expires);
}
