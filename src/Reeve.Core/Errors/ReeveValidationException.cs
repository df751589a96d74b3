namespace Reeve.Core.Errors;

/// <summary>
/// A request that breaks a rule of the domain. <see cref="Field"/> names what is wrong, in the wire
/// format's terms (<c>name</c>, <c>base_job_template.variables</c>), and the message says why.
/// </summary>
public class ReeveValidationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ReeveValidationException(string field, string reason)
        : base($"{field}: {reason}")
    {
        Field = field;
        Reason = reason;
    }

    /// <summary>Creates the exception with no field.</summary>
    public ReeveValidationException()
        : this("request", "invalid")
    {
    }

    /// <summary>Creates the exception from a message that already names its field.</summary>
    public ReeveValidationException(string message)
        : this("request", message)
    {
    }

    /// <summary>Creates the exception with an inner exception.</summary>
    public ReeveValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = "request";
        Reason = message;
    }

    /// <summary>The field at fault, as named on the wire.</summary>
    public string Field { get; } = "request";

    /// <summary>Why the value is refused.</summary>
    public string Reason { get; } = "invalid";
}
