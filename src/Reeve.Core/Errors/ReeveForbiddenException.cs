namespace Reeve.Core.Errors;

/// <summary>The caller's API key is valid but its role (or its pools) does not allow the request (HTTP 403).</summary>
public class ReeveForbiddenException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ReeveForbiddenException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public ReeveForbiddenException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ReeveForbiddenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
