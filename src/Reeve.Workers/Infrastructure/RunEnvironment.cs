namespace Reeve.Workers.Infrastructure;

/// <summary>The variables a run's job gets: the worker's Reeve settings for the run, then the job's <c>env</c> over them.</summary>
public static class RunEnvironment
{
    /// <summary>The merged variables; a null value means "unset" (the job's <c>env</c> may remove one).</summary>
    public static Dictionary<string, string?> Of(IReadOnlyDictionary<string, string> forRun, IReadOnlyDictionary<string, string?> jobEnv)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in forRun)
        {
            environment[key] = value;
        }

        foreach (var (key, value) in jobEnv)
        {
            environment[key] = value;
        }

        return environment;
    }
}
