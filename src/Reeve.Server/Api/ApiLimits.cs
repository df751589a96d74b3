namespace Reeve.Server.Api;

/// <summary>Limits on what a request may carry.</summary>
internal static class ApiLimits
{
    /// <summary>The largest request body; larger ones are answered 413.</summary>
    public const long MaxRequestBodyBytes = 10 * 1024 * 1024;
}
