using Azure;
using Azure.Identity;

namespace Reeve.Workers.ContainerInstances;

/// <summary>A refusal from Azure (Microsoft Entra ID or Resource Manager), in one line: what was refused, Azure's error code, and why.</summary>
public sealed class AzureException(int statusCode, string? code, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The HTTP status (0 when no answer came: a token refused, a host unreachable).</summary>
    public int StatusCode { get; } = statusCode;

    /// <summary>Azure's error code (<c>AuthorizationFailed</c>, <c>ResourceGroupNotFound</c>...), when the answer had one.</summary>
    public string? Code { get; } = code;

    /// <summary>
    /// The exception <paramref name="e"/> (from Azure.Core, Azure.Identity or the network) as one line saying that
    /// Azure refused to <paramref name="what"/>, or null when it is none of those.
    /// </summary>
    public static AzureException? From(Exception e, string what) => e switch
    {
        AzureException already => already,
        CredentialUnavailableException unavailable => new AzureException(0, null, $"No Azure credentials to {what} with: {FirstLine(unavailable.Message)}", unavailable),
        AuthenticationFailedException auth => new AzureException(0, null, $"Microsoft Entra ID refused a token: {FirstLine(auth.InnerException?.Message ?? auth.Message)}", auth),
        RequestFailedException failed when failed.Status == 0 => new AzureException(0, null, $"Azure could not be reached to {what}: {FirstLine(failed.Message)}", failed),
        RequestFailedException failed => new AzureException(failed.Status, failed.ErrorCode,
            $"Azure refused to {what}: {(failed.ErrorCode is { Length: > 0 } code ? $"{code}: " : "")}{FirstLine(failed.Message)}", failed),
        HttpRequestException http => new AzureException(0, null, $"Azure could not be reached to {what}: {FirstLine(http.Message)}", http),
        _ => null,
    };

    /// <summary>The first line that says something (MSAL's messages may start with an empty one).</summary>
    private static string FirstLine(string text) => text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "no reason given";
}
