namespace Reeve.Bench.Scenarios;

internal interface IScenario
{
    string Name { get; }

    string Description { get; }

    Task<IReadOnlyList<Measurement>> RunAsync(BenchOptions options);
}
