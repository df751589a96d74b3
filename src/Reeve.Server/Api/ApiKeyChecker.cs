using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Reeve.Server.Hosting;
using Reeve.Server.Storage;

namespace Reeve.Server.Api;

/// <summary>
/// Tells who holds an API key: the bootstrap key (<c>REEVE_SERVER_API_KEY</c>, compared in constant time) or one made
/// with <c>POST /api/api_keys/</c> (found by its SHA-256, through <see cref="ApiKeyCache"/>). One check for every door
/// a key opens: the API's bearer header and the UI's sign-in cookie.
/// </summary>
internal sealed class ApiKeyChecker(ReeveServerOptions options, ApiKeyCache cache, TimeProvider clock)
{
    private readonly byte[]? _bootstrap = string.IsNullOrEmpty(options.ApiKey) ? null : Encoding.UTF8.GetBytes(options.ApiKey);

    /// <summary>Whether this server asks for a key at all (it has a bootstrap key); without one every caller is admin.</summary>
    public bool KeyRequired => _bootstrap is not null;

    /// <summary>The caller <paramref name="token"/> names, or why it is refused.</summary>
    public async Task<(ApiCaller? Caller, string? Refusal)> CheckAsync(HttpContext context, string token)
    {
        if (_bootstrap is null)
        {
            return (ApiCaller.Open, null);
        }

        if (token.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), _bootstrap))
        {
            return (ApiCaller.Bootstrap, null);
        }

        const string invalid = "The API key is not valid for this server.";
        if (!token.StartsWith(ApiKeyStore.KeyPrefix, StringComparison.Ordinal) || token.Length > 100)
        {
            return (null, invalid);
        }

        var hash = ApiKeyStore.Hash(token);
        if (!cache.TryGet(hash, out var key))
        {
            var found = await context.RequestServices.GetRequiredService<ApiKeyStore>().FindAsync(hash, context.RequestAborted);
            if (found is null)
            {
                return (null, invalid);
            }

            cache.Keep(hash, found);
            key = found;
        }

        if (key.Expires is { } expires && expires <= clock.GetUtcNow())
        {
            return (null, $"The API key '{key.Name}' expired at {expires:u}.");
        }

        return (new ApiCaller(key.Name, key.Role, key.WorkPools), null);
    }
}
