namespace Reeve.Core.Errors;

/// <summary>A request carries more than a limit allows (HTTP 413).</summary>
public class PayloadTooLargeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PayloadTooLargeException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public PayloadTooLargeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public PayloadTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
