namespace Reeve.Client;

/// <summary>Where a <see cref="ReeveClient"/> finds its server.</summary>
public sealed record ReeveClientOptions
{
    /// <summary>The API's base address, <c>/api</c> included. Default: <c>http://127.0.0.1:4200/api</c>.</summary>
    public string ApiUrl { get; init; } = ReeveSettings.DefaultApiUrl;

    /// <summary>The API key, sent as <c>Authorization: Bearer &lt;key&gt;</c> when set.</summary>
    public string? ApiKey { get; init; }

    /// <summary>How long one request may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The options the environment and the profile describe (see <see cref="ReeveSettings"/>).</summary>
    public static ReeveClientOptions FromSettings(ReeveSettings? settings = null)
    {
        settings ??= ReeveSettings.Load();
        return new ReeveClientOptions { ApiUrl = settings.ApiUrl, ApiKey = settings.ApiKey };
    }
}
