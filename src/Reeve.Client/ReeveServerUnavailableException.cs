namespace Reeve.Client;

/// <summary>No Reeve server answers at the configured address.</summary>
public class ReeveServerUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ReeveServerUnavailableException()
        : this($"Cannot reach a Reeve server at {ReeveSettings.DefaultApiUrl}.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public ReeveServerUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ReeveServerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    private ReeveServerUnavailableException(string apiUrl, string message, Exception? innerException)
        : base(message, innerException)
    {
        ApiUrl = apiUrl;
    }

    /// <summary>The address that did not answer.</summary>
    public string ApiUrl { get; } = ReeveSettings.DefaultApiUrl;

    /// <summary>The exception for a server that does not answer at <paramref name="apiUrl"/>.</summary>
    public static ReeveServerUnavailableException At(string apiUrl, Exception? innerException) =>
        new(apiUrl, $"Cannot reach a Reeve server at {apiUrl}. Start one with 'reeve server start', or set REEVE_API_URL.", innerException);
}
