namespace Reeve.Serving;

/// <summary>How a serving process runs its flows' runs.</summary>
public sealed record ServeOptions
{
    /// <summary>The most runs this process runs at once; more wait their turn.</summary>
    public int Limit { get; init; } = 10;

    /// <summary>Whether the deployments are paused when the process stops, so their schedules make no runs no one will run.</summary>
    public bool PauseOnShutdown { get; init; } = true;

    /// <summary>How often the process also asks for due runs, besides being told of them at once.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Where the banner and progress lines go; the console by default.</summary>
    public TextWriter? Output { get; init; }
}
