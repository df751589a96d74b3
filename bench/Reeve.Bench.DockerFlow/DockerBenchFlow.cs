using Reeve.Flows;

namespace Reeve.Bench.DockerFlow;

/// <summary>The flow of the e2e-docker benchmark: its first (and only) line is what the figure times.</summary>
public static class DockerBenchFlow
{
    /// <summary>The line the benchmark waits for in the run's logs.</summary>
    public const string FirstLine = "docker bench flow: first line";

    /// <summary>Prints <see cref="FirstLine"/>.</summary>
    [Flow(Name = "bench-docker-flow", LogPrints = true)]
    public static void Run() => Console.WriteLine(FirstLine);
}
