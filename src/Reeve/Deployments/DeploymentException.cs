namespace Reeve.Deployments;

/// <summary>
/// A deployment that cannot be made, said in one line that a program can print as it is: the work pool does not
/// exist, the source cannot be read (<see cref="DeploymentSourceException"/>), no server is configured.
/// </summary>
public class DeploymentException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DeploymentException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public DeploymentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with no message.</summary>
    public DeploymentException()
    {
    }
}
