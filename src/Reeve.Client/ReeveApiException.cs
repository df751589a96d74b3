using System.Net;

namespace Reeve.Client;

/// <summary>The server refused a request; <see cref="Detail"/> says why, in the server's words.</summary>
public class ReeveApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ReeveApiException(HttpStatusCode statusCode, string detail, string? field = null)
        : base(detail)
    {
        StatusCode = statusCode;
        Detail = detail;
        Field = field;
    }

    /// <summary>Creates the exception.</summary>
    public ReeveApiException()
        : this(HttpStatusCode.InternalServerError, "The server refused the request.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public ReeveApiException(string message)
        : this(HttpStatusCode.InternalServerError, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ReeveApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = HttpStatusCode.InternalServerError;
        Detail = message;
    }

    /// <summary>The HTTP status of the answer.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The problem's detail: what was wrong, naming the field.</summary>
    public string Detail { get; }

    /// <summary>The field at fault, when the server named one.</summary>
    public string? Field { get; }
}
