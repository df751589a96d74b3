using Microsoft.AspNetCore.Components;
using Reeve.Client;

namespace Reeve.Ui;

/// <summary>
/// The UI's way to the data: the server's own REST API, at the address the browser used, with the API key the
/// user gave (kept for the browser session). Every page goes through the same API as any client.
/// </summary>
public sealed class UiApi(NavigationManager navigation) : IDisposable
{
    private ReeveClient? _client;

    /// <summary>The API key in use, if any.</summary>
    public string? ApiKey { get; private set; }

    /// <summary>The client of the API for this browser connection.</summary>
    public ReeveClient Client => _client ??= new ReeveClient(new ReeveClientOptions
    {
        ApiUrl = navigation.BaseUri.TrimEnd('/') + "/api",
        ApiKey = ApiKey,
    });

    /// <summary>Uses <paramref name="apiKey"/> from now on.</summary>
    public void UseKey(string? apiKey)
    {
        ApiKey = string.IsNullOrWhiteSpace(apiKey) ? null : apiKey.Trim();
        _client?.Dispose();
        _client = null;
    }

    /// <inheritdoc />
    public void Dispose() => _client?.Dispose();
}
