namespace Reeve.Core.Errors;

/// <summary>A resource named in a request does not exist (HTTP 404).</summary>
public class ReeveNotFoundException : Exception
{
    /// <summary>Creates the exception, e.g. <c>new("Work pool", "my-pool")</c>.</summary>
    public ReeveNotFoundException(string resource, string key)
        : base($"{resource} '{key}' not found.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public ReeveNotFoundException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public ReeveNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ReeveNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
