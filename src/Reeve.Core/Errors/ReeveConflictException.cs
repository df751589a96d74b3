namespace Reeve.Core.Errors;

/// <summary>A request clashes with what exists, such as a duplicate name (HTTP 409).</summary>
public class ReeveConflictException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ReeveConflictException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public ReeveConflictException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ReeveConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
